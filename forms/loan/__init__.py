"""Loan rules: rates, repayment schedules, the maximum loan and the maximum term (贷款额度、期限、还款计算).

Every figure comes from the active policy pack's ``loan.toml`` (``LoanPolicy``), each number a ``Sourced`` value;
this package holds only the arithmetic. Money is Decimal yuan rounded to the fen; rates are annual percentages as
Decimal (``Decimal("2.6")`` means 2.6 % a year); the monthly rate is annual / 12.

The package is split by responsibility; import from ``forms.loan`` as before, every public name is re-exported here:

* ``policy`` — ``LoanPolicy`` and its parts (``loan.toml``), ``rate_table_for``, ``rate_for``, ``overdue_rate``;
* ``repayment`` — repayment tables and summaries (``schedule``, ``summary``) and their rounding rules;
* ``borrowers`` — the validated inputs ``Borrower`` and ``LoanLimitInput``;
* ``term`` — ages, statutory retirement ages, ``max_term_months``;
* ``limits`` — eligibility and ``max_loan``;
* ``_common`` — months per year, Decimal precision and rounding to the fen, shared by the others.
"""

from __future__ import annotations

from forms.identifiers import Sex
from forms.loan._common import MONTHS_PER_YEAR
from forms.loan.borrowers import AccountBalance as AccountBalance
from forms.loan.borrowers import AccountMonths as AccountMonths
from forms.loan.borrowers import Age as Age
from forms.loan.borrowers import AppraisedValue as AppraisedValue
from forms.loan.borrowers import Borrower, LoanLimitInput
from forms.loan.borrowers import ContributionBase as ContributionBase
from forms.loan.borrowers import HomeField as HomeField
from forms.loan.borrowers import HouseAge as HouseAge
from forms.loan.borrowers import HousePrice as HousePrice
from forms.loan.borrowers import PropertyField as PropertyField
from forms.loan.borrowers import SexField as SexField
from forms.loan.borrowers import TermMonths as TermMonths
from forms.loan.limits import LoanBound, LoanLimit, eligibility_problems, is_eligible, max_loan
from forms.loan.policy import (
    AmountRule,
    BalanceRule,
    CapacityRule,
    Caps,
    DownPaymentRule,
    EligibilityRule,
    LoanPolicy,
    OverdueRule,
    RateTable,
    RetirementAges,
    RetirementRule,
    TermRule,
    TopUp,
    overdue_rate,
    rate_for,
    rate_table_for,
)
from forms.loan.repayment import (
    REPAYMENT_METHOD_LABELS,
    RepaymentRow,
    RepaymentSchedule,
    RepaymentSummary,
    schedule,
    summary,
)
from forms.loan.term import SEX_LABELS, TermBound, TermLimit, age_months, max_term_months, retirement_age_months

__all__ = [
    "MONTHS_PER_YEAR",
    "REPAYMENT_METHOD_LABELS",
    "SEX_LABELS",
    "AmountRule",
    "BalanceRule",
    "Borrower",
    "CapacityRule",
    "Caps",
    "DownPaymentRule",
    "EligibilityRule",
    "LoanBound",
    "LoanLimit",
    "LoanLimitInput",
    "LoanPolicy",
    "OverdueRule",
    "RateTable",
    "RepaymentRow",
    "RepaymentSchedule",
    "RepaymentSummary",
    "RetirementAges",
    "RetirementRule",
    "Sex",
    "TermBound",
    "TermLimit",
    "TermRule",
    "TopUp",
    "age_months",
    "eligibility_problems",
    "is_eligible",
    "max_loan",
    "max_term_months",
    "overdue_rate",
    "rate_for",
    "rate_table_for",
    "retirement_age_months",
    "schedule",
    "summary",
]
