"""The steps of a case (one widget each), shown one at a time by the case screen."""

from __future__ import annotations

from textual.containers import VerticalScroll

from counter_app.services.intake import IntakeCase
from forms.scenario import Scenario


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

    def shape(self, scenario: Scenario) -> tuple[object, ...]:
        """What of the scenario this step's widgets are composed from: the screen recomposes the step when it is
        about to show and this has changed since it was composed (empty: never; a step that shows or hides parts of
        itself for the scenario does so in ``refresh_from_case``, which costs no mounting)."""
        return ()

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
