"""The screen state saved in clear beside a case: which step and which widget, never anything typed.

``cases.ui_state`` is not encrypted (the home screen and resume read it cheaply), so it may hold only the step
number and the focused widget's id. Half-typed text is part of the case itself (``CaseFile.drafts``) and is
encrypted with it. :func:`clean_ui_state` enforces that on every write, whatever a caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Widget ids are built from form paths (``f-applicant-name``): ASCII letters, digits, dashes and underscores.
_WIDGET_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,79}")
MAX_STEP = 31


def clean_ui_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """Only ``step`` (a small int) and ``focus`` (a widget id); everything else is dropped."""
    clean: dict[str, Any] = {}
    step = state.get("step")
    if isinstance(step, int) and not isinstance(step, bool) and 0 <= step <= MAX_STEP:
        clean["step"] = step
    focus = state.get("focus")
    if isinstance(focus, str) and _WIDGET_ID.fullmatch(focus):
        clean["focus"] = focus
    return clean
