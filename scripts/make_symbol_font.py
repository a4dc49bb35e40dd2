"""Build printouts/CounterSymbols.ttf: the tick boxes and section marks the printouts use (■ □ ☑ ☐ ✓).

Why: DroidSansFallbackFull.ttf (often the only CJK font on a machine set up to print) and reportlab's Vera have
no ■ or □, so a receipt's tick boxes and section marks would otherwise have no font at all. The outlines are
plain rectangles and a check mark drawn here, so the font carries no third-party licence.

Run once when the symbol set changes (fontTools is not a project dependency):
    pip install --target /tmp/ft fonttools && PYTHONPATH=/tmp/ft .venv/bin/python scripts/make_symbol_font.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder  # type: ignore[import-not-found]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "printouts" / "CounterSymbols.ttf"
EM = 1000
# The box sits where a CJK ideograph sits (em box -120..880), a little inside it.
LEFT, RIGHT, BOTTOM, TOP, STROKE = 140, 860, -50, 670, 70

Point = tuple[int, int]


def _polygon(pen: TTGlyphPen, points: list[Point]) -> None:
    pen.moveTo(points[0])
    for point in points[1:]:
        pen.lineTo(point)
    pen.closePath()


def _square(pen: TTGlyphPen, hollow: bool) -> None:
    # TrueType: outer contours clockwise, holes counter-clockwise.
    _polygon(pen, [(LEFT, BOTTOM), (LEFT, TOP), (RIGHT, TOP), (RIGHT, BOTTOM)])
    if hollow:
        a, b, c, d = LEFT + STROKE, RIGHT - STROKE, BOTTOM + STROKE, TOP - STROKE
        _polygon(pen, [(a, c), (b, c), (b, d), (a, d)])


def _check(pen: TTGlyphPen) -> None:
    _polygon(pen, [(230, 330), (420, 90), (790, 600), (720, 650), (420, 220), (290, 390)])


def _glyph(draw: list[str]) -> object:
    pen = TTGlyphPen(None)
    if "filled" in draw:
        _square(pen, hollow=False)
    if "box" in draw:
        _square(pen, hollow=True)
    if "check" in draw:
        _check(pen)
    return pen.glyph()


def main() -> None:
    glyphs = {
        ".notdef": [],
        "space": [],
        "blacksquare": ["filled"],
        "whitesquare": ["box"],
        "ballotbox": ["box"],
        "ballotboxcheck": ["box", "check"],
        "checkmark": ["check"],
    }
    cmap = {0x20: "space", 0x25A0: "blacksquare", 0x25A1: "whitesquare", 0x2610: "ballotbox"}
    cmap |= {0x2611: "ballotboxcheck", 0x2713: "checkmark"}
    fb = FontBuilder(EM, isTTF=True)
    fb.setupGlyphOrder(list(glyphs))
    fb.setupCharacterMap(cmap)
    fb.setupGlyf({name: _glyph(parts) for name, parts in glyphs.items()})
    fb.setupHorizontalMetrics({name: (EM, LEFT if parts else 0) for name, parts in glyphs.items()})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "CounterSymbols", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    fb.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(cmap)} characters)")


if __name__ == "__main__":
    main()
