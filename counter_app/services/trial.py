"""A test case (测试件) taken through intake without the screens: for trainers and the back office's test environment.

:func:`run_trial` does what a clerk would: chooses the scenario, types the people, the contract, the card and the
fund account, records every signed credit authorization, runs every lookup (the household's included), takes the
loan figures (the trainer's, or the most the rules allow), marks the paper the applicant brings, and assesses.
With ``accept`` it then takes the decision the assessment allows (accept, or decline with the one-time notice);
with ``print`` it writes that decision's documents to the spool, as at the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from counter_app.services.case_types import IntakeError, OperatorRef
from forms.case import household
from forms.materials import Whose
from forms.scenario import Scenario
from forms.vocabulary import OUTCOME_LABELS, VERIFICATION_LABELS, CaseStatus, LoanKind

if TYPE_CHECKING:
    from counter_app.services.intake import IntakeCase
    from counter_app.services.workstation import Workstation


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class TrialCase:
    """What the trainer types for one test case (from the sandbox roster)."""

    code: str
    title: str
    scenario: Scenario
    applicant: Person
    spouse: Person | None = None
    co_borrowers: tuple[Person, ...] = ()
    agent: Person | None = None
    contract_no: str | None = None
    cert_no: str | None = None
    card_no: str | None = None
    fund_account_no: str | None = None
    loan_amount: Decimal | None = None
    loan_months: int | None = None
    bank_loan_amount: Decimal | None = None
    lacking: tuple[str, ...] = ()
    waive: tuple[str, ...] = ()


@dataclass
class TrialReport:
    """What a trial shows: per-person lookups, materials, limit, flags, verdict and the decision taken."""

    code: str
    case_number: str
    lookups: list[dict[str, str]] = field(default_factory=list)
    materials: list[dict[str, str]] = field(default_factory=list)
    limit: str = ""
    term: str = ""
    flags: list[dict[str, str]] = field(default_factory=list)
    verdict: str = ""
    verdict_reasons: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    decision: str = ""
    printed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _set(case: IntakeCase, path: str, value: Any) -> None:
    if value in (None, ""):
        return
    issues = case.set_field(path, value)
    if issues:
        raise IntakeError(f"{path}：{issues[0].message}")


def _people(case: IntakeCase, trial: TrialCase) -> None:
    for prefix, person in (("applicant", trial.applicant), ("spouse", trial.spouse)):
        if person is not None:
            _set(case, f"{prefix}.id_number", person.id_number)
            _set(case, f"{prefix}.name", person.name)
            _set(case, f"{prefix}.phone", person.phone)
    for index, person in enumerate(trial.co_borrowers):
        _set(case, f"co_borrowers.{index}.id_number", person.id_number)
        _set(case, f"co_borrowers.{index}.name", person.name)
        _set(case, f"co_borrowers.{index}.phone", person.phone)
        _set(case, f"co_borrowers.{index}.relation", "other")
    if trial.agent is not None:
        _set(case, "agent.id_number", trial.agent.id_number)
        _set(case, "agent.name", trial.agent.name)
        _set(case, "agent.phone", trial.agent.phone)
        _set(case, "agent.relation", "帮办代办员")
        _set(case, "agent.power_of_attorney", True)
    # Everyone signs their own credit-inquiry authorization at the window.
    case.record_authorization()
    if trial.spouse is not None and trial.scenario.married:
        case.record_authorization(person=Whose.SPOUSE)
    for index in range(len(trial.co_borrowers)):
        case.record_authorization(person=Whose.CO_BORROWER, position=index)


def _floor(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def _loan(case: IntakeCase, trial: TrialCase) -> None:
    """The trainer's figures, or the most the rules allow for the term (at most 70% of the price, 20 years)."""
    house = case.application.property
    price = (house.total_price or house.contract_amount) if house is not None else None
    term = case.assessment().term_limit
    # A term limit of 0 (nobody can borrow) is the assessment's to report: ask for 20 years as typed.
    months = trial.loan_months or min(240, term.months if term is not None and term.months > 0 else 240)
    _set(case, "fund_loan.months", str(months))
    amount = trial.loan_amount
    if amount is None and price:
        # The capacity bound depends on the term: read the limit once the term is in.
        limit = case.assessment().loan_limit
        cap = limit.amount if limit is not None and limit.eligible else price
        amount = _floor(min(cap, price * Decimal("0.7")), Decimal(10000))
    if amount:
        _set(case, "fund_loan.amount", str(amount))
    if trial.scenario.loan_kind is LoanKind.COMBINED and price:
        bank = trial.bank_loan_amount or _floor(price * Decimal("0.8") - (amount or 0), Decimal(10000))
        _set(case, "bank_loan.bank", "沙箱银行")
        _set(case, "bank_loan.amount", str(bank))
        _set(case, "bank_loan.months", str(months))
        _set(case, "bank_loan.rate", "3.5")
    account = case.application.repayment_account
    if account is None or not account.bank:
        # The card lookup did not name the bank (no match): the clerk types it from the card.
        _set(case, "repayment_account.bank", "沙箱银行")


