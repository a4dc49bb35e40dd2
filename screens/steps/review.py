"""Step 6, review and decide (审核与决定): what blocks acceptance, the 机审 verdict and its risk flags, what will be
printed. Everything shown is the case's assessment; nothing here judges a flag."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from counter_app.services.intake import IntakeCase
from counter_app.services.risk_view import RiskView, risk_view
from forms.case import Assessment
from forms.case.risk import VERDICT_LABELS
from forms.china_time import CHINA_TZ
from forms.vocabulary import (
    CASE_STATUS_LABELS,
    HOME_ORDINAL_LABELS,
    LINKED_ITEM_LABELS,
    CaseStatus,
    HomeOrdinal,
    VerificationOutcome,
)
from printouts import DOC_LABELS, DocKind
from screens.steps import Step
from screens.steps.loan import repayment_text

# How forms.case.assess words a refusing flag among the blocking problems: those are shown once, in the risk block.
RISK_PREFIX = "风险核查："
SEVERITY_STYLES = {"refuse": "b red", "manual": "b yellow", "note": "b"}
VERDICT_STYLES = {"auto": "b green", "manual": "b yellow", "refuse": "b red"}


def risk_text(view: RiskView) -> str:
    """The 风险提示 block: the verdict, then every flag with its severity, evidence and supervisors' notes."""
    lines = [f"[b]风险提示[/]　机审结论：[{VERDICT_STYLES[view.verdict]}]{view.verdict_label}[/]"]
    if not view.entries:
        lines.append("· 无风险提示")
    for entry in view.entries:
        style = SEVERITY_STYLES[entry.severity]
        lines.append(f"· [{style}]【{entry.severity_label}】[/]{escape(entry.message)}")
        lines.append(f"    依据：{escape(entry.evidence)}")
        for note in entry.notes:
            when = note.at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
            lines.append(f"    负责人批注（{escape(note.by)} {when}）：{escape(note.note)}")
    if view.entries:
        lines.append("[dim]按 N 由负责人批注风险提示（批注不改变风险提示本身）[/]")
    return "\n".join(lines)


HOME_BASIS = {
    "clerk": "窗口确认",
    "history": "据贷款记录核验",
    "unknown": "贷款记录未取得，暂按此估算：按 T 确认首套或二套",
}
OUTCOME_WORDS = {
    VerificationOutcome.MATCH: "一致",
    VerificationOutcome.MISMATCH: "不一致",
    VerificationOutcome.NOT_FOUND: "未查到",
    VerificationOutcome.PENDING: "待核验",
    VerificationOutcome.UNAVAILABLE: "暂不可用",
    VerificationOutcome.REFUSED: "未授权",
}


def _who(name: str | None, id_number: str | None) -> str:
    # The citizen may be watching the screen: the name and only the ID's last four characters.
    tail = f"（身份证尾号 {id_number[-4:]}）" if id_number else ""
    return f"{escape(name or '（未填）')}{tail}"


