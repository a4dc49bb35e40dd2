"""Step 4, property and loan (房屋与贷款): contract data backfilled; limits, term and payment shown as typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from forms.case.loan import Repayment
from forms.loan import REPAYMENT_METHOD_LABELS
from forms.vocabulary import LoanKind, PropertyKind, RepaymentMethod, VerificationKind, VerificationOutcome
from screens.steps import Step
from screens.widgets import FormRow, SectionTitle

CONTRACT_PROBLEMS = {
    VerificationOutcome.NOT_FOUND: "网签备案未查到该合同：请核对合同编号，或请申请人确认已网签备案",
    VerificationOutcome.MISMATCH: "网签备案信息与所填不一致：见“3 核验”",
}


def repayment_text(paid: Repayment) -> str:
    """The fund loan's repayment as the assessment computed it (the loan step and the review both show it)."""
    figures = paid.figures
    if figures is None:
        return paid.problem
    if paid.method is RepaymentMethod.ANNUITY:
        pay = f"月供 {figures.monthly_payment:,.2f} 元"
    else:
        pay = (
            f"首月 {figures.first_payment:,.2f} 元，每月递减 {figures.monthly_decrease:,.2f} 元，"
            f"末月 {figures.last_payment:,.2f} 元"
        )
    interest = f"利息总额 {figures.total_interest:,.2f} 元"
    return f"{REPAYMENT_METHOD_LABELS[paid.method]}，年利率 {paid.rate}%：{pay}；{interest}"


class LoanStep(Step):
    """House, fund account, the loan (fund part and bank part) and the repayment account, with live limits."""

    TITLE = "房屋与贷款"
    DEFAULT_CSS = """
    LoanStep .choice {
        height: 3;
    }
    LoanStep .choice > Label {
        width: 16;
        padding: 1 1 0 0;
        text-align: right;
    }
    LoanStep .choice > Select {
        width: 36;
    }
    LoanStep .part {
        height: auto;
    }
    LoanStep #limits {
        dock: right;
        width: 42;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="limits")
        yield SectionTitle("房屋（网签备案信息自动回填）")
        yield FormRow("property.contract_number", "合同编号", placeholder="录入后核验自动回填房屋信息")
        yield FormRow("property.location", "坐落")
        yield FormRow("property.area", "建筑面积")
        yield FormRow("property.total_price", "总价（元）")
        yield FormRow("property.down_payment", "首付款（元）")
        # Both kinds of house and loan are composed; refresh_from_case shows the parts the scenario has (a scenario
        # changed on step 1 then costs no remounting when this step shows).
        with Vertical(id="resale-part", classes="part"):
            yield FormRow("property.seller_name", "卖方姓名")
            yield FormRow("property.seller_id_number", "卖方身份证号")
            yield FormRow("property.title_certificate", "不动产权证号")
            yield FormRow("property.completion_year", "建成年份")
            yield FormRow("property.appraised_value", "评估价值（元）")
            yield FormRow("property.seller_account", "卖方收款账号")
        yield SectionTitle("公积金账户（核验回填）")
        yield FormRow("fund_account.account_number", "个人账号")
        yield FormRow("fund_account.balance", "账户余额（元）")
        yield FormRow("fund_account.contribution_base", "缴存基数（元）")
        yield SectionTitle("公积金贷款")
        yield FormRow("fund_loan.amount", "贷款金额（元）")
        yield FormRow("fund_loan.months", "期限（月）", placeholder="1-360")
        loan = self.case.application.fund_loan
        method = loan.repayment_method.value if loan and loan.repayment_method else RepaymentMethod.ANNUITY.value
        with Horizontal(classes="choice"):
            yield Label("还款方式")
            yield Select(
                [(label, m.value) for m, label in REPAYMENT_METHOD_LABELS.items()],
                value=method,
                allow_blank=False,
                id="sel-fund_loan-repayment_method",
            )
        yield FormRow("fund_loan.rate", "年利率（%）", placeholder="留空按政策利率")
        with Vertical(id="bank-part", classes="part"):
            yield SectionTitle("商业贷款部分（组合贷款）")
            yield FormRow("bank_loan.bank", "承贷银行")
            yield FormRow("bank_loan.amount", "金额（元）")
            yield FormRow("bank_loan.months", "期限（月）")
            yield FormRow("bank_loan.rate", "年利率（%）")
        yield SectionTitle("还款账户")
        yield FormRow("repayment_account.card_number", "银行卡号")
        yield FormRow("repayment_account.bank", "开户银行")

    def on_mount(self) -> None:
        self.refresh_from_case()

    @on(Select.Changed, "#sel-fund_loan-repayment_method")
    def _method(self, event: Select.Changed) -> None:
        event.stop()
        path = "fund_loan.repayment_method"
        if not self.case.value_at(path) and event.value == RepaymentMethod.ANNUITY.value:
            # The Select showing its default (equal instalments) when it appears is not a choice of the clerk's:
            # the form derives the same default once the loan is typed.
            return
        if event.value is not Select.NULL and self.apply(path, str(event.value)):
            self.refresh_from_case()

    def refresh_from_case(self) -> None:
        scenario = self.case.application.scenario
        self.query_one("#resale-part").display = scenario.property_kind is PropertyKind.RESALE
        self.query_one("#bank-part").display = scenario.loan_kind is LoanKind.COMBINED
        self.query_one("#limits", Static).update(self.limits_text())
        # The contract lookup's answer, said where the number was typed: not on file is not a silent blank.
        record = self.case.file.lookup(VerificationKind.CONTRACT)
        rows = self.query("#row-property-contract_number")
        if record is not None and rows and record.outcome in CONTRACT_PROBLEMS:
            reason = record.data.get("reason")
            detail = f"（{reason}）" if isinstance(reason, str) and reason else ""
            rows.first(FormRow).note(CONTRACT_PROBLEMS[record.outcome] + detail, error=True)

    def limits_text(self) -> str:
        case = self.case
        lines: list[str] = []
        limit = case.loan_limit()
        term = case.term_limit()
        if limit is None:
            lines.append("可贷额度：待申请人身份证号码、公积金账户和房屋总价齐全后计算")
        else:
            lines.append(f"可贷额度：{limit.amount:,.2f} 元（取决于{limit.binding.label}）")
            lines.extend(f"  {reason}" for reason in limit.reasons)
        if term is not None:
            lines.append(f"最长期限：{term.months} 个月（{term.years} 年；{term.reason}）")
        paid = case.assessment().repayment
        if paid is not None:
            lines.append(repayment_text(paid))
        for problem in case.loan_problems():
            lines.append(f"[b red]✘ {problem}[/]")
        return "\n".join(lines)
