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


async def _prepared(d: Driver, home: HomeScreen) -> CaseScreen | None:
    """Home's prepared case screen, once home has shown long enough to prepare it (screens/warm_case.py)."""
    from screens.warm_case import PREPARE_AFTER_SECONDS

    await d.pilot.pause(PREPARE_AFTER_SECONDS + 0.3)
    await d.settle()
    return home._warm._screen


async def test_n_opens_the_case_screen_prepared_while_home_waited(tmp_path: Path) -> None:
    """Home prepares the next case's screen (screens/warm_case.py): `n` shows it with every step mounted, and a
    prepared screen never used stores nothing; once taken, home prepares another."""
    app = build_app(tmp_path / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        home = app.screen
        assert isinstance(home, HomeScreen)
        prepared = await _prepared(d, home)
        assert prepared is not None and prepared.is_running and not prepared.is_current
        assert all(step.is_mounted for step in prepared._steps)  # mounted out of sight, before `n`
        assert prepared.size == app.size  # and laid out: `n` only paints it
        assert store_of(app.workstation).cases.list_drafts() == []
        await d.press("n")
        await d.settle()
        assert app.screen is prepared and home._warm._screen is None
        await d.press("escape")
        following = await _prepared(d, home)
        assert following is not None and following is not prepared and following.case is not prepared.case
        assert store_of(app.workstation).cases.list_drafts() == []


async def test_a_prepared_screen_under_an_older_pack_is_not_used(tmp_path: Path) -> None:
    """A pack pulled from the platform after the screen was prepared: `n` builds a case under the pack in force."""
    app = build_app(tmp_path / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        home = app.screen
        assert isinstance(home, HomeScreen)
        prepared = await _prepared(d, home)
        assert prepared is not None
        workstation = app.workstation
        newer = workstation.policy.model_copy(
            update={"meta": workstation.policy.meta.model_copy(update={"version": workstation.policy.meta.version + 1})}
        )
        workstation.policy = newer  # as WorkstationMaster.pull_master_data applies a newer pack
        await d.press("n")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen is not prepared
        assert screen.case.policy.meta.version == newer.meta.version
        assert not prepared.is_running or prepared.is_attached is False
