"""The steps of a case (one widget each), shown one at a time by the case screen."""

from __future__ import annotations

from textual.containers import VerticalScroll

from counter_app.services.intake import IntakeCase


class Step(VerticalScroll):
    """A step of the flow; ``refresh_from_case`` redraws it from the case (after a change or on resume)."""

    DEFAULT_CSS = """
    Step {
        padding: 0 1;
    }
    """
    TITLE = ""

    def __init__(self, case: IntakeCase, *, id: str) -> None:
        super().__init__(id=id)
        self.case = case

    def refresh_from_case(self) -> None:
        """Redraw from the case; steps override."""

    def apply(self, path: str, value: object) -> bool:
        """Set one value chosen in this step (a Select, a Checkbox); a refusal is said, and nothing changes."""
        if not self.case.editable:
            return False
        if isinstance(value, str) and self.case.value_at(path) == value:
            return True  # a Select reporting the value it already shows: nothing to save
        issues = self.case.set_field(path, value)
        if issues:
            self.notify(issues[0].message, severity="error")
        return not issues
