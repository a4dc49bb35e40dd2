"""Replays of lookups queued offline (补查) ask about the case as it is now, reach the case, and raise no false flag;
the home screen never says 联网 while lookups wait in the queue (issue 14, items 2 and 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_driver import Driver, build_app, open_counter, sandbox_of, store_of
from textual.widgets import Static

from counter_app.services.intake import IntakeCase, OperatorRef
from counter_app.services.workstation import Workstation
from counter_app.settings import Settings
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, MaterialStatus, VerificationKind, VerificationOutcome

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)

T01 = {
    "applicant.id_number": "370202198803159132",
    "applicant.name": "王建国",
    "applicant.phone": "13800000001",
    "spouse.id_number": "370202199007029243",
    "spouse.name": "刘晓梅",
    "spouse.phone": "13800000002",
}
CONTRACT, CARD = "XF2026000101", "6222020200112345679"  # T01's own, on file with the registries
# Typed first from the wrong folder (another applicant's, T07's): valid numbers, about someone else.
WRONG_CONTRACT, WRONG_CARD = "XF2026000701", "6222020200778899118"


@pytest.fixture
def workstation(tmp_path: Path) -> Iterator[Workstation]:
    ws = open_counter(Settings(data_dir=tmp_path, sync_interval_seconds=0), clock=lambda: NOW)
    yield ws
    store_of(ws).close()


@pytest.fixture
def clerk(workstation: Workstation) -> OperatorRef:
    return workstation.login("demo", "demo1234")


def type_in(case: IntakeCase, values: dict[str, str]) -> None:
    for path, value in values.items():
        assert case.set_field(path, value) == [], path


async def queue_offline(workstation: Workstation, clerk: OperatorRef) -> IntakeCase:
    """Gateway down: lookups queued before the contract and card are typed, then with the wrong ones; then the
    right contract and card typed (their lookups not run again: the replay must pick them up)."""
    sandbox_of(workstation).down = True
    case = workstation.new_case(clerk, Scenario(marital_status="married"))
    type_in(case, T01)
    case.record_authorization()
    await case.run_lookups()
    await case.run_lookups()  # the first failures say "unavailable"; the second run queues them all
    assert VerificationKind.CONTRACT in case.waiting_for_input()  # not typed yet: its lookup waits
    type_in(case, {"property.contract_number": WRONG_CONTRACT, "repayment_account.card_number": WRONG_CARD})
    await case.run_lookups(case.due_lookups())
    stale = case.file.lookup(VerificationKind.CONTRACT)
    assert stale is not None and stale.outcome is VerificationOutcome.PENDING
    assert stale.params == {"contract_no": WRONG_CONTRACT}
    type_in(case, {"property.contract_number": CONTRACT, "repayment_account.card_number": CARD})
    return case


async def test_a_replay_asks_about_the_case_as_it_is_now_and_reaches_it(
    workstation: Workstation, clerk: OperatorRef
) -> None:
    case = await queue_offline(workstation, clerk)
    assert store_of(workstation).pending.count() > 0

    sandbox_of(workstation).down = False
    report = await workstation.background_round()
    assert report is not None
    assert store_of(workstation).pending.count() == 0

    reopened = workstation.open_case(case.case_id, clerk)
    # Asked about the contract and card the case holds now, not those typed when the lookups were queued.
    contract = reopened.file.lookup(VerificationKind.CONTRACT)
    card = reopened.file.lookup(VerificationKind.BANK_CARD)
    assert contract is not None and contract.params == {"contract_no": CONTRACT}
    assert contract.outcome is VerificationOutcome.MATCH
    assert card is not None and card.params == {"card_no": CARD} and card.outcome is VerificationOutcome.MATCH
    # Every answer reached the case, those queued before the contract was typed too; nothing is left pending.
    assert set(reopened.outcomes().values()) == {VerificationOutcome.MATCH}
    assert reopened.due_lookups() == []
    # Taken in like a live answer: a draft is backfilled from the registry (the contract's address).
    assert reopened.application.property is not None and reopened.application.property.location
    assert reopened.application.source_of("property.location") is FieldSource.VERIFIED
    assert workstation.review_flags() == []


async def test_a_stale_replay_raises_no_false_flag_on_a_case_that_matched(
    workstation: Workstation, clerk: OperatorRef
) -> None:
    case = await queue_offline(workstation, clerk)
    queued = store_of(workstation).pending.count()
    assert queued > 0

    # The gateway is back before the background round: the clerk's lookups run live and match; the case is accepted.
    sandbox_of(workstation).down = False
    assert await workstation.gateway_for(clerk).probe()
    await case.run_lookups()
    assert set(case.outcomes().values()) == {VerificationOutcome.MATCH}
    type_in(case, {"fund_loan.amount": "600000", "fund_loan.months": "300"})  # the price came from the registry
    for code, line in list(case.checklist.items()):
        if line.status is not MaterialStatus.VERIFIED:
            case.mark_received(code, copies=1, original=True)
    case.accept()

    # The queued lookups are superseded by the live ones: dropped, not replayed with the wrong contract and card
    # (which would answer 不一致 and flag "…补查结果为“不一致”，与受理时（一致）不同").
    before = sandbox_of(workstation).stats.verify_requests
    await workstation.background_round()
    assert store_of(workstation).pending.count() == 0
    assert workstation.review_flags() == []
    assert sandbox_of(workstation).stats.verify_requests == before
    reopened = workstation.open_case(case.case_id, clerk)
    assert set(reopened.outcomes().values()) == {VerificationOutcome.MATCH}
    assert reopened.file.flags == ()


async def test_the_indicator_says_offline_while_lookups_are_queued(tmp_path: Path) -> None:
    """After a restart the clients are fresh ("online") but the queue still holds lookups: not 联网."""
    data = tmp_path / "data"
    ws = open_counter(Settings(data_dir=data, sync_interval_seconds=0), clock=lambda: NOW)
    try:
        clerk = ws.login("demo", "demo1234")
        await queue_offline(ws, clerk)
        queued = store_of(ws).pending.count()
        sandbox_of(ws).down = False
        assert await ws.gateway_for(clerk).probe()  # the gateway answers again; the queue is not replayed yet
        assert ws.home().online is False and ws.home().pending_lookups == queued
    finally:
        await ws.aclose()

    app = build_app(data)  # the counter started again: its embedded gateway answers
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        await d.settle()
        status = str(app.screen.query_one("#status-line", Static).render())
        assert f"离线排队 {queued} 项" in status and "● 联网" not in status
        await app.workstation.background_round()
        assert app.workstation.home().online is True
        app.screen.refresh_data()  # type: ignore[attr-defined]
        await d.settle()
        assert "● 联网" in str(app.screen.query_one("#status-line", Static).render())
