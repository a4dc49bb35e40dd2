"""Page furniture and building blocks shared by every document.

A4 portrait, 18 mm margins, every style in the one CJK font (see :mod:`printouts.fonts`), Paragraphs wrap with
``wordWrap="CJK"`` so that Chinese text and long unbroken Latin strings both break inside their cells. The page
header carries the document title and case number; the footer "第 x 页 共 y 页" is drawn after the whole
document is laid out (a two-pass canvas), so every page knows the total.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from printouts.fonts import FontChoice
from printouts.glyphs import collecting
from printouts.text import clean, para

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
HEADER_SPACE = 10 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - HEADER_SPACE
# Every label column has this width, so the labels of two-pair rows and of one-pair rows line up (one grid).
LABEL_WIDTH = 0.18 * FRAME_WIDTH

GRID = colors.Color(0.35, 0.35, 0.35)
STAMP_RED = colors.Color(0.75, 0.05, 0.05)
HEAD_FILL = colors.Color(0.90, 0.90, 0.90)
SECTION_FILL = colors.Color(0.95, 0.95, 0.95)


@dataclass(frozen=True)
class Styles:
    """Paragraph styles for one font."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    section: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle


_STYLES: dict[str, Styles] = {}


def styles_for(font: FontChoice) -> Styles:
    """Styles set in ``font`` (cached per font name)."""
    cached = _STYLES.get(font.name)
    if cached is not None:
        return cached
    base = ParagraphStyle("base", fontName=font.name, fontSize=10, leading=14, wordWrap="CJK", alignment=TA_LEFT)
    styles = Styles(
        title=ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=4),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=10, leading=14, alignment=TA_CENTER, spaceAfter=6),
        section=ParagraphStyle("section", parent=base, fontSize=11.5, leading=16, spaceBefore=6, spaceAfter=3),
        body=ParagraphStyle("body", parent=base, fontSize=10.5, leading=16, spaceBefore=3, spaceAfter=3),
        cell=ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        cell_head=ParagraphStyle("cell_head", parent=base, fontSize=9, leading=12, alignment=TA_CENTER),
        small=ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, spaceBefore=2),
        right=ParagraphStyle("right", parent=base, fontSize=10.5, leading=16, alignment=TA_RIGHT),
    )
    _STYLES[font.name] = styles
    return styles


@dataclass(frozen=True)
class RenderedDocument:
    """A finished document: the PDF, its page count and anything the operator should be told."""

    kind: str
    case_no: str
    pdf: bytes
    pages: int
    font: FontChoice
    warnings: tuple[str, ...] = field(default=())


_STAMP: ContextVar[str] = ContextVar("printouts_stamp", default="")


@contextlib.contextmanager
def stamped(text: str) -> Iterator[None]:
    """Documents built inside carry ``text`` as a red mark at the top right of every page (补打 …)."""
    token = _STAMP.set(clean(text, 60))
    try:
        yield
    finally:
        _STAMP.reset(token)


