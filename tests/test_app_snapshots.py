"""Snapshot tests of every screen of the counter at 120×36, with sandbox data (T01) and a frozen clock.

Regenerate after an intended change with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look at the
SVGs before accepting them. The clock is frozen (2026-09-30 10:00 China time), the embedded sandbox runs on the
same clock, the Header shows no clock, and cursor blink and toasts are stopped before each screenshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from app_driver import T01, T02, T08, TERMINAL_SIZE, build_app, freeze_for_snapshot, login_fast, prepare_case
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from counter_app.app import CounterApp

CASE_NUMBER = "QD01-20260930-0001"
Before = Callable[[Pilot[Any]], Awaitable[None]]


def _before(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for step in steps:
            await step(pilot)
        await pilot.pause()
        app = pilot.app
        assert isinstance(app, CounterApp)
        await app.workers.wait_for_complete()
        freeze_for_snapshot(app)
        await pilot.pause()

    return run_before


async def open_case(pilot: Pilot[Any]) -> None:
    """Home -> find the case by its number -> the case screen (where it was left)."""
    await login_fast(pilot)
    find = pilot.app.screen.query_one("#find", Input)
    find.focus()
    find.value = CASE_NUMBER
    await pilot.press("enter")
    await pilot.pause()


def press(*keys: str) -> Before:
    async def step(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return step


async def cursor_to_invoice(pilot: Pilot[Any]) -> None:
    table = pilot.app.screen.query_one("#materials", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index("purchase_invoice"))
    await pilot.pause()


def test_login(snap_compare: Any, data_dir: Path) -> None:
    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=_before())


def test_home_with_cases(snap_compare: Any, data_dir: Path) -> None:
    # One case accepted with a waived invoice (a shortfall to chase), one draft left at the people step.
    asyncio.run(prepare_case(data_dir, T01, decide="accept"))
    asyncio.run(prepare_case(data_dir, T02, step=1, checklist=False))
    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=_before(login_fast))


@pytest.mark.parametrize(
    ("key", "name"),
    [("f2", "scenario"), ("f3", "people"), ("f4", "verify"), ("f5", "loan"), ("f6", "checklist"), ("f7", "review")],
)
def test_case_step(
    snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path], key: str, name: str
) -> None:
    folder = copy_prepared(t01_prepared[0])
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=_before(open_case, press(key)))


def test_waive_dialog(snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]) -> None:
    folder = copy_prepared(t01_prepared[0])
    run_before = _before(open_case, press("f6"), cursor_to_invoice, press("w"))
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_print_dialog(snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]) -> None:
    # F9 on the review step, Enter confirms: the case is accepted and the documents the decision needs are offered.
    folder = copy_prepared(t01_prepared[0])
    run_before = _before(open_case, press("f7"), press("f9"), press("enter"))
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_accept_dialog(
    snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    # F9 on the review step: what is accepted (applicant, loan, materials, the waiver, the 机审 verdict), to confirm.
    folder = copy_prepared(t01_prepared[0])
    run_before = _before(open_case, press("f7"), press("f9"))
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=run_before)


async def still_caret(pilot: Pilot[Any]) -> None:
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


def test_decline_dialog(snap_compare: Any, data_dir: Path) -> None:
    # F10 on the review step of T08 (contract not on file): the reasons, pre-filled with what blocks acceptance.
    asyncio.run(prepare_case(data_dir, T08, step=5))
    run_before = _before(open_case, press("f10"), still_caret)
    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_consult(snap_compare: Any, data_dir: Path) -> None:
    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=_before(login_fast, press("c")))


def test_calculator(snap_compare: Any, data_dir: Path) -> None:
    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=_before(login_fast, press("k")))


def test_help(snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]) -> None:
    folder = copy_prepared(t01_prepared[0])
    run_before = _before(open_case, press("f1"))
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=run_before)


def test_lock(snap_compare: Any, t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]) -> None:
    folder = copy_prepared(t01_prepared[0])
    run_before = _before(open_case, press("ctrl+l"))
    assert snap_compare(build_app(folder), terminal_size=TERMINAL_SIZE, run_before=run_before)
