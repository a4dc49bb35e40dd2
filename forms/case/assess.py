"""The one assessment of a case: everything a screen, a printout or the platform shows is derived here.

:func:`assess` is pure: the same case, policy, calendar and day give the same :class:`Assessment`. Screens,
printouts and sync render it; none of them re-derives a rule (the checklist screen shows :attr:`Assessment.rows`,
the receipt prints :attr:`Assessment.promised`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from forms.application import Issue, Severity
from forms.case import household
from forms.case import loan as loan_rules
from forms.case.record import CaseFile
from forms.case.risk import RiskFlag, Verdict, risk_flags, verdict_of
from forms.china_time import china_date
from forms.loan import LoanLimit, TermLimit
from forms.materials import (
    PAPER_FORM_LABELS,
    Evaluation,
    Material,
    MaterialState,
    OutcomesByWhose,
    Whose,
    evaluate,
    initial_checklist,
)
from forms.materials import materials_for as applicable_materials
from forms.policy import PolicyPack
from forms.vocabulary import (
    VERIFICATION_LABELS,
    HomeOrdinal,
    MaterialClass,
    MaterialStatus,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar

AGENT_MISMATCH = "代办人身份核验不一致：请核对代办人身份证原件，不一致的不能代办"


@dataclass(frozen=True)
class MaterialRow:
    """One checklist line as the clerk sees it: the status the evaluation gives it and a short note."""

    code: str
    name: str
    core: bool
    status: MaterialStatus
    note: str


@dataclass(frozen=True)
class Assessment:
    """What the back office would make of the case today, in the form every layer renders."""

    evaluation: Evaluation
    rows: tuple[MaterialRow, ...]
    form_issues: tuple[Issue, ...]
    outcomes: dict[VerificationKind, VerificationOutcome]
    by_person: dict[Whose, dict[VerificationKind, VerificationOutcome]]
    loan_limit: LoanLimit | None
    term_limit: TermLimit | None
    home_ordinal: HomeOrdinal
    loan_problems: tuple[str, ...]
    blocking: tuple[str, ...]
    promised: date
    promised_estimate: bool
    promised_days: int
    agents_may_accept: bool
    # Items due "before disbursement" are chased by this date: the promised date plus the pack's approval-to-
    # disbursement days where it publishes them (Shanxi), else the promised date itself.
    disbursement_due: date | None = None
    pending_lookups: tuple[VerificationKind, ...] = field(default=())
    # "clerk", "history" or "unknown" (forms.case.loan.home_ordinal_basis), and the fund loan's repayment.
    home_basis: str = "history"
    repayment: loan_rules.Repayment | None = None
    flags: tuple[RiskFlag, ...] = field(default=())
    verdict: Verdict = "auto"
    verdict_reasons: tuple[str, ...] = field(default=())

    @property
    def acceptable(self) -> bool:
        return not self.blocking

    @property
    def required_missing(self) -> frozenset[str]:
        """The form paths the case still needs typed (required and empty), for Enter to go to."""
        # A required field left empty, or a required section not begun (the spouse, the agent, the loan).
        paths = {issue.path for issue in self.form_issues if issue.missing}
        if any(issue.path == "credit_authorization.recorded" for issue in self.form_issues):
            paths.add("credit_authorization.reference")  # typing the signed paper's number records it
        return frozenset(paths)

    def needs_typing(self, path: str) -> bool:
        """The field at ``path`` is still to be typed: it, or the section it belongs to, is required and empty."""
        missing = self.required_missing
        return path in missing or any(path.startswith(section + ".") for section in missing)

    def row(self, code: str) -> MaterialRow:
        return next(r for r in self.rows if r.code == code)


def _worst(outcomes: list[dict[VerificationKind, VerificationOutcome]]) -> dict[VerificationKind, VerificationOutcome]:
    """One outcome per kind for several people (co-borrowers): a match only when every one of them matched."""
    merged: dict[VerificationKind, VerificationOutcome] = {}
    for kind in {k for o in outcomes for k in o}:
        each = [o.get(kind) for o in outcomes]
        if all(x is VerificationOutcome.MATCH for x in each):
            merged[kind] = VerificationOutcome.MATCH
            continue
        other = next((x for x in each if x is not None and x is not VerificationOutcome.MATCH), None)
        if other is not None:
            merged[kind] = other
        # else: someone was not looked up yet, so nobody's material is exempt by it
    return merged


def people_outcomes(case: CaseFile) -> OutcomesByWhose:
    """Lookups that decide each person's own materials: a match exempts only that person's (spouse, co-borrowers,
    the agent); the applicant's lookups decide the applicant's and the case's materials."""
    found: dict[Whose, dict[VerificationKind, VerificationOutcome]] = {}
    members = household.members(case)
    if any(m.who is Whose.SPOUSE for m in members):
        found[Whose.SPOUSE] = case.outcomes(Whose.SPOUSE)
    co = [m for m in members if m.who is Whose.CO_BORROWER]
    if co:
        found[Whose.CO_BORROWER] = _worst([case.lookup_outcomes(Whose.CO_BORROWER, m.position) for m in co])
    if case.application.scenario.by_agent:
        found[Whose.AGENT] = case.outcomes(Whose.AGENT)
    return found


