"""Printouts: every document carries its required items, in an embedded font, inside the page, page x of y."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1

from forms.identifiers import mask_id
from forms.materials import Evaluation
from forms.vocabulary import VerificationKind, VerificationOutcome
from forms.workdays import WorkdayResult
from printouts import DocKind, DocumentData, RenderedDocument, kind_of, load_data, render
from printouts.layout import MARGIN, PAGE_HEIGHT, PAGE_WIDTH
from printouts.models import NoticeData, VerificationRow
from printouts.qr import qr_matrix
from printouts.samples import SampleCase, SampleKind, sample_case


@cache
def case(kind: SampleKind) -> SampleCase:
    return sample_case(kind)


@cache
def rendered(kind: SampleKind, doc: DocKind) -> RenderedDocument:
    sample = case(kind)
    makers: dict[DocKind, Callable[[], DocumentData]] = {
        DocKind.FORM: sample.form,
        DocKind.RECEIPT: sample.receipt,
        DocKind.NOTICE: sample.notice,
        DocKind.COMMITMENT: sample.commitment,
        DocKind.AUTHORIZATION: sample.authorization,
        DocKind.GUIDE: sample.guide,
    }
    return render(makers[doc]())


@cache
def pages_text(kind: SampleKind, doc: DocKind) -> tuple[str, ...]:
    with pdfplumber.open(io.BytesIO(rendered(kind, doc).pdf)) as pdf:
        return tuple(page.extract_text(use_text_flow=True) or "" for page in pdf.pages)


def flat(kind: SampleKind, doc: DocKind) -> str:
    """All text without whitespace, so that words wrapped across lines still match."""
    return re.sub(r"\s+", "", "".join(pages_text(kind, doc)))


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


ALL_DOCS = [
    (SampleKind.NEW_MARRIED, DocKind.FORM),
    (SampleKind.NEW_MARRIED, DocKind.RECEIPT),
    (SampleKind.RESALE_WAIVED, DocKind.RECEIPT),
    (SampleKind.RESALE_WAIVED, DocKind.COMMITMENT),
    (SampleKind.DECLINED, DocKind.NOTICE),
    (SampleKind.AGENT, DocKind.FORM),
    (SampleKind.COMBINED, DocKind.FORM),
    (SampleKind.CROWDED, DocKind.FORM),
    (SampleKind.CROWDED, DocKind.RECEIPT),
    (SampleKind.CROWDED, DocKind.AUTHORIZATION),
    (SampleKind.CROWDED, DocKind.GUIDE),
]


# --- required items ---------------------------------------------------------------------------------------------


def test_form_new_house_married_couple_has_every_section_and_full_ids() -> None:
    sample = case(SampleKind.NEW_MARRIED)
    app = sample.application
    text = flat(SampleKind.NEW_MARRIED, DocKind.FORM)
    assert app.spouse is not None and app.applicant.id_number and app.spouse.id_number
    for needed in [
        sample.case_no,
        "住房公积金贷款购房“一件事”申请表",
        app.applicant.name,
        app.applicant.id_number,  # the signed legal form shows the full number
        app.spouse.name,
        app.spouse.id_number,
        "青岛示例科技有限公司",
        "3702001234567",
        "海岸示例花园",
        "QDWQ2026-000123",
        "600,000.00元",
        "人民币陆拾万元整",
        "360个月",
        "2.60%",
        "等额本息",
        "首套",
        "6217000000000123459"[:8],
        "■住房公积金贷款申请",
        "■个人征信查询",
        "■不动产抵押登记",
        "□不动产转移登记",
        "数据共享核验摘要",
        "身份信息（公安）",
        "市公安局",
        "2026-09-3009:20",
        "借款申请人（签字）",
        "配偶（签字）",
        "受理人（窗口）（签字）",
    ]:
        assert squash(needed) in text, needed
    assert mask_id(app.applicant.id_number) not in text


def test_receipt_masks_the_id_and_lists_received_exempted_and_promised_date() -> None:
    sample = case(SampleKind.NEW_MARRIED)
    app = sample.application
    text = flat(SampleKind.NEW_MARRIED, DocKind.RECEIPT)
    assert app.applicant.id_number is not None and app.applicant.phone is not None
    assert mask_id(app.applicant.id_number) in text
    assert app.applicant.id_number not in text
    assert app.applicant.phone not in text
    assert "138****0001" in text
    for needed in [
        sample.case_no,
        "受理回执",
        "2026年09月30日09:35",  # 01:35 UTC printed in China time
        "3号窗口",
        "王窗口",
        app.applicant.name,
        "住房公积金贷款申请（含审批、借款合同面签）",
        "6个工作日",
        "2026年10月14日",
        "12329",
        "12345",
        "扫码查询进度",
    ]:
        assert squash(needed) in text, needed
    assert "估算" not in text
    for material in sample.evaluation.received:
        assert squash(material.name) in text, material.name
    assert sample.evaluation.exempted
    for item in sample.evaluation.exempted:
        assert squash(item.material.name) in text, item.material.name
    assert "身份信息（公安）" in text and "核验一致，免提交" in text


def test_receipt_and_commitment_carry_waived_items_with_due_dates() -> None:
    sample = case(SampleKind.RESALE_WAIVED)
    [waived] = sample.evaluation.waived
    assert waived.material.code == "appraisal_report"
    assert waived.due == date(2026, 10, 13)
    for doc in (DocKind.RECEIPT, DocKind.COMMITMENT):
        text = flat(SampleKind.RESALE_WAIVED, doc)
        assert "房屋评估报告" in text
        assert "2026年10月13日前" in text, doc
    commitment = flat(SampleKind.RESALE_WAIVED, DocKind.COMMITMENT)
    assert "容缺受理承诺书" in commitment
    assert (sample.application.applicant.id_number or "?") in commitment
    assert "不予放款" in commitment and "承诺人（申请人）（签字）" in commitment
    receipt = flat(SampleKind.RESALE_WAIVED, DocKind.RECEIPT)
    assert "不动产转移登记" in receipt and "房地产交易税费申报（契税）" in receipt


def test_receipt_marks_an_estimated_promised_date() -> None:
    sample = case(SampleKind.NEW_MARRIED)
    data = sample.receipt().model_copy(update={"promised": WorkdayResult(date(2027, 1, 11), True)})
    with pdfplumber.open(io.BytesIO(render(data).pdf)) as pdf:
        text = squash("".join(p.extract_text(use_text_flow=True) or "" for p in pdf.pages))
    assert "2027年01月11日（估算" in text


def test_one_time_notice_lists_everything_missing_with_reasons() -> None:
    sample = case(SampleKind.DECLINED)
    assert not sample.evaluation.acceptable
    text = flat(SampleKind.DECLINED, DocKind.NOTICE)
    assert "一次性告知书" in text and sample.case_no in text
    assert len(sample.evaluation.missing) == 3
    for item in sample.evaluation.missing:
        assert squash(item.material.name) in text
        assert squash(item.reason)[:30] in text
    assert "网签备案（住建）核验未查到记录" in text
    assert (sample.application.applicant.id_number or "?") not in text
    assert mask_id(sample.application.applicant.id_number or "") in text
    assert "12329" in text and "重新申请" in text


def test_agent_case_names_the_agent_and_gives_a_signature_line() -> None:
    sample = case(SampleKind.AGENT)
    agent = sample.application.agent
    assert agent is not None and agent.id_number
    form = flat(SampleKind.AGENT, DocKind.FORM)
    assert agent.name and agent.name in form and agent.id_number in form and "WT-2026-0930-01" in form
    assert "代办人（签字）" in form and "委托代办" in form
    receipt = flat(SampleKind.AGENT, DocKind.RECEIPT)
    assert agent.name in receipt and "授权委托书" in receipt
    assert agent.id_number not in receipt


def test_combined_loan_prints_both_parts_in_figures_and_capitals() -> None:
    text = flat(SampleKind.COMBINED, DocKind.FORM)
    for needed in [
        "商业贷款部分（组合贷款）",
        "800,000.00元",
        "人民币捌拾万元整",
        "3.05%",
        "1,400,000.00元",
        "人民币壹佰肆拾万元整",
    ]:
        assert needed in text, needed
    receipt = flat(SampleKind.COMBINED, DocKind.RECEIPT)
    assert "商业银行贷款审批意见" in receipt


def test_authorization_has_every_borrower_with_full_id_and_signature() -> None:
    sample = case(SampleKind.CROWDED)
    text = flat(SampleKind.CROWDED, DocKind.AUTHORIZATION)
    people = [sample.application.applicant, *sample.application.co_borrowers]
    assert len(people) == 4
    for person in people:
        assert person.id_number and person.id_number in text
    assert text.count("（签字）") >= 4
    assert "ZX-2026-0930-0001" in text and "征信" in text


def test_guide_lists_the_scenario_materials_without_a_case() -> None:
    text = flat(SampleKind.CROWDED, DocKind.GUIDE)
    assert "材料清单与办事指南" in text and "案件编号：（无）" in text
    assert "共同借款人收入证明" in text and "受理后6个工作日" in text


# --- page furniture, fonts, layout ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "doc"), ALL_DOCS)
def test_page_x_of_y_and_case_number_on_every_page(kind: SampleKind, doc: DocKind) -> None:
    pages = pages_text(kind, doc)
    result = rendered(kind, doc)
    assert result.pages == len(pages)
    number = case(kind).case_no if doc is not DocKind.GUIDE else "（无）"
    for index, text in enumerate(pages, 1):
        assert f"第 {index} 页 共 {len(pages)} 页" in text
        assert f"案件编号：{number}" in text


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
