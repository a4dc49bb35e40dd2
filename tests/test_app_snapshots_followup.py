"""Snapshots of the screens of the window's follow-up and sync work (issues 7 and 8), 120×36, frozen clock.

Regenerate after an intended change with ``--snapshot-update`` and look at the SVGs before accepting them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from app_driver import (
    FROZEN_NOW,
    T01,
    TERMINAL_SIZE,
    FrozenClock,
    build_app,
    freeze_for_snapshot,
    login_fast,
    make_settings,
    make_workstation,
    prepare_case,
    store_of,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from counter_app.app import CounterApp
from local_cache.sync_ledger import SyncLedger

CASE_NUMBER = "QD01-20260930-0001"


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    app = pilot.app
    assert isinstance(app, CounterApp)
    await app.workers.wait_for_complete()
    freeze_for_snapshot(app)
    await pilot.pause()


async def _open_followup(pilot: Pilot[Any]) -> None:
    await login_fast(pilot)
    find = pilot.app.screen.query_one("#find", Input)
    find.focus()
    find.value = CASE_NUMBER
    await pilot.press("enter")
    await pilot.pause()


def _accepted(data_dir: Path) -> str:
    return asyncio.run(prepare_case(data_dir, T01, decide="accept"))


def test_followup_screen(snap_compare: Any, data_dir: Path) -> None:
    _accepted(data_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await _open_followup(pilot)
        await _settle(pilot)

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_handout_dialog(snap_compare: Any, data_dir: Path) -> None:
    _accepted(data_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await _open_followup(pilot)
        await pilot.press("h")
        await _settle(pilot)

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_supervisor_dialog(snap_compare: Any, data_dir: Path) -> None:
    _accepted(data_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await _open_followup(pilot)
        await pilot.press("p")
        await _settle(pilot)

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_overdue_screen(snap_compare: Any, data_dir: Path) -> None:
    _accepted(data_dir)  # a waived invoice, due before disbursement (tracked against 2026-10-14)
    later = FrozenClock(FROZEN_NOW + timedelta(days=40))

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await login_fast(pilot)
        await pilot.press("o")
        await _settle(pilot)

    assert snap_compare(build_app(data_dir, clock=later), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_sync_screen_with_conflict_and_flag(snap_compare: Any, data_dir: Path) -> None:
    case_id = _accepted(data_dir)
    clock = FrozenClock()
    workstation = make_workstation(make_settings(data_dir), clock)
    store = store_of(workstation)
    [entry] = [e for e in store.outbox.due(limit=10) if e.case_id == case_id]
    SyncLedger.of(store).park_conflict(
        entry,
        platform_version=2,
        platform_view={"status": "in_review", "version": 2, "events": [{"at": "2026-09-30T10:30", "text": "审批中"}]},
        code="version_conflict",
        message="平台已有版本 2（审批岗修改了贷款期限）",
    )
    store.flags.raise_flag(
        case_id,
        "identity",
        before="pending",
        after="mismatch",
        message="身份信息（公安）补查结果为“不一致”，与受理时（排队待核验）不同",
        action="请联系申请人携带身份证原件到窗口核实",
        request_id="snapshot-flag",
        actor="system",
    )
    store.close()

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await login_fast(pilot)
        await pilot.press("s")
        await _settle(pilot)

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_conflict_dialog(snap_compare: Any, data_dir: Path) -> None:
    case_id = _accepted(data_dir)
    workstation = make_workstation(make_settings(data_dir), FrozenClock())
    store = store_of(workstation)
    [entry] = [e for e in store.outbox.due(limit=10) if e.case_id == case_id]
    SyncLedger.of(store).park_conflict(
        entry,
        platform_version=2,
        platform_view={"status": "in_review", "version": 2},
        code="version_conflict",
        message="平台已有版本 2",
    )
    store.close()

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await login_fast(pilot)
        await pilot.press("s")
        await pilot.pause()
        table = pilot.app.screen.query_one("#conflicts", DataTable)
        table.focus()
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)
