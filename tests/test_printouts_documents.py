"""Printouts: every document carries its required items (the sample cases of printouts.samples). Page furniture,
fonts and layout are in test_printouts_layout.py; the shared set-up in printouts_helpers.py."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber

from forms.identifiers import mask_id
from forms.workdays import WorkdayResult
from printouts import DocKind, render
from printouts.samples import SampleKind
from tests.printouts_helpers import case, flat, squash

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
    assert "材料清单与办事指南" in text and "案件编号" not in text and "（无）" not in text  # no case, no case line
    assert "共同借款人收入证明" in text and "受理后6个工作日" in text
