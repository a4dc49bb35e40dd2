"""Printing from the case screen: the print dialog, supervisor-authorised reprints and what each print says.

A mixin of :class:`screens.case.CaseScreen` (kept apart so the screen stays about the flow of the steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.screen import Screen

from counter_app.services.intake import IntakeCase, IntakeError, OperatorRef
from printouts import DOC_LABELS, DocKind

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation
    from screens.print_dialog import PrintChoice


class CasePrinting(Screen[None]):
    """P prints what the case needs now; a document printed since the decision needs a supervisor to reprint."""

    workstation: Workstation
    case: IntakeCase

    def refresh_current(self) -> None:
        """Redraw the step on show (the screen overrides)."""

    def action_print(self) -> None:
        """The dialog offers what the decision needs: no notice on an accepted case, no receipt on a declined one,
        the commitment only when something was waived or committed."""
        from screens.print_dialog import documents_needed

        decision = self.case.decision
        evaluation = self.case.evaluation()
        promised = bool(evaluation.waived or evaluation.committed)
        self.print_dialog(documents_needed(decision.outcome if decision else None, promised=promised))

    def print_dialog(self, documents: tuple[DocKind, ...]) -> None:
        from screens.print_dialog import PrintDialog

        def done(choice: PrintChoice | None) -> None:
            if choice is not None:
                self._print(choice)

        self.app.push_screen(PrintDialog(documents, already=self.case.printed()), done)

    def _print(self, choice: PrintChoice, authorized_by: OperatorRef | None = None) -> None:
        if authorized_by is None and any(kind.value in self.case.printed() for kind in choice.documents):
            from screens.supervisor_dialog import SupervisorDialog

            # A reprint (补打) of a frozen document needs a supervisor's authorisation.
            def approved(answer: tuple[OperatorRef, str] | None) -> None:
                if answer is not None:
                    self._print(choice, answer[0])

            self.app.push_screen(SupervisorDialog(self.workstation, "补打文书", reason=choice.reason or ""), approved)
            return
        printed: list[str] = []
        for kind in choice.documents:
            try:
                record = self.case.print(kind, reason=choice.reason, authorized_by=authorized_by)
            except (IntakeError, ValueError, OSError) as exc:
                self.notify(f"{DOC_LABELS[kind]}：{escape(str(exc))}", severity="error", timeout=8)
                continue
            printed.append(f"{DOC_LABELS[kind]} → {record.path.name}")
            for warning in record.warnings:
                self.notify(escape(warning), severity="warning", timeout=10)
            if record.printer_message:
                self.notify(escape(record.printer_message), severity="information")
        if printed:
            self.notify("已打印：\n" + "\n".join(printed), timeout=6)
        self.refresh_current()
