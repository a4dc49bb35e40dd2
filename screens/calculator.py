"""Loan calculator (贷款计算): what ``counter calc`` does, interactively."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from counter_app.services.workstation import Workstation
from forms.loan import REPAYMENT_METHOD_LABELS, rate_for, schedule, summary
from forms.money import to_chinese_capital
from forms.vocabulary import HomeOrdinal, RepaymentMethod


class CalculatorScreen(Screen[None]):
    """Amount, term, rate (blank: the policy's), method; the payment and the schedule update as you type."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#calc-amount"
    BINDINGS = [Binding("escape", "back", "返回")]

    def __init__(self, workstation: Workstation) -> None:
        super().__init__()
        self.workstation = workstation

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calc-body"):
            with Vertical(id="calc-inputs"):
                yield Label("贷款金额（元）")
                yield Input(value="600000", id="calc-amount")
                yield Label("期限（月）")
                yield Input(value="360", id="calc-months")
                yield Label("年利率（%，留空按政策）")
                yield Input(id="calc-rate", placeholder="如 2.6")
                yield Label("住房套数")
                yield Select([("首套", "first"), ("二套", "second")], value="first", allow_blank=False, id="calc-home")
                yield Label("还款方式")
                yield Select(
                    [(label, m.value) for m, label in REPAYMENT_METHOD_LABELS.items()],
                    value=RepaymentMethod.ANNUITY.value,
                    allow_blank=False,
                    id="calc-method",
                )
            with Vertical(id="calc-output"):
                yield Static("", id="calc-result")
                yield DataTable(id="calc-table", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#calc-table", DataTable).add_columns("期数", "月供", "本金", "利息", "剩余本金")
        self._recalculate()

    @on(Input.Changed)
    @on(Select.Changed)
    def _recalculate(self) -> None:
        out = self.query_one("#calc-result", Static)
        table = self.query_one("#calc-table", DataTable)
        table.clear()
        try:
            amount = Decimal(self.query_one("#calc-amount", Input).value.replace(",", "").strip())
            months = int(self.query_one("#calc-months", Input).value.strip())
        except (InvalidOperation, ValueError):
            out.update("请输入贷款金额（元）和期限（月），例如 600000 和 360")
            return
        method = RepaymentMethod(str(self.query_one("#calc-method", Select).value))
        home = HomeOrdinal(str(self.query_one("#calc-home", Select).value))
        rate_text = self.query_one("#calc-rate", Input).value.strip().removesuffix("%")
        try:
            # The policy rate of the counter's own day (rates change by date; tests freeze the clock).
            today = self.workstation.today()
            rate = Decimal(rate_text) if rate_text else rate_for(self.workstation.policy.loan, home, months, on=today)
            figures = summary(amount, rate, months, method)
            rows = schedule(amount, rate, months, method).rows
        except (InvalidOperation, ValueError) as exc:
            out.update(str(exc))
            return
        lines = [
            f"贷款金额 {figures.principal:,.2f} 元（{to_chinese_capital(figures.principal)}）",
            f"期限 {months} 个月，年利率 {rate}%，{REPAYMENT_METHOD_LABELS[method]}",
        ]
        if method is RepaymentMethod.ANNUITY:
            lines.append(f"每月还款 {figures.monthly_payment:,.2f} 元")
        else:
            lines.append(
                f"首月 {figures.first_payment:,.2f} 元，每月递减 {figures.monthly_decrease:,.2f} 元，"
                f"末月 {figures.last_payment:,.2f} 元"
            )
        lines.append(f"利息总额 {figures.total_interest:,.2f} 元，还款总额 {figures.total_repaid:,.2f} 元")
        out.update("\n".join(lines))
        for row in rows[:24]:
            table.add_row(
                str(row.month),
                f"{row.payment:,.2f}",
                f"{row.principal:,.2f}",
                f"{row.interest:,.2f}",
                f"{row.remaining:,.2f}",
            )

    def action_back(self) -> None:
        self.dismiss(None)
