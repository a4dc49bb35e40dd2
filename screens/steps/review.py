"""Step 6, review and decide (审核与决定): what blocks acceptance, the 机审 verdict and its risk flags, what will be
printed. Everything shown is the case's assessment; nothing here judges a flag."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from counter_app.services.risk_view import RiskView, risk_view
from forms.case.risk import VERDICT_LABELS
from forms.china_time import CHINA_TZ
from forms.vocabulary import CASE_STATUS_LABELS, LINKED_ITEM_LABELS, CaseStatus
from printouts import DOC_LABELS, DocKind
from screens.steps import Step

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
        Binding("n", "annotate", "批注风险"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            return self.case.editable
        if action == "annotate":
            # A note may be added before or after the decision, but only where there is a flag to note.
            return bool(risk_view(self.case.assessment(), ()).entries)
        return True

    def action_decide(self, accept: bool) -> None:
        self.post_message(self.Decide(accept))

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
        app = case.application
        applicant = app.applicant
        loan = app.fund_loan
        assessment = case.assessment()
        evaluation = assessment.evaluation
        items = "、".join(LINKED_ITEM_LABELS[i] for i in app.scenario.linked_items())
        lines = [
            f"案件编号：{case.case_number}　状态：{CASE_STATUS_LABELS.get(case.status, case.status.value)}",
            f"申请人：{escape(applicant.name or '（未填）')}　联办事项：{items}",
        ]
        if loan is not None and loan.amount:
            lines.append(f"公积金贷款：{loan.amount:,.2f} 元，{loan.months or '—'} 个月")
        lines.append(
            f"材料：需提交 {len(evaluation.to_hand_in)} 项，免提交 {len(evaluation.exempted)} 项，"
            f"容缺 {len(evaluation.waived)} 项"
        )
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
