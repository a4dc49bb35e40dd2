"""Sanitising untrusted registry text: control, escape and bidi/format characters out, size bounded.

Registry answers reach the screen, the store and the printouts; every string in them (keys included) passes
:func:`clean_text` first, so nothing a registry sends can drive the terminal or reorder what the operator reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_ITEMS", "MAX_TEXT", "clean_data", "clean_text"]

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (terminated by BEL or ESC \, or
# running to the end), and two-character escapes. The 8-bit CSI (0x9B) form is covered too.
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?         # CSI ... final byte (final may be missing when cut off)
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)   # string sequences
    | \x1b[ -/]*[0-~]?                         # other escapes (ESC followed by intermediates and a final)
    """,
    re.VERBOSE | re.DOTALL,
)
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\v", "\f", "\u2028", "\u2029", "\x85"}
MAX_TEXT = 500
MAX_DEPTH = 4
MAX_ITEMS = 64


def clean_text(value: str, *, limit: int = MAX_TEXT) -> str:
    """``value`` without control, escape or bidi/format characters; line breaks become spaces; trimmed.

    Removes: ANSI/VT escape sequences as a whole, then every remaining character of Unicode category Cc (C0, DEL,
    C1) and Cf (bidi overrides and isolates, zero-width characters, BOM, tag characters). Also caps the length.
    """
    text = _ANSI.sub("", value)
    out: list[str] = []
    for char in text:
        if char in _WHITESPACE_CONTROLS:
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(char)
    cleaned = re.sub(r" {2,}", " ", "".join(out)).strip()
    return cleaned[:limit]


def clean_data(value: Any, *, depth: int = 0) -> Any:
    """A registry's ``data`` with every string cleaned; depth and size bounded (deeper content is dropped)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {clean_text(str(k), limit=64): clean_data(v, depth=depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [clean_data(v, depth=depth + 1) for v in list(value)[:MAX_ITEMS]]
    return clean_text(str(value))
