"""Glyph coverage: every character drawn is checked against the fonts' character maps, per character.

A document's font is a :class:`FallbackTTFont`: the main TrueType font plus an ordered list of fallbacks (a Latin
TrueType font for digits and letters, then other CJK fonts for rare characters, 生僻字). reportlab asks the font
for two things only, and both go through here, so every string drawn (Paragraphs, table cells, the page header and
footer, the 补打 stamp) is covered:

- ``stringWidth`` at layout time: each run is measured in the font that will draw it, so lines wrap and align as
  printed;
- ``splitString`` at drawing time: the text is cut into runs, each run is encoded in its own font's subset, and
  the PDF switches fonts between runs (``/F2+0 9 Tf``), so text extraction and copy-paste keep every character.

A character no font has would print as a blank (glyph 0): it is reported instead, and :func:`collecting` turns the
report into a :class:`MissingGlyphError` once the document is laid out, so printing refuses with the character
named. reportlab's built-in CID font STSong-Light (the last resort) cannot encode characters outside the BMP, so
:class:`CheckedCIDFont` reports those the same way.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

# Fonts a missing character can still be looked for in, loaded only when such a character turns up: most
# documents never need them, and loading a CJK font costs ~0.2 s.
LazyFont = Callable[[], TTFont | None]

INSTALL_HINT = (
    "请安装含该字的 TrueType 中文字体（如 Debian 的 fonts-wqy-zenhei；扩展B区等生僻字可装 fonts-hanazono，"
    "或 fonts-noto-cjk 的 TTF 版本），或在设置 font_path（COUNTER_FONT_PATH）中指定含该字的 .ttf/.ttc 字体文件。"
)


def describe(char: str) -> str:
    """“𠮷”（U+20BB7）: the character and its code point, so a clerk can look it up or tell IT."""
    return f"“{char}”（U+{ord(char):04X}）"


class MissingGlyphError(ValueError):
    """A character no available font can draw: the print is refused rather than printed with a blank.

    A ValueError because the app and the CLI already show a ValueError's message to the clerk. reportlab may
    re-raise it with its own text appended, so the constructor takes the message alone."""

    def __init__(self, message: str, chars: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.chars = tuple(chars)

    @classmethod
    def for_chars(cls, chars: Sequence[str]) -> MissingGlyphError:
        named = "、".join(describe(c) for c in chars)
        message = f"无法打印：字符 {named} 在本机所有可用字体中都没有字形，打印出来会是空白，已停止打印。"
        return cls(message + INSTALL_HINT, chars)


_MISSING: ContextVar[list[str] | None] = ContextVar("printouts_missing_glyphs", default=None)


def report_missing(char: str) -> None:
    """Record a character no font can draw; outside :func:`collecting` refuse at once."""
    found = _MISSING.get()
    if found is None:
        raise MissingGlyphError.for_chars([char])
    if char not in found:
        found.append(char)


@contextlib.contextmanager
def collecting() -> Iterator[None]:
    """Around a document build: characters without a glyph are gathered, and the build ends in one
    :class:`MissingGlyphError` naming all of them (reportlab would otherwise wrap the error in its own text)."""
    found: list[str] = []
    token = _MISSING.set(found)
    try:
        try:
            yield
        except MissingGlyphError:
            if not found:
                raise
        if found:
            raise MissingGlyphError.for_chars(found)
    finally:
        _MISSING.reset(token)


def _code(char: str) -> int:
    code = ord(char)
    return 32 if code == 0xA0 else code  # reportlab draws a no-break space with the space glyph


class FallbackTTFont(TTFont):
    """A TrueType font that draws each character it lacks in the first fallback font that has it."""

    def __init__(self, name: str, base: TTFont, fallbacks: Sequence[TTFont], lazy: Sequence[LazyFont] = ()) -> None:
        # Share the parsed face of ``base`` (parsing a CJK font costs ~0.2 s); subsetting state is our own.
        self.__dict__.update(base.__dict__)
        self.fontName = name
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self.fonts: list[TTFont] = [self, *fallbacks]
        self._lazy = list(lazy)
        self._lock = threading.Lock()
        self._covered = frozenset(chr(code) for code in self.face.charToGlyph)

    def covers(self, char: str) -> bool:
        return self.font_for(char) is not None

    def font_for(self, char: str) -> int | None:
        """Index in :attr:`fonts` of the first font with a glyph for ``char``; loads lazy fallbacks as needed."""
        code = _code(char)
        for index, font in enumerate(self.fonts):
            if code in font.face.charToGlyph:
                return index
        with self._lock:
            while self._lazy:
                loaded = self._lazy.pop(0)()
                if loaded is None or loaded in self.fonts:
                    continue
                self.fonts.append(loaded)
                if code in loaded.face.charToGlyph:
                    return len(self.fonts) - 1
        return None

    def runs(self, text: str) -> list[tuple[int, str]]:
        """(font index, run) segments; a character no font has is reported and left in the main font."""
        result: list[tuple[int, str]] = []
        for char in text:
            index = self.font_for(char)
            if index is None:
                if not char.isspace():
                    report_missing(char)
                index = 0
            if result and result[-1][0] == index:
                result[-1] = (index, result[-1][1] + char)
            else:
                result.append((index, char))
        return result

    def stringWidth(self, text: str | bytes, size: float, encoding: str = "utf8") -> float:
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if self._covered.issuperset(text):  # the common case, at C speed
            return float(TTFont.stringWidth(self, text, size, encoding))
        return float(sum(TTFont.stringWidth(self.fonts[i], run, size, encoding) for i, run in self._quiet_runs(text)))

    def _quiet_runs(self, text: str) -> list[tuple[int, str]]:
        # Measuring is not drawing: a missing character is reported when it is drawn (splitString).
        token = _MISSING.set([])
        try:
            return self.runs(text)
        except MissingGlyphError:
            return [(0, text)]
        finally:
            _MISSING.reset(token)

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8") -> list[tuple[Any, bytes]]:
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if self._covered.issuperset(text):
            return [((0, subset), chunk) for subset, chunk in TTFont.splitString(self, text, doc, encoding)]
        pieces: list[tuple[Any, bytes]] = []
        for index, run in self.runs(text):
            for subset, chunk in TTFont.splitString(self.fonts[index], run, doc, encoding):
                pieces.append(((index, subset), chunk))
        return pieces

    def getSubsetInternalName(self, subset: Any, doc: Any) -> str:
        # reportlab's own addObjects asks with a plain subset number for this font's subsets.
        if isinstance(subset, int):
            return str(TTFont.getSubsetInternalName(self, subset, doc))
        index, number = subset
        return str(TTFont.getSubsetInternalName(self.fonts[index], number, doc))


class CheckedCIDFont(UnicodeCIDFont):
    """STSong-Light that reports characters outside the BMP: its UCS-2 encoding would print them as garbage."""

    def formatForPdf(self, text: str | bytes) -> Any:
        if isinstance(text, bytes):
            text = text.decode("utf8")
        for char in text:
            if ord(char) > 0xFFFF:
                report_missing(char)
        return super().formatForPdf("".join(c for c in text if ord(c) <= 0xFFFF))
