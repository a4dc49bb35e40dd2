"""The rating dialog (好差评, issue 15 item 4) in the app: after acceptance, after hand-out, later by E.

An evaluation device acts as a keyboard: a digit 1–5 chooses the level, Enter records it. Esc records nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app_driver import T01, TERMINAL_SIZE, Driver, build_app, freeze_for_snapshot, login_fast, prepare_case
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from counter_app.app import CounterApp
from forms.vocabulary import CaseStatus, RatingLevel, RatingStage
from screens.case import CaseScreen
from screens.followup import FollowupScreen
from screens.print_dialog import PrintDialog
from screens.rating_dialog import RatingDialog

CASE_NUMBER = "QD01-20260930-0001"


async def _open_followup(pilot: Pilot[Any]) -> FollowupScreen:
    await login_fast(pilot)
    find = pilot.app.screen.query_one("#find", Input)
    find.focus()
    find.value = CASE_NUMBER
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FollowupScreen)
    return screen


async def test_after_acceptance_and_printing_the_device_rates_with_a_digit_and_enter(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        d = Driver(pilot)
        await d.login()
        drafts = d.screen.query_one("#drafts", DataTable)
        drafts.focus()
        await d.press("enter")
        await d.settle()
        screen = d.screen
        assert isinstance(screen, CaseScreen)
        await d.press("f9")
        await d.settle()
        await d.press("enter")  # confirms the acceptance
        await d.settle()
        assert isinstance(app.screen, PrintDialog)
        await d.press("enter")  # prints what the acceptance needs
        await d.settle()
        dialog = app.screen
        assert isinstance(dialog, RatingDialog) and dialog.stage is RatingStage.ACCEPTED
        assert screen.case.status is CaseStatus.ACCEPTED and screen.case.file.ratings == ()
        # Enter before a level: nothing is recorded by default, the dialog says what to do.
        await d.press("enter")
        await d.settle()
        assert app.screen is dialog
        assert "请先按 1–5 选择评价等级" in str(dialog.query_one("#rating-error", Static).render())
        # The device: 2, changed to 4, then Enter.
        await d.press("2", "4", "enter")
        await d.settle()
        assert app.screen is screen
        [rating] = screen.case.file.ratings
        assert (rating.stage, rating.level, rating.comment) == (RatingStage.ACCEPTED, RatingLevel.DISSATISFIED, "")
        # A bad rating is on the review list the supervisors work through.
        assert [f.message for f in app.workstation.review_flags()] == ["差评：受理服务“不满意”"]


async def test_esc_skips_and_e_on_the_followup_screen_records_one_later_with_a_comment(data_dir: Path) -> None:
    await prepare_case(data_dir, T01, decide="accept")
    app = build_app(data_dir)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        screen = await _open_followup(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RatingDialog)
        await pilot.press("escape")  # the applicant declines to rate
        await pilot.pause()
        assert app.screen is screen and screen.case.file.ratings == ()
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("1", "tab")
        comment = app.screen.query_one("#rating-comment", Input)
        assert app.focused is comment
        comment.insert_text_at_cursor("窗口服务热情\x1b[2J")  # as an input method (or a device) would send it
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        [rating] = screen.case.file.ratings
        assert (rating.level, rating.comment) == (RatingLevel.VERY_SATISFIED, "窗口服务热情")
        summary = str(screen.query_one("#fu-summary", Static).render())
        assert "好差评（受理）：非常满意" in summary
        # Once per service: E again says so and opens nothing.
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen


def test_rating_dialog_snapshot(snap_compare: Any, data_dir: Path) -> None:
    asyncio.run(prepare_case(data_dir, T01, decide="accept"))

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await _open_followup(pilot)
        await pilot.press("e", "3")
        await pilot.pause()
        app = pilot.app
        assert isinstance(app, CounterApp)
        await app.workers.wait_for_complete()
        freeze_for_snapshot(app)
        await pilot.pause()

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)
