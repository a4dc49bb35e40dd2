"""The supervisors' audit viewer: permission, filters over the hash-chained log, chain verification shown."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_driver import open_counter, store_of
from textual.widgets import DataTable, Input, Select, Static

from counter_app.app import make_app
from counter_app.services.audit_view import AuditAccessDenied, audit_view, can_view_audit, open_audit
from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import Workstation
from counter_app.settings import Settings
from screens.audit import AuditScreen

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def _ref(ws: Workstation, login: str, role: str) -> OperatorRef:
    op = store_of(ws).operators.add(login, f"测试{login}", role, "secret-pass-1")
    return OperatorRef(id=op.id, login=op.login, name=op.name, role=op.role.value)


def _workstation(tmp: Path) -> tuple[Workstation, OperatorRef, OperatorRef, list[str]]:
    ticks = iter(range(10_000))
    ws = open_counter(Settings(data_dir=tmp), clock=lambda: NOW + timedelta(seconds=next(ticks)))
    clerk, boss = _ref(ws, "wang", "clerk"), _ref(ws, "zhang", "supervisor")
    numbers = []
    for op in (clerk, clerk, boss):
        case = ws.new_case(op)
        case.set_field("applicant.name", "王建国")
        numbers.append(case.case_number)
    store_of(ws).audit.append("print", actor="wang", case_number=numbers[0], document="form")
    return ws, clerk, boss, numbers


def test_permission_per_role(tmp_path: Path) -> None:
    ws, clerk, boss, _ = _workstation(tmp_path)
    agent = OperatorRef(id=99, login="li", name="李", role="agent")
    assert can_view_audit(boss)
    assert not can_view_audit(clerk) and not can_view_audit(agent)
    with pytest.raises(AuditAccessDenied, match="仅限负责人"):
        audit_view(store_of(ws), clerk)
    with pytest.raises(AuditAccessDenied):
        open_audit(store_of(ws), agent)
    # The refused attempt is itself on the record, and the chain still verifies.
    last = store_of(ws).audit.entries()[-1]
    assert (last.action, last.actor) == ("audit_view_refused", "li")
    open_audit(store_of(ws), boss)
    assert store_of(ws).audit.entries()[-1].action == "audit_viewed"
    assert audit_view(store_of(ws), boss).chain_ok
    asyncio.run(ws.aclose())


def test_filters_by_case_operator_and_kind(tmp_path: Path) -> None:
    ws, _, boss, numbers = _workstation(tmp_path)
    everything = audit_view(store_of(ws), boss)
    assert everything.entries == len(everything.rows)
    assert [r.seq for r in everything.rows] == sorted((r.seq for r in everything.rows), reverse=True)
    by_case = audit_view(store_of(ws), boss, case_number=numbers[0].lower())  # typed in lower case
    assert by_case.rows and {r.case_number for r in by_case.rows} == {numbers[0]}
    assert {r.action for r in by_case.rows} == {"case_created", "print"}
    by_actor = audit_view(store_of(ws), boss, actor="zhang")
    assert {r.actor for r in by_actor.rows} == {"zhang"}
    assert {r.case_number for r in by_actor.rows if r.case_number} == {numbers[2]}
    created_by_wang = audit_view(store_of(ws), boss, actor="wang", action="case_created")
    assert [r.case_number for r in created_by_wang.rows] == [numbers[1], numbers[0]]
    assert "wang" in everything.actors and "print" in everything.actions
    assert audit_view(store_of(ws), boss, action="print").rows[0].detail == "document=form"
    assert len(audit_view(store_of(ws), boss, limit=2).rows) == 2
    asyncio.run(ws.aclose())


def test_tampering_is_shown(tmp_path: Path) -> None:
    ws, _, boss, _ = _workstation(tmp_path)
    path = ws.settings.database_file
    asyncio.run(ws.aclose())
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 3")
    conn.commit()
    conn.close()
    ws = open_counter(Settings(data_dir=tmp_path), clock=lambda: NOW)
    view = audit_view(store_of(ws), boss)
    assert not view.chain_ok
    assert "第 3 条被篡改" in view.chain_message
    asyncio.run(ws.aclose())


def _app(tmp: Path) -> tuple[Any, Workstation, OperatorRef, OperatorRef, list[str]]:
    ws, clerk, boss, numbers = _workstation(tmp)
    return make_app(ws.settings, workstation=ws), ws, clerk, boss, numbers


def test_screen_refuses_a_clerk(tmp_path: Path) -> None:
    app, ws, clerk, _, _ = _app(tmp_path)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            before = type(app.screen)
            screen = AuditScreen(ws, clerk)
            await app.push_screen(screen)
            await pilot.pause()
            await pilot.pause()
            assert type(app.screen) is before  # dismissed at once
            assert not screen.query("#audit-table")  # nothing of the log was ever composed
            assert screen.current_view is None

    asyncio.run(run())


def test_screen_filters_with_keys(tmp_path: Path) -> None:
    app, ws, _, boss, numbers = _app(tmp_path)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            screen = AuditScreen(ws, boss)
            await app.push_screen(screen)
            await pilot.pause()
            table = screen.query_one("#audit-table", DataTable)
            total = table.row_count
            assert total == screen.current_view.entries  # type: ignore[union-attr]
            assert "哈希链校验通过" in str(screen.query_one("#audit-chain", Static).render())
            await pilot.press("slash")
            assert screen.focused is screen.query_one("#audit-case", Input)
            screen.query_one("#audit-case", Input).value = numbers[2]
            await pilot.press("enter")
            await pilot.pause()
            assert 0 < table.row_count < total
            assert {table.get_row_at(i)[4] for i in range(table.row_count)} == {numbers[2]}
            screen.query_one("#audit-case", Input).value = ""
            screen.query_one("#audit-action", Select).value = "case_created"
            await pilot.pause()
            assert table.row_count == 3
            screen.query_one("#audit-actor", Select).value = "zhang"
            await pilot.pause()
            assert table.row_count == 1
            table.focus()
            await pilot.press("x")
            await pilot.pause()
            assert table.row_count == total
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, AuditScreen)

    asyncio.run(run())


def test_audit_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app, ws, _, boss, _ = _app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await app.push_screen(AuditScreen(ws, boss))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
