"""Material catalogs (forms.materials): the four packs, seed counts, scenario variants, line validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forms.materials import (
    AppliesWhen,
    MaterialCatalog,
    MaterialState,
    PaperForm,
    Receipt,
    Waiver,
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
)
from tests.materials_helpers import (
    PACKS,
    POLICIES,
    QINGDAO_NEW,
    QINGDAO_RESALE,
    all_match,
    catalog,
    hand_in_everything,
    run,
)

# ---- the seed counts ----------------------------------------------------------------------------------------


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
