"""The hall's figures on the KPI screen (``h``): per window and per operator, as the platform counted them.

The KPI screen asks the platform (:func:`counter_app.services.kpi_hall.workstation_hall_report`) and hands the
answer, or the reason it is out of reach, to :class:`HallPanel`. Offline the panel says so in one line and the
screen keeps this window's own figures in view below it.
"""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from counter_app.services.kpi_hall import (
    OPERATOR_COLUMNS_ZH,
    WINDOW_COLUMNS_ZH,
    HallReport,
    levels_line,
    operator_cells,
    window_cells,
)


def hall_summary(report: HallReport) -> str:
    """The hall's total in one line, for the screen's summary."""
    total = report.total
    text = (
        f"全大厅（一件事平台统计）{report.start.isoformat()} 至 {report.end.isoformat()}："
        f"{len(report.by_window)} 个窗口，办件 {total.handled} 件（受理 {total.accepted}，不予受理 {total.declined}）"
    )
    if total.auto_percent is not None:
        text += f"；机审可自动审批 {total.auto_percent}%（{total.auto}/{total.verdicts} 件）"
    return text


class HallPanel(Vertical):
    """Two tables (per window, per operator), each ending with the hall's total, and the ratings line."""

    DEFAULT_CSS = """
    HallPanel {
        height: auto;
        display: none;
    }
    HallPanel #hall-status {
        padding: 0 1;
        color: $warning;
    }
    HallPanel .hall-title {
        padding: 0 1;
        color: $text-muted;
    }
    HallPanel DataTable {
        height: auto;
        max-height: 12;
        margin: 0 1;
    }
    HallPanel #hall-levels {
        padding: 0 1;
        background: $boost;
    }
    HallPanel.-unreachable .hall-figures {
        display: none;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="hall-status")
        yield Static("按窗口（窗口为受理工作站编号，即案件编号前缀）", classes="hall-title hall-figures")
        yield DataTable(id="hall-windows", cursor_type="row", zebra_stripes=True, classes="hall-figures")
        yield Static("按操作员（作出受理决定的操作员）", classes="hall-title hall-figures")
        yield DataTable(id="hall-operators", cursor_type="row", zebra_stripes=True, classes="hall-figures")
        yield Static("", id="hall-levels", classes="hall-figures")

    def on_mount(self) -> None:
        self.query_one("#hall-windows", DataTable).add_columns(*WINDOW_COLUMNS_ZH)
        self.query_one("#hall-operators", DataTable).add_columns(*OPERATOR_COLUMNS_ZH)

    def waiting(self) -> None:
        self.remove_class("-unreachable")
        self.query_one("#hall-status", Static).update("正在向一件事平台获取全大厅数据…")

    def show(self, report: HallReport) -> None:
        self.remove_class("-unreachable")
        windows = self.query_one("#hall-windows", DataTable)
        operators = self.query_one("#hall-operators", DataTable)
        windows.clear()
        operators.clear()
        if report.by_window:
            for row in report.by_window:
                windows.add_row(*window_cells(row))
            windows.add_row(*window_cells(report.total), key="total")
            for row in report.by_operator:
                operators.add_row(*operator_cells(row))
            operators.add_row(*operator_cells(report.total), key="total")
        status = "" if report.by_window else "该期间全大厅没有已作出受理决定或评价的案件"
        self.query_one("#hall-status", Static).update(status)
        self.query_one("#hall-levels", Static).update(escape(levels_line(report)))

    def unreachable(self, message: str) -> None:
        self.add_class("-unreachable")
        self.query_one("#hall-status", Static).update(escape(message))
