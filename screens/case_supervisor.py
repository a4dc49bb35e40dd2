"""What needs a supervisor on the case screen: a core material waived (容缺) and a note on a risk flag (批注).

Each asks for the supervisor first (their login, password and reason, audited), then does one command on the case.
A mixin of :class:`screens.case.CaseScreen`.
"""

from __future__ import annotations

from textual import on

from counter_app.services.intake import IntakeError, OperatorRef
from screens.case_override import CaseOverride
from screens.steps.checklist import ChecklistStep
from screens.steps.review import ReviewStep


class CaseSupervisor(CaseOverride):
    """The supervisor's approvals from the checklist and the review steps."""

    @on(ChecklistStep.SupervisorApproval)
    def _approve_waiver(self, event: ChecklistStep.SupervisorApproval) -> None:
        from screens.supervisor_dialog import SupervisorDialog

        code = event.code
        checklist = self.query_one(ChecklistStep)

        # Only a supervisor may let a core material wait, with a reason (audited with the waiver).
        def approved(answer: tuple[OperatorRef, str] | None) -> None:
            if answer is not None:
                supervisor, reason = answer
                checklist.change(lambda: self.case.waive(code, reason=reason, approved_by=supervisor))

        self.app.push_screen(SupervisorDialog(self.workstation, f"核心要件“{event.name}”容缺"), approved)

    @on(ReviewStep.Annotate)
    def _annotate_flag(self, event: ReviewStep.Annotate) -> None:
        from counter_app.services.risk_view import risk_view
        from screens.flag_note_dialog import FlagNoteDialog
        from screens.supervisor_dialog import SupervisorDialog

        # The supervisor authorises first; then the flag and the note (kept with the case, audited).
        def authorised(answer: tuple[OperatorRef, str] | None) -> None:
            if answer is None:
                return
            supervisor = answer[0]

            def noted(choice: tuple[str, str] | None) -> None:
                if choice is None:
                    return
                try:
                    self.case.annotate_flag(choice[0], supervisor, choice[1])
                except IntakeError as exc:
                    self.notify(str(exc), severity="error")
                    return
                self.notify("已记录负责人批注")
                self._current().refresh_from_case()

            entries = risk_view(self.case.assessment(), ()).entries
            self.app.push_screen(FlagNoteDialog(entries, supervisor.name), noted)

        self.app.push_screen(SupervisorDialog(self.workstation, "批注风险提示", reason="批注风险提示"), authorised)
