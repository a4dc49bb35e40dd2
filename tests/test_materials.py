"""Material catalogs, the checklist and the shortfall-tolerant acceptance evaluation (forms.materials)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from forms.materials import (
    BEFORE_DISBURSEMENT_TEXT,
    AppliesWhen,
    Evaluation,
    MaterialCatalog,
    MaterialState,
    PaperForm,
    Receipt,
    Waiver,
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

POLICIES = Path(__file__).resolve().parent.parent / "forms" / "policies"
PACKS = ["qingdao", "sichuan", "fujian", "gansu"]
ACCEPTED = date(2026, 9, 30)  # a Wednesday, the eve of National Day

Outcomes = Mapping[VerificationKind, VerificationOutcome]


@cache
def catalog(name: str) -> MaterialCatalog:
    return MaterialCatalog.from_toml_text((POLICIES / name / "materials.toml").read_text(encoding="utf-8"))


def all_match(scenario: Scenario) -> dict[VerificationKind, VerificationOutcome]:
    return dict.fromkeys(scenario.verifications(), VerificationOutcome.MATCH)


def received(code: str) -> MaterialState:
    return MaterialState(code=code, status=MaterialStatus.RECEIVED, received=Receipt())


def waived(code: str, *, signed: bool = True) -> MaterialState:
    return MaterialState(
        code=code, status=MaterialStatus.WAIVED, waived=Waiver(commitment_signed=signed, reason="单位盖章未及时办理")
    )


def hand_in_everything(cat: MaterialCatalog, scenario: Scenario, outcomes: Outcomes) -> list[MaterialState]:
    """The checklist after the applicant handed in every paper the first evaluation asked for."""
    first = evaluate(cat, scenario, initial_checklist(cat, scenario, outcomes), outcomes, ACCEPTED)
    return [received(m.code) for m in first.to_hand_in]


def run(cat: MaterialCatalog, scenario: Scenario, checklist: list[MaterialState], outcomes: Outcomes) -> Evaluation:
    return evaluate(cat, scenario, checklist, outcomes, ACCEPTED)


# ---- the seed counts ----------------------------------------------------------------------------------------

QINGDAO_NEW = {
    "application_form",
    "credit_authorization",
    "down_payment_receipt",
    "purchase_invoice",
    "income_proof",
    "developer_licence",
    "sale_permit",
}
QINGDAO_RESALE = {
    "application_form",
    "credit_authorization",
    "down_payment_receipt",
    "income_proof",
    "appraisal_report",
    "seller_id",
    "seller_marital",
    "co_owner_consent",
    "seller_account",
    "funds_custody_agreement",
    "mortgage_release",
}


@pytest.mark.parametrize("marital", [MaritalStatus.UNMARRIED, MaritalStatus.MARRIED])
@pytest.mark.parametrize(("kind", "expected"), [(PropertyKind.NEW, QINGDAO_NEW), (PropertyKind.RESALE, QINGDAO_RESALE)])
def test_qingdao_standard_case_reproduces_the_seed_counts(
    kind: PropertyKind, expected: set[str], marital: MaritalStatus
) -> None:
    cat = catalog("qingdao")
    scenario = Scenario(property_kind=kind, marital_status=marital)
    outcomes = all_match(scenario)
    result = run(cat, scenario, hand_in_everything(cat, scenario, outcomes), outcomes)

    assert {m.code for m in result.to_hand_in} == expected
    assert (
        len(result.to_hand_in)
        == cat.published_counts[kind].value
        == {PropertyKind.NEW: 7, PropertyKind.RESALE: 11}[kind]
    )
    assert result.acceptable, result.reasons
    assert result.missing == []
    # Everything else that applies was replaced by a matching lookup.
    applicable = {m.code for m in materials_for(cat, scenario)}
    assert {e.material.code for e in result.exempted} == applicable - expected
    assert all(e.material.exempt_by is e.kind for e in result.exempted)
    if marital is MaritalStatus.MARRIED:
        assert {"spouse_id", "spouse_household"} <= {e.material.code for e in result.exempted}


def test_qingdao_catalog_is_close_to_the_24_of_the_old_process() -> None:
    # Seed 000: 24 materials before the reform; the married resale case lists the most.
    cat = catalog("qingdao")
    biggest = materials_for(cat, Scenario(property_kind=PropertyKind.RESALE, marital_status=MaritalStatus.MARRIED))
    assert 20 <= len(biggest) <= 24


@pytest.mark.parametrize("marital", list(MaritalStatus))
@pytest.mark.parametrize("kind", list(PropertyKind))
def test_sichuan_standard_case_needs_at_most_10(kind: PropertyKind, marital: MaritalStatus) -> None:
    cat = catalog("sichuan")
    scenario = Scenario(property_kind=kind, marital_status=marital)
    outcomes = all_match(scenario)
    result = run(cat, scenario, hand_in_everything(cat, scenario, outcomes), outcomes)
    assert result.acceptable
    assert 1 <= len(result.to_hand_in) <= cat.published_counts[kind].value == 10


def test_sichuan_waivers_are_due_before_disbursement() -> None:
    cat = catalog("sichuan")
    waivable = [m for m in cat.materials if m.shortfall.waivable]
    assert waivable
    assert all(m.shortfall.before_disbursement and m.shortfall.working_days is None for m in waivable)


# ---- scenario variants --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PropertyKind))
def test_agent_case_adds_power_of_attorney_and_exempts_the_agents_id(kind: PropertyKind) -> None:
    cat = catalog("qingdao")
    scenario = Scenario(property_kind=kind, presence=Presence.AGENT)
    outcomes = all_match(scenario)
    result = run(cat, scenario, hand_in_everything(cat, scenario, outcomes), outcomes)
    codes = {m.code for m in result.to_hand_in}
    assert "power_of_attorney" in codes
    assert cat.get("power_of_attorney").core
    assert len(codes) == cat.published_counts[kind].value + 1
    assert ("agent_id", VerificationKind.IDENTITY) in {(e.material.code, e.kind) for e in result.exempted}

    # Without the power of attorney an agent case cannot be accepted.
    checklist = [line for line in hand_in_everything(cat, scenario, outcomes) if line.code != "power_of_attorney"]
    refused = run(cat, scenario, checklist, outcomes)
    assert not refused.acceptable
    assert [m.material.code for m in refused.missing] == ["power_of_attorney"]


def test_self_case_does_not_ask_for_agent_materials() -> None:
    codes = {m.code for m in materials_for(catalog("qingdao"), Scenario())}
    assert not codes & {"power_of_attorney", "agent_id"}


def test_combined_loan_adds_the_banks_materials() -> None:
    cat = catalog("qingdao")
    fund = {m.code for m in materials_for(cat, Scenario())}
    combined = {m.code for m in materials_for(cat, Scenario(loan_kind=LoanKind.COMBINED))}
    assert combined - fund == {"bank_approval", "bank_loan_contract"}
    assert cat.get("bank_approval").core


def test_co_borrowers_add_their_materials() -> None:
    cat = catalog("qingdao")
    scenario = Scenario(co_borrower_count=2)
    outcomes = all_match(scenario)
    result = run(cat, scenario, hand_in_everything(cat, scenario, outcomes), outcomes)
    assert "co_borrower_id" in {e.material.code for e in result.exempted}
    assert "co_borrower_income" in {m.code for m in result.to_hand_in}


def test_applies_when_conditions_are_anded() -> None:
    rule = AppliesWhen(property_kind=[PropertyKind.RESALE], married=True)
    assert rule.matches(Scenario(property_kind=PropertyKind.RESALE, marital_status=MaritalStatus.MARRIED))
    assert not rule.matches(Scenario(property_kind=PropertyKind.RESALE, marital_status=MaritalStatus.DIVORCED))
    assert not rule.matches(Scenario(property_kind=PropertyKind.NEW, marital_status=MaritalStatus.MARRIED))
    assert AppliesWhen().matches(Scenario())
    assert AppliesWhen(marital_status=[MaritalStatus.DIVORCED, MaritalStatus.WIDOWED]).matches(
        Scenario(marital_status=MaritalStatus.WIDOWED)
    )
    assert AppliesWhen(has_co_borrowers=False).matches(Scenario())
    assert not AppliesWhen(has_co_borrowers=True).matches(Scenario())


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
    assert (item.due, item.estimate) == (date(2027, 1, 8), True)
    assert "预计" in item.due_text

    # A calendar that knows 2027 (New Year's Day, a Friday, off) gives a firm date one working day later.
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


# ---- catalog validation and the four packs ------------------------------------------------------------------


@pytest.mark.parametrize("pack", PACKS)
def test_every_pack_loads_and_is_consistent(pack: str) -> None:
    cat = catalog(pack)
    assert len(cat.materials) >= 15
    assert {"application_form", "credit_authorization", "applicant_id", "purchase_contract"} <= set(cat.codes())
    for code in ("application_form", "credit_authorization", "applicant_id", "purchase_contract"):
        assert cat.get(code).core and not cat.get(code).shortfall.waivable
    assert cat.get("application_form").printed_by_us
    assert cat.get("power_of_attorney").core
    assert cat.get("agent_id").exempt_by is VerificationKind.IDENTITY
    for m in cat.materials:
        if m.shortfall.working_days is not None:
            wd = m.shortfall.working_days
            assert wd.source or wd.assumption


@pytest.mark.parametrize("pack", PACKS)
def test_exemptions_only_use_lookups_the_scenario_runs(pack: str) -> None:
    cat = catalog(pack)
    for kind in PropertyKind:
        for loan in LoanKind:
            for presence in Presence:
                for marital in MaritalStatus:
                    scenario = Scenario(property_kind=kind, loan_kind=loan, presence=presence, marital_status=marital)
                    for m in materials_for(cat, scenario):
                        assert m.exempt_by is None or m.exempt_by in scenario.verifications(), (pack, m.code, scenario)


def _toml(material: str) -> str:
    return f'[[materials]]\ncode = "application_form"\nname = "申请表"\nclass = "core"\n\n{material}'


def test_catalog_rejects_a_waivable_core_material() -> None:
    text = _toml(
        '[[materials]]\ncode = "applicant_id"\nname = "身份证"\nclass = "core"\n'
        "[materials.shortfall]\nwaivable = true\nbefore_disbursement = true\n"
    )
    with pytest.raises(ValidationError, match="核心材料不得容缺"):
        MaterialCatalog.from_toml_text(text)


@pytest.mark.parametrize(
    ("material", "message"),
    [
        ('[[materials]]\ncode = "application_form"\nname = "重复"\nclass = "core"\n', "重复"),
        ('[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\nexempt_by = "horoscope"\n', "exempt_by"),
        ('[[materials]]\ncode = "Bad-Code"\nname = "卡"\nclass = "non_core"\n', "小写字母开头"),
        (
            '[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\n[materials.shortfall]\nwaivable = true\n',
            "只能指定一种",
        ),
        (
            '[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\n[materials.shortfall]\nwaivable = true\n'
            'before_disbursement = true\nworking_days = { value = 5, assumption = "假设" }\n',
            "只能指定一种",
        ),
        (
            '[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\n[materials.shortfall]\n'
            'working_days = { value = 5, assumption = "假设" }\n',
            "不可容缺",
        ),
        (
            '[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\n[materials.shortfall]\nwaivable = true\n'
            "working_days = { value = 5 }\n",
            "来源",
        ),
        (
            '[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\n[materials.applies_when]\nloan_kind = []\n',
            "不能为空",
        ),
        ('[[materials]]\ncode = "x"\nname = "卡"\nclass = "non_core"\ncolour = "red"\n', "colour"),
    ],
)
def test_catalog_rejects_bad_entries(material: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MaterialCatalog.from_toml_text(_toml(material))


def test_catalog_model_validate_accepts_parsed_toml() -> None:
    import tomllib

    data = tomllib.loads((POLICIES / "qingdao" / "materials.toml").read_text(encoding="utf-8"))
    assert MaterialCatalog.model_validate(data) == catalog("qingdao")


def test_checklist_line_details_must_match_the_status() -> None:
    with pytest.raises(ValidationError, match="原件/复印件"):
        MaterialState(code="income_proof", status=MaterialStatus.RECEIVED)
    with pytest.raises(ValidationError, match="承诺书"):
        MaterialState(code="income_proof", status=MaterialStatus.WAIVED)
    with pytest.raises(ValidationError, match="容缺"):
        MaterialState(code="income_proof", status=MaterialStatus.MISSING, waived=Waiver())
    line = MaterialState(
        code="income_proof", status=MaterialStatus.RECEIVED, received=Receipt(form=PaperForm.COPY, count=2)
    )
    assert line.received == Receipt(form=PaperForm.COPY, count=2)
    with pytest.raises(ValidationError):
        Receipt(count=0)


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
