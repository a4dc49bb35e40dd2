"""Agents, supervisors and the window's follow-up work (issue 8), through the services the screens use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_driver import open_counter, sandbox_of, store_of

from counter_app.services.followup import FollowUp
from counter_app.services.intake import IntakeCase, IntakeError, OperatorRef
from counter_app.services.workstation import LoginError, Workstation
from counter_app.settings import Settings
from forms.scenario import Scenario
from forms.vocabulary import CaseStatus, MaterialStatus, ShortfallStatus, VerificationOutcome
from printouts import DocKind

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
T15_AGENT_ID = "370211198506189358"


def open_ws(tmp_path: Path, policy: str = "qingdao") -> Workstation:
    ws = open_counter(Settings(data_dir=tmp_path, policy=policy, sync_interval_seconds=0), clock=lambda: NOW)
    for login, name, role in (("wang", "王窗口", "clerk"), ("sun", "孙帮办", "agent"), ("li", "李主任", "supervisor")):
        store_of(ws).operators.add(login, name, role, "long-enough-1")
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workstation]:
    workstation = open_ws(tmp_path)
    yield workstation
    store_of(workstation).close()


def people(ws: Workstation) -> tuple[OperatorRef, OperatorRef, OperatorRef]:
    return (
        ws.login("wang", "long-enough-1"),
        ws.login("sun", "long-enough-1"),
        ws.login("li", "long-enough-1"),
    )


async def agent_case(ws: Workstation, agent: OperatorRef, *, agent_name: str = "孙帮办") -> IntakeCase:
    """T15: combined loan through an agent; every lookup matches."""
    case = ws.new_case(agent, Scenario(loan_kind="combined", presence="agent"))
    for path, value in {
        "applicant.id_number": "370211198703039770",
        "applicant.name": "唐宇",
        "applicant.phone": "13800000015",
        "agent.id_number": T15_AGENT_ID,
        "agent.name": agent_name,
        "agent.phone": "13900000015",
        "agent.relation": "帮办代办员",
    }.items():
        assert case.set_field(path, value) == [], path
    assert case.set_field("agent.power_of_attorney", True) == []
    case.record_authorization()
    for path, value in {
        "property.contract_number": "XF2026001501",
        "fund_loan.amount": "500000",
        "fund_loan.months": "300",
        "bank_loan.bank": "沙箱银行",
        "bank_loan.amount": "300000",
        "bank_loan.months": "300",
        "bank_loan.rate": "3.5",
        "repayment_account.card_number": "6217004455667788992",
    }.items():
        assert case.set_field(path, value) == [], path
    await case.run_lookups()
    return case


def take_paper(case: IntakeCase) -> None:
    for code, line in list(case.checklist.items()):
        if line.status is not MaterialStatus.VERIFIED:
            case.mark_received(code, copies=1, original=True)


async def test_agent_identity_is_verified_apart_and_exempts_only_the_agents_id(ws: Workstation) -> None:
    clerk, agent, _ = people(ws)
    case = await agent_case(ws, agent)
    assert case.agent_result is not None and case.agent_result.outcome is VerificationOutcome.MATCH
    assert case.results[next(k for k in case.results if k.value == "identity")].outcome is VerificationOutcome.MATCH
    exempt = {item.material.code for item in case.evaluation().exempted}
    assert "agent_id" in exempt and "applicant_id" in exempt

    wrong = await agent_case(ws, agent, agent_name="孙冒名")
    assert wrong.agent_result is not None and wrong.agent_result.outcome is VerificationOutcome.MISMATCH
    assert "agent_id" not in {item.material.code for item in wrong.evaluation().exempted}
    take_paper(wrong)
    with pytest.raises(IntakeError, match="代办人身份核验不一致"):
        ws.open_case(wrong.case_id, clerk).accept()


async def test_agent_prepares_and_hands_over_the_clerk_accepts(ws: Workstation) -> None:
    clerk, agent, _ = people(ws)
    case = await agent_case(ws, agent)
    take_paper(case)
    with pytest.raises(IntakeError, match="窗口"):
        case.accept()  # Qingdao: agents prepare (预审); the window accepts
    case.hand_over()

    found = ws.find(case.case_number)
    assert [row.case_id for row in found] == [case.case_id]
    at_window = ws.open_case(case.case_id, clerk)
    assert at_window.handoff is not None and at_window.handoff.by == "sun"
    assert at_window.agent_result is not None  # the pre-verification travels with the case
    decision = at_window.accept()
    assert decision.status is CaseStatus.ACCEPTED
    form = at_window.print(DocKind.FORM)
    assert form.path.exists()


async def test_agents_may_accept_where_the_policy_allows(tmp_path: Path) -> None:
    ws = open_ws(tmp_path, policy="fujian")
    try:
        _, agent, _ = people(ws)
        case = await agent_case(ws, agent)
        take_paper(case)
        assert case.accept().status is CaseStatus.ACCEPTED
    finally:
        store_of(ws).close()


async def test_only_a_supervisor_waives_a_core_material(ws: Workstation) -> None:
    clerk, agent, supervisor = people(ws)
    case = await agent_case(ws, agent)
    with pytest.raises(IntakeError, match="核心要件"):
        case.waive("power_of_attorney")
    with pytest.raises(IntakeError, match="只有负责人"):
        case.waive("power_of_attorney", reason="委托人在外地，次日补交", approved_by=clerk)
    with pytest.raises(IntakeError, match="理由"):
        case.waive("power_of_attorney", approved_by=supervisor)
    case.waive("power_of_attorney", reason="委托人在外地，次日补交公证件", approved_by=supervisor)
    line = case.checklist["power_of_attorney"]
    assert line.status is MaterialStatus.WAIVED
    waived = {item.material.code: item for item in case.evaluation().waived}
    assert "负责人批准" in waived["power_of_attorney"].due_text
    overrides = [
        e for e in store_of(ws).audit.entries(case_number=case.case_number) if e.action == "supervisor_override"
    ]
    assert overrides and overrides[0].actor == "li"


async def test_reprint_needs_a_supervisor_and_a_reason(ws: Workstation) -> None:
    clerk, agent, supervisor = people(ws)
    case = await agent_case(ws, agent)
    take_paper(case)
    case_at_window = ws.open_case(case.case_id, clerk)
    case_at_window.accept()
    case_at_window.print(DocKind.RECEIPT)
    with pytest.raises(IntakeError, match="负责人授权"):
        case_at_window.print(DocKind.RECEIPT, reason="申请人遗失")
    with pytest.raises(IntakeError, match="原因"):
        case_at_window.print(DocKind.RECEIPT, authorized_by=supervisor)
    record = case_at_window.print(DocKind.RECEIPT, reason="申请人遗失", authorized_by=supervisor)
    assert record.is_reprint
    with pytest.raises(LoginError):
        ws.supervisor("wang", "long-enough-1")
    assert ws.supervisor("li", "long-enough-1").role == "supervisor"


async def test_void_is_for_supervisors_only(ws: Workstation) -> None:
    clerk, _agent, supervisor = people(ws)
    case = ws.new_case(clerk, Scenario())
    with pytest.raises(IntakeError, match="负责人"):
        case.void(clerk, "录入错误")
    case.void(supervisor, "重复建档")
    assert store_of(ws).cases.get(case.case_id).summary.status is CaseStatus.DECLINED


async def test_supplement_closes_the_shortfall_and_reaches_the_platform(ws: Workstation) -> None:
    clerk, agent, _ = people(ws)
    case = await agent_case(ws, agent)
    take_paper(case)
    case.mark_missing("income_proof")
    case.waive("income_proof")
    at_window = ws.open_case(case.case_id, clerk)
    at_window.accept()
    await ws.background_round()
    follow = FollowUp(ws)
    [line] = follow.shortfalls(case.case_id)
    assert line.code == "income_proof" and line.status is ShortfallStatus.OPEN
    with pytest.raises(IntakeError, match="没有待补交"):
        follow.receive_supplement(at_window, "bank_approval", clerk)
    closed = follow.receive_supplement(at_window, "income_proof", clerk)
    assert closed.status is ShortfallStatus.FULFILLED
    await ws.background_round()
    stored = sandbox_of(ws).platform.cases[case.case_id]
    assert stored.version == 2
    # The platform receives the whole aggregate: the supplement is in it, with the material's code.
    assert [s["code"] for s in stored.payload["supplements"]] == ["income_proof"]
    assert stored.payload["schema_version"] == 2 and "drafts" not in stored.payload
    assert store_of(ws).outbox.counts().get("pending", 0) == 0


async def test_hand_out_only_after_the_platform_completes(ws: Workstation) -> None:
    clerk, agent, _ = people(ws)
    case = await agent_case(ws, agent)
    take_paper(case)
    at_window = ws.open_case(case.case_id, clerk)
    at_window.accept()
    await ws.background_round()
    follow = FollowUp(ws)
    with pytest.raises(IntakeError, match="办结后"):
        follow.hand_out(at_window, clerk, collected_by="唐宇本人", items="借款合同、抵押登记证明")
    sandbox_of(ws).platform.advance(case.case_id, "completed")
    await ws.background_round()
    progress = follow.progress(at_window)
    assert progress.status is CaseStatus.COMPLETED and progress.ready_for_handout
    assert progress.events
    follow.hand_out(at_window, clerk, collected_by="唐宇本人", items="借款合同、抵押登记证明")
    assert follow.progress(at_window).handout["collected_by"] == "唐宇本人"
    with pytest.raises(IntakeError, match="已出件"):
        follow.hand_out(at_window, clerk, collected_by="唐宇本人", items="借款合同")


async def test_supervisor_unlocks_an_operator(ws: Workstation) -> None:
    clerk, _, supervisor = people(ws)
    for _ in range(5):
        with pytest.raises(LoginError):
            ws.login("wang", "wrong-password")
    with pytest.raises(LoginError, match="锁定"):
        ws.login("wang", "long-enough-1")
    with pytest.raises(IntakeError):
        FollowUp(ws).unlock_operator("wang", clerk)
    FollowUp(ws).unlock_operator("wang", supervisor)
    assert ws.login("wang", "long-enough-1").login == "wang"


async def test_overdue_shortfalls_are_listed_and_printed(tmp_path: Path) -> None:
    import pdfplumber

    now = [NOW]
    ws = open_counter(Settings(data_dir=tmp_path, sync_interval_seconds=0), clock=lambda: now[0])
    try:
        store_of(ws).operators.add("sun", "孙帮办", "agent", "long-enough-1")
        store_of(ws).operators.add("wang", "王窗口", "clerk", "long-enough-1")
        agent = ws.login("sun", "long-enough-1")
        clerk = ws.login("wang", "long-enough-1")
        case = await agent_case(ws, agent)
        take_paper(case)
        case.mark_missing("income_proof")
        case.waive("income_proof")
        ws.open_case(case.case_id, clerk).accept()
        follow = FollowUp(ws)
        assert follow.overdue() == []
        now[0] = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # well past 10 working days after 2026-09-30
        [(number, line)] = follow.overdue()
        assert number == case.case_number and line.status is ShortfallStatus.OVERDUE
        assert any(row.overdue for row in ws.home().shortfalls)
        record = follow.print_overdue(clerk)
        with pdfplumber.open(record.path) as pdf:
            text = "".join(page.extract_text() or "" for page in pdf.pages)
        assert case.case_number in text and "收入证明" in text
        assert "370211198703039770" not in text
    finally:
        store_of(ws).close()
