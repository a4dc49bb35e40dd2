"""Lookups from the case screen: F8 runs every lookup, Enter on a row re-runs one; results arrive while the clerk
types on. A mixin of :class:`screens.case.CaseScreen` (the worker and how each answer is shown)."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work

from counter_app.services.gateway import VerificationResult
from counter_app.services.intake import IntakeError
from forms.vocabulary import VerificationKind
from screens.case_printing import CasePrinting
from screens.steps import Step
from screens.steps.verify import VerifyStep
from screens.widgets import FieldInput


class CaseLookups(CasePrinting):
    """The lookup worker of a case screen."""

    step: int
    raw: dict[str, str]
    lookups_running: set[VerificationKind]
    """Lookups asked and not answered yet: Enter passes the empty fields they will backfill."""

    def _leave_field(self) -> None:
        """Commit the half-typed values of the step being left (the screen implements it)."""

    def _fill(self, field: FieldInput) -> None:
        """Show a field's value (the screen implements it)."""

    def _current(self) -> Step:
        raise NotImplementedError

    def action_lookups(self) -> None:
        self._leave_field()
        self._run_lookups(None)

    @on(VerifyStep.Rerun)
    def _rerun(self, event: VerifyStep.Rerun) -> None:
        self._run_lookups((event.kind,))

    def run_due_lookups(self) -> None:
        """Every way of moving between steps runs the lookups that are due (never asked, or asked with other
        input than the form now holds): F-keys and PgUp/PgDn alike, so no step shows limits worked out on nothing."""
        if self.case.editable:
            due = self.case.due_lookups()
            if due:
                self._run_lookups(tuple(due))

    def _run_lookups(self, kinds: tuple[VerificationKind, ...] | None) -> None:
        try:
            requests = self.case.lookup_requests(kinds)
        except IntakeError as exc:
            self.notify(str(exc), severity="warning")
            return
        asked = frozenset(r.kind for r in requests)
        self.lookups_running |= asked
        for verify in self.query(VerifyStep):  # none while the step is still being mounted
            verify.refresh_from_case()
        self._lookup_worker(kinds, asked)

    @work(group="lookups", exit_on_error=False)
    async def _lookup_worker(
        self, kinds: tuple[VerificationKind, ...] | None, asked: frozenset[VerificationKind] = frozenset()
    ) -> None:
        # The gateway client never raises for a registry's failure; a bug here must not exit the app either.
        try:
            await self.case.run_each(kinds, self._result_arrived)
        except Exception as exc:
            self.notify(f"核验出错：{escape(str(exc))}", severity="error")
        finally:
            self.lookups_running -= asked  # answered or failed: none of them is still on its way
            for verify in self.query(VerifyStep):
                verify.refresh_from_case()

    _redraw_due = False

    def _result_arrived(self, result: VerificationResult) -> None:
        self.lookups_running.discard(result.kind)
        # A step change starts a dozen lookups, answered within a few ms of each other while the clerk types on:
        # the screen is redrawn once for all those answered by its next refresh, not once per answer.
        if not self._redraw_due:
            self._redraw_due = True
            self.call_after_refresh(self._redraw_results)

    def _redraw_results(self) -> None:
        self._redraw_due = False
        for verify in self.query(VerifyStep):
            verify.refresh_from_case()
        # Backfilled values appear in the form, except where the clerk has typed something of their own.
        for field in self.query(FieldInput):
            if field.path not in self.raw:
                self._fill(field)
        if self.step in (3, 4, 5):
            self._current().refresh_from_case()
