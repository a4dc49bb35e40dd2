"""A new case gets its number at the first value typed, not on `n`: Esc on an untouched new case leaves no empty
draft and uses up no case number (issue 13)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_driver import Driver, FrozenClock, build_app, make_settings, make_workstation, store_of

from screens.case import CaseScreen
from screens.home import HomeScreen


def test_the_first_change_inserts_and_numbers_the_case(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        clerk = ws.login("demo", "demo1234")
        untouched = ws.new_case(clerk)
        untouched.save({"step": 1})  # where the clerk is: not a change of the case
        assert not untouched.numbered and untouched.case_number == ""
        assert store_of(ws).cases.list_drafts() == []
        typed = ws.new_case(clerk)
        typed.set_draft("applicant.name", "王")
        assert typed.numbered and typed.case_number.endswith("-0001")  # the untouched one used no number
        [draft] = store_of(ws).cases.list_drafts()
        assert draft.id == typed.case_id
        assert ws.open_case(typed.case_id, clerk).drafts == {"applicant.name": "王"}
    finally:
        asyncio.run(ws.aclose())


async def test_escape_on_a_new_case_leaves_nothing(tmp_path: Path) -> None:
    app = build_app(tmp_path / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        await d.press("n")
        await d.settle()
        assert isinstance(app.screen, CaseScreen)
        await d.press("escape")
        await d.settle()
        assert isinstance(app.screen, HomeScreen)
        assert store_of(app.workstation).cases.list_drafts() == []


async def test_the_title_shows_the_number_once_something_is_typed(tmp_path: Path) -> None:
    from textual.widgets import Static

    app = build_app(tmp_path / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        await d.press("n")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        assert "录入后编号" in str(screen.query_one("#case-title", Static).render())
        await d.press("pagedown")
        await d.settle()
        await d.press("3")
        await d.settle()
        assert "QD01-20260930-0001" in str(screen.query_one("#case-title", Static).render())


def test_the_authorization_reference_carries_the_number_given_in_the_same_change(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        case = ws.new_case(ws.login("demo", "demo1234"))
        case.record_authorization()  # the case's first change
        auth = case.application.credit_authorization
        assert auth is not None and auth.reference == f"SQ-{case.case_number}" and case.case_number
    finally:
        asyncio.run(ws.aclose())
