"""Overdue shortfalls (逾期未补件): the list to chase, printable for the follow-up calls."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from counter_app.services.followup import FollowUp
from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import Workstation
from screens.widgets import CounterFooter


class OverdueScreen(Screen[None]):
    """P prints the list."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#overdue"
    BINDINGS = [Binding("p", "print_list", "打印清单"), Binding("escape", "back", "返回")]

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator
        self.follow = FollowUp(workstation)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="overdue-title")
        yield DataTable(id="overdue", cursor_type="row", zebra_stripes=True)
        # Where the pack gives approval-to-disbursement a deadline (Shanxi), the late disbursements too.
        yield Static("", id="disbursement-title")
        yield DataTable(id="disbursement", cursor_type="row", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        self.query_one("#overdue", DataTable).add_columns("案件编号", "材料", "约定补交日期")
        rows = self.follow.overdue()
        self.query_one("#overdue-title", Static).update(f"逾期未补交的容缺材料：共 {len(rows)} 项")
        table = self.query_one("#overdue", DataTable)
        for number, line in rows:
            table.add_row(number, line.material, line.due.isoformat())
        late = self.follow.disbursement_overdue()
        disbursement = self.query_one("#disbursement", DataTable)
        disbursement.display = bool(late)
        self.query_one("#disbursement-title", Static).display = bool(late)
        if late:
            days = self.workstation.policy.disbursement_working_days
            limit = f"（审批后 {days.value} 个工作日内放款）" if days else ""
            self.query_one("#disbursement-title", Static).update(f"审批通过后逾期未放款：共 {len(late)} 件{limit}")
            disbursement.add_columns("案件编号", "应放款日期")
            for number, due in late:
                disbursement.add_row(number, due.isoformat())

    def action_print_list(self) -> None:
        try:
            record = self.follow.print_overdue(self.operator)
        except (ValueError, OSError) as exc:
            self.notify(f"打印失败：{escape(str(exc))}", severity="error")
            return
        self.notify(f"已打印逾期清单 → {record.path.name}")

    def action_back(self) -> None:
        self.dismiss(None)
