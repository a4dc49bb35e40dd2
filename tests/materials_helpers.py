"""Shared catalogs, checklist builders and seed sets for the forms.materials tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

from forms.materials import (
    Evaluation,
    MaterialCatalog,
    MaterialState,
    Receipt,
    Waiver,
    evaluate,
    initial_checklist,
)
from forms.policy_names import available_policies
from forms.scenario import Scenario
from forms.vocabulary import (
    MaterialStatus,
    VerificationKind,
    VerificationOutcome,
)

POLICIES = Path(__file__).resolve().parent.parent / "forms" / "policies"
# Every packaged pack, so that a new one is held to the same checks without editing the tests.
PACKS = available_policies()
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


# The seed counts: what the standard Qingdao cases hand in on paper.
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
