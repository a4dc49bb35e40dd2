"""The loan side of a case: who borrows, the maximum loan and term for what the form knows, the policy rate.

Functions over an :class:`~counter_app.services.intake.IntakeCase`; the rules themselves are in ``forms.loan``.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import TYPE_CHECKING

from forms.loan import Borrower, LoanLimit, LoanLimitInput, TermLimit, max_loan, max_term_months, rate_for
from forms.vocabulary import HomeOrdinal, MaritalStatus, VerificationKind, VerificationOutcome

if TYPE_CHECKING:
    from counter_app.services.intake import IntakeCase


def _borrowers(case: IntakeCase) -> list[Borrower]:
    applicant = case.application.applicant
    if applicant.birth_date is None or applicant.sex is None:
        return []
    account = case.application.fund_account
    months = 0
    if account is not None:
        if account.consecutive_months is not None:
            months = account.consecutive_months
        elif account.opened_on is not None:
            months = max(0, (case.today() - account.opened_on).days * 12 // 365)
    age = applicant.age_on(case.today()) or 0
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


def home_ordinal(case: IntakeCase) -> HomeOrdinal:
    loan = case.application.fund_loan
    if loan is not None and loan.home_ordinal is not None:
        return loan.home_ordinal
    history = case.results.get(VerificationKind.LOAN_HISTORY)
    if history is not None and history.outcome is VerificationOutcome.MATCH:
        with contextlib.suppress(TypeError, ValueError):
            if int(history.data.get("prior_loans", history.data.get("count", 0)) or 0) >= 1:
                return HomeOrdinal.SECOND
    return HomeOrdinal.FIRST


def loan_limit(case: IntakeCase) -> LoanLimit | None:
    """The maximum fund loan for what the form knows now; None until the borrower and the price are known."""
    borrowers = _borrowers(case)
    house = case.application.property
    price = (house.total_price or house.contract_amount) if house is not None else None
    if not borrowers or not price:
        return None
    loan = case.application.fund_loan
    children = case.results.get(VerificationKind.CHILDREN)
    multi_child = bool(
        children is not None
        and children.outcome is VerificationOutcome.MATCH
        and int(children.data.get("children_count", 0) or 0) >= 2
    )
    inp = LoanLimitInput(
        borrowers=borrowers,
        couple=case.application.scenario.marital_status is MaritalStatus.MARRIED,
        house_price=price,
        appraised_value=getattr(house, "appraised_value", None),
        home=home_ordinal(case),
        property_kind=case.application.scenario.property_kind,
        house_age_years=_house_age(case),
        multi_child=multi_child,
        term_months=loan.months if loan is not None else None,
    )
    return max_loan(case.policy.loan, inp, as_of=case.today())


def _house_age(case: IntakeCase) -> int | None:
    house = case.application.property
    year = getattr(house, "completion_year", None) if house is not None else None
    return max(0, min(100, case.today().year - year)) if year else None


def term_limit(case: IntakeCase) -> TermLimit | None:
    borrowers = _borrowers(case)
    if not borrowers:
        return None
    return max_term_months(
        case.policy.loan,
        borrowers,
        case.application.scenario.property_kind,
        _house_age(case),
        as_of=case.today(),
    )


def suggested_rate(case: IntakeCase, months: int) -> Decimal:
    return rate_for(case.policy.loan, home_ordinal(case), months, on=case.today())


def loan_problems(case: IntakeCase) -> list[str]:
    """The loan as typed against the limits: Chinese lines, empty when within them."""
    problems: list[str] = []
    loan = case.application.fund_loan
    limit = loan_limit(case)
    term = term_limit(case)
    if loan is not None and loan.amount is not None and limit is not None and loan.amount > limit.amount:
        problems.append(
            f"公积金贷款金额 {loan.amount:,.2f} 元超过可贷额度 {limit.amount:,.2f} 元（{limit.binding.label}）"
        )
    if loan is not None and loan.months is not None and term is not None and loan.months > term.months:
        problems.append(f"贷款期限 {loan.months} 个月超过最长期限 {term.months} 个月（{term.reason}）")
    return problems
