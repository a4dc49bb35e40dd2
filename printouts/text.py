"""Text hygiene for printouts: every value that reaches a PDF passes through here.

Field values come from the clerk's keyboard and from other agencies' registries, so they are untrusted: control
characters and terminal escape sequences are stripped, Paragraph markup is escaped, and absurdly long values are
cut so that one cell can never grow taller than a page (reportlab would raise LayoutError).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

# ANSI/VT escape sequences (CSI, OSC and two-character escapes) first, then every remaining control character.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"[\t\n\r]+")

# Long enough for any real address or project name, short enough that a cell stays far below a page.
DEFAULT_LIMIT = 160
ELLIPSIS = "…"
EMPTY = "—"


def clean(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """A value as a single safe line of plain text (no markup escaping)."""
    if value is None:
        return ""
    text = str(value)
    text = _ESCAPES.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROLS.sub("", text)
    # Lone surrogates cannot be encoded in a PDF string; drop them.
    text = text.encode("utf-8", "ignore").decode("utf-8", "ignore").strip()
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text


def para(value: object, limit: int = DEFAULT_LIMIT, empty: str = EMPTY) -> str:
    """A value ready for a Paragraph: cleaned, markup-escaped, a dash when empty."""
    text = clean(value, limit)
    return escape(text) if text else empty


def fmt_date(value: date | datetime | None) -> str:
    """2026年09月30日 (a datetime keeps only its date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def fmt_datetime(value: datetime | None) -> str:
    """2026年09月30日 14:05 in the time zone the value carries."""
    if value is None:
        return ""
    return f"{fmt_date(value)} {value.hour:02d}:{value.minute:02d}"


def fmt_stamp(value: datetime | None) -> str:
    """2026-09-30 14:05, compact for table cells."""
    if value is None:
        return ""
    return f"{value:%Y-%m-%d %H:%M}"


def fmt_money(value: Decimal | None) -> str:
    """1,234,567.80 元."""
    if value is None:
        return ""
    return f"{value:,.2f} 元"


def fmt_rate(value: Decimal | None) -> str:
    """A yearly rate in percent, as the application and forms.loan hold it (2.6), printed as 2.60%."""
    if value is None:
        return ""
    return f"{value:.2f}%"
