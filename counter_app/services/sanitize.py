"""Sanitising untrusted text: control, escape and bidi/format characters out, size bounded.

Registry answers reach the screen, the store and the printouts; every string in them (keys included) passes
:func:`clean_text` first, so nothing a registry sends can drive the terminal or reorder what the operator reads.
What a person types as free text (a reprint reason, a void reason, a flag note) is stored through
:func:`clean_reason` (same stripping, capped at ``REASON_MAX`` characters). What is echoed back as typed (a case
number on the command line, an argument in an error message) goes through :func:`shown`: the characters stay
visible, escaped, so the reader sees that something odd was typed instead of having the terminal obey it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_ITEMS", "MAX_TEXT", "REASON_MAX", "clean_data", "clean_reason", "clean_text", "shown"]

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
# Free-text reasons (补打原因, 作废原因, 批注, 人工修改原因, 复核处理结果): a sentence or two; longer is not a reason.
# Documented in docs/cli.md; the command line refuses a longer one, storage keeps at most this many characters.
REASON_MAX = 200
# Unicode categories that are never shown or stored as they are: control (C0, DEL, C1), format (bidi overrides
# and isolates, zero-width, BOM, tags), surrogates, private use and unassigned.
_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn")


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
        elif unicodedata.category(char) in _HIDDEN:
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


def clean_reason(value: str, *, limit: int = REASON_MAX) -> str:
    """Free text a person typed, as stored: :func:`clean_text` (escapes and controls out, one line), capped."""
    return clean_text(value, limit=limit)


def shown(value: str) -> str:
    """``value`` safe to echo on a terminal: every hidden character (see ``_HIDDEN``) written as an escape.

    ESC becomes ``\\x1b``, RLO ``\\u202e``, a line feed ``\\x0a``; everything else is left alone, so a message
    stays readable and on one line.
    """
    out: list[str] = []
    for char in value:
        if unicodedata.category(char) in _HIDDEN:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)
