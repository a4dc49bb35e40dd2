"""Documents tell the truth (issue 13, item 11): the receipt prints what was received (原件/复印件, how many), says
齐全 only when nothing is waived, and names the loan and the property; headings and signatures stay with what
follows them; labels line up; the guide breaks no word and has no empty case line; the print dialog offers only
what the decision needs; a reprint carries 补打, its date and its number."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from textual.app import App
from textual.widgets import Checkbox

from forms.materials import PaperForm, Receipt
from forms.vocabulary import MaterialStatus
from printouts import DocKind, render
from printouts.api import print_document, reprint
from printouts.layout import LABEL_WIDTH, kv_table, styles_for, wide_kv_table
from printouts.samples import SampleKind
from screens.print_dialog import PrintDialog, documents_needed
from tests.printouts_helpers import ALL_DOCS, case, flat, pages_text, rendered, squash
from tests.test_followup import agent_case, people, take_paper


def pdf_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text(use_text_flow=True) or "" for page in doc.pages]


# --- the receipt ---------------------------------------------------------------------------------------------------


def test_receipt_prints_original_or_copy_and_the_count_as_received() -> None:
    sample = case(SampleKind.NEW_MARRIED)
    checklist = [
        line.model_copy(update={"received": Receipt(form=PaperForm.COPY, count=3)})
        if line.code == "income_proof"
        else line
        for line in sample.checklist
    ]
    assert any(line.code == "income_proof" and line.status is MaterialStatus.RECEIVED for line in checklist)
    text = squash("".join(pdf_text(render(sample.receipt().model_copy(update={"checklist": checklist})).pdf)))
    assert "借款申请人收入证明借款申请人复印件3份" in text
    assert "申请表（一表）本件原件1份" in text  # the signed form is an original


def test_receipt_says_complete_only_when_nothing_is_waived() -> None:
    complete = flat(SampleKind.NEW_MARRIED, DocKind.RECEIPT)
    assert not case(SampleKind.NEW_MARRIED).evaluation.waived
    assert "申请材料齐全，予以受理" in complete and "（含容缺受理）" not in complete
    waived = flat(SampleKind.RESALE_WAIVED, DocKind.RECEIPT)
    assert "齐全" not in waived
    assert "除1项容缺受理材料须在期限内补交外" in waived and "予以受理（含容缺受理）" in waived


def test_receipt_names_the_loan_the_property_and_the_contract() -> None:
    app = case(SampleKind.NEW_MARRIED).application
    assert app.property is not None
    text = flat(SampleKind.NEW_MARRIED, DocKind.RECEIPT)
    for needed in ["公积金贷款金额600,000.00元", "公积金贷款期限360个月", "购房合同编号QDWQ2026-000123"]:
        assert needed in text, needed
    assert "房屋坐落" + squash(app.property.location) in text
    assert "商业贷款" not in text
    combined = flat(SampleKind.COMBINED, DocKind.RECEIPT)
    assert "商业贷款金额800,000.00元（示例银行青岛分行）" in combined and "商业贷款期限360个月" in combined


# --- layout --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "doc"), ALL_DOCS)
def test_no_heading_ends_a_page(kind: SampleKind, doc: DocKind) -> None:
    for page in pages_text(kind, doc):
        body = page.splitlines()[:-2]  # the header and footer are drawn last
        for index, line in enumerate(body):
            if line.startswith("■"):
                assert len(body) - index >= 3, f"{line!r} is not followed by its table on the same page"


@pytest.mark.parametrize("kind", [SampleKind.NEW_MARRIED, SampleKind.AGENT, SampleKind.COMBINED, SampleKind.CROWDED])
def test_the_signature_block_stays_with_the_declaration(kind: SampleKind) -> None:
    pages = pages_text(kind, DocKind.FORM)
    [signing] = [p for p in pages if "借款申请人（签字）" in p]
    assert "申请人声明及签字" in signing and "本人（及共同申请人）承诺" in signing
    assert "受理人（窗口）（签字）" in signing and "打印时间" in signing
    if kind is SampleKind.CROWDED:
        assert len(pages) >= 4 and "共同借款人3（签字）" in squash(signing)


def test_label_columns_line_up() -> None:
    st = styles_for(rendered(SampleKind.NEW_MARRIED, DocKind.FORM).font)
    pairs = [("姓名", "甲"), ("性别", "男"), ("年龄", "30")]
    two, one = kv_table(st, pairs), wide_kv_table(st, pairs)
    assert two._colWidths[0] == one._colWidths[0] == LABEL_WIDTH
    assert two._colWidths[2] == LABEL_WIDTH


def test_the_guide_breaks_no_word_and_has_no_empty_case_line() -> None:
    text = "\n".join(pages_text(SampleKind.CROWDED, DocKind.GUIDE))
    assert "（无）" not in text and "案件编号" not in text
    assert "借款申请人" in text
    assert not re.search(r"借款申请\n人|共同借款\n人|个工作\n?日\n内|工作\n日内", text)
    for line in text.splitlines():
        assert not line.startswith(("，", "、", "）")), line


# --- reprints ------------------------------------------------------------------------------------------------------


def test_a_reprint_carries_the_mark_with_its_date_and_number(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    data = case(SampleKind.NEW_MARRIED).receipt()
    first = print_document(data, spool_dir=tmp_path, actor="a", now=datetime(2026, 9, 30, 2, tzinfo=UTC))
    assert "补打" not in squash("".join(pdf_text(first.path.read_bytes())))
    again = reprint(
        data, reason="遗失", number=2, spool_dir=tmp_path, actor="b", now=datetime(2026, 10, 8, 2, tzinfo=UTC)
    )
    assert again.is_reprint and again.reprint_number == 2
    pages = pdf_text(again.path.read_bytes())
    assert len(pages) == first.pages
    for page in pages:
        assert "补打2026年10月08日第2次补打" in squash(page)


async def test_service_reprints_count_the_earlier_ones(tmp_path: Path) -> None:
    from tests.test_followup import open_ws

    ws = open_ws(tmp_path)
    clerk, agent, supervisor = people(ws)
    case_ = await agent_case(ws, agent)
    take_paper(case_)
    case_.mark_received("income_proof", copies=2, original=False)
    at_window = ws.open_case(case_.case_id, clerk)
    at_window.print(DocKind.FORM)  # a working copy for signature, before the decision: no reprint
    made = at_window.accept()
    evaluation = at_window.evaluation()
    assert made.documents == documents_needed("accepted", promised=bool(evaluation.waived or evaluation.committed))
    receipt = at_window.print(DocKind.RECEIPT)
    text = squash("".join(pdf_text(receipt.path.read_bytes())))
    assert "补打" not in text and "复印件2份" in text and "原件1份" in text
    at_window.print(DocKind.FORM)  # the final form
    for number in (1, 2):
        again = at_window.print(DocKind.RECEIPT, reason="申请人遗失", authorized_by=supervisor)
        assert f"第{number}次补打" in squash("".join(pdf_text(again.path.read_bytes())))
    form = at_window.print(DocKind.FORM, reason="卡纸", authorized_by=supervisor)
    assert form.reprint_number == 1


# --- the print dialog ----------------------------------------------------------------------------------------------


def test_documents_needed_follow_the_decision() -> None:
    assert documents_needed(None) == (DocKind.FORM, DocKind.AUTHORIZATION)
    assert documents_needed("accepted") == (DocKind.RECEIPT, DocKind.FORM, DocKind.AUTHORIZATION)
    assert documents_needed("accepted", promised=True)[-1] is DocKind.COMMITMENT
    assert documents_needed("declined") == (DocKind.NOTICE,)
    assert documents_needed("declined", promised=True) == (DocKind.NOTICE,)


@pytest.mark.parametrize(
    ("needed", "already"),
    [((DocKind.NOTICE,), set()), ((DocKind.RECEIPT, DocKind.FORM, DocKind.AUTHORIZATION), {"form"})],
)
async def test_the_dialog_offers_only_the_needed_documents(needed: tuple[DocKind, ...], already: set[str]) -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.push_screen(PrintDialog(needed, already=already))
        await pilot.pause()
        boxes = list(app.screen.query(Checkbox))
        assert [box.id for box in boxes] == [f"doc-{kind.value}" for kind in needed]
        assert [box.value for box in boxes] == [kind.value not in already for kind in needed]