def fresh_checklist(case: CaseFile, policy: PolicyPack) -> list[MaterialState]:
    """The scenario's lines with exemptions as the lookups stand (the clerk's marks are merged by the caller)."""
    return initial_checklist(
        policy.materials, case.application.scenario, case.outcomes(), by_whose=people_outcomes(case)
    )


def _row(material: Material, evaluation: Evaluation, line: MaterialState | None) -> MaterialRow:
    note = ""
    exempt = next((e for e in evaluation.exempted if e.material.code == material.code), None)
    waived = next((w for w in evaluation.waived if w.material.code == material.code), None)
    missing = next((m for m in evaluation.missing if m.material.code == material.code), None)
    if exempt is not None:
        state, note = MaterialStatus.VERIFIED, f"由{VERIFICATION_LABELS[exempt.kind]}核验代替"
    elif waived is not None:
        state, note = MaterialStatus.WAIVED, f"补交期限：{waived.due_text}"
    elif missing is not None:
        state = MaterialStatus.MISSING
        if line is not None and line.status is MaterialStatus.WAIVED:
            note = missing.reason  # a waiver the rules refuse: say why
        elif material.shortfall.waivable:
            note = f"可容缺（{material.shortfall.due_label()}）"
        elif material.material_class is MaterialClass.CORE:
            note = "核心要件，须收取或核验免提交"
    elif material in evaluation.committed:
        state, note = MaterialStatus.COMMITTED, "已签署告知承诺书，以承诺代替提交"
    elif material in evaluation.received and line is not None and line.received is not None:
        state = MaterialStatus.RECEIVED
        note = f"{PAPER_FORM_LABELS[line.received.form]} {line.received.count} 份"
    else:
        state, note = MaterialStatus.NOT_APPLICABLE, "经窗口确认不适用于本件"
    return MaterialRow(material.code, material.name, material.core, state, note)


def _due_by_promise(evaluation: Evaluation, promised: date) -> Evaluation:
    """A waived item due "before approval" is never due after the promised completion date (the back office
    cannot approve without it): a later working-day due date is brought forward to the promised date."""
    waived = []
    for item in evaluation.waived:
        if item.due is not None and item.due > promised:
            text = f"{promised.year}年{promised.month:02d}月{promised.day:02d}日前（不晚于承诺办结日）"
            item = item.model_copy(update={"due": promised, "due_text": text})
        waived.append(item)
    return evaluation.model_copy(update={"waived": waived})


def _draft_problem(case: CaseFile, path: str, text: str, today: date) -> Issue | None:
    """Why a half-typed value was not taken (wrong check digit, term too long …), or None if it would be."""
    from pydantic import ValidationError

    from forms.application import issues_from_error
    from forms.vocabulary import FieldSource

    try:
        case.application.backfill(path, text.strip() or None, FieldSource.TYPED, today=today)
    except ValidationError as exc:
        found = issues_from_error(exc)
        return found[0] if found else None
    except ValueError as exc:
        return Issue(path=path, label=path, message=str(exc), severity=Severity.ERROR)
    return None


