"""Local store: case numbers, autosave and drafts, status, checklist, shortfalls, verifications, outbox, prints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from forms.vocabulary import CaseStatus, MaterialStatus, ShortfallStatus, VerificationKind, VerificationOutcome
from local_cache import NotFoundError, Person, Store, ValidationError
from local_cache.errors import PermissionDeniedError
from tests.store_helpers import Clock

ID_A = "11010519491231002X"
ID_B = "440524188001010014"


@pytest.fixture
def store_options() -> dict[str, Any]:
    """The shared ``store`` fixture (conftest.py) with a one-hour lookup cache."""
    return {"verification_ttl": timedelta(hours=1)}


def _payload(name: str = "张三", id_number: str = ID_A) -> dict[str, object]:
    return {
        "applicant": {"name": {"value": name, "source": "typed"}, "id_number": id_number, "phone": "13812345678"},
        "spouse": {"name": "李四", "id_number": ID_B},
        "loan": {"amount": "600000.00"},
    }


def test_case_numbers_per_workstation_and_china_date(store: Store, clock: Clock) -> None:
    a = store.cases.create(actor="t")
    b = store.cases.create(actor="t")
    assert (a.case_number, b.case_number) == ("QD01-20261122-0001", "QD01-20261122-0002")
    clock.now = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on the 23rd in China
    c = store.cases.create(actor="t")
    assert c.case_number == "QD01-20261123-0001"
    assert [s.case_number for s in store.cases.list_for_date(date(2026, 11, 22))] == [b.case_number, a.case_number]


def test_bad_workstation_id_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="qd 01")
    assert "工作站编号" in str(info.value)


def test_autosave_and_resume_draft(store: Store) -> None:
    case = store.cases.create(actor="clerk1", operator_id=None)
    state = {"step": 1, "focus": "f-applicant-phone", "inputs": {"applicant.name": "张三"}, "screen": "x"}
    rev = store.cases.autosave(case.id, _payload(), ui_state=state)
    assert rev == 1
    drafts = store.cases.list_drafts()
    assert [d.id for d in drafts] == [case.id]
    assert drafts[0].applicant_name == "张*" and drafts[0].applicant_id == "1101**********002X"
    resumed = store.cases.get(drafts[0].id)
    assert resumed.payload == _payload()
    # The clear screen state keeps the step and the widget id only: typed text never reaches it.
    assert resumed.ui_state == {"step": 1, "focus": "f-applicant-phone"}
    assert {(p.role, p.name, p.id_number) for p in resumed.people} == {
        ("applicant", "张三", ID_A),
        ("spouse", "李四", ID_B),
    }
    # autosave without ui_state keeps the last one
    store.cases.autosave(case.id, {"loan": {}})
    assert store.cases.get(case.id).ui_state["focus"] == "f-applicant-phone"
    with pytest.raises(ValidationError):
        store.cases.autosave(case.id, {}, expected_revision=1)
    with pytest.raises(NotFoundError):
        store.cases.autosave("nope", {})


def test_find_by_number_id_and_name(store: Store) -> None:
    a = store.cases.create(actor="t", payload=_payload("张三", ID_A))
    b = store.cases.create(actor="t", payload={"applicant": {"name": "王五", "id_number": ID_B}})
    assert store.cases.by_number(a.case_number.lower()).id == a.id
    assert {c.id for c in store.cases.find_by_id_number(ID_B)} == {a.id, b.id}  # spouse on a, applicant on b
    assert [c.id for c in store.cases.find_by_id_number(ID_A.lower())] == [a.id]
    assert [c.id for c in store.cases.find_by_name("王五")] == [b.id]
    assert store.cases.find_by_name("王") == []  # full names only
    # explicit people override the payload's
    store.cases.autosave(b.id, {}, people=[Person(role="applicant", name="赵六", id_number=ID_B)])
    assert [c.id for c in store.cases.find_by_name("赵六")] == [b.id]
    assert store.cases.find_by_name("王五") == []
    with pytest.raises(NotFoundError):
        store.cases.by_number("QD01-20990101-0001")


def test_people_from_application_dump_shape(store: Store) -> None:
    payload = {
        "applicant": {"name": "张三", "id_number": ID_A, "phone": "13812345678"},
        "co_borrowers": [{"name": "钱七", "id_number": None}, {"name": "孙八"}],
        "agent": None,
        "property": {"property_kind": "resale", "seller_name": "周九", "seller_id_number": ID_B},
    }
    case = store.cases.create(actor="t", payload=payload)
    roles = {(p.role, p.position, p.name) for p in store.cases.get(case.id).people}
    assert roles == {
        ("applicant", 0, "张三"),
        ("co_borrower", 0, "钱七"),
        ("co_borrower", 1, "孙八"),
        ("seller", 0, "周九"),
    }
    assert [c.id for c in store.cases.find_by_id_number(ID_B)] == [case.id]
    assert store.cases.get(case.id).summary.applicant_name == "张*"


def test_status_flow_timestamps_and_override(store: Store, clock: Clock) -> None:
    case = store.cases.create(actor="clerk1")
    clock.now += timedelta(minutes=5)
    accepted = store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="clerk1")
    assert accepted.status is CaseStatus.ACCEPTED and accepted.accepted_at == clock.now
    assert store.cases.list_drafts() == []
    with pytest.raises(PermissionDeniedError):
        store.cases.set_status(case.id, CaseStatus.DRAFT, actor="clerk1")
    with pytest.raises(ValidationError):
        store.cases.set_status(case.id, CaseStatus.DRAFT, actor="boss", override_by_supervisor=True)
    back = store.cases.set_status(
        case.id, CaseStatus.DRAFT, actor="boss", override_by_supervisor=True, reason="受理信息有误，退回修改"
    )
    assert back.status is CaseStatus.DRAFT
    history = [(h["from_status"], h["to_status"]) for h in store.cases.history(case.id)]
    assert history == [(None, "draft"), ("draft", "accepted"), ("accepted", "draft")]
    actions = [e.action for e in store.audit.entries(case_number=case.case_number)]
    assert actions == ["case_created", "status_changed", "status_changed", "supervisor_override"]


def test_checklist_lines(store: Store) -> None:
    case = store.cases.create(actor="t")
    store.records.set_checklist_line(case.id, "id_card", MaterialStatus.VERIFIED)
    store.records.set_checklist_line(case.id, "income", MaterialStatus.MISSING)
    store.records.set_checklist_line(case.id, "income", MaterialStatus.RECEIVED, {"original": True, "count": 1})
    lines = store.records.checklist(case.id)
    assert [(ln.material_code, ln.status, ln.detail) for ln in lines] == [
        ("id_card", MaterialStatus.VERIFIED, {}),
        ("income", MaterialStatus.RECEIVED, {"original": True, "count": 1}),
    ]
    with pytest.raises(NotFoundError):
        store.records.set_checklist_line("nope", "x", MaterialStatus.MISSING)


def test_shortfalls_overdue_and_fulfilled(store: Store) -> None:
    case = store.cases.create(actor="t")
    store.records.add_shortfall(case.id, "income", date(2026, 12, 1), commitment_ref="C-1")
    store.records.add_shortfall(case.id, "invoice", date(2026, 12, 10))
    assert [s.material_code for s in store.records.shortfalls_due(date(2026, 12, 5))] == ["income"]
    assert store.records.mark_overdue(date(2026, 12, 1)) == []  # due today is not overdue yet
    changed = store.records.mark_overdue(date(2026, 12, 2))
    assert [(s.material_code, s.status) for s in changed] == [("income", ShortfallStatus.OVERDUE)]
    assert store.records.mark_overdue(date(2026, 12, 2)) == []
    done = store.records.fulfil_shortfall(case.id, "income")
    assert done.status is ShortfallStatus.FULFILLED and done.fulfilled_at is not None
    states = {s.material_code: s.status for s in store.records.shortfalls(case.id)}
    assert states == {"income": ShortfallStatus.FULFILLED, "invoice": ShortfallStatus.OPEN}
    assert "shortfall_overdue" in [e.action for e in store.audit.entries()]


def test_verification_record_cache_and_audit(store: Store, clock: Clock) -> None:
    case = store.cases.create(actor="t")
    subject = {"name": "张三", "id_number": ID_A}
    assert store.records.cached_verification(case.id, VerificationKind.IDENTITY, subject) is None
    rec = store.records.record_verification(
        case.id,
        VerificationKind.IDENTITY,
        VerificationOutcome.MATCH,
        data={"address": "青岛市市南区"},
        source="公安人口库",
        checked_at=clock.now,
        request_id="req-1",
        actor="clerk1",
        authorization_ref="AUTH-7",
        subject=subject,
    )
    again = store.records.record_verification(
        case.id,
        VerificationKind.IDENTITY,
        VerificationOutcome.MATCH,
        data={},
        source="x",
        checked_at=clock.now,
        request_id="req-1",
        actor="clerk1",
        subject=subject,
    )
    assert again.id == rec.id and again.data == {"address": "青岛市市南区"}  # idempotent by request id
    hit = store.records.cached_verification(case.id, VerificationKind.IDENTITY, subject)
    assert hit is not None and hit.request_id == "req-1"
    assert store.records.cached_verification(case.id, VerificationKind.IDENTITY, {**subject, "name": "x"}) is None
    assert store.records.cached_verification(case.id, VerificationKind.MARRIAGE, subject) is None
    clock.now += timedelta(hours=1, seconds=1)
    assert store.records.cached_verification(case.id, VerificationKind.IDENTITY, subject) is None
    # unavailable answers are recorded but never cached
    store.records.record_verification(
        case.id,
        VerificationKind.CREDIT,
        VerificationOutcome.UNAVAILABLE,
        data={},
        source="人行",
        checked_at=clock.now,
        request_id="req-2",
        actor="clerk1",
        subject=subject,
    )
    assert store.records.cached_verification(case.id, VerificationKind.CREDIT, subject) is None
    assert [v.request_id for v in store.records.verifications(case.id)] == ["req-1", "req-2"]
    lookups = [e for e in store.audit.entries() if e.action == "lookup"]
    assert len(lookups) == 2
    assert lookups[0].detail["authorization_ref"] == "AUTH-7" and lookups[0].actor == "clerk1"
    assert lookups[0].case_number == case.case_number and lookups[0].detail["outcome"] == "match"


def test_outbox_idempotent_retry_and_dead(store: Store, clock: Clock) -> None:
    case = store.cases.create(actor="t")
    e1 = store.outbox.enqueue(case.id, 1, {"case": "v1"}, actor="clerk1")
    assert store.outbox.enqueue(case.id, 1, {"case": "other"}, actor="clerk1").id == e1.id
    assert [e.id for e in store.outbox.due()] == [e1.id]
    failed = store.outbox.mark_failed(e1.id, "503", retry_in=timedelta(minutes=1))
    assert failed.attempts == 1 and failed.state == "pending" and store.outbox.due() == []
    clock.now += timedelta(minutes=2)
    assert [e.payload for e in store.outbox.due()] == [{"case": "v1"}]
    store.outbox.mark_sent(e1.id)
    assert store.outbox.counts() == {"sent": 1}
    e2 = store.outbox.enqueue(case.id, 2, {"case": "v2"}, actor="clerk1")
    store.outbox.max_attempts = 2
    store.outbox.mark_failed(e2.id, "x", retry_in=timedelta(0))
    assert store.outbox.mark_failed(e2.id, "x", retry_in=timedelta(0)).state == "dead"
    actions = [e.action for e in store.audit.entries()]
    assert actions.count("sync_queued") == 2 and actions.count("sync_failed") == 3 and "sync_sent" in actions


def test_print_and_reprint_need_reason(store: Store) -> None:
    case = store.cases.create(actor="t")
    first = store.prints.record(case.id, "receipt", actor="clerk1")
    assert first.is_reprint is False
    with pytest.raises(ValidationError) as info:
        store.prints.record(case.id, "receipt", actor="clerk1")
    assert "补打原因" in str(info.value)
    again = store.prints.record(case.id, "receipt", actor="clerk1", reason="打印机卡纸")
    assert again.is_reprint and again.reason == "打印机卡纸"
    assert store.prints.record(case.id, "notice", actor="clerk1").is_reprint is False
    actions = [e.action for e in store.audit.entries(case_number=case.case_number)]
    assert actions == ["case_created", "print", "reprint", "print"]
