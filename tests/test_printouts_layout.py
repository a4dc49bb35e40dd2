"""Printouts: page x of y and the case number on every page, the embedded CJK font, nothing outside the printable
area, wrapping and page breaks, the QR code, reprints from a snapshot, hostile values and a rendered page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1

from forms.materials import Evaluation
from forms.vocabulary import VerificationKind, VerificationOutcome
from printouts import DocKind, kind_of, load_data, render
from printouts.layout import MARGIN, PAGE_HEIGHT, PAGE_WIDTH
from printouts.models import NoticeData, VerificationRow
from printouts.qr import qr_matrix
from printouts.samples import SampleKind
from tests.printouts_helpers import ALL_DOCS, case, flat, pages_text, rendered, squash

# --- page furniture, fonts, layout ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "doc"), ALL_DOCS)
def test_page_x_of_y_and_case_number_on_every_page(kind: SampleKind, doc: DocKind) -> None:
    pages = pages_text(kind, doc)
    result = rendered(kind, doc)
    assert result.pages == len(pages)
    for index, text in enumerate(pages, 1):
        assert f"第 {index} 页 共 {len(pages)} 页" in text
        if doc is DocKind.GUIDE:
            assert "案件编号" not in text  # the guide has no case: no "案件编号：（无）" line
        else:
            assert f"案件编号：{case(kind).case_no}" in text


def _fonts(pdf: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in pdf.pages:
        fonts = resolve1(resolve1(page.page_obj.resources).get("Font", {}))
        for ref in fonts.values():
            font = resolve1(ref)
            found.append(font)
            for child in resolve1(font.get("DescendantFonts", [])) or []:
                found.append(resolve1(child))
    return found


@pytest.mark.parametrize(("kind", "doc"), ALL_DOCS[:6])
def test_the_cjk_font_is_embedded_as_a_subset(kind: SampleKind, doc: DocKind) -> None:
    result = rendered(kind, doc)
    assert result.font.embedded and result.warnings == ()
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        fonts = _fonts(pdf)
        names = {str(resolve1(f.get("BaseFont"))) for f in fonts}
        embedded = [f for f in fonts if "FontDescriptor" in f and "FontFile2" in resolve1(f["FontDescriptor"])]
        char_fonts = {c["fontname"] for p in pdf.pages for c in p.chars}
    assert embedded, names
    assert all(re.match(r"^[A-Z]{6}\+", name) for name in char_fonts), char_fonts


@pytest.mark.parametrize(("kind", "doc"), ALL_DOCS)
def test_nothing_leaves_the_printable_area(kind: SampleKind, doc: DocKind) -> None:
    with pdfplumber.open(io.BytesIO(rendered(kind, doc).pdf)) as pdf:
        for page in pdf.pages:
            assert page.width == pytest.approx(PAGE_WIDTH) and page.height == pytest.approx(PAGE_HEIGHT)
            for char in page.chars:
                assert char["x0"] >= MARGIN - 0.5, char["text"]
                assert char["x1"] <= PAGE_WIDTH - MARGIN + 0.5, (char["text"], char["x1"])
                assert char["top"] >= MARGIN - 20 and char["bottom"] <= PAGE_HEIGHT - MARGIN + 30


def test_three_co_borrowers_and_long_values_wrap_inside_their_cells() -> None:
    sample = case(SampleKind.CROWDED)
    text = flat(SampleKind.CROWDED, DocKind.FORM)
    for number, co in enumerate(sample.application.co_borrowers, 1):
        assert f"共同借款人{number}" in text
        assert co.id_number and co.id_number in text
        assert squash(co.name or "") in text
    assert squash(sample.application.applicant.name or "") in text
    assert squash(sample.application.applicant.address or "")[:60] in text
    # Markup in a value is printed as text, not interpreted.
    assert "<b>未闭合标签&特殊字符" in text
    assert "\x1b" not in text
    for number in range(1, 4):
        assert f"共同借款人{number}（签字）" in text


def test_long_tables_break_across_pages_with_repeated_headers() -> None:
    sample = case(SampleKind.DECLINED)
    issues = [f"第 {n} 项：测试用的补正说明，内容较长以便占满多行，" + "需核对后重新填写。" * 3 for n in range(1, 121)]
    data = sample.notice().model_copy(update={"form_issues": issues})
    with pdfplumber.open(io.BytesIO(render(data).pdf)) as pdf:
        texts = [squash(p.extract_text(use_text_flow=True) or "") for p in pdf.pages]
    continued = [t for t in texts if "第120项" in t or "第60项" in t]
    assert len(texts) >= 4
    assert continued
    pages_with_issues = [t for t in texts if "测试用的补正说明" in t]
    assert len(pages_with_issues) >= 3
    for page in pages_with_issues:
        assert "序号需补正的内容" in page
    assert all(f"第{n}项" in "".join(texts) for n in (1, 60, 120))


def test_qr_code_carries_the_case_number() -> None:
    sample = case(SampleKind.NEW_MARRIED)
    matrix = qr_matrix(sample.case_no)
    with pdfplumber.open(io.BytesIO(rendered(SampleKind.NEW_MARRIED, DocKind.RECEIPT).pdf)) as pdf:
        page = pdf.pages[-1]
        rects = [
            r
            for r in page.rects
            if r.get("fill")
            and tuple(r.get("non_stroking_color") or ()) in {(0, 0, 0), (0.0, 0.0, 0.0)}
            and r["x0"] > page.width * 0.6
        ]
    assert rects
    left = min(r["x0"] for r in rects)
    top = min(r["top"] for r in rects)
    module = min(min(r["width"], r["height"]) for r in rects)
    size = len(matrix)
    drawn = [[False] * size for _ in range(size)]
    for r in rects:
        for row in range(round((r["top"] - top) / module), round((r["bottom"] - top) / module)):
            for col in range(round((r["x0"] - left) / module), round((r["x1"] - left) / module)):
                drawn[row][col] = True
    assert drawn == matrix
    assert qr_matrix("QD01-20260930-9999") != matrix


def test_same_data_gives_the_same_bytes_and_a_snapshot_reprints_identically() -> None:
    data = case(SampleKind.RESALE_WAIVED).receipt()
    first = render(data)
    snapshot = data.model_dump_json()
    again = render(load_data(kind_of(data), snapshot))
    assert first.pdf == rendered(SampleKind.RESALE_WAIVED, DocKind.RECEIPT).pdf
    assert again.pdf == first.pdf


def test_hostile_field_values_still_give_a_valid_pdf() -> None:
    sample = case(SampleKind.DECLINED)
    hostile = "../../etc/passwd\x00\x1b[2J\x1b]0;pwned\x07<script>&amp;\u202e" + "长" * 5000 + "X" * 3000
    evaluation: Evaluation = sample.evaluation
    data = NoticeData(
        case_no=hostile,
        document_no=hostile,
        issued_at=sample.accepted_at,
        clerk=hostile,
        office=sample.office.model_copy(update={"window": hostile, "authority": hostile}),
        application=sample.application,
        evaluation=evaluation,
        form_issues=[hostile] * 3,
    )
    result = render(data)
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        text = "".join(p.extract_text(use_text_flow=True) or "" for p in pdf.pages)
        assert len(pdf.pages) == result.pages >= 1
        for page in pdf.pages:
            assert all(c["x1"] <= PAGE_WIDTH - MARGIN + 0.5 for c in page.chars)
    assert "\x1b" not in text and "\x00" not in text and "pwned" not in text
    assert "<script>&amp;" in squash(text)
    receipt = sample.receipt().model_copy(
        update={
            "case_no": hostile,
            "verifications": [
                VerificationRow(
                    kind=VerificationKind.IDENTITY, outcome=VerificationOutcome.MATCH, source=hostile, detail=hostile
                )
            ],
        }
    )
    assert render(receipt).pages >= 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_a_rendered_page_is_not_blank_and_the_title_is_dark(tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(rendered(SampleKind.NEW_MARRIED, DocKind.RECEIPT).pdf)
    dpi = 50
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=30,
    )
    [image] = list(tmp_path.glob("page*.pgm"))
    raw = image.read_bytes()
    header = raw.split(maxsplit=4)
    assert header[0] == b"P5"
    width, height = int(header[1]), int(header[2])
    pixels = header[4][-width * height :]

    def dark(y0: float, y1: float, x0: float, x1: float) -> int:
        scale = dpi / 72
        return sum(
            1
            for y in range(int(y0 * scale), int(y1 * scale))
            for x in range(int(x0 * scale), int(x1 * scale))
            if pixels[y * width + x] < 128
        )

    # The title sits just below the header line, centred.
    title_band = dark(MARGIN + 28, MARGIN + 62, PAGE_WIDTH * 0.2, PAGE_WIDTH * 0.8)
    assert title_band > 150
    assert dark(0, PAGE_HEIGHT, 0, PAGE_WIDTH) > 2000
    # And the right-hand margin stays white.
    assert dark(0, PAGE_HEIGHT, PAGE_WIDTH - MARGIN + 3, PAGE_WIDTH) == 0