def _report(case: IntakeCase, trial: TrialCase) -> TrialReport:
    assessment = case.assessment()
    report = TrialReport(code=trial.code, case_number=case.case_number)
    for member in household.members(case.file):
        for record in sorted(
            (r for r in case.file.lookups if r.person is member.who and r.position == member.position),
            key=lambda r: list(case.application.scenario.verifications()).index(r.kind),
        ):
            if case.file.lookup(record.kind, member.who, member.position) is record:
                report.lookups.append(
                    {
                        "person": member.label,
                        "kind": VERIFICATION_LABELS[record.kind],
                        "outcome": OUTCOME_LABELS[record.outcome],
                    }
                )
    agent = case.agent_result
    if agent is not None:
        report.lookups.append(
            {"person": "代办人", "kind": VERIFICATION_LABELS[agent.kind], "outcome": OUTCOME_LABELS[agent.outcome]}
        )
    from forms.vocabulary import MATERIAL_STATUS_LABELS

    report.materials = [
        {"code": r.code, "name": r.name, "status": MATERIAL_STATUS_LABELS[r.status], "note": r.note}
        for r in assessment.rows
    ]
    if assessment.loan_limit is not None:
        report.limit = f"{assessment.loan_limit.amount:,.2f} 元（{assessment.loan_limit.binding.label}）"
    if assessment.term_limit is not None:
        report.term = f"{assessment.term_limit.months} 个月（{assessment.term_limit.reason}）"
    report.flags = [
        {"code": f.code, "severity": f.severity, "message": f.message, "evidence": f.evidence} for f in assessment.flags
    ]
    report.verdict = assessment.verdict
    report.verdict_reasons = list(assessment.verdict_reasons)
    report.blocking = list(assessment.blocking)
    return report


async def run_trial(
    workstation: Workstation,
    operator: OperatorRef,
    trial: TrialCase,
    *,
    accept: bool = False,
    print_documents: bool = False,
) -> TrialReport:
    """Take ``trial`` through intake on ``workstation`` (its embedded sandbox) as ``operator`` (a window clerk) and
    report what the counter judged."""
    case = workstation.new_case(operator, trial.scenario)
    _people(case, trial)
    _set(case, "property.contract_number", trial.contract_no)
    _set(case, "property.title_certificate", trial.cert_no)
    _set(case, "repayment_account.card_number", trial.card_no)
    _set(case, "fund_account.account_number", trial.fund_account_no)
    await case.run_lookups()
    _loan(case, trial)
    # The paper the applicant brings: everything still owed, but what the roster says they lack or will owe.
    for item in case.evaluation().missing:
        code = item.material.code
        if code in trial.waive:
            case.waive(code)
        elif code not in trial.lacking:
            case.mark_received(code, original=True)
    report = _report(case, trial)
    if accept:
        made = case.accept() if case.assessment().acceptable else case.decline()
        report.decision = "受理" if made.status is CaseStatus.ACCEPTED else "不予受理"
        if print_documents:
            for kind in made.documents:
                report.printed.append(case.print(kind).path.name)
    return report
