"""The screen state saved in clear beside a case: which step and which widget, never anything typed.

``cases.ui_state`` is not encrypted (the home screen and resume read it cheaply), so it may hold only the step
number, the focused widget's id and whether the case screen was open on it. Half-typed text is part of the case
itself (``CaseFile.drafts``) and is encrypted with it. :func:`clean_ui_state` enforces that on every write,
whatever a caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Widget ids are built from form paths (``f-applicant-name``): ASCII letters, digits, dashes and underscores.
_WIDGET_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,79}")
MAX_STEP = 31


def clean_ui_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """Only ``step`` (a small int), ``focus`` (a widget id) and ``open`` (the case screen was showing it and was
    not left with Esc: after a crash or a restart home offers to continue it); everything else is dropped."""
    clean: dict[str, Any] = {}
    if isinstance(state.get("open"), bool):
        clean["open"] = state["open"]
    step = state.get("step")
    if isinstance(step, int) and not isinstance(step, bool) and 0 <= step <= MAX_STEP:
        clean["step"] = step
    focus = state.get("focus")
    if isinstance(focus, str) and _WIDGET_ID.fullmatch(focus):
        clean["focus"] = focus
    return clean
