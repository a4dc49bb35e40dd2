"""Shortfall-tolerant acceptance evaluation (forms.materials.evaluate): lookups, waivers, the one-time notice."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.materials import (
    BEFORE_DISBURSEMENT_TEXT,
    MaterialState,
    evaluate,
    initial_checklist,
    materials_for,
)
from forms.scenario import Scenario
from forms.vocabulary import (
    LoanKind,
    MaritalStatus,
    MaterialStatus,
    Presence,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar, YearSchedule
from tests.materials_helpers import (
    PACKS,
    QINGDAO_NEW,
    all_match,
    catalog,
    hand_in_everything,
    received,
    run,
    waived,
)

# ---- lookups and exemptions ---------------------------------------------------------------------------------


def test_initial_checklist_marks_matched_lookups_verified() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario) | {VerificationKind.BANK_CARD: VerificationOutcome.PENDING}
    lines = {line.code: line.status for line in initial_checklist(cat, scenario, outcomes)}
    assert set(lines) == {m.code for m in materials_for(cat, scenario)}
    assert lines["applicant_id"] is MaterialStatus.VERIFIED
    assert lines["repayment_card"] is MaterialStatus.MISSING
    assert lines["income_proof"] is MaterialStatus.MISSING


@pytest.mark.parametrize(
    ("kind", "outcome", "code", "why"),
    [
        (VerificationKind.IDENTITY, VerificationOutcome.MISMATCH, "applicant_id", "与公安登记不符"),
        (VerificationKind.IDENTITY, VerificationOutcome.NOT_FOUND, "applicant_id", "户籍已注销"),
        (VerificationKind.CONTRACT, VerificationOutcome.MISMATCH, "purchase_contract", "与网签备案信息不符"),
        (VerificationKind.CONTRACT, VerificationOutcome.NOT_FOUND, "purchase_contract", "未查到网签备案"),
        (VerificationKind.MARRIAGE, VerificationOutcome.MISMATCH, "marital_proof", "核验结果不一致"),
        (VerificationKind.MARRIAGE, VerificationOutcome.REFUSED, "marital_proof", "被拒绝"),
        (VerificationKind.IDENTITY, VerificationOutcome.PENDING, "applicant_id", "排队"),
        (VerificationKind.CONTRACT, VerificationOutcome.UNAVAILABLE, "purchase_contract", "暂不可用"),
    ],
)
def test_a_lookup_that_does_not_match_removes_the_exemption(
    kind: VerificationKind, outcome: VerificationOutcome, code: str, why: str
) -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    good = all_match(scenario)
    checklist = hand_in_everything(cat, scenario, good)
    # The checklist still says "verified" from before; the outcome is what counts.
    checklist.append(MaterialState(code=code, status=MaterialStatus.VERIFIED))
    outcomes = good | {kind: outcome}

    result = run(cat, scenario, checklist, outcomes)
    assert not result.acceptable
    # Every material that lookup would have replaced (identity: the ID card and the household register).
    affected = {m.code for m in materials_for(cat, scenario) if m.exempt_by is kind}
    assert code in affected
    assert not affected & {e.material.code for e in result.exempted}
    assert {m.code for m in result.to_hand_in} == QINGDAO_NEW | affected
    assert {m.material.code for m in result.missing} == affected
    item = next(m for m in result.missing if m.material.code == code)
    assert why in item.reason
    assert "不能免提交" in item.reason
    assert any(why in r for r in result.reasons)

    # Handing in the paper then makes it acceptable, with a note for the clerk to check it.
    fixed = run(cat, scenario, [*checklist, *(received(c) for c in affected)], outcomes)
    assert fixed.acceptable
    assert code in {m.code for m in fixed.received}
    assert any(cat.get(code).name in note for note in fixed.notes)


def test_a_lookup_that_never_ran_does_not_exempt() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario)
    del outcomes[VerificationKind.BANK_CARD]
    result = run(cat, scenario, hand_in_everything(cat, scenario, all_match(scenario)), outcomes)
    [item] = result.missing
    assert item.material.code == "repayment_card"
    assert "未进行" in item.reason
    # A non-core material can still be waived instead.
    assert "容缺" in item.reason


def test_a_pending_lookup_for_a_waivable_material_can_be_waived() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario) | {VerificationKind.BANK_CARD: VerificationOutcome.PENDING}
    checklist = [*hand_in_everything(cat, scenario, all_match(scenario)), waived("repayment_card")]
    result = run(cat, scenario, checklist, outcomes)
    assert result.acceptable
    [item] = result.waived
    assert item.material.code == "repayment_card"
    assert item.due is None
    assert item.due_text == BEFORE_DISBURSEMENT_TEXT == "放款前"
    assert item.estimate is False


# ---- waivers (容缺) -------------------------------------------------------------------------------------------


def test_waived_due_dates_count_working_days_across_national_day() -> None:
    cat = catalog("qingdao")
    scenario = Scenario(property_kind=PropertyKind.RESALE)
    outcomes = all_match(scenario)
    checklist = [
        *hand_in_everything(cat, scenario, outcomes),
        waived("income_proof"),  # 10 working days
        waived("appraisal_report"),  # 5 working days
        waived("seller_marital"),  # before disbursement
    ]
    result = run(cat, scenario, checklist, outcomes)
    assert result.acceptable, result.reasons
    due = {w.material.code: (w.due, w.due_text, w.estimate) for w in result.waived}
    # 2026-10-01..08 are off, Sat 10-10 is worked: +5 -> Tue 10-13, +10 -> Tue 10-20.
    assert due["income_proof"] == (date(2026, 10, 20), "2026年10月20日前", False)
    assert due["appraisal_report"] == (date(2026, 10, 13), "2026年10月13日前", False)
    assert due["seller_marital"] == (None, "放款前", False)
    assert all(w.reason == "单位盖章未及时办理" for w in result.waived)
    # Waived materials are still to be handed in, just later; they are not "received".
    assert {"income_proof", "appraisal_report", "seller_marital"} <= {m.code for m in result.to_hand_in}
    assert not {"income_proof", "appraisal_report", "seller_marital"} & {m.code for m in result.received}


def test_waived_due_date_in_an_unpublished_year_is_an_estimate() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario)
    checklist = [*hand_in_everything(cat, scenario, outcomes), waived("income_proof")]
    late = evaluate(cat, scenario, checklist, outcomes, date(2026, 12, 25))
    [item] = late.waived
    # 2027 is estimated by rule: New Year's Day (a Friday) is off, so the date is Mon 01-11, still an estimate.
    assert (item.due, item.estimate) == (date(2027, 1, 11), True)
    assert "预计" in item.due_text

    # A calendar that knows 2027 (New Year's Day off) gives the same date, now firm.
    known = WorkingDayCalendar(extra={2027: YearSchedule(holidays=frozenset({date(2027, 1, 1)}))})
    firm = evaluate(cat, scenario, checklist, outcomes, date(2026, 12, 25), calendar=known)
    [item] = firm.waived
    assert (item.due, item.estimate) == (date(2027, 1, 11), False)
    assert "预计" not in item.due_text


def test_a_waiver_needs_a_signed_commitment() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario)
    checklist = [*hand_in_everything(cat, scenario, outcomes), waived("income_proof", signed=False)]
    result = run(cat, scenario, checklist, outcomes)
    assert not result.acceptable
    [item] = result.missing
    assert item.material.code == "income_proof"
    assert "承诺书" in item.reason
    assert result.waived == []


def test_evaluate_refuses_a_waived_core_material() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario)
    checklist = [*hand_in_everything(cat, scenario, outcomes), waived("down_payment_receipt")]
    result = run(cat, scenario, checklist, outcomes)
    assert not result.acceptable
    [item] = result.missing
    assert item.material.code == "down_payment_receipt"
    assert "核心材料不得容缺" in item.reason
    assert result.waived == []


def test_evaluate_refuses_a_waiver_of_a_non_waivable_material() -> None:
    # The loan count decides the rate: when its lookup fails the paper is needed now.
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario) | {VerificationKind.LOAN_HISTORY: VerificationOutcome.UNAVAILABLE}
    checklist = [*hand_in_everything(cat, scenario, all_match(scenario)), waived("loan_record_proof")]
    result = run(cat, scenario, checklist, outcomes)
    assert not result.acceptable
    [item] = result.missing
    assert item.material.code == "loan_record_proof"
    assert "不适用容缺" in item.reason
    assert "暂不可用" in item.reason


def test_core_material_cannot_be_marked_not_applicable() -> None:
    cat = catalog("qingdao")
    scenario = Scenario(property_kind=PropertyKind.RESALE)
    outcomes = all_match(scenario)
    checklist = [
        *hand_in_everything(cat, scenario, outcomes),
        MaterialState(code="co_owner_consent", status=MaterialStatus.NOT_APPLICABLE),
        MaterialState(code="mortgage_release", status=MaterialStatus.NOT_APPLICABLE),
    ]
    result = run(cat, scenario, checklist, outcomes)
    assert [m.material.code for m in result.missing] == ["co_owner_consent"]
    assert any("不适用" in n and "原抵押" in n for n in result.notes)


# ---- the one-time notice (一次性告知) ---------------------------------------------------------------------------


def test_one_time_notice_lists_everything_still_needed() -> None:
    cat = catalog("qingdao")
    scenario = Scenario(
        property_kind=PropertyKind.RESALE, presence=Presence.AGENT, marital_status=MaritalStatus.MARRIED
    )
    outcomes = all_match(scenario) | {
        VerificationKind.IDENTITY: VerificationOutcome.MISMATCH,
        VerificationKind.TAX: VerificationOutcome.NOT_FOUND,
        VerificationKind.PROPERTY: VerificationOutcome.PENDING,
    }
    checklist = [
        received("application_form"),
        received("credit_authorization"),
        waived("down_payment_receipt"),  # core: refused
        waived("income_proof"),  # fine
        waived("appraisal_report", signed=False),  # no commitment
    ]
    result = run(cat, scenario, checklist, outcomes)
    assert not result.acceptable

    applicable = {m.code for m in materials_for(cat, scenario)}
    exempted = {e.material.code for e in result.exempted}
    missing = {m.material.code for m in result.missing}
    accounted = exempted | missing | {m.code for m in result.received} | {w.material.code for w in result.waived}
    assert accounted == applicable
    assert not missing & exempted
    # Identity failed: every ID the identity lookup would have replaced is now on the notice.
    assert {"applicant_id", "applicant_household", "spouse_id", "spouse_household", "agent_id"} <= missing
    assert {"seller_title", "deed_tax_receipt", "down_payment_receipt", "appraisal_report", "power_of_attorney"} <= (
        missing
    )
    assert exempted == {
        "marital_proof",
        "purchase_contract",
        "fund_deposit_proof",
        "loan_record_proof",
        "credit_report",
        "repayment_card",
    }
    assert [w.material.code for w in result.waived] == ["income_proof"]
    assert len(result.reasons) == len(result.missing)
    assert all(
        item.reason and item.material.name in line for item, line in zip(result.missing, result.reasons, strict=True)
    )
    reason = {m.material.code: m.reason for m in result.missing}
    assert "核心材料不得容缺" in reason["down_payment_receipt"]
    assert "承诺书" in reason["appraisal_report"]
    assert "公安登记不符" in reason["applicant_id"]
    assert "排队" in reason["seller_title"]
    assert "未查到" in reason["deed_tax_receipt"]
    # Catalog order, so the printed notice reads like the material list.
    order = cat.codes()
    assert [m.material.code for m in result.missing] == sorted(missing, key=order.index)


SCENARIOS = st.builds(
    Scenario,
    property_kind=st.sampled_from(PropertyKind),
    loan_kind=st.sampled_from(LoanKind),
    presence=st.sampled_from(Presence),
    marital_status=st.sampled_from(MaritalStatus),
    co_borrower_count=st.integers(0, 3),
)


@settings(max_examples=60)
@given(
    pack=st.sampled_from(PACKS),
    scenario=SCENARIOS,
    outcome_list=st.lists(st.sampled_from(VerificationOutcome), min_size=10, max_size=10),
)
def test_handing_in_what_the_notice_lists_makes_the_case_acceptable(
    pack: str, scenario: Scenario, outcome_list: list[VerificationOutcome]
) -> None:
    cat = catalog(pack)
    outcomes = dict(zip(scenario.verifications(), outcome_list, strict=False))
    first = run(cat, scenario, initial_checklist(cat, scenario, outcomes), outcomes)
    # Every applicable material is either exempt or on the notice: nothing is forgotten.
    assert {e.material.code for e in first.exempted} | {m.material.code for m in first.missing} == {
        m.code for m in materials_for(cat, scenario)
    }
    assert first.acceptable == (not first.missing)
    assert not first.acceptable  # the signed application is always handed in

    second = run(cat, scenario, [received(m.material.code) for m in first.missing], outcomes)
    assert second.acceptable, second.reasons
    assert second.missing == []


@settings(max_examples=60)
@given(pack=st.sampled_from(PACKS), scenario=SCENARIOS, data=st.data())
def test_dropping_any_core_paper_makes_the_case_unacceptable(
    pack: str, scenario: Scenario, data: st.DataObject
) -> None:
    cat = catalog(pack)
    outcomes = all_match(scenario)
    checklist = hand_in_everything(cat, scenario, outcomes)
    core = [line for line in checklist if cat.get(line.code).core]
    dropped = data.draw(st.sampled_from(core))
    result = run(cat, scenario, [line for line in checklist if line is not dropped], outcomes)
    assert not result.acceptable
    assert [m.material.code for m in result.missing] == [dropped.code]


def test_unknown_and_inapplicable_checklist_lines_are_noted_not_counted() -> None:
    cat = catalog("qingdao")
    scenario = Scenario()
    outcomes = all_match(scenario)
    checklist = [*hand_in_everything(cat, scenario, outcomes), received("seller_id"), received("no_such_code")]
    result = run(cat, scenario, checklist, outcomes)
    assert result.acceptable
    assert "seller_id" not in {m.code for m in result.received}
    assert any("no_such_code" in n for n in result.notes)
    assert any("售房人居民身份证" in n and "不适用" in n for n in result.notes)
