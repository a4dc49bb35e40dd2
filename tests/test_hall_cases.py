"""Any window continues any case (issue 15, item 1): two workstations (two data directories), one sandbox platform
served on loopback.

W1 accepts T02 (a resale with a waived material) and syncs. W2 does not hold it: it finds it on the platform by
case number (and by ID number, as a keyed hash), pulls it whole, receives the 补件 and syncs. W1 sees the
supplement after its next pull. The platform holds each version once. A declined case (不予受理) reaches the platform
too and stays declined everywhere. Offline, W2 says the case is not here and the platform cannot be reached, and
nothing is half-pulled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_driver import (
    T02,
    Driver,
    FrozenClock,
    build_app,
    demo_operator,
    make_settings,
    make_workstation,
    prepare_case,
    store_of,
)
from loopback_helpers import Loopback

from counter_app.services.followup import FollowUp
from counter_app.services.hall import HallError
from counter_app.services.sandbox import Sandbox, SandboxSettings
from forms.vocabulary import CaseStatus
from screens.case import CaseScreen

WAIVED = "seller_marital"  # T02's waived material (docs/sandbox.md)


@pytest.fixture
def platform() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(SandboxSettings(advance_after_seconds=0, timestamp_tolerance_seconds=10**10))
    server = Loopback(sandbox.app)
    server.start()
    try:
        yield sandbox, server.url
    finally:
        server.stop()


async def test_a_case_accepted_at_one_window_is_continued_at_another(
    tmp_path: Path, platform: tuple[Sandbox, str]
) -> None:
    sandbox, url = platform
    clock = FrozenClock()
    first, second = tmp_path / "w1", tmp_path / "w2"
    case_id = await prepare_case(first, T02, clock=clock, decide="accept")

    w1 = make_workstation(make_settings(first, platform_url=url), clock)
    w2 = make_workstation(make_settings(second, platform_url=url, workstation_id="QD02"), clock)
    try:
        clerk1, clerk2 = demo_operator(w1), demo_operator(w2)
        number = w1.open_case(case_id, clerk1).case_number
        summary = await w1.sync_engine().run_once()
        assert summary.sent == 1 and sandbox.platform.cases[case_id].version == 1

        # W2: not here; found on the platform by number, pulled whole, then 补件 at this window.
        assert w2.find(number) == []
        row = await w2.pull_from_hall(number, clerk2)
        assert row is not None and row.case_id == case_id and row.case_number == number
        assert [r.case_id for r in w2.find(number)] == [case_id]
        case = w2.open_case(case_id, clerk2)
        assert case.application.applicant.id_number == T02.applicant.id_number
        assert not case.editable and case.status is not CaseStatus.DRAFT
        FollowUp(w2).receive_supplement(case, WAIVED, clerk2)
        summary = await w2.sync_engine().run_once()
        assert summary.sent == 1 and not summary.conflicts
        held = sandbox.platform.cases[case_id]
        assert held.version == 2 and held.payload["case_number"] == number
        # By ID number too (a keyed hash on the wire): the same case, already here, not pulled twice.
        again = await w2.pull_from_hall(T02.applicant.id_number, clerk2)
        assert again is not None and again.case_id == case_id

        # W1 sees the supplement after its next pull.
        assert not w1.open_case(case_id, clerk1).file.supplements
        summary = await w1.sync_engine().run_once()
        assert summary.refreshed == 1
        seen = w1.open_case(case_id, clerk1).file.supplements
        assert [s.code for s in seen] == [WAIVED]

        # The platform holds each version once, in order.
        kinds = [e["type"] for e in sandbox.platform.cases[case_id].events]
        assert kinds.count("received") == 1 and kinds.count("updated") == 1
        assert len(sandbox.platform.cases) == 1
    finally:
        await w1.aclose()
        await w2.aclose()


async def test_a_declined_case_reaches_the_platform_and_stays_declined(
    tmp_path: Path, platform: tuple[Sandbox, str]
) -> None:
    sandbox, url = platform
    clock = FrozenClock()
    first, second = tmp_path / "w1", tmp_path / "w2"
    # T02 with its material waived on the checklist, then declined: a waiver that must not become a shortfall.
    case_id = await prepare_case(first, T02, clock=clock, decide="decline")

    w1 = make_workstation(make_settings(first, platform_url=url), clock)
    w2 = make_workstation(make_settings(second, platform_url=url, workstation_id="QD02"), clock)
    try:
        clerk1, clerk2 = demo_operator(w1), demo_operator(w2)
        number = w1.open_case(case_id, clerk1).case_number
        assert store_of(w1).outbox.counts() == {"pending": 1}  # queued with the decision
        # One version sent; the pull brings the platform's "declined" back, and nothing moves or is taken.
        summary = await w1.sync_engine().run_once()
        assert summary.ok and (summary.sent, summary.pulled, summary.moved, summary.refreshed) == (1, 1, 0, 0)
        held = sandbox.platform.cases[case_id]
        assert (held.version, held.status) == (1, CaseStatus.DECLINED)
        assert held.payload["decision"]["outcome"] == "declined" and held.payload["case_number"] == number
        assert [e["type"] for e in held.events] == ["declined"]
        assert w1.open_case(case_id, clerk1).status is CaseStatus.DECLINED
        assert [e.text for e in FollowUp(w1).progress(w1.open_case(case_id, clerk1)).events] == [
            "窗口不予受理，已出具一次性告知书"
        ]
        again = await w1.sync_engine().run_once()
        assert (again.sent, again.moved, again.refreshed) == (0, 0, 0)

        # Another window finds it on the platform: kept declined, opened on its follow-up, owing nothing.
        row = await w2.pull_from_hall(number, clerk2)
        assert row is not None and row.case_id == case_id
        case = w2.open_case(case_id, clerk2)
        assert case.status is CaseStatus.DECLINED and not case.editable
        assert store_of(w2).records.shortfalls(case_id) == [] and not FollowUp(w2).progress(case).shortfalls
        summary = await w2.sync_engine().run_once()
        assert summary.ok and (summary.sent, summary.moved, summary.refreshed) == (0, 0, 0)
        assert w2.open_case(case_id, clerk2).status is CaseStatus.DECLINED
        assert sandbox.platform.cases[case_id].status is CaseStatus.DECLINED
    finally:
        await w1.aclose()
        await w2.aclose()


async def test_offline_the_clerk_is_told_and_nothing_is_half_pulled(tmp_path: Path) -> None:
    closed = Loopback(None)  # bound, never started: connections are refused
    clock = FrozenClock()
    w = make_workstation(make_settings(tmp_path / "w", platform_url=closed.url, workstation_id="QD02"), clock)
    try:
        with pytest.raises(HallError, match="无法连接一件事平台"):
            await w.pull_from_hall("QD01-20260930-0001", demo_operator(w))
        assert w.find("QD01-20260930-0001") == []
        assert await w.pull_from_hall("王建国", demo_operator(w)) is None  # a name is never asked of the platform
    finally:
        closed.stop()
        await w.aclose()


async def test_a_case_number_scanned_at_home_opens_the_case(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    """A keyboard-wedge scanner types the receipt's QR code (the case number) and Enter, with no key before it."""
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        await d.press(*"QD01-20260930-0001", "enter")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.case.case_id == t01_prepared[1]