def _numbered_canvas(font: FontChoice, title: str, case_no: str, stamp: str = "") -> type[pdfcanvas.Canvas]:
    """A canvas that holds pages back until the end so the footer can say "共 y 页"."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            self.saveState()
            self.setFont(font.name, 8.5)
            self.setFillColor(colors.Color(0.25, 0.25, 0.25))
            top = PAGE_HEIGHT - MARGIN + 4 * mm
            self.drawString(MARGIN, top, clean(title, 40))
            number = clean(case_no, 40)
            if number:  # a document without a case (the guide) has no case line
                self.drawRightString(PAGE_WIDTH - MARGIN, top, f"案件编号：{number}")
            self.setStrokeColor(GRID)
            self.setLineWidth(0.4)
            self.line(MARGIN, top - 1.8 * mm, PAGE_WIDTH - MARGIN, top - 1.8 * mm)
            self.drawCentredString(PAGE_WIDTH / 2, MARGIN - 8 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
            if stamp:
                self._stamp()
            self.restoreState()

        def _stamp(self) -> None:
            size = 11
            width = self.stringWidth(stamp, font.name, size) + 4 * mm
            x, y = PAGE_WIDTH - MARGIN - width, PAGE_HEIGHT - MARGIN / 2 + 0.5 * mm  # above the header line
            self.setStrokeColor(STAMP_RED)
            self.setFillColor(STAMP_RED)
            self.setLineWidth(1.2)
            self.rect(x, y - 1.8 * mm, width, size + 2.2 * mm, stroke=1, fill=0)
            self.setFont(font.name, size)
            self.drawString(x + 2 * mm, y, stamp)

    return NumberedCanvas


def build_pdf(
    story: list[Flowable],
    *,
    kind: str,
    title: str,
    case_no: str,
    font: FontChoice,
    warnings: Sequence[str] = (),
) -> RenderedDocument:
    """Lay the story out on A4 pages and return the PDF bytes (deterministic: same input, same bytes)."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_SPACE,
        bottomMargin=MARGIN,
        title=clean(title, 60),
        subject=clean(case_no, 60),
        author="公积金贷款购房“一件事”专窗",
        creator="counter-workstation",
        invariant=True,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    for index, flowable in enumerate(story):
        if isinstance(flowable, HeadingGuard):
            flowable.following = story[index + 1 : index + 3]
    canvasmaker = _numbered_canvas(font, title, case_no, _STAMP.get())
    with collecting():  # a character no font can draw refuses the document (printouts.glyphs)
        doc.build(story, canvasmaker=canvasmaker)
    pdf = buffer.getvalue()
    pages = doc.page
    all_warnings = tuple(w for w in (font.warning, *warnings) if w)
    return RenderedDocument(kind=kind, case_no=case_no, pdf=pdf, pages=pages, font=font, warnings=all_warnings)


# --- building blocks ---------------------------------------------------------------------------------------


