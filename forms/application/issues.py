"""Findings about the form: :class:`Issue` rows with a path, the field's full label and the sentence to show.

``label_for`` and ``issues_from_error`` resolve labels from the :class:`~forms.application.Application` model, so
they live next to it in forms.application.model; this module stays below the model (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """An error blocks acceptance; a warning is shown and may be overridden by the clerk."""

    ERROR = "error"
    WARNING = "warning"


class Issue(BaseModel):
    """One finding about the form: where (dotted path), the field's full label, the sentence to show."""

    model_config = ConfigDict(frozen=True)

    path: str
    label: str
    message: str
    severity: Severity = Severity.ERROR
    # A required field left empty (not a wrong value): Enter on the case screen goes to these, past optional ones.
    missing: bool = False


class _Findings:
    """Collects issues for Application.check(); ``label`` turns a dotted path into the field's full label."""

    def __init__(self, label: Callable[[str], str]) -> None:
        self.issues: list[Issue] = []
        self._label = label

    def add(self, path: str, reason: str, severity: Severity = Severity.ERROR) -> None:
        label = self._label(path)
        self.issues.append(Issue(path=path, label=label, message=f"{label}：{reason}", severity=severity))

    def add_missing(self, path: str, reason: str) -> None:
        """A required section (the spouse, the agent, the loan) not begun: its fields are to be typed."""
        label = self._label(path)
        self.issues.append(Issue(path=path, label=label, message=f"{label}：{reason}", missing=True))

    def warn(self, path: str, reason: str) -> None:
        self.add(path, reason, Severity.WARNING)

    def warn_as_is(self, path: str, message: str) -> None:
        """A warning whose message already names the field (identifier check-character warnings)."""
        self.issues.append(Issue(path=path, label=self._label(path), message=message, severity=Severity.WARNING))

    def require(self, path: str, value: object, what: str = "请填写") -> bool:
        if value is None or value == "":
            label = self._label(path)
            self.issues.append(Issue(path=path, label=label, message=f"{label}：未填写，{what}", missing=True))
            return False
        return True