def case_lines(case: IntakeCase, assessment: Assessment) -> list[str]:
    """The whole case in a few lines: people, property, loan (fund and bank parts), repayment, 首套/二套, lookups."""
    app = case.application
    items = "、".join(LINKED_ITEM_LABELS[i] for i in app.scenario.linked_items())
    lines = [f"联办事项：{items}", f"申请人：{_who(app.applicant.name, app.applicant.id_number)}"]
    if app.spouse is not None and not app.spouse.is_empty():
        lines.append(f"配偶：{_who(app.spouse.name, app.spouse.id_number)}")
    for index, co in enumerate(app.co_borrowers):
        lines.append(f"共同借款人{index + 1}：{_who(co.name, co.id_number)}")
    if app.agent is not None and app.agent.name:
        lines.append(f"代办人：{_who(app.agent.name, app.agent.id_number)}")
    house = app.property
    if house is not None:
        price = house.total_price or house.contract_amount
        facts = [
            escape(house.location or "（坐落未填）"),
            f"{house.area} 平方米" if house.area else "",
            f"总价 {price:,.2f} 元" if price else "",
            f"合同 {escape(house.contract_number)}" if house.contract_number else "",
        ]
        lines.append("房屋：" + "，".join(f for f in facts if f))
    loan = app.fund_loan
    if loan is not None and loan.amount:
        lines.append(f"公积金贷款：{loan.amount:,.2f} 元，{loan.months or '—'} 个月")
    if assessment.repayment is not None:
        lines.append(f"  {repayment_text(assessment.repayment)}")
    bank = app.bank_loan
    if bank is not None and bank.amount:
        lines.append(f"商业贷款：{escape(bank.bank or '')} {bank.amount:,.2f} 元，{bank.months or '—'} 个月")
    home = HOME_ORDINAL_LABELS[assessment.home_ordinal]
    change = "" if assessment.home_basis == "unknown" else "　[dim]按 T 更改[/]"
    lines.append(f"购房套数：{home}（{HOME_BASIS[assessment.home_basis]}）{change}")
    counts: dict[str, int] = {}
    for outcome in assessment.outcomes.values():
        word = OUTCOME_WORDS.get(outcome, str(outcome))
        counts[word] = counts.get(word, 0) + 1
    waiting = len(case.application.scenario.verifications()) - len(assessment.outcomes)
    summary = "，".join(f"{word} {n} 项" for word, n in counts.items())
    lines.append(f"核验：{summary or '尚未核验'}" + (f"，待录入 {waiting} 项" if waiting > 0 else ""))
    if case.decision is None:
        # Signed before acceptance: the checklist counts the signed form and authorization as received.
        for_signature = (DocKind.FORM, DocKind.AUTHORIZATION)
        unsigned = [DOC_LABELS[k] for k in for_signature if k.value not in case.file.prints.drafts]
        if unsigned:
            lines.append(f"[b yellow]签字：请按 P 打印{'、'.join(unsigned)}，由申请人签字后再受理[/]")
        else:
            lines.append("签字：申请表、授权书已打印供签字")
    return lines