def P(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of already-escaped markup."""
    return Paragraph(text, style)


def title_block(st: Styles, title: str, subtitle: str = "") -> list[Flowable]:
    out: list[Flowable] = [P(para(title, 60), st.title)]
    if subtitle:
        out.append(P(para(subtitle, 200), st.subtitle))
    return out


class HeadingGuard(CondPageBreak):
    """Before a heading: a page break unless the heading and the start of what follows (a table's header and first
    two rows, a kept block, a paragraph) fit; ``build_pdf`` links each guard to the two flowables after it."""

    minimum = 20 * mm
    following: Sequence[Flowable] = ()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.height = max(self.minimum, self._start_height(availWidth))
        return super().wrap(availWidth, availHeight)

    def _start_height(self, width: float) -> float:
        total = 0.0
        canv = getattr(self, "canv", None)
        for flowable in self.following:
            if isinstance(flowable, CondPageBreak):
                break
            height = (flowable.wrapOn(canv, width, FRAME_HEIGHT) if canv else flowable.wrap(width, FRAME_HEIGHT))[1]
            space = flowable.getSpaceBefore() + flowable.getSpaceAfter()
            if isinstance(flowable, Table):
                rows = list(getattr(flowable, "_rowHeights", None) or [height])
                total += sum(rows[: max(flowable.repeatRows, 0) + 2]) + space
                break
            total += height + space
            if not isinstance(flowable, Paragraph) or flowable.style.name != "section":
                break
        # Never more than half a page: a guard taller than the frame would break every page for ever.
        return min(total, FRAME_HEIGHT / 2)


def section(st: Styles, text: str, *, guard: bool = True) -> list[Flowable]:
    """A section heading kept with the start of what follows (see :class:`HeadingGuard`).

    ``guard=False`` leaves the guard out, for a heading inside a block already kept together."""
    heading = P(f"■ {para(text, 80)}", st.section)
    return [HeadingGuard(HeadingGuard.minimum), heading] if guard else [heading]


def _style_commands(header_rows: int, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL))
    commands.extend(extra)
    return TableStyle(commands)


def grid_table(
    st: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    empty_text: str = "（无）",
) -> Table:
    """A table with a header row repeated on every page it spans; ``rows`` hold escaped markup; ``widths`` are
    fractions of the frame width (adding up to 1 or less)."""
    data: list[list[Flowable]] = [[P(para(h, 40), st.cell_head) for h in header]]
    data.extend([[P(cell, st.cell) for cell in row] for row in rows])
    extra: list[tuple[Any, ...]] = []
    if not rows:
        data.append([P(empty_text, st.cell)] + [P("", st.cell) for _ in header[1:]])
        extra.append(("SPAN", (0, 1), (-1, 1)))
    widths_pt = [w * FRAME_WIDTH for w in widths]
    return Table(data, colWidths=widths_pt, repeatRows=1, style=_style_commands(1, extra), hAlign="LEFT")


def kv_table(
    st: Styles,
    pairs: Sequence[tuple[str, str]],
    columns: int = 2,
    label_share: float | None = None,
    width: float = FRAME_WIDTH,
) -> Table:
    """Label/value pairs laid out ``columns`` pairs per row; values are escaped markup, labels plain text.

    Labels are :data:`LABEL_WIDTH` wide (unless ``label_share`` of each pair's width is asked for), so that the
    label columns of every table in a document line up."""
    per = width / columns
    label = per * label_share if label_share is not None else min(LABEL_WIDTH, per / 2)
    widths: list[float] = []
    for _ in range(columns):
        widths += [label, per - label]
    data: list[list[Flowable]] = []
    extra: list[tuple[Any, ...]] = []
    row: list[Flowable] = []
    for label, value in pairs:
        row += [P(para(label, 40), st.cell), P(value or "—", st.cell)]
        if len(row) == 2 * columns:
            data.append(row)
            row = []
    if row:
        row += [P("", st.cell)] * (2 * columns - len(row))
        data.append(row)
    for r in range(len(data)):
        for c in range(0, 2 * columns, 2):
            extra.append(("BACKGROUND", (c, r), (c, r), SECTION_FILL))
    return Table(data, colWidths=widths, style=_style_commands(0, extra), hAlign="LEFT")


def wide_kv_table(
    st: Styles, pairs: Sequence[tuple[str, str]], label_share: float | None = None, width: float = FRAME_WIDTH
) -> Table:
    """One pair per row, for long values such as addresses."""
    return kv_table(st, pairs, columns=1, label_share=label_share, width=width)


def signature_block(st: Styles, roles: Sequence[str], note: str = "") -> Flowable:
    """Signature lines, two per row, kept together on one page."""
    cells: list[list[Flowable]] = []
    row: list[Flowable] = []
    for role in roles:
        row.append(P(f"{para(role, 60)}（签字）：<br/><br/>日期：________年____月____日", st.body))
        if len(row) == 2:
            cells.append(row)
            row = []
    if row:
        row.append(P("", st.body))
        cells.append(row)
    table = Table(
        cells,
        colWidths=[FRAME_WIDTH / 2] * 2,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
            ]
        ),
        hAlign="LEFT",
    )
    parts: list[Flowable] = []
    if note:
        parts.append(P(para(note, 400), st.small))
    parts.append(table)
    return KeepTogether(parts)


def seal_box(st: Styles, office: str, when: str) -> Flowable:
    """The seal area (盖章处) at the right, with the office name and date."""
    text = f"{para(office, 80)}（盖章）<br/>{para(when, 40)}"
    table = Table(
        [[P("", st.body), P(text, st.right)]],
        colWidths=[FRAME_WIDTH * 0.4, FRAME_WIDTH * 0.6],
        rowHeights=[26 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]),
    )
    return KeepTogether([table])


_NUMERALS = "一二三四五六七八九十"


class Sections:
    """Numbered section headings (一、二、…) that stay consecutive when optional sections are left out."""

    def __init__(self, st: Styles) -> None:
        self._st = st
        self._count = 0

    def __call__(self, text: str, *, guard: bool = True) -> list[Flowable]:
        self._count += 1
        number = _NUMERALS[self._count - 1] if self._count <= len(_NUMERALS) else str(self._count)
        return section(self._st, f"{number}、{text}", guard=guard)


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def tick(checked: bool) -> str:
    """A tick box as text (☑ / ☐ exist in CJK fonts; the fallback font has ■/□)."""
    return "■" if checked else "□"
