"""Loan calculator (贷款计算) and walk-in limit estimate (可贷额度估算): what ``counter calc`` does, interactively.

Two parts on one screen, every input one line so that Tab walks them in order: the repayment calculator (amount,
term, rate, home, method → payment and table) and the limit estimate (age, sex, base, balance, the spouse's,
house kind and age, price, term → maximum loan and term with the binding bound). The estimate's arithmetic is
``forms.loan.estimate.estimate_limit``, the same function as ``counter calc --limit``: this screen only renders.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from counter_app.services.workstation import Workstation
from forms.loan import REPAYMENT_METHOD_LABELS, rate_for, schedule, summary
from forms.loan.estimate import Estimate, EstimateError, estimate_limit, make_input
from forms.money import to_chinese_capital
from forms.vocabulary import HomeOrdinal, PropertyKind, RepaymentMethod
from screens.widgets import CounterFooter

# Estimate input id -> EstimateInput field. Blank inputs are left out, so the domain's defaults (and its notes)
# apply; the required ones are asked for by name before anything is computed.
ESTIMATE_FIELDS = {
    "limit-age": "age",
    "limit-sex": "sex",
    "limit-base": "monthly_base",
    "limit-balance": "balance",
    "limit-spouse-base": "spouse_base",
    "limit-spouse-balance": "spouse_balance",
    "limit-property": "property_kind",
    "limit-house-age": "house_age_years",
    "limit-price": "house_price",
    "limit-term": "term_months",
}
REQUIRED = ("limit-age", "limit-base", "limit-balance", "limit-price")
LIMIT_PROMPT = "填写年龄、月缴存基数、账户余额和购房总价，估算最高可贷额度与最长期限（配偶两项有则填）"
# Bound labels padded with full-width spaces to one width, so that the amounts line up in a CJK terminal.
_LABEL_WIDTH = 6


def _row(label: str, widget: Input | Select[str]) -> ComposeResult:
    yield Label(label, classes="calc-label")
    yield widget


class CalculatorScreen(Screen[None]):
    """Repayment calculator and limit estimate; both update as you type, Tab moves from input to input."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#calc-amount"
    BINDINGS = [Binding("escape", "back", "返回")]

    def __init__(self, workstation: Workstation) -> None:
        super().__init__()
        self.workstation = workstation

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calc-body"):
            with Grid(id="calc-inputs"):
                yield Static("月供计算", classes="calc-section")
                yield from _row("贷款金额（元）", Input(value="600000", id="calc-amount", compact=True))
                yield from _row("期限（月）", Input(value="360", id="calc-months", compact=True))
                yield from _row("年利率（%）", Input(id="calc-rate", placeholder="留空按政策", compact=True))
                homes = [("首套", "first"), ("二套", "second")]
                home = Select(homes, value="first", allow_blank=False, id="calc-home", compact=True)
                yield from _row("住房套数", home)
                method = Select(
                    [(label, m.value) for m, label in REPAYMENT_METHOD_LABELS.items()],
                    value=RepaymentMethod.ANNUITY.value,
                    allow_blank=False,
                    id="calc-method",
                    compact=True,
                )
                yield from _row("还款方式", method)
                yield Static("可贷额度估算（住房套数、还款方式同上）", classes="calc-section")
                yield from _row("年龄（周岁）", Input(id="limit-age", placeholder="如 35", compact=True))
                sex = Select([("男", "男"), ("女", "女")], value="男", allow_blank=False, id="limit-sex", compact=True)
                yield from _row("性别", sex)
                yield from _row("月缴存基数", Input(id="limit-base", placeholder="元", compact=True))
                yield from _row("账户余额", Input(id="limit-balance", placeholder="元", compact=True))
                yield from _row("配偶缴存基数", Input(id="limit-spouse-base", placeholder="无则留空", compact=True))
                yield from _row("配偶账户余额", Input(id="limit-spouse-balance", placeholder="无则留空", compact=True))
                kinds = [("新建商品房", PropertyKind.NEW.value), ("再交易住房", PropertyKind.RESALE.value)]
                kind = Select(kinds, value=PropertyKind.NEW.value, allow_blank=False, id="limit-property", compact=True)
                yield from _row("房屋类型", kind)
                yield from _row("房龄（年）", Input(id="limit-house-age", placeholder="二手房填写", compact=True))
                yield from _row("购房总价", Input(id="limit-price", placeholder="元", compact=True))
                yield from _row("拟贷期限（月）", Input(id="limit-term", placeholder="留空按最长", compact=True))
            with Vertical(id="calc-output"):
                yield Static("", id="calc-result")
                yield Static(LIMIT_PROMPT, id="limit-result")
                yield DataTable(id="calc-table", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        self.query_one("#calc-result", Static).border_title = "月供"
        self.query_one("#limit-result", Static).border_title = "可贷额度估算"
        self.query_one("#calc-table", DataTable).add_columns("期数", "月供", "本金", "利息", "剩余本金")
        self._changed()

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._recalculate()
        self._estimate()

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

    def _estimate(self) -> None:
        out = self.query_one("#limit-result", Static)
        texts = {widget_id: self._value(widget_id) for widget_id in ESTIMATE_FIELDS}
        if any(not texts[widget_id] for widget_id in REQUIRED):
            out.update(LIMIT_PROMPT)
            return
        values: dict[str, str] = {ESTIMATE_FIELDS[key]: text for key, text in texts.items() if text}
        values["home"] = str(self.query_one("#calc-home", Select).value)
        values["method"] = str(self.query_one("#calc-method", Select).value)
        try:
            inputs = make_input(values)
            estimate = estimate_limit(self.workstation.policy.loan, inputs, self.workstation.today())
        except EstimateError as exc:
            out.update(str(exc))
            return
        out.update("\n".join(estimate_lines(estimate)))

    def _value(self, widget_id: str) -> str:
        widget = self.query_one(f"#{widget_id}")
        if isinstance(widget, Select):
            return str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.replace(",", "").strip()

    def action_back(self) -> None:
        self.dismiss(None)


def estimate_lines(estimate: Estimate) -> list[str]:
    """The estimate as the screen shows it: amount and binding bound, every bound, the term, the payment, notes."""
    loan = estimate.loan
    if estimate.amount > 0:
        words = to_chinese_capital(estimate.amount)
        lines = [f"最高可贷 {estimate.amount:,.2f} 元（{words}），受“{loan.binding.label}”限制"]
    else:
        lines = ["可贷额度为 0，不能办理"]
    for bound in loan.bounds:
        mark = "▶" if bound is loan.binding else " "
        lines.append(f" {mark} {bound.label.ljust(_LABEL_WIDTH, '　')} {bound.amount:>14,.2f} 元")
    lines.append(f"   计算：{loan.binding.detail}")
    lines.extend(f"！{reason}" for reason in loan.reasons)
    lines.append(estimate.term.reason)
    if estimate.monthly_payment is not None and estimate.annual_rate is not None:
        first = "月供" if estimate.method is RepaymentMethod.ANNUITY else "首月还款"
        lines.append(
            f"按 {estimate.term_months} 个月、年利率 {estimate.annual_rate}%、"
            f"{REPAYMENT_METHOD_LABELS[estimate.method]}：{first} {estimate.monthly_payment:,.2f} 元"
        )
    lines.extend(f"！{problem}" for problem in estimate.problems)
    lines.extend(f"注：{note}" for note in estimate.notes)
    return lines
