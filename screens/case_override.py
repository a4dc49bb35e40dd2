"""Verified values are read-only on the case screen; Ctrl+O changes one on purpose (人工修改), with a reason.

A key that would change a backfilled value rings the bell and the row says how to change it. The override is
kept with the case (what the registry said, the reason, who, when), audited, sent to the back office as
``overridden``, and raises a flag that keeps the case from machine approval. A mixin of
:class:`screens.case.CaseScreen`.
"""

from __future__ import annotations

from textual import on

from counter_app.services.case_form import LOCKED_MESSAGE
from counter_app.services.intake import IntakeError
from forms.vocabulary import FieldSource
from screens.case_decide import CaseDecide
from screens.widgets import FieldInput, FormRow

# A registry's value, or the clerk's override of it: both change only through Ctrl+O.
LOCKED_SOURCES = (FieldSource.VERIFIED, FieldSource.OVERRIDDEN)


class CaseOverride(CaseDecide):
    """Ctrl+O on a locked field: the override dialog, then one command on the case."""

    def _row(self, field: FieldInput) -> FormRow | None:
        parent = field.parent
        return parent if isinstance(parent, FormRow) else None

    @on(FieldInput.EditRefused)
    def _edit_refused(self, event: FieldInput.EditRefused) -> None:
        row = self._row(event.field)
        if row is not None:
            row.note(LOCKED_MESSAGE, error=True)

    def action_override(self) -> None:
        """人工修改: the focused verified value, changed on purpose with a reason (kept with the case, audited)."""
        from screens.override_dialog import OverrideDialog

        field = self.focused
        if not isinstance(field, FieldInput) or not field.locked or not self.case.editable:
            self.notify("Ctrl+O 用于人工修改核验回填的数据：请先把光标移到该项", severity="warning")
            return
        row = self._row(field)

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            try:
                issues = self.case.override_field(field.path, answer[0], reason=answer[1])
            except IntakeError as exc:
                self.notify(str(exc), severity="error")
                return
            if issues:
                if row is not None:
                    row.note(issues[0].message, error=True)
                return
            self._fill(field)
            self.refresh_current()

        verified = self.case.source_of(field.path) is FieldSource.VERIFIED
        source = "登记机构核验回填值" if verified else "当前值（已人工修改）"
        label = row.label_text if row is not None else field.path
        self.app.push_screen(OverrideDialog(field.path, label, field.value, source), chosen)
