"""Hall KPIs (issue 15, item 5): the platform counts every window's cases; ``counter report --hall`` and the KPI
screen (``h``) show them per window and operator, and say so when the platform is out of reach.

Two workstations (two data directories, QD01 and QD02) accept and decline cases through the services on a frozen
clock and sync to one sandbox platform served on loopback; wang works at both windows, li at QD02 only. A declined
case is sent to the platform like an accepted one, so the hall counts wang's decline at QD02, as QD02's own report
does.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_driver import FrozenClock, make_settings, make_workstation, store_of
from loopback_helpers import Loopback

from counter_app.commands.report import main as report_main
from counter_app.services.intake import OperatorRef
from counter_app.services.kpi import kpi_report
from counter_app.services.sandbox import Sandbox, SandboxSettings
from counter_app.services.sandbox.hall_kpi import hall_figures
from counter_app.services.workstation import Workstation
from forms.scenario import Scenario
from forms.vocabulary import MaritalStatus

START = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 China time
DAY = "2026-09-30"
RECEIVED = ("application_form", "credit_authorization", "down_payment_receipt", "income_proof")
WAIVABLE = ("purchase_invoice", "developer_licence", "sale_permit")


def _operator(ws: Workstation, login: str) -> OperatorRef:
    op = store_of(ws).operators.add(login, f"测试{login}", "clerk", "secret-pass-1")
    return OperatorRef(id=op.id, login=op.login, name=op.name, role=op.role.value)


async def _accept(ws: Workstation, clock: FrozenClock, op: OperatorRef, minutes: int, waive: tuple[str, ...]) -> None:
    """A married applicant buying a new house with a fund loan: every lookup matches; paper or 容缺 for the rest."""
    started = clock.now
    case = ws.new_case(op, Scenario(marital_status=MaritalStatus.MARRIED))
    for path, value in (
        ("applicant.id_number", "370202198803159132"),
        ("applicant.name", "王建国"),
        ("applicant.phone", "13800000001"),
        ("spouse.id_number", "370202199007029243"),
        ("spouse.name", "刘晓梅"),
        ("spouse.phone", "13800000002"),
    ):
        assert case.set_field(path, value) == []
    case.record_authorization()
    await case.run_lookups()
    assert case.set_field("property.contract_number", "XF2026000101") == []
    await case.run_lookups()
    for path, value in (
        ("fund_loan.amount", "600000"),
        ("fund_loan.months", "300"),
        ("repayment_account.card_number", "6222020200112345679"),
    ):
        assert case.set_field(path, value) == []
    await case.run_lookups()
    for code in (*RECEIVED, *WAIVABLE):
        case.waive(code) if code in waive else case.mark_received(code)
    clock.now = started + timedelta(minutes=minutes)
    case.accept()
    clock.now += timedelta(minutes=5)


async def _decline(ws: Workstation, clock: FrozenClock, op: OperatorRef, minutes: int) -> None:
    started = clock.now
    case = ws.new_case(op, Scenario())
    assert case.set_field("applicant.id_number", "370202198803159132") == []
    clock.now = started + timedelta(minutes=minutes)
    case.decline()
    clock.now += timedelta(minutes=5)


@dataclass
class Hall:
    sandbox: Sandbox
    url: str
    dirs: dict[str, Path]


async def _build(tmp: Path, url: str) -> dict[str, Path]:
    clock = FrozenClock(START)
    dirs = {"QD01": tmp / "w1", "QD02": tmp / "w2"}
    w1 = make_workstation(make_settings(dirs["QD01"], platform_url=url), clock)
    w2 = make_workstation(make_settings(dirs["QD02"], platform_url=url, workstation_id="QD02"), clock)
    try:
        wang1, wang2, li = _operator(w1, "wang"), _operator(w2, "wang"), _operator(w2, "li")
        await _accept(w1, clock, wang1, 12, WAIVABLE)  # QD01: 4 on paper, 3 waived
        await _accept(w1, clock, wang1, 20, ())  # QD01: 7 on paper
        await _accept(w2, clock, li, 30, ("purchase_invoice",))  # QD02: 6 on paper, 1 waived
        await _accept(w2, clock, wang2, 8, ())  # QD02: wang at the second window, 7 on paper
        await _decline(w2, clock, wang2, 3)  # QD02: sent to the platform too (不予受理 is a 办件)
        for ws, sent in ((w1, 2), (w2, 3)):
            summary = await ws.sync_engine().run_once()
            assert summary.ok and summary.sent == sent
    finally:
        await w1.aclose()
        await w2.aclose()
    return dirs


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    sandbox = Sandbox(SandboxSettings(advance_after_seconds=0, timestamp_tolerance_seconds=10**10))
    server = Loopback(sandbox.app)
    server.start()
    try:
        dirs = asyncio.run(_build(tmp_path_factory.mktemp("hall"), server.url))
        yield Hall(sandbox, server.url, dirs)
    finally:
        server.stop()


def _report(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: Path, url: str, *args: str):
    monkeypatch.setenv("COUNTER_CONFIG", os.devnull)
    monkeypatch.setenv("COUNTER_DATA_DIR", str(data))
    monkeypatch.setenv("COUNTER_PLATFORM_URL", url)
    code = report_main(["--from", DAY, "--to", DAY, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the platform's count --------------------------------------------------------------------------------------------


def test_the_platform_counts_each_window_and_operator(hall: Hall) -> None:
    payloads = [c.payload for c in hall.sandbox.platform.cases.values()]
    figures = hall_figures(payloads, date(2026, 9, 30), date(2026, 9, 30), now=START)
    windows = {row["window"]: row for row in figures["windows"]}
    assert set(windows) == {"QD01", "QD02"}
    one, two = windows["QD01"], windows["QD02"]
    assert (one["accepted"], one["declined"], one["minutes_avg"]) == (2, 0, 16.0)  # (12 + 20) / 2
    assert (one["received"], one["waived"], one["received_per_case"], one["waived_per_case"]) == (11, 3, 5.5, 1.5)
    # The decline counts as handled, not in the time at the window nor in the materials (accepted cases only).
    assert (two["accepted"], two["declined"], two["minutes_avg"]) == (2, 1, 19.0)  # (30 + 8) / 2
    assert (two["received"], two["waived"], two["received_per_case"], two["waived_per_case"]) == (13, 1, 6.5, 0.5)
    operators = {row["operator"]: row for row in figures["operators"]}
    assert operators["wang"]["windows"] == ["QD01", "QD02"] and operators["li"]["windows"] == ["QD02"]
    assert (operators["wang"]["accepted"], operators["li"]["accepted"]) == (3, 1)
    assert (operators["wang"]["declined"], operators["li"]["declined"]) == (1, 0)
    # Each window's figures are what that window counts of itself (the same cases, the same rules).
    for number, data in hall.dirs.items():
        local = _local_total(data)
        row = windows[number]
        assert (row["accepted"], row["exempted"]) == (local.accepted, local.exempted)
        assert (row["received"], row["waived"]) == (local.paper, local.waived)
        assert row["verdicts"] == local.verdicts and row["auto"] == local.auto
        # The decline reached the platform: the hall counts it for QD02, as QD02 counts it itself.
        assert (local.declined, row["declined"]) == ((1, 1) if number == "QD02" else (0, 0))
    total = figures["total"]
    assert (total["accepted"], total["declined"], total["rated"]) == (4, 1, 0)
    # Another day: nothing.
    assert hall_figures(payloads, date(2026, 10, 8), date(2026, 10, 8), now=START)["windows"] == []


def _local_total(data: Path) -> Any:
    ws = make_workstation(make_settings(data), FrozenClock(START))
    try:
        day = date(2026, 9, 30)
        return kpi_report(store_of(ws), ws.policy, day, day, today=day, calendar=ws.calendar).total
    finally:
        asyncio.run(ws.aclose())


def test_ratings_count_per_level_on_the_day_given_for_who_recorded_them() -> None:
    decided = {"outcome": "accepted", "at": "2026-09-30T02:00:00Z", "by": "wang", "verdict": "auto"}

    def rating(level: str, at: str, by: str) -> dict[str, str]:
        return {"stage": "accepted", "level": level, "at": at, "by": by, "comment": "当面说的话"}

    payloads: list[dict[str, Any]] = [
        {
            "case_number": "QD01-20260930-0001",
            "decision": decided,
            "checklist": [{"code": "a", "status": "received"}, {"code": "b", "status": "verified"}],
            "ratings": [rating("very_satisfied", "2026-09-30T03:00:00Z", "wang")],
        },
        {
            "case_number": "QD02-20260930-0001",
            "decision": {**decided, "verdict": None},
            "ratings": [
                rating("dissatisfied", "2026-09-30T04:00:00Z", "li"),
                rating("satisfied", "2026-10-08T04:00:00Z", "li"),  # another day: out of the range
            ],
        },
        {"case_number": "QD03-20260930-0001", "decision": {"outcome": "accepted"}},  # no time: not counted
    ]
    figures = hall_figures(payloads, date(2026, 9, 30), date(2026, 9, 30), now=START)
    total = figures["total"]
    assert total["ratings"] == {
        "very_satisfied": 1,
        "satisfied": 0,
        "fairly_satisfied": 0,
        "dissatisfied": 1,
        "very_dissatisfied": 0,
    }
    assert (total["rated"], total["satisfied_percent"]) == (2, 50.0)
    assert (total["auto"], total["verdicts"], total["unknown_verdicts"], total["auto_percent"]) == (1, 1, 1, 100.0)
    assert total["minutes_avg"] is None and total["exempted"] == 1
    operators = {row["operator"]: row for row in figures["operators"]}
    assert operators["li"]["accepted"] == 0 and operators["li"]["rated"] == 1  # li rated, wang decided
    assert [w["window"] for w in figures["windows"]] == ["QD01", "QD02"]
    assert [item["label"] for item in figures["rating_levels"]] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]


# -- counter report --hall -------------------------------------------------------------------------------------------


def test_report_hall_shows_both_windows_and_each_operator(
    hall: Hall, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _report(monkeypatch, capsys, hall.dirs["QD02"], hall.url, "--hall")
    assert code == 0, err
    assert f"大厅办件成效（一件事平台统计）{DAY} 至 {DAY}" in out
    lines = out.splitlines()
    by_operator = lines.index("按操作员")
    windows = [line.split() for line in lines[: by_operator - 1] if line.startswith(("QD0", "合计"))]
    # 窗口 受理 不予受理 均时(分) 件均纸质 件均容缺 件均免提交 机审自动 好差评 满意率
    assert [row[:6] for row in windows] == [
        ["QD01", "2", "0", "16.0", "5.5", "1.5"],
        ["QD02", "2", "1", "19.0", "6.5", "0.5"],
        ["合计", "4", "1", "17.5", "6.0", "1.0"],
    ]
    operators = [line.split() for line in lines[by_operator:] if line.startswith(("li", "wang", "合计"))]
    assert [row[:5] for row in operators] == [
        ["li", "QD02", "1", "0", "30.0"],
        ["wang", "QD01、QD02", "3", "1", "13.3"],
        ["合计", "QD01、QD02", "4", "1", "17.5"],
    ]
    assert "好差评（非常满意/满意/基本满意/不满意/非常不满意）：本期无评价" in out
    assert "不报送平台" not in out  # declines are sent and counted: no note that they are not

    code, out, err = _report(monkeypatch, capsys, hall.dirs["QD01"], hall.url, "--hall", "--csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["scope"], r["key"], r["accepted"], r["declined"]) for r in rows] == [
        ("window", "QD01", "2", "0"),
        ("window", "QD02", "2", "1"),
        ("operator", "li", "1", "0"),
        ("operator", "wang", "3", "1"),
        ("total", "ALL", "4", "1"),
    ]
    assert rows[3]["windows"] == "QD01 QD02" and rows[-1]["rating_very_satisfied"] == "0"


def test_report_hall_offline_says_so_and_shows_the_local_figures(
    hall: Hall, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = Loopback(None)  # bound, never started: connections are refused
    try:
        code, out, err = _report(monkeypatch, capsys, hall.dirs["QD01"], closed.url, "--hall")
        assert code == 1
        assert out.startswith("大厅数据暂无法获取（无法连接一件事平台：ConnectError）：以下为本机数据\n")
        assert f"专窗办件成效 {DAY} 至 {DAY}" in out and "QD02" not in out
        local = [line.split() for line in out.splitlines() if line.startswith(DAY)]
        assert [(row[1], row[2], row[3]) for row in local] == [("wang", "2", "0")]  # this window's own cases only

        code, out, err = _report(monkeypatch, capsys, hall.dirs["QD01"], closed.url, "--hall", "--csv")
        assert code == 1 and "大厅数据暂无法获取" in err
        assert [r["operator"] for r in csv.DictReader(io.StringIO(out))] == ["wang", "ALL"]
    finally:
        closed.stop()
    # No platform set: the embedded sandbox holds no other window's cases, so the hall is out of reach too.
    code, out, _ = _report(monkeypatch, capsys, hall.dirs["QD01"], "", "--hall")
    assert code == 1 and out.startswith("大厅数据暂无法获取（未设置一件事平台地址 platform_url）")


# -- the KPI screen --------------------------------------------------------------------------------------------------


def _screen_app(data: Path, url: str) -> tuple[Any, Workstation]:
    from counter_app.app import make_app

    clock = FrozenClock(START + timedelta(hours=6))
    ws = make_workstation(make_settings(data, platform_url=url), clock)
    return make_app(ws.settings, workstation=ws), ws


async def _hall_mode(app: Any, pilot: Any, ws: Workstation) -> Any:
    from screens.kpi import KpiScreen

    await pilot.pause()
    screen = KpiScreen(ws)
    await app.push_screen(screen)
    await pilot.pause()
    await pilot.press("h")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def test_kpi_screen_hall_mode_and_offline(hall: Hall) -> None:
    from textual.widgets import DataTable, Static

    app, ws = _screen_app(hall.dirs["QD01"], hall.url)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _hall_mode(app, pilot, ws)
            assert screen.hall_report is not None
            assert screen.query_one("#hall-windows", DataTable).row_count == 3  # QD01, QD02, total
            assert screen.query_one("#hall-operators", DataTable).row_count == 3  # li, wang, total
            assert not screen.query_one("#kpi-table").display  # this window's table gives way to the hall's
            summary = str(screen.query_one("#kpi-summary", Static).render())
            assert "2 个窗口，办件 5 件（受理 4，不予受理 1）" in summary
            await pilot.press("h")  # back to this window's own figures
            await pilot.pause()
            assert screen.query_one("#kpi-table").display and not screen.query_one("#kpi-hall").display

    asyncio.run(run())
    closed = Loopback(None)
    app, ws = _screen_app(hall.dirs["QD01"], closed.url)

    async def offline() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _hall_mode(app, pilot, ws)
            assert screen.hall_report is None
            status = str(screen.query_one("#hall-status", Static).render())
            assert status.startswith("大厅数据暂无法获取（无法连接一件事平台") and status.endswith("以下为本机数据")
            assert screen.query_one("#kpi-table", DataTable).row_count == 2  # wang and the total, from this store
            assert screen.query_one("#kpi-table").display

    try:
        asyncio.run(offline())
    finally:
        closed.stop()


def test_kpi_screen_hall_snapshot(snap_compare: Any, hall: Hall) -> None:
    app, ws = _screen_app(hall.dirs["QD02"], hall.url)

    async def run_before(pilot: Any) -> None:
        await _hall_mode(app, pilot, ws)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
