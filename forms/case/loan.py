"""The loan side of a case: who borrows, the maximum loan and term for what the form knows, the policy rate.

Pure functions over a :class:`~forms.case.record.CaseFile`; the rules themselves are in ``forms.loan``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from forms.case import household
from forms.case.record import CaseFile
from forms.loan import LoanLimit, LoanLimitInput, TermLimit, max_loan, max_term_months, rate_for, summary
from forms.loan.repayment import RepaymentSummary
from forms.materials import Whose
from forms.policy import PolicyPack
from forms.vocabulary import FieldSource, HomeOrdinal, RepaymentMethod, VerificationKind, VerificationOutcome


def stated_home_ordinal(case: CaseFile) -> bool:
    """The clerk stated 首套/二套 (a value the form derived earlier is not a statement: it is worked out again)."""
    loan = case.application.fund_loan
    return (
        loan is not None
        and loan.home_ordinal is not None
        and case.application.source_of("fund_loan.home_ordinal") is not FieldSource.DERIVED
    )


def home_ordinal(case: CaseFile) -> HomeOrdinal:
    """首套 or 二套 as the household's loan history says (the clerk's own choice stands)."""
    if stated_home_ordinal(case):
        return case.application.fund_loan.home_ordinal  # type: ignore[union-attr,return-value]
    total, _ = household.household_loans(case)
    return HomeOrdinal.SECOND if total >= 1 else HomeOrdinal.FIRST


def home_ordinal_basis(case: CaseFile) -> str:
    """Why 首套/二套 is what it is: ``clerk`` (stated at the counter), ``history`` (every household member's loan
    history answered), or ``unknown`` (a history is missing: the figure is an assumption the clerk should settle)."""
    if stated_home_ordinal(case):
        return "clerk"
    needed = VerificationKind.LOAN_HISTORY in case.application.scenario.verifications()
    for member in household.members(case):
        if member.who not in (Whose.APPLICANT, Whose.SPOUSE):
            continue
        record = household.answer(case, member, VerificationKind.LOAN_HISTORY)
        if record is None and needed:
            return "unknown"
    return "history"


@dataclass(frozen=True)
class Repayment:
    """The fund loan's repayment as typed: the rate (typed, or the pack's for the home and term), the method and
    the figures, or why they cannot be computed."""

    rate: Decimal
    method: RepaymentMethod
    figures: RepaymentSummary | None
    problem: str = ""


def repayment(case: CaseFile, policy: PolicyPack, today: date) -> Repayment | None:
    """None until the fund loan's amount and term are typed."""
    loan = case.application.fund_loan
    if loan is None or not loan.amount or not loan.months:
        return None
    rate = loan.rate if loan.rate is not None else suggested_rate(case, policy, loan.months, today)
    method = loan.repayment_method or RepaymentMethod.ANNUITY
    try:
        figures = summary(loan.amount, rate, loan.months, method)
    except ValueError as exc:
        return Repayment(rate, method, None, str(exc))
    return Repayment(rate, method, figures)


def house_age(case: CaseFile, today: date) -> int | None:
    house = case.application.property
    year = getattr(house, "completion_year", None) if house is not None else None
    return max(0, min(100, today.year - year)) if year else None


def loan_limit(case: CaseFile, policy: PolicyPack, today: date) -> LoanLimit | None:
    """The maximum fund loan for what the form knows now; None until the borrower and the price are known."""
    people = household.borrowers(case, policy, today)
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
        couple=household.couple_cap(case, policy),
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
    people = household.borrowers(case, policy, today)
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
    # An ineligible borrower is a verdict with its reason (a risk flag), not a limit of 0.00.
    eligible = loan_cap is not None and loan_cap.eligible
    if (
        loan is not None
        and loan.amount is not None
        and loan_cap is not None
        and eligible
        and loan.amount > loan_cap.amount
    ):
        problems.append(
            f"公积金贷款金额 {loan.amount:,.2f} 元超过可贷额度 {loan_cap.amount:,.2f} 元（{loan_cap.binding.label}）"
        )
    if loan is not None and loan.months is not None and term_cap is not None and loan.months > term_cap.months:
        problems.append(f"贷款期限 {loan.months} 个月超过最长期限 {term_cap.months} 个月（{term_cap.reason}）")
    return problems
