"""Pilot tests of deciding a case and of the lock screen (issue 13, items 5 and 6).

- F9 opens the acceptance's summary (applicant, loan, materials, waivers, the 机审 verdict); Esc leaves the case a
  draft, Enter or F9 accepts it. A case that cannot be accepted opens nothing and names what blocks.
- F10 asks for the reasons, pre-filled with what blocks; the clerk's edited reasons are the decision's and the
  one-time notice prints them.
- The lock screen covers the case (no name, no ID number readable around the box) and no app key opens anything
  over it (F1, Ctrl+P, Ctrl+Q).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
from app_driver import T01, T08, Driver, build_app, prepare_case
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from counter_app.app import CounterApp
from forms.vocabulary import CaseStatus
from screens.case import CaseScreen
from screens.decision_dialog import AcceptDialog, DeclineDialog
from screens.help import HelpScreen
from screens.lock import LockScreen
from screens.print_dialog import PrintDialog
from screens.rating_dialog import RatingDialog

SIZE = (120, 36)


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return re.sub(r"\s+", "", "\n".join(page.extract_text() or "" for page in pdf.pages))


def screen_text(app: CounterApp) -> str:
    """What the terminal shows, as text: the <text> runs of the screenshot, entities decoded, spaces dropped."""
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = "".join(runs).replace("&#160;", "").replace("&amp;", "&")
    return re.sub(r"\s+", "", text)


async def open_draft(d: Driver) -> CaseScreen:
    """Home -> the one draft (left at the review step by ``prepare_case``)."""
    await d.login()
    drafts = d.screen.query_one("#drafts", DataTable)
    drafts.focus()
    await d.press("enter")
    await d.settle()
    screen = d.screen
    assert isinstance(screen, CaseScreen) and screen.step == 5
    return screen


async def test_f9_shows_the_summary_esc_keeps_the_draft_f9_again_accepts(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    app = build_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await open_draft(d)
        await d.press("f9")
        await d.settle()
        dialog = app.screen
        assert isinstance(dialog, AcceptDialog)
        summary = re.sub(r"\s+", "", str(dialog.query_one("#accept-text", Static).render()))
        assert T01.applicant.name in summary
        assert "公积金贷款：600,000.00元，300个月" in summary
        evaluation = screen.case.evaluation()
        assert f"已收取{len(evaluation.received)}项" in summary
        assert f"核验免提交{len(evaluation.exempted)}项" in summary
        assert "容缺1项" in summary and "容缺：购房正式发票" in summary
        assert "机审结论：转人工审核【人工审核】" in summary and "承诺办结日期：2026-10-14" in summary
        # Esc: back to the review, nothing decided.
        await d.press("escape")
        await d.settle()
        assert app.screen is screen and screen.case.status is CaseStatus.DRAFT
        # F9, then F9 again to confirm: accepted, and the print dialog offers what the acceptance needs.
        await d.press("f9")
        await d.settle()
        assert isinstance(app.screen, AcceptDialog)
        await d.press("f9")
        await d.settle()
        assert isinstance(app.screen, PrintDialog)
        assert screen.case.status is CaseStatus.ACCEPTED
        await d.press("escape")  # nothing printed now; the rating dialog (好差评) follows, and Esc skips it too
        await d.settle()
        assert isinstance(app.screen, RatingDialog)
        await d.press("escape")
        await d.settle()
        assert app.screen is screen


async def test_f9_on_a_case_that_cannot_be_accepted_opens_nothing(data_dir: Path) -> None:
    await prepare_case(data_dir, T08, step=5)
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await open_draft(d)
        await d.press("f9")
        await d.settle()
        assert app.screen is screen and screen.case.status is CaseStatus.DRAFT
        assert "尚不能受理" in str(screen.query_one("#review-problems", Static).render())


async def test_f10_reasons_prefilled_edited_and_printed_on_the_notice(data_dir: Path) -> None:
    await prepare_case(data_dir, T08, step=5)
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await open_draft(d)
        blocking = screen.case.blocking_problems()
        assert any("购房合同" in p for p in blocking)
        await d.press("f10")
        await d.settle()
        dialog = app.screen
        assert isinstance(dialog, DeclineDialog)
        area = dialog.query_one("#decline-reasons", TextArea)
        assert app.focused is area
        assert area.text.splitlines() == blocking
        # Emptied, F10 refuses: a decline states at least one reason.
        area.text = " \n"
        await d.press("f10")
        await d.settle()
        assert app.screen is dialog
        assert "至少填写一条" in str(dialog.query_one("#decline-error", Static).render())
        # The clerk's own words: the first reason kept, one added (typed at the end).
        area.text = blocking[0]
        area.move_cursor(area.document.end)
        area.insert("\n申请人当场表示暂不申请")
        await d.press("f10")
        await d.settle()
        assert isinstance(app.screen, PrintDialog)
        case = screen.case
        assert case.status is CaseStatus.DECLINED
        assert case.decision is not None and case.decision.reasons == (blocking[0], "申请人当场表示暂不申请")
        await d.press("enter")
        await d.settle()
        assert case.printed() == {"notice"}
    notices = sorted((data_dir / "spool").glob("*_notice_*.pdf"))
    assert len(notices) == 1
    text = pdf_text(notices[0])
    assert "不予受理的原因" in text
    assert "申请人当场表示暂不申请" in text
    assert re.sub(r"\s+", "", blocking[0]) in text


async def test_esc_on_the_decline_dialog_decides_nothing(data_dir: Path) -> None:
    await prepare_case(data_dir, T08, step=5)
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await open_draft(d)
        await d.press("f10")
        await d.settle()
        assert isinstance(app.screen, DeclineDialog)
        await d.press("escape")
        await d.settle()
        assert app.screen is screen and screen.case.status is CaseStatus.DRAFT


async def _lock(pilot: Pilot[Any], app: CounterApp) -> LockScreen:
    await pilot.press("ctrl+l")
    await pilot.pause()
    lock = app.screen
    assert isinstance(lock, LockScreen)
    return lock


async def test_the_lock_screen_hides_the_case_and_nothing_opens_over_it(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    app = build_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        await open_draft(d)
        await d.press("f3")  # the people step: name, ID number and phone on screen
        await d.settle()
        shown = screen_text(app)
        assert T01.applicant.name in shown and T01.applicant.id_number in shown
        await _lock(pilot, app)
        covered = screen_text(app)
        assert "屏幕已锁定" in covered
        for person in (T01.applicant, T01.spouse):
            assert person is not None
            for value in (person.name, person.id_number, person.phone):
                assert value not in covered, value
        # No app key opens anything over the lock: not the help, not the palette, and Ctrl+Q does not quit.
        for key in ("f1", "ctrl+p", "ctrl+q", "ctrl+l"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, LockScreen), key
        assert T01.applicant.name not in screen_text(app)
        # The password unlocks; the app's keys work again.
        app.screen.query_one("#unlock-password", Input).focus()
        await d.press(*"demo1234", "enter")
        await d.settle()
        assert isinstance(app.screen, CaseScreen)
        await d.press("f1")
        await d.settle()
        assert isinstance(app.screen, HelpScreen)
