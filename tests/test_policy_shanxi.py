"""The Shanxi (Taiyuan) policy pack: listed, loadable, its seed facts sourced and its material counts sensible.

The generic pack checks (provenance of every number, national rates, catalog consistency) run over every packaged
pack through ``PACKS`` in tests/loan_helpers.py and tests/materials_helpers.py; these are Shanxi's own.
"""

from __future__ import annotations

import pytest

from forms.materials import guide
from forms.policy import load_policy
from forms.policy_names import available_policies
from forms.scenario import Scenario
from forms.vocabulary import LoanKind, MaritalStatus, Presence, PropertyKind, VerificationKind

SHANXI = load_policy("shanxi")


def test_it_is_listed_and_loads() -> None:
    assert "shanxi" in available_policies()
    assert available_policies()[0] == "qingdao"  # still the default first
    assert SHANXI.code == "shanxi"
    assert "太原" in SHANXI.meta.name
    assert any("seeds/004" in source for source in SHANXI.meta.sources)


def test_seed_facts_are_sourced_and_the_rest_assumed() -> None:
    disbursement = SHANXI.disbursement_working_days
    assert disbursement is not None and disbursement.value == 5
    assert disbursement.source and "seeds/004" in disbursement.source
    assert SHANXI.promised_working_days.assumption
    assert "5 个工作日" in SHANXI.service.progress_query
    sources = " ".join(SHANXI.meta.sources)
    assert "五部门" in sources and "骗贷" in sources
    # No local loan figure is published in the seed: caps, balance multiple and capacity are assumptions.
    loan = SHANXI.loan
    for value in (loan.caps.single, loan.caps.couple, loan.balance.multiple, loan.capacity.contribution_share):
        assert value.assumption and not value.source


def test_other_packs_publish_no_disbursement_limit() -> None:
    assert load_policy("qingdao").disbursement_working_days is None


@pytest.mark.parametrize("marital", list(MaritalStatus))
@pytest.mark.parametrize(("kind", "expected"), [(PropertyKind.NEW, 6), (PropertyKind.RESALE, 10)])
def test_standard_case_counts(kind: PropertyKind, expected: int, marital: MaritalStatus) -> None:
    result = guide(SHANXI.materials, Scenario(property_kind=kind, marital_status=marital))
    assert len(result.to_hand_in) == expected
    # At most the 10 Sichuan's reform reached; fewer than the 7 / 11 of Qingdao's seed.
    assert len(result.to_hand_in) <= 10
    assert {e.kind for e in result.exempted} >= {VerificationKind.IDENTITY, VerificationKind.CONTRACT}


def test_the_joint_hall_holds_the_resale_papers() -> None:
    # Title and deed tax come from the hall's own departments (land and tax bureaus): exempt, not handed in.
    resale = guide(SHANXI.materials, Scenario(property_kind=PropertyKind.RESALE))
    exempt = {e.material.code for e in resale.exempted}
    assert {"seller_title", "deed_tax_receipt"} <= exempt
    handed = {m.code for m in resale.to_hand_in}
    assert "funds_custody_agreement" in handed
    assert SHANXI.materials.get("funds_custody_agreement").shortfall.before_disbursement


def test_agents_and_combined_loans_add_their_papers() -> None:
    base = guide(SHANXI.materials, Scenario())
    agent = guide(SHANXI.materials, Scenario(presence=Presence.AGENT))
    combined = guide(SHANXI.materials, Scenario(loan_kind=LoanKind.COMBINED))
    assert len(agent.to_hand_in) == len(base.to_hand_in) + 1  # power of attorney; the agent's ID is looked up
    assert {m.code for m in combined.to_hand_in} - {m.code for m in base.to_hand_in} == {
        "bank_approval",
        "bank_loan_contract",
    }