def _with_drafts(case: CaseFile, issues: list[Issue], today: date) -> list[Issue]:
    """The form's findings, where a field was typed but refused saying why, not "未填写" (a wrong check digit, a
    term of 400 months), and a refused value of a filled field added."""
    problems = {
        path: found
        for path, text in case.drafts.items()
        if text.strip() and (found := _draft_problem(case, path, text, today)) is not None
    }
    merged = [problems.pop(i.path, i) if i.severity is Severity.ERROR else i for i in issues]
    return merged + list(problems.values())


def assess(case: CaseFile, policy: PolicyPack, calendar: WorkingDayCalendar, today: date) -> Assessment:
    """Derive everything shown about ``case`` on ``today`` under ``policy`` and ``calendar``."""
    decided_on = china_date(case.decision.at) if case.decision is not None else today
    by_person = {k: dict(v) for k, v in people_outcomes(case).items()}
    outcomes = case.outcomes()
    evaluation = evaluate(
        policy.materials,
        case.application.scenario,
        list(case.checklist),
        outcomes,
        accepted_on=decided_on,
        calendar=calendar,
        by_whose=by_person,
        approved_waivers={o.code for o in case.overrides},
    )
    days = policy.promised_working_days.value
    if case.decision is not None and case.decision.promised is not None:
        promised, estimate = case.decision.promised, case.decision.estimate
    else:
        result = calendar.add_working_days(decided_on, days)
        promised, estimate = result.due, result.estimate
    evaluation = _due_by_promise(evaluation, promised)
    disbursement = policy.disbursement_working_days
    disbursement_due = calendar.add_working_days(promised, disbursement.value).due if disbursement else promised
    lines = {line.code: line for line in case.checklist}
    rows = tuple(
        _row(m, evaluation, lines.get(m.code))
        for m in applicable_materials(policy.materials, case.application.scenario)
    )
    issues = tuple(_with_drafts(case, case.application.check(today), today))
    cap = loan_rules.loan_limit(case, policy, today)
    term = loan_rules.term_limit(case, policy, today)
    loan_problems = tuple(loan_rules.loan_problems(cap, term, case))
    blocking = [
        f"{i.label}：{i.message}" if i.label not in i.message else i.message
        for i in issues
        if i.severity is Severity.ERROR
    ]
    blocking += loan_problems
    agent = by_person.get(Whose.AGENT, {}).get(VerificationKind.IDENTITY)
    if agent in (VerificationOutcome.MISMATCH, VerificationOutcome.NOT_FOUND):
        blocking.append(AGENT_MISMATCH)
    if not evaluation.acceptable:
        blocking += evaluation.reasons
    home = loan_rules.home_ordinal(case)
    flags = tuple(risk_flags(case, policy, cap, home, today))
    verdict, verdict_reasons = verdict_of(list(flags))
    # A flag that refuses stops acceptance; the clerk cannot waive it (the decline notice lists it).
    blocking += [f"风险核查：{f.message}" for f in flags if f.severity == "refuse"]
    return Assessment(
        evaluation=evaluation,
        rows=rows,
        form_issues=issues,
        outcomes=outcomes,
        by_person=by_person,
        loan_limit=cap,
        term_limit=term,
        home_ordinal=home,
        home_basis=loan_rules.home_ordinal_basis(case),
        repayment=loan_rules.repayment(case, policy, today),
        loan_problems=loan_problems,
        blocking=tuple(blocking),
        promised=promised,
        promised_estimate=estimate,
        promised_days=days,
        disbursement_due=disbursement_due,
        agents_may_accept=policy.agents_may_accept.value,
        pending_lookups=tuple(k for k, o in outcomes.items() if o is VerificationOutcome.PENDING),
        flags=flags,
        verdict=verdict,
        verdict_reasons=verdict_reasons,
    )


def suggested_rate(case: CaseFile, policy: PolicyPack, months: int, today: date) -> Decimal:
    """The policy rate for the term, for the loan step and the derived rate field."""
    return loan_rules.suggested_rate(case, policy, months, today)
