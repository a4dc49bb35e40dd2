"""Follow-up in the app (issue 8): an accepted case opens on its follow-up screen; 补件 and 出件 by keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app_driver import open_counter, sandbox_of, store_of
from textual.widgets import DataTable, Input

from counter_app.app import make_app
from counter_app.settings import Settings
from forms.vocabulary import ShortfallStatus
from screens.followup import FollowupScreen
from tests.test_followup import agent_case, take_paper

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


async def test_supplement_and_handout_at_the_window(tmp_path: Path) -> None:
    ws = open_counter(Settings(data_dir=tmp_path, sync_interval_seconds=0), clock=lambda: NOW)
    store_of(ws).operators.add("sun", "孙帮办", "agent", "long-enough-1")
    agent = ws.login("sun", "long-enough-1")
    clerk = ws.login("demo", "demo1234")
    case = await agent_case(ws, agent)
    take_paper(case)
    case.mark_missing("income_proof")
    case.waive("income_proof")
    ws.open_case(case.case_id, clerk).accept()
    await ws.background_round()

    app = make_app(ws.settings, workstation=ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"demo", "enter", *"demo1234", "enter")
        await pilot.pause(0.5)
        await pilot.press("slash", *case.case_number, "enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, FollowupScreen)
        table = screen.query_one("#fu-shortfalls", DataTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        [line] = screen.follow.shortfalls(case.case_id)
        assert line.status is ShortfallStatus.FULFILLED

        await pilot.press("h")
        await pilot.pause(0.2)
        app.screen.query_one("#ho-who", Input).value = "唐宇本人"
        await pilot.press("enter", "enter")
        await pilot.pause(0.2)
        assert screen.case.file.handout is None  # the platform has not finished the case yet
        sandbox_of(ws).platform.advance(case.case_id, "completed")
        await ws.background_round()
        screen.refresh_data()
        await pilot.press("h")
        await pilot.pause(0.2)
        app.screen.query_one("#ho-who", Input).value = "唐宇本人"
        await pilot.press("enter", "enter")
        await pilot.pause(0.2)
        handout = screen.case.file.handout
        assert handout is not None and handout.collected_by == "唐宇本人"
