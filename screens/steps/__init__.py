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
