"""KPI screen (办件成效): time used, materials collected, cases handled, the share of 机审 "auto" verdicts — by day
and operator, beside the baseline; ``h`` switches to the whole hall's figures from the platform (screens.kpi_hall)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from counter_app.services.kpi import (
    MEASURE_COLUMNS_ZH,
    VERDICT_COLUMNS_ZH,
    KpiError,
    KpiReport,
    baseline_line,
    measure_cells,
    parse_day,
    verdict_cells,
)
from counter_app.services.kpi import workstation_report as build_workstation_report
from counter_app.services.kpi_hall import HallReport, HallUnreachable, out_of_reach, workstation_hall_report
from counter_app.services.kpi_output import rating_cells, ratings_line
from counter_app.services.kpi_ratings import RATING_COLUMNS_ZH
from counter_app.services.workstation import Workstation
from screens.kpi_hall import HallPanel, hall_summary
from screens.widgets import CounterFooter

# This window's own tables and baseline: hidden while the hall's figures are shown, in view when out of reach.
LOCAL_PARTS = ("#kpi-table", "#kpi-verdict-title", "#kpi-verdicts", "#kpi-baseline")


class KpiScreen(Screen[None]):
    """Counter KPIs for a date range (today by default): one row per day and operator, then the total."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#kpi-table"
    BINDINGS = [
        Binding("escape", "back", "返回"),
        Binding("r", "refresh", "刷新"),
        Binding("t", "today", "今天"),
        Binding("slash,ctrl+f", "edit_range", "修改日期"),
        Binding("h", "hall", "全大厅/本机"),
    ]

    def __init__(self, workstation: Workstation) -> None:
        super().__init__()
        self.workstation = workstation
        self.report: KpiReport | None = None
        self.hall = False  # showing the hall's figures (h), asked of the platform
        self.hall_report: HallReport | None = None

    def compose(self) -> ComposeResult:
        today = self.workstation.today().isoformat()
        yield Header()
        with Horizontal(id="kpi-range"):
            yield Label("开始日期")
            yield Input(today, id="kpi-from", placeholder="YYYY-MM-DD")
            yield Label("结束日期")
            yield Input(today, id="kpi-to", placeholder="YYYY-MM-DD")
            yield Static("回车统计", id="kpi-hint")
        yield Static("", id="kpi-summary")
        yield HallPanel(id="kpi-hall")
        yield DataTable(id="kpi-table", cursor_type="row", zebra_stripes=True)
        # The 机审 share in a table of its own: beside the measures it would be off the right edge at 120 columns.
        yield Static(
            "机审结论（“机审自动”占已记录机审结论的办件；“未记机审”为记录机审结论前作出决定的办件）与好差评",
            id="kpi-verdict-title",
        )
        yield DataTable(id="kpi-verdicts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="kpi-baseline")
        yield CounterFooter()

    def on_mount(self) -> None:
        self.query_one("#kpi-table", DataTable).add_columns(*MEASURE_COLUMNS_ZH)
        verdicts = ("日期", "操作员", "办件", *VERDICT_COLUMNS_ZH, *RATING_COLUMNS_ZH)
        self.query_one("#kpi-verdicts", DataTable).add_columns(*verdicts)
        self.refresh_data()

    def refresh_data(self) -> None:
        try:
            start = parse_day(self.query_one("#kpi-from", Input).value, "开始日期")
            end = parse_day(self.query_one("#kpi-to", Input).value, "结束日期")
            report = build_workstation_report(self.workstation, start, end)
        except KpiError as exc:
            self.notify(escape(str(exc)), severity="error", timeout=6)
            return
        self.report = report
        self._show(report)
        if self.hall:
            self.query_one(HallPanel).waiting()
            self.run_worker(self._fetch_hall(start, end), group="hall", exclusive=True)

    async def _fetch_hall(self, start: date, end: date) -> None:
        panel = self.query_one(HallPanel)
        try:
            report = await workstation_hall_report(self.workstation, start, end)
        except HallUnreachable as exc:
            # Offline: say so, and keep this window's own figures in view.
            self.hall_report = None
            panel.unreachable(out_of_reach(exc))
            self._local_parts(shown=True)
            return
        self.hall_report = report
        panel.show(report)
        self._local_parts(shown=False)
        self.query_one("#kpi-summary", Static).update(escape(hall_summary(report)))

    def _local_parts(self, *, shown: bool) -> None:
        for selector in LOCAL_PARTS:
            self.query_one(selector).display = shown

    def _show(self, report: KpiReport) -> None:
        table = self.query_one("#kpi-table", DataTable)
        verdicts = self.query_one("#kpi-verdicts", DataTable)
        table.clear()
        verdicts.clear()
        rows = [*report.rows, report.total] if report.rows else []
        for index, row in enumerate(rows):
            key = "total" if index == len(rows) - 1 else None
            cells = measure_cells(row)
            table.add_row(*cells, key=key)
            verdicts.add_row(*cells[:2], str(row.handled), *verdict_cells(row), *rating_cells(row), key=key)
        total = report.total
        saved = report.materials_saved_avg
        summary = (
            f"{report.start.isoformat()} 至 {report.end.isoformat()}：办件 {total.handled} 件"
            f"（受理 {total.accepted}，不予受理 {total.declined}）"
        )
        if saved is not None:
            summary += f"；件均少交材料 {saved} 份（对比改革前 {report.baseline.materials} 份）"
        if total.auto_share is not None:
            summary += f"；机审可自动审批 {total.auto_share}%（{total.auto}/{total.verdicts} 件）"
        if total.unknown_verdicts:
            # Cases decided before the verdict was recorded: neither auto nor manual, so said apart.
            summary += f"；{total.unknown_verdicts} 件未记录机审结论"
        if not report.rows:
            summary += "；该期间没有已作出受理决定的案件"
        self.query_one("#kpi-summary", Static).update(escape(summary))
        self.query_one("#kpi-baseline", Static).update(escape(f"{ratings_line(report)}\n{baseline_line(report)}"))

    # -- actions -----------------------------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _range_entered(self) -> None:
        self.refresh_data()
        self.query_one("#kpi-table", DataTable).focus()

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_today(self) -> None:
        today = self.workstation.today().isoformat()
        self.query_one("#kpi-from", Input).value = today
        self.query_one("#kpi-to", Input).value = today
        self.refresh_data()

    def action_hall(self) -> None:
        """Between this window's figures and the whole hall's (asked of the platform again each time)."""
        self.hall = not self.hall
        self.query_one(HallPanel).display = self.hall
        self._local_parts(shown=True)
        self.refresh_data()

    def action_edit_range(self) -> None:
        self.query_one("#kpi-from", Input).focus()

    def action_back(self) -> None:
        self.dismiss()