class ReviewStep(Step):
    """A summary of the case and the problems; F9 accepts, F10 declines, P prints."""

    class Decide(Message):
        """F9 or F10: the screen takes the decision (it commits pending fields and prints afterwards)."""

        def __init__(self, accept: bool) -> None:
            super().__init__()
            self.accept = accept

    class Annotate(Message):
        """N: a supervisor annotates a flag (the screen asks for the supervisor, then the flag and the note)."""

    TITLE = "审核与决定"
    # The step has nothing to type in: it takes focus itself so that its keys are live (and in the footer).
    can_focus = True
    BINDINGS = [
        Binding("f9", "decide(True)", "受理"),
        Binding("f10", "decide(False)", "不予受理"),
        # Named in the review's own text (按 N, 按 T): the footer keeps its room for F1 and Ctrl+L at 100 columns.
        Binding("n", "annotate", "批注风险", show=False),
        Binding("t", "home_ordinal", "首套/二套", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            return self.case.editable
        if action == "home_ordinal":
            return self.case.editable
        if action == "annotate":
            # A note may be added before or after the decision, but only where there is a flag to note.
            return bool(risk_view(self.case.assessment(), ()).entries)
        return True

    def action_decide(self, accept: bool) -> None:
        self.post_message(self.Decide(accept))

    def action_home_ordinal(self) -> None:
        """T: the clerk states 首套 or 二套 (the applicant's declaration), or hands it back to the loan history."""
        loan = self.case.application.fund_loan
        stated = self.case.assessment().home_basis == "clerk"
        chosen = loan.home_ordinal if loan is not None and stated else None
        following = {None: HomeOrdinal.FIRST, HomeOrdinal.FIRST: HomeOrdinal.SECOND, HomeOrdinal.SECOND: None}
        value = following[chosen]
        # Not through apply(): the same value as the derived one is still the clerk's statement, and is saved.
        issues = self.case.set_field("fund_loan.home_ordinal", value.value if value is not None else "")
        if issues:
            self.notify(issues[0].message, severity="error")
        self.refresh_from_case()

    def action_annotate(self) -> None:
        self.post_message(self.Annotate())

    DEFAULT_CSS = """
    ReviewStep #review-summary {
        height: auto;
    }
    ReviewStep #review-problems {
        height: auto;
        margin-top: 1;
    }
    ReviewStep #review-risk {
        height: auto;
        margin-top: 1;
        border: round $warning;
        padding: 0 1;
    }
    ReviewStep #review-decision {
        height: auto;
        margin-top: 1;
        border: round $success;
        padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="review-summary")
        yield Static("", id="review-problems")
        yield Static("", id="review-risk")
        yield Static("", id="review-decision")

    def on_mount(self) -> None:
        self.refresh_from_case()

    def refresh_from_case(self) -> None:
        case = self.case
        assessment = case.assessment()
        evaluation = assessment.evaluation
        lines = [
            f"案件编号：{case.case_number}　状态：{CASE_STATUS_LABELS.get(case.status, case.status.value)}",
            *case_lines(case, assessment),
            f"材料：需提交 {len(evaluation.to_hand_in)} 项，免提交 {len(evaluation.exempted)} 项，"
            f"容缺 {len(evaluation.waived)} 项",
        ]
        for item in evaluation.waived:
            lines.append(f"  容缺：{escape(item.material.name)}，{escape(item.due_text)}")
        self.query_one("#review-summary", Static).update("\n".join(lines))
        # Refusing flags are in the blocking problems too; they are listed once, in the risk block below.
        problems = [p for p in assessment.blocking if not p.startswith(RISK_PREFIX)] if case.editable else []
        refusing = sum(1 for p in assessment.blocking if p.startswith(RISK_PREFIX))
        if case.editable:
            if problems or refusing:
                listed = [f"· {escape(p)}" for p in problems]
                if refusing:
                    listed.append(f"· 风险核查：{refusing} 项风险提示为“拒绝”（见下方风险提示），不能受理")
                text = "[b red]尚不能受理：[/]\n" + "\n".join(listed)
                text += "\n\nF10 不予受理并打印一次性告知书；补齐后 F9 受理。"
            else:
                if case.operator.role == "agent" and not assessment.agents_may_accept:
                    # Help-and-act agents prepare the case; the window accepts it (policy pack).
                    text = "[b green]预审完成。[/] 按 H 交窗口受理，并把案件编号告知窗口工作人员。"
                else:
                    text = "[b green]可以受理。[/] 按 F9 受理，或 F10 不予受理。"
        else:
            text = ""
        self.query_one("#review-problems", Static).update(text)
        self.query_one("#review-risk", Static).update(risk_text(risk_view(assessment, case.file.flag_notes)))
        decision = self.query_one("#review-decision", Static)
        if case.status is CaseStatus.DRAFT:
            decision.display = False
            return
        decision.display = True
        info = [f"已{CASE_STATUS_LABELS.get(case.status, case.status.value)}"]
        made = case.decision
        if made is not None and made.promised is not None:
            estimate = "（估算）" if made.estimate else ""
            info.append(f"承诺办结日期：{made.promised.isoformat()}{estimate}")
        if made is not None and made.verdict is not None:
            # The verdict the decision was made on, as recorded (the risk block shows today's).
            info.append(f"决定时机审结论：{VERDICT_LABELS[made.verdict]}")
        if made is not None and made.pending_lookups:
            info.append("离线受理：部分核验待完成，联网后自动补查")
        # The clerk reads document names, not the codes they are stored under.
        printed = "、".join(DOC_LABELS[kind] for kind in DocKind if kind.value in case.printed_any()) or "尚未打印"
        info.append(f"已打印：{printed}　按 P 打印")
        decision.update("\n".join(info))
