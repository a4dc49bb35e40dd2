"""The assessment is the one place a derived value comes from: the promised date is the decision's once made, and
the receipt prints it as recorded (never worked out again on another day or under another calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from counter_app.services.case_repo import CaseRepository
from counter_app.services.case_types import OperatorRef, PrintSetup
from counter_app.services.intake import IntakeCase
from forms.case import CaseFile, Decision, assess
from forms.policy import load_policy
from forms.vocabulary import CaseStatus, Role
from forms.workdays import load_calendar
from local_cache import Store
from printouts import DocKind
from printouts.models import ReceiptData

AT = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
POLICY = load_policy("qingdao")
CALENDAR = load_calendar([])
# Not what the calendar gives for 2026-09-30 + 6 working days (2026-10-14): a date recorded at the decision stands.
RECORDED = date(2026, 10, 16)


def _decided() -> CaseFile:
    decision = Decision(outcome="accepted", at=AT, by="demo", promised=RECORDED, estimate=True)
    return CaseFile().model_copy(update={"decision": decision})


def test_a_draft_is_promised_from_today_and_a_decision_keeps_its_date() -> None:
    draft = assess(CaseFile(), POLICY, CALENDAR, date(2026, 9, 30))
    assert (draft.promised, draft.promised_estimate) == (date(2026, 10, 14), False)
    later = assess(_decided(), POLICY, CALENDAR, date(2027, 3, 1))
    assert (later.promised, later.promised_estimate) == (RECORDED, True)


def test_the_receipt_prints_the_promised_date_the_decision_recorded(tmp_path: Path) -> None:
    with Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=lambda: AT) as store:
        record = store.cases.create(actor="demo", payload=_decided().model_dump(mode="json"))
        store.cases.move_status(record.id, CaseStatus.ACCEPTED, actor="demo")
        repo = CaseRepository(store)
        case = IntakeCase(
            repo=repo,
            loaded=repo.load(record.id),
            policy=POLICY,
            calendar=CALENDAR,
            operator=OperatorRef(id=1, login="demo", name="演示", role=Role.CLERK.value),
            clock=lambda: datetime(2026, 11, 20, 2, 0, tzinfo=UTC),  # printed weeks later
            gateway=lambda: None,  # type: ignore[arg-type, return-value]
            printing=PrintSetup(spool_dir=tmp_path, printer=None, font_path=None, window="一号窗口"),
        )
        data = case.document_data(DocKind.RECEIPT)
    assert isinstance(data, ReceiptData)
    assert data.promised.due == RECORDED and data.promised.estimate
    assert data.accepted_at == AT


def _waived(policy_code: str, code: str, scenario: dict[str, str] | None = None) -> tuple[CaseFile, object]:
    from forms.case import fresh_checklist
    from forms.materials import MaterialState, Waiver
    from forms.scenario import Scenario
    from forms.vocabulary import MaterialStatus

    policy = load_policy(policy_code)
    file = CaseFile().model_copy(
        update={"application": CaseFile().application.with_scenario(Scenario.model_validate(scenario or {}))}
    )
    file = file.with_checklist(fresh_checklist(file, policy))
    line = MaterialState(code=code, status=MaterialStatus.WAIVED, waived=Waiver(commitment_signed=True, reason="补交"))
    return file.with_line(line), policy


def test_a_waived_item_is_never_due_after_the_promised_date() -> None:
    # Qingdao: income proof due 10 working days after acceptance, the case promised in 6.
    file, policy = _waived("qingdao", "income_proof")
    assessment = assess(file, policy, CALENDAR, date(2026, 9, 30))  # type: ignore[arg-type]
    [item] = assessment.evaluation.waived
    assert assessment.promised == date(2026, 10, 14)
    assert item.due == assessment.promised and "不晚于承诺办结日" in item.due_text
    assert assessment.row("income_proof").note.endswith(item.due_text)


def test_before_disbursement_items_are_chased_by_the_disbursement_deadline() -> None:
    shanxi = load_policy("shanxi")
    assert shanxi.disbursement_working_days is not None
    from forms.materials import materials_for
    from forms.scenario import Scenario

    code = next(
        m.code
        for m in materials_for(shanxi.materials, Scenario())
        if m.shortfall.waivable and m.shortfall.working_days is None
    )
    file, policy = _waived("shanxi", code)
    assessment = assess(file, policy, CALENDAR, date(2026, 9, 30))  # type: ignore[arg-type]
    expected = CALENDAR.add_working_days(assessment.promised, shanxi.disbursement_working_days.value).due
    assert assessment.disbursement_due == expected > assessment.promised
    # Qingdao publishes no disbursement limit: its before-disbursement items are chased by the promised date.
    assert assess(CaseFile(), POLICY, CALENDAR, date(2026, 9, 30)).disbursement_due == date(2026, 10, 14)


def test_a_refused_half_typed_value_says_why_not_unfilled() -> None:
    # A wrong check digit and a term of 400 months stay drafts; the review must name the real problem.
    file = CaseFile().with_draft("applicant.id_number", "370202198803159133").with_draft("fund_loan.months", "400")
    assessment = assess(file, POLICY, CALENDAR, date(2026, 9, 30))
    text = "\\n".join(assessment.blocking)
    assert "校验" in text and "申请人身份证号码：未填写" not in text
    assert "360" in text or "期限" in text
    # A draft the form would take is no problem of its own.
    fine = CaseFile().with_draft("applicant.name", "王建国")
    assert not any(
        "姓名" in p and "未填写" not in p for p in assess(fine, POLICY, CALENDAR, date(2026, 9, 30)).blocking
    )
