"""Deciding a case from the case screen: F9 and F10 on the review step open a confirmation first.

F9 shows what is accepted (:class:`screens.decision_dialog.AcceptDialog`) when nothing blocks acceptance, else it
names what blocks and stays; F10 asks for the reasons, pre-filled with what blocks
(:class:`screens.decision_dialog.DeclineDialog`), and the one-time notice prints them. After either decision the
print dialog offers what the decision needs; after an acceptance the rating dialog (好差评) follows it. A mixin of
:class:`screens.case.CaseScreen`.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on

from counter_app.services.intake import IntakeCase, IntakeError
from counter_app.services.risk_view import risk_view
from forms.case import Assessment
from forms.vocabulary import Role
from printouts import DocKind
from screens.case_lookups import CaseLookups
from screens.rating_dialog import offer_rating
from screens.steps.review import ReviewStep
from screens.widgets import FieldInput


def accept_summary(case: IntakeCase, assessment: Assessment) -> str:
    """What F9 accepts, as the confirmation shows it (markup; every typed value escaped)."""
    app = case.application
    evaluation = assessment.evaluation
    lines = [
        f"案件编号：{case.case_number}",
        f"申请人：[b]{escape(app.applicant.name or '（未填）')}[/]",
    ]
    loan = app.fund_loan
    if loan is not None and loan.amount:
        lines.append(f"公积金贷款：[b]{loan.amount:,.2f}[/] 元，[b]{loan.months or '—'}[/] 个月")
    bank = app.bank_loan
    if bank is not None and bank.amount:
        lender = escape(bank.bank or "")
        lines.append(f"商业贷款（组合贷款）：{lender} {bank.amount:,.2f} 元，{bank.months or '—'} 个月")
    materials = (
        f"材料：已收取 {len(evaluation.received)} 项，核验免提交 {len(evaluation.exempted)} 项，"
        f"容缺 {len(evaluation.waived)} 项"
    )
    if evaluation.committed:
        materials += f"，告知承诺 {len(evaluation.committed)} 项"
    lines.append(materials)
    for item in evaluation.waived:
        lines.append(f"  容缺：{escape(item.material.name)}，{escape(item.due_text)}")
    estimate = "（估算）" if assessment.promised_estimate else ""
    lines.append(f"承诺办结日期：{assessment.promised.isoformat()}{estimate}")
    risk = risk_view(assessment, ())
    lines.append(f"机审结论：[b]{risk.verdict_label}[/]")
    if not risk.entries:
        lines.append("  无风险提示")
    for entry in risk.entries:
        lines.append(f"  【{entry.severity_label}】{escape(entry.message)}")
    if assessment.pending_lookups:
        lines.append(f"离线受理：{len(assessment.pending_lookups)} 项核验待完成，联网后自动补查")
    return "\n".join(lines)


class CaseDecide(CaseLookups):
    """F9 / F10 through their confirmation, then the decision and the print dialog."""

    def _title(self) -> None:
        """Redraw the case's title line (the screen implements it)."""

    @on(ReviewStep.Decide)
    def _decide(self, event: ReviewStep.Decide) -> None:
        self._leave_field()
        if event.accept:
            self._confirm_accept()
        else:
            self._confirm_decline()

    def _confirm_accept(self) -> None:
        from screens.decision_dialog import AcceptDialog

        assessment = self.case.assessment()
        if assessment.blocking:
            # As the service words it when it refuses: every problem at once, and nothing changes.
            listed = "\n".join(f"· {escape(p)}" for p in assessment.blocking)
            self.notify(f"尚不能受理：\n{listed}", severity="error", timeout=8)
            self._current().refresh_from_case()
            return
        if self.case.operator.role == Role.AGENT.value and not assessment.agents_may_accept:
            self.action_accept()  # refused by the service with the policy's words (the window accepts)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.action_accept()

        self.app.push_screen(AcceptDialog(accept_summary(self.case, assessment)), confirmed)

    def _confirm_decline(self) -> None:
        from screens.decision_dialog import DeclineDialog

        assessment = self.case.assessment()

        def confirmed(reasons: tuple[str, ...] | None) -> None:
            if reasons:
                self.action_decline(reasons)

        name = self.case.application.applicant.name or "（未填）"
        self.app.push_screen(DeclineDialog(name, assessment.blocking), confirmed)

    def action_accept(self) -> None:
        self._leave_field()
        try:
            decision = self.case.accept()
        except IntakeError as exc:
            self.notify(escape(str(exc)), severity="error", timeout=8)
            self._current().refresh_from_case()
            return
        assessment = decision.assessment
        estimate = "（估算）" if assessment.promised_estimate else ""
        self.notify(f"已受理，承诺办结日期 {assessment.promised.isoformat()}{estimate}")
        self._after_decision(decision.documents, rate=True)

    def action_decline(self, reasons: tuple[str, ...] = ()) -> None:
        self._leave_field()
        try:
            decision = self.case.decline(reasons=reasons)
        except IntakeError as exc:
            self.notify(escape(str(exc)), severity="error")
            return
        self.notify("已不予受理，请打印一次性告知书交申请人")
        self._after_decision(decision.documents)

    def _after_decision(self, documents: tuple[DocKind, ...], *, rate: bool = False) -> None:
        self._title()
        for field in self.query(FieldInput):
            field.disabled = True
        self._current().refresh_from_case()
        self.refresh_bindings()
        # After an acceptance, once the papers are handed over, the applicant is asked to rate the service (好差评).
        self.print_dialog(documents, then=(lambda: offer_rating(self, self.case)) if rate else None)
