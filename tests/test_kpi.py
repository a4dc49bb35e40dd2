"""Counter KPIs computed from cases created in the test: service, ``counter report`` and the KPI screen."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from app_driver import open_counter, store_of

from counter_app.services.intake import IntakeCase, OperatorRef
from counter_app.services.kpi import (
    REFORM_BASELINE,
    CaseKpi,
    KpiError,
    aggregate,
    check_range,
    kpi_report,
    parse_day,
    render_csv,
    render_table,
    workstation_report,
)
from counter_app.services.workstation import Workstation
from counter_app.settings import Settings
from forms.scenario import Scenario
from forms.vocabulary import MaritalStatus

ROOT = Path(__file__).resolve().parent.parent
# 2026-09-30 10:00 China time.
START = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
RECEIVED = ("application_form", "credit_authorization", "down_payment_receipt", "income_proof")
WAIVABLE = ("purchase_invoice", "developer_licence", "sale_permit")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Counter:
    workstation: Workstation
    clock: Clock
    clerk: OperatorRef
    supervisor: OperatorRef
    data_dir: Path


def _operator(ws: Workstation, login: str, role: str) -> OperatorRef:
    op = store_of(ws).operators.add(login, f"测试{login}", role, "secret-pass-1")
    return OperatorRef(id=op.id, login=op.login, name=op.name, role=op.role.value)


async def _fill(case: IntakeCase, clock: Clock) -> None:
    for path, value in (
        ("applicant.id_number", "370202198803159132"),
        ("applicant.name", "王建国"),
        ("applicant.phone", "13800000001"),
        ("spouse.id_number", "370202199007029243"),
        ("spouse.name", "刘晓梅"),
        ("spouse.phone", "13800000002"),
    ):
        assert case.set_field(path, value) == []
        clock.advance(seconds=30)
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


async def accepted_case(c: Counter, op: OperatorRef, *, minutes: int, waive: tuple[str, ...]) -> IntakeCase:
    """A married applicant, new house, fund loan: every lookup matches; paper for the rest, some waived."""
    started = c.clock.now
    case = c.workstation.new_case(op, Scenario(marital_status=MaritalStatus.MARRIED))
    await _fill(case, c.clock)
    for code in (*RECEIVED, *WAIVABLE):
        if code in waive:
            case.waive(code)
        else:
            case.mark_received(code)
    c.clock.now = started + timedelta(minutes=minutes)
    case.accept()
    return case


async def declined_case(c: Counter, op: OperatorRef, *, minutes: int) -> IntakeCase:
    started = c.clock.now
    case = c.workstation.new_case(op, Scenario())
    assert case.set_field("applicant.id_number", "370202198803159132") == []
    c.clock.now = started + timedelta(minutes=minutes)
    case.decline()
    return case


async def _build(tmp: Path) -> Counter:
    clock = Clock(START)
    ws = open_counter(Settings(data_dir=tmp), clock=clock)
    c = Counter(ws, clock, _operator(ws, "wang", "clerk"), _operator(ws, "zhang", "supervisor"), tmp)
    # Day 1 (2026-09-30): wang accepts one case in 12 minutes with three materials waived; zhang declines one.
    clock.now = START
    await accepted_case(c, c.clerk, minutes=12, waive=WAIVABLE)
    clock.now = START + timedelta(hours=1)
    await declined_case(c, c.supervisor, minutes=3)
    # A draft left open that day is not a handled case.
    clock.now = START + timedelta(hours=2)
    draft = ws.new_case(c.clerk)
    draft.set_field("applicant.name", "李四")
    # Day 2 (2026-10-08, after the national holiday): wang accepts two with everything on paper, 20 and 30 minutes.
    for hour, minutes in ((0, 20), (3, 30)):
        clock.now = datetime(2026, 10, 8, 1 + hour, 0, tzinfo=UTC)
        await accepted_case(c, c.clerk, minutes=minutes, waive=())
    # 2026-10-09: one waived material of the first case is brought in (补件).
    clock.now = datetime(2026, 10, 9, 3, 0, tzinfo=UTC)
    first = store_of(ws).cases.list_for_date(date(2026, 9, 30))[-1]
    store_of(ws).records.fulfil_shortfall(first.id, "sale_permit")
    # Outside any range asked below: a case decided on 2026-10-12.
    clock.now = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    await declined_case(c, c.clerk, minutes=1)
    return c


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    c = asyncio.run(_build(tmp_path_factory.mktemp("kpi")))
    yield c
    asyncio.run(c.workstation.aclose())


def _report(c: Counter, start: date, end: date, today: date = date(2026, 10, 9)) -> Any:
    ws = c.workstation
    return kpi_report(store_of(ws), ws.policy, start, end, today=today, calendar=ws.calendar)


# -- the service ---------------------------------------------------------------------------------------------------


def test_per_case_measures(counter: Counter) -> None:
    report = _report(counter, date(2026, 9, 30), date(2026, 9, 30))
    by_status = {k.status: k for k in report.cases}
    assert set(by_status) == {"accepted", "declined"}  # the draft is not counted
    accepted = by_status["accepted"]
    assert accepted.operator == "wang"
    assert accepted.day == date(2026, 9, 30)
    # First keystroke at 10:00, accepted at 10:12.
    assert accepted.intake_seconds == 12 * 60
    assert (accepted.paper, accepted.waived) == (len(RECEIVED), len(WAIVABLE))
    # Identity, household, marriage, deposits, loans, credit, card, contract, pre-registration ... came from lookups.
    assert accepted.exempted == 11
    assert (accepted.fulfilled, accepted.outstanding) == (1, 2)
    assert accepted.trips == 2  # the intake visit and the 补件 visit
    declined = by_status["declined"]
    assert (declined.operator, declined.intake_seconds, declined.paper) == ("zhang", 180, 0)


def test_rows_by_day_and_operator_and_total(counter: Counter) -> None:
    report = _report(counter, date(2026, 9, 30), date(2026, 10, 8))
    keys = [(r.day, r.operator) for r in report.rows]
    assert keys == [(date(2026, 9, 30), "wang"), (date(2026, 9, 30), "zhang"), (date(2026, 10, 8), "wang")]
    day2 = report.rows[2]
    assert (day2.accepted, day2.declined) == (2, 0)
    assert day2.intake_minutes_avg == Decimal("25.0")
    assert day2.paper == 2 * 7 and day2.waived == 0 and day2.exempted == 22
    assert day2.paper_avg == Decimal("7.0")
    total = report.total
    assert (total.accepted, total.declined, total.handled) == (3, 1, 4)
    assert total.intake_minutes_avg == Decimal("20.7")  # (12 + 20 + 30) / 3
    assert total.intake_minutes_median == Decimal("20.0")
    assert total.paper == 4 + 14 and total.waived == 3 and total.fulfilled == 1
    assert report.materials_saved_avg == Decimal(24) - Decimal("6.0")
    # The decline on 2026-10-12 is outside the range.
    assert all(c.day <= date(2026, 10, 8) for c in report.cases)


def test_overdue_follows_today(counter: Counter) -> None:
    early = _report(counter, date(2026, 9, 30), date(2026, 9, 30), today=date(2026, 10, 9))
    late = _report(counter, date(2026, 9, 30), date(2026, 9, 30), today=date(2027, 1, 1))
    assert early.total.overdue == 0
    assert late.total.overdue == 2  # the two still owed; the one brought in is not overdue
    assert late.total.outstanding == 2


def test_empty_range_and_workstation_default(counter: Counter) -> None:
    report = _report(counter, date(2026, 10, 1), date(2026, 10, 7))
    assert report.rows == [] and report.total.handled == 0
    assert "没有已作出受理决定的案件" in render_table(report)
    counter.clock.now = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)
    today = workstation_report(counter.workstation)
    assert (today.start, today.end) == (date(2026, 10, 8), date(2026, 10, 8))
    assert today.total.accepted == 2


def test_table_and_csv(counter: Counter) -> None:
    report = _report(counter, date(2026, 9, 30), date(2026, 10, 8))
    table = render_table(report)
    assert "合计" in table and "改革前基线：提报材料 24 份、跑腿 8 次、办理时限 20 个工作日" in table
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [(r["date"], r["operator"]) for r in rows][-1] == ("ALL", "ALL")
    assert rows[0]["intake_minutes_avg"] == "12.0" and rows[0]["waived"] == "3"
    assert {r["baseline_materials"] for r in rows} == {str(REFORM_BASELINE.materials)}


def test_aggregate_of_nothing_and_means() -> None:
    assert aggregate([]).intake_minutes_avg is None
    cases = [
        CaseKpi("A-20260930-0001", date(2026, 9, 30), "a", "accepted", 90, 3, 10, 1, 0, 1, 0, 1),
        CaseKpi("A-20260930-0002", date(2026, 9, 30), "a", "accepted", None, 5, 9, 0, 0, 0, 0, 1),
    ]
    row = aggregate(cases)
    assert row.intake_minutes_avg == Decimal("1.5")  # a case without a first keystroke has no time
    assert row.paper_avg == Decimal("4.0") and row.exempted_avg == Decimal("9.5")


@pytest.mark.parametrize("text", ["2026-02-30", "20260930", "2026-9-30", "昨天", ""])
def test_bad_dates_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(KpiError, match=r"开始日期.*YYYY-MM-DD"):
        parse_day(text, "开始日期")


def test_reversed_and_too_long_ranges() -> None:
    with pytest.raises(KpiError, match="早于开始日期"):
        check_range(date(2026, 10, 8), date(2026, 9, 30))
    with pytest.raises(KpiError, match="最长 366 天"):
        check_range(date(2025, 1, 1), date(2026, 12, 31))


# -- counter report --------------------------------------------------------------------------------------------------


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    """Sub-commands registered in ``counter`` (the lead wires new ones into counter_app/cli.py)."""
    return {
        name for action in parser._actions if isinstance(action, argparse._SubParsersAction) for name in action.choices
    }


def _entry_points() -> list[list[str]]:
    from counter_app.cli import build_parser

    points = [["-m", "counter_app.commands.report"]]
    if "report" in _commands(build_parser()):
        points.append(["-m", "counter_app", "report"])
    return points


def _run(c: Counter, entry: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTER_CONFIG": os.devnull, "COUNTER_DATA_DIR": str(c.data_dir)}
    return subprocess.run(
        [sys.executable, *entry, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize("entry", _entry_points())
def test_report_cli_table_and_csv(counter: Counter, entry: list[str]) -> None:
    out = _run(counter, entry, "--from", "2026-09-30", "--to", "2026-10-08")
    assert out.returncode == 0, out.stderr
    assert "专窗办件成效 2026-09-30 至 2026-10-08" in out.stdout
    assert "2026-10-08" in out.stdout and "zhang" in out.stdout and "合计" in out.stdout
    assert "跑腿 8 次" in out.stdout
    out = _run(counter, entry, "--from", "2026-09-30", "--to", "2026-10-08", "--csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["date"], r["operator"], r["accepted"], r["declined"]) for r in rows] == [
        ("2026-09-30", "wang", "1", "0"),
        ("2026-09-30", "zhang", "0", "1"),
        ("2026-10-08", "wang", "2", "0"),
        ("ALL", "ALL", "3", "1"),
    ]
    assert rows[-1]["paper_materials"] == "18" and rows[-1]["exempted_by_data_sharing"] == "33"
    assert rows[0]["shortfalls_fulfilled"] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-02-30"), "开始日期（--from）“2026-02-30”无效"),
        (("--from", "2026-09-30", "--to", "2026/10/08"), "结束日期（--to）“2026/10/08”无效"),
        (("--from", "2026-10-08", "--to", "2026-09-30"), "早于开始日期"),
    ],
)
def test_report_cli_bad_dates_exit_2(counter: Counter, args: tuple[str, ...], message: str) -> None:
    out = _run(counter, ["-m", "counter_app.commands.report"], *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert out.stdout == ""


# -- the KPI screen --------------------------------------------------------------------------------------------------


def _screen_app(tmp: Path, build: Callable[[Counter], None] | None = None) -> Any:
    from counter_app.app import make_app

    c = asyncio.run(_build(tmp))
    if build is not None:
        build(c)
    return make_app(c.workstation.settings, workstation=c.workstation), c


def test_kpi_screen_shows_range(tmp_path: Path) -> None:
    from textual.widgets import DataTable, Input, Static

    from screens.kpi import KpiScreen

    app, c = _screen_app(tmp_path)

    async def run() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            c.clock.now = datetime(2026, 9, 30, 9, 0, tzinfo=UTC)
            screen = KpiScreen(c.workstation)
            app.push_screen(screen)
            await pilot.pause()
            table = screen.query_one("#kpi-table", DataTable)
            assert table.row_count == 3  # wang, zhang, total for today (2026-09-30)
            assert screen.report is not None and screen.report.total.handled == 2
            screen.query_one("#kpi-to", Input).value = "2026-10-08"
            screen.query_one("#kpi-from", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert table.row_count == 4
            assert screen.report.total.accepted == 3
            assert "件均少交材料 18.0 份" in str(screen.query_one("#kpi-summary", Static).render())
            screen.query_one("#kpi-to", Input).value = "2026-13-01"
            await screen.run_action("refresh")
            await pilot.pause()
            assert screen.report.end == date(2026, 10, 8)  # a bad date keeps the last good report
            await pilot.press("t")
            await pilot.pause()
            assert table.row_count == 3
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, KpiScreen)

    asyncio.run(run())


def test_kpi_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    from screens.kpi import KpiScreen

    app, c = _screen_app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        c.clock.now = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)
        screen = KpiScreen(c.workstation)
        await app.push_screen(screen)
        await pilot.pause()
        from textual.widgets import Input

        screen.query_one("#kpi-from", Input).value = "2026-09-30"
        await screen.run_action("refresh")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
