"""The checklist screen shows the case's assessment and nothing of its own: every material of every scenario of
every pack, with agent and co-borrower cases, under several patterns of lookups and marks.

For each combination the table on screen is compared, row by row, with the one evaluation (forms.materials via
forms.case.assess): a material shows 免提交 exactly when the evaluation exempts it, 容缺 exactly when it is waived,
已收取 exactly when received, 未提交 exactly when missing. A rule copied into the screen would drift and fail here.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from textual.app import App, ComposeResult

from forms.case import Assessment, CaseFile, LookupRecord, assess, fresh_checklist
from forms.materials import MaterialState, Receipt, Waiver, Whose
from forms.policy import PolicyPack, load_policy
from forms.policy_names import available_policies
from forms.scenario import Scenario
from forms.vocabulary import (
    MATERIAL_STATUS_LABELS,
    LoanKind,
    MaritalStatus,
    MaterialStatus,
    Presence,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import load_calendar
from screens.steps.checklist import ChecklistStep

TODAY = date(2026, 9, 30)
AT = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
CALENDAR = load_calendar([])


def _lookup(kind: VerificationKind, outcome: VerificationOutcome, person: Whose = Whose.APPLICANT) -> LookupRecord:
    return LookupRecord(person=person, kind=kind, request_id=f"{person}-{kind}", outcome=outcome, checked_at=AT)


def _patterns(scenario: Scenario) -> dict[str, list[LookupRecord]]:
    kinds = scenario.verifications()
    patterns = {
        "none": [],
        "all-match": [_lookup(k, VerificationOutcome.MATCH) for k in kinds],
        "all-mismatch": [_lookup(k, VerificationOutcome.MISMATCH) for k in kinds],
        # Every other lookup matched, the rest did not answer (offline): exemptions must follow each lookup.
        "half": [
            _lookup(k, VerificationOutcome.MATCH if i % 2 else VerificationOutcome.PENDING) for i, k in enumerate(kinds)
        ],
    }
    if scenario.by_agent:
        # The drift found: only the applicant's identity matched; the agent's own ID card is not exempt by it.
        patterns["applicant-only"] = [_lookup(VerificationKind.IDENTITY, VerificationOutcome.MATCH)]
        patterns["agent-mismatch"] = [
            _lookup(VerificationKind.IDENTITY, VerificationOutcome.MATCH),
            _lookup(VerificationKind.IDENTITY, VerificationOutcome.MISMATCH, Whose.AGENT),
        ]
        patterns["agent-match"] = [_lookup(VerificationKind.IDENTITY, VerificationOutcome.MATCH, Whose.AGENT)]
    return patterns


def _marked(file: CaseFile, policy: PolicyPack) -> CaseFile:
    """The clerk's marks: every third line received, every third waived, some committed (allowed or not)."""
    for index, line in enumerate(file.checklist):
        if line.status is MaterialStatus.VERIFIED:
            continue
        if index % 3 == 0:
            file = file.with_line(
                MaterialState(code=line.code, status=MaterialStatus.RECEIVED, received=Receipt(count=2))
            )
        elif index % 3 == 1:
            waiver = Waiver(commitment_signed=index % 2 == 0, reason="按期补交")
            file = file.with_line(MaterialState(code=line.code, status=MaterialStatus.WAIVED, waived=waiver))
        elif index % 6 == 2:
            # 告知承诺, allowed or not by the pack (Sichuan allows it for data-shared materials).
            waiver = Waiver(commitment_signed=True, reason="告知承诺")
            file = file.with_line(MaterialState(code=line.code, status=MaterialStatus.COMMITTED, waived=waiver))
    return file


def _cases(policy: PolicyPack) -> list[tuple[str, CaseFile]]:
    out: list[tuple[str, CaseFile]] = []
    for prop, loan, presence, marital, co in itertools.product(
        PropertyKind, LoanKind, Presence, (MaritalStatus.UNMARRIED, MaritalStatus.MARRIED), (0, 1)
    ):
        scenario = Scenario(
            property_kind=prop, loan_kind=loan, presence=presence, marital_status=marital, co_borrower_count=co
        )
        for name, lookups in _patterns(scenario).items():
            base = CaseFile().model_copy(
                update={"application": CaseFile().application.with_scenario(scenario, today=TODAY)}
            )
            file = base.with_lookups(lookups)
            file = file.with_checklist(fresh_checklist(file, policy))
            out.append((f"{policy.code}/{scenario.model_dump_json()}/{name}/plain", file))
            out.append((f"{policy.code}/{scenario.model_dump_json()}/{name}/marked", _marked(file, policy)))
    return out


class _Case:
    """What the step reads of a case: its assessment."""

    def __init__(self, assessment: Assessment) -> None:
        self._assessment = assessment

    def assessment(self) -> Assessment:
        return self._assessment


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ChecklistStep(_Case(_blank()), id="step")  # type: ignore[arg-type]


def _blank() -> Assessment:
    policy = load_policy("qingdao")
    return assess(CaseFile(), policy, CALENDAR, TODAY)


def _expected(assessment: Assessment, code: str) -> MaterialStatus:
    evaluation = assessment.evaluation
    if code in {e.material.code for e in evaluation.exempted}:
        return MaterialStatus.VERIFIED
    if code in {w.material.code for w in evaluation.waived}:
        return MaterialStatus.WAIVED
    if code in {m.material.code for m in evaluation.missing}:
        return MaterialStatus.MISSING
    if code in {m.code for m in evaluation.received}:
        return MaterialStatus.RECEIVED
    if code in {m.code for m in evaluation.committed}:
        return MaterialStatus.COMMITTED
    return MaterialStatus.NOT_APPLICABLE


async def test_checklist_screen_shows_exactly_the_assessment() -> None:
    app = _Host()
    compared = 0
    async with app.run_test(size=(120, 36)) as pilot:
        step = app.query_one(ChecklistStep)
        for code in available_policies():
            policy = load_policy(code)
            for label, file in _cases(policy):
                assessment = assess(file, policy, CALENDAR, TODAY)
                step.case = _Case(assessment)  # type: ignore[assignment]
                step.refresh_from_case()
                shown = step.shown()
                applicable = [r.code for r in assessment.rows]
                assert len(shown) == len(applicable), label
                for cells, row in zip(shown, assessment.rows, strict=True):
                    name, _, status, _ = cells
                    assert name == row.name, label
                    want = MATERIAL_STATUS_LABELS[_expected(assessment, row.code)]
                    assert status == want, f"{label}: {row.code} shows {status}, the evaluation says {want}"
                    compared += 1
        await pilot.pause()
    assert compared > 5_000  # every pack, scenario, pattern and material was walked


def test_agent_id_is_not_exempt_by_the_applicants_identity_alone() -> None:
    """The drift that was found: an agent case where only the applicant's identity matched."""
    policy = load_policy("qingdao")
    scenario = Scenario(presence=Presence.AGENT)
    file = CaseFile().model_copy(update={"application": CaseFile().application.with_scenario(scenario)})
    file = file.with_lookups([_lookup(VerificationKind.IDENTITY, VerificationOutcome.MATCH)])
    file = file.with_checklist(fresh_checklist(file, policy))
    assessment = assess(file, policy, CALENDAR, TODAY)
    assert assessment.row("applicant_id").status is MaterialStatus.VERIFIED
    assert assessment.row("agent_id").status is MaterialStatus.MISSING
