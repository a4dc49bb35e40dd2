"""Printing from the case screen: the print dialog, supervisor-authorised reprints and what each print says.

A mixin of :class:`screens.case.CaseScreen` (kept apart so the screen stays about the flow of the steps).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import App
from textual.screen import Screen

from counter_app.services.intake import IntakeCase, IntakeError, OperatorRef
from printouts import DOC_LABELS, DocKind

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation
    from printouts.spool import PrintRecord
    from screens.print_dialog import PrintChoice


def follow_jobs(app: App[object], case: IntakeCase, records: list[PrintRecord]) -> None:
    """Follow the jobs lp queued, off the UI thread: lpstat is polled for up to print_follow_seconds, and a
    printer out of paper or paused must not freeze the counter. The worker is the app's, not the screen's, so
    leaving the case screen does not lose the answer; the print log is written back on the UI thread."""
    queued = [r for r in records if r.job_state == "queued"]
    if not queued:
        return

    def settled(record: PrintRecord) -> None:
        case.note_print(record)
        if record.printed:
            app.notify(f"{DOC_LABELS[record.kind]}：{escape(record.printer_message or '已打印')}", timeout=6)
        else:
            app.notify(escape(record.printer_message or "打印机未完成"), severity="error", timeout=20)

    def follow() -> None:
        for record in queued:
            app.call_from_thread(settled, case.follow_print(record))

    app.run_worker(partial(follow), thread=True, group="print-follow", exit_on_error=False)


class CasePrinting(Screen[None]):
    """P prints what the case needs now; a document printed since the decision needs a supervisor to reprint."""

    workstation: Workstation
    case: IntakeCase

    def refresh_current(self) -> None:
        """Redraw the step on show (the screen overrides)."""

    def action_print(self) -> None:
        """The dialog offers what the decision needs: no notice on an accepted case, no receipt on a declined one,
        the commitment only when something was waived or committed."""
        from counter_app.services.doc_rules import case_documents_needed

        self.print_dialog(case_documents_needed(self.case))

    def print_dialog(self, documents: tuple[DocKind, ...], then: Callable[[], None] | None = None) -> None:
        """The print dialog; ``then`` runs once it is closed, printed or not (the rating after acceptance)."""
        from screens.print_dialog import PrintDialog

        def done(choice: PrintChoice | None) -> None:
            if choice is not None:
                self._print(choice)
            if then is not None:
                then()

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
        records: list[PrintRecord] = []
        for kind in choice.documents:
            try:
                record = self.case.print(kind, reason=choice.reason, authorized_by=authorized_by)
            except (IntakeError, ValueError, OSError) as exc:
                self.notify(f"{DOC_LABELS[kind]}：{escape(str(exc))}", severity="error", timeout=8)
                continue
            records.append(record)
            printed.append(f"{DOC_LABELS[kind]} → {record.path.name}")
            for warning in record.warnings:
                self.notify(escape(warning), severity="warning", timeout=10)
            if record.printer_message:
                self.notify(escape(record.printer_message), severity="information")
        if printed:
            # With a printer, lp only queued the jobs: "printed" is said once the printer confirms each.
            sent = any(r.job_state == "queued" for r in records)
            self.notify(("已发送打印机，正在确认：\n" if sent else "已打印：\n") + "\n".join(printed), timeout=6)
        follow_jobs(self.app, self.case, records)
        self.refresh_current()
