"""The loan side of a case: who borrows, the maximum loan and term for what the form knows, the policy rate.

Pure functions over a :class:`~forms.case.record.CaseFile`; the rules themselves are in ``forms.loan``.
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from forms.case.record import CaseFile
from forms.loan import Borrower, LoanLimit, LoanLimitInput, TermLimit, max_loan, max_term_months, rate_for
from forms.policy import PolicyPack
from forms.vocabulary import HomeOrdinal, MaritalStatus, VerificationKind, VerificationOutcome


def borrowers(case: CaseFile, today: date) -> list[Borrower]:
    applicant = case.application.applicant
    if applicant.birth_date is None or applicant.sex is None:
        return []
    account = case.application.fund_account
    months = 0
    if account is not None:
        if account.consecutive_months is not None:
            months = account.consecutive_months
        elif account.opened_on is not None:
            months = max(0, (today - account.opened_on).days * 12 // 365)
    age = applicant.age_on(today) or 0
    if not 16 <= age <= 100:
        return []
    return [
        Borrower(
            age=age,
            sex=applicant.sex,
            birth_date=applicant.birth_date,
            monthly_base=(account.contribution_base if account else None) or Decimal("0.00"),
            balance=(account.balance if account else None) or Decimal("0.00"),
            account_months=min(months, 1200),
        )
    ]


def home_ordinal(case: CaseFile) -> HomeOrdinal:
    loan = case.application.fund_loan
    if loan is not None and loan.home_ordinal is not None:
        return loan.home_ordinal
    history = case.lookup(VerificationKind.LOAN_HISTORY)
    if history is not None and history.outcome is VerificationOutcome.MATCH:
        count = history.data.get("prior_loans", history.data.get("count", 0))
        with contextlib.suppress(TypeError, ValueError):
            if int(str(count or 0)) >= 1:
                return HomeOrdinal.SECOND
    return HomeOrdinal.FIRST


def house_age(case: CaseFile, today: date) -> int | None:
    house = case.application.property
    year = getattr(house, "completion_year", None) if house is not None else None
    return max(0, min(100, today.year - year)) if year else None


def loan_limit(case: CaseFile, policy: PolicyPack, today: date) -> LoanLimit | None:
    """The maximum fund loan for what the form knows now; None until the borrower and the price are known."""
    people = borrowers(case, today)
    house = case.application.property
    price = (house.total_price or house.contract_amount) if house is not None else None
    if not people or not price:
        return None
    loan = case.application.fund_loan
    children = case.lookup(VerificationKind.CHILDREN)
    multi_child = False
    if children is not None and children.outcome is VerificationOutcome.MATCH:
        with contextlib.suppress(TypeError, ValueError):
            multi_child = int(str(children.data.get("children_count", 0) or 0)) >= 2
    inp = LoanLimitInput(
        borrowers=people,
        couple=case.application.scenario.marital_status is MaritalStatus.MARRIED,
        house_price=price,
        appraised_value=getattr(house, "appraised_value", None),
        home=home_ordinal(case),
        property_kind=case.application.scenario.property_kind,
        house_age_years=house_age(case, today),
        multi_child=multi_child,
        term_months=loan.months if loan is not None else None,
    )
    return max_loan(policy.loan, inp, as_of=today)


def term_limit(case: CaseFile, policy: PolicyPack, today: date) -> TermLimit | None:
    people = borrowers(case, today)
    if not people:
        return None
    return max_term_months(
        policy.loan, people, case.application.scenario.property_kind, house_age(case, today), as_of=today
    )


def suggested_rate(case: CaseFile, policy: PolicyPack, months: int, today: date) -> Decimal:
    return rate_for(policy.loan, home_ordinal(case), months, on=today)


def loan_problems(loan_cap: LoanLimit | None, term_cap: TermLimit | None, case: CaseFile) -> list[str]:
    """The loan as typed against the limits: Chinese lines, empty when within them."""
    problems: list[str] = []
    loan = case.application.fund_loan
    if loan is not None and loan.amount is not None and loan_cap is not None and loan.amount > loan_cap.amount:
        problems.append(
            f"公积金贷款金额 {loan.amount:,.2f} 元超过可贷额度 {loan_cap.amount:,.2f} 元（{loan_cap.binding.label}）"
        )
    if loan is not None and loan.months is not None and term_cap is not None and loan.months > term_cap.months:
        problems.append(f"贷款期限 {loan.months} 个月超过最长期限 {term_cap.months} 个月（{term_cap.reason}）")
    return problems
