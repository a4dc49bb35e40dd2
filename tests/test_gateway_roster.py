"""Every test case (测试件) of the sandbox roster, run through the real client in-process: each lookup the
scenario needs must give the outcome the roster promises, and the promised data fields."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from counter_app.services.gateway import (
    GatewayClient,
    LookupInputs,
    MemorySink,
    backfill_application,
    outcomes_by_kind,
    plan_lookups,
)
from counter_app.services.sandbox import EMBEDDED_BASE_URL, Household, Sandbox, SandboxSettings, make_transport
from counter_app.services.sandbox.roster import load_roster
from forms.application import Application, FundAccountStatus
from forms.identifiers import parse_id_number
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, VerificationKind, VerificationOutcome

NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
ROSTER = load_roster()


def _sandbox() -> Sandbox:
    return Sandbox(SandboxSettings(), clock=lambda: NOW)


def _client(sandbox: Sandbox, sink: MemorySink | None = None) -> GatewayClient:
    return GatewayClient(
        base_url=EMBEDDED_BASE_URL,
        app_key="sandbox-app",
        app_secret="sandbox-secret",
        operator_id="clerk01",
        sink=sink,
        transport=make_transport(sandbox),
        clock=lambda: NOW,
    )


def test_roster_is_large_and_fictitious() -> None:
    assert len(ROSTER.households) >= 12
    codes = [h.code for h in ROSTER.households]
    assert len(set(codes)) == len(codes)
    for household in ROSTER.households:
        for person in household.people:
            # Checksum, birth date and region are valid: the numbers behave like real ones at the counter.
            assert parse_id_number(person.id_number, date(2026, 5, 20)).number == person.id_number
            assert person.id_number[14] == "9", "fictitious people use sequence numbers 9xx"


def test_roster_covers_every_case_of_the_issue() -> None:
    by_outcome = {(kind, outcome) for h in ROSTER.households for kind, outcome in h.expected.items()}
    assert (VerificationKind.IDENTITY, VerificationOutcome.MISMATCH) in by_outcome  # name does not match ID
    assert (VerificationKind.IDENTITY, VerificationOutcome.NOT_FOUND) in by_outcome  # cancelled registration
    assert (VerificationKind.CONTRACT, VerificationOutcome.NOT_FOUND) in by_outcome  # contract not filed
    assert (VerificationKind.TAX, VerificationOutcome.MISMATCH) in by_outcome  # deed tax unpaid
    assert (VerificationKind.BANK_CARD, VerificationOutcome.MISMATCH) in by_outcome  # someone else's card
    statuses = {h.scenario.marital_status.value for h in ROSTER.households}
    assert {"married", "unmarried", "divorced", "widowed"} <= statuses
    assert any(h.scenario.loan_kind.value == "combined" for h in ROSTER.households)
    assert any(h.scenario.property_kind.value == "resale" for h in ROSTER.households)
    data = {(h.code, k): d for h in ROSTER.households for k, d in h.expected_data.items()}
    assert any(d.get("current_overdue") for d in data.values())
    assert any(d.get("fund_loans_open") == 2 for d in data.values())
    assert any(d.get("status") == "sealed" for d in data.values())
    assert any(d.get("months_open", 99) < 6 for d in data.values())
    assert any(d.get("multi_child") for (code, kind), d in data.items() if kind is VerificationKind.CHILDREN)
    # Every household expects exactly the lookups its scenario needs.
    for household in ROSTER.households:
        scenario = Scenario(**household.scenario.model_dump())
        assert set(household.expected) == set(scenario.verifications()), household.code


@pytest.mark.parametrize("household", ROSTER.households, ids=lambda h: h.code)
async def test_household_outcomes(household: Household) -> None:
    sandbox = _sandbox()
    scenario = Scenario(**household.scenario.model_dump())
    inputs = LookupInputs.model_validate(household.inputs.model_dump())
    requests = plan_lookups(f"CASE-{household.code}", scenario, inputs)
    async with _client(sandbox) as client:
        results = await client.lookup_all(requests)
    got = {r.kind: r.outcome for r in results}
    assert got == household.expected
    for kind, fields in household.expected_data.items():
        data = next(r.data for r in results if r.kind is kind)
        for name, value in fields.items():
            assert data[name] == value, (household.code, kind, name)
    assert all(r.attempts == 1 for r in results)


async def test_matched_lookups_backfill_the_form_through_forms() -> None:
    household = ROSTER.household("T01")
    sandbox = _sandbox()
    scenario = Scenario(**household.scenario.model_dump())
    inputs = LookupInputs.model_validate(household.inputs.model_dump())
    async with _client(sandbox) as client:
        results = await client.lookup_all(plan_lookups("CASE-T01", scenario, inputs))
    application = Application(scenario=scenario)
    filled, notes = backfill_application(application, results, today=NOW.date())
    assert notes == []
    assert filled.fund_account is not None and filled.fund_account.account_number == "370200100913"
    assert filled.fund_account.status is FundAccountStatus.NORMAL
    assert filled.property is not None and filled.property.contract_number == "XF2026000101"
    assert filled.source_of("property.location") is FieldSource.VERIFIED
    assert application.fund_account is None  # the original form is untouched
    assert outcomes_by_kind(results)[VerificationKind.CONTRACT] is VerificationOutcome.MATCH


async def test_mismatched_lookup_backfills_nothing() -> None:
    household = ROSTER.household("T12")  # bank card in someone else's name
    sandbox = _sandbox()
    scenario = Scenario(**household.scenario.model_dump())
    inputs = LookupInputs.model_validate(household.inputs.model_dump())
    async with _client(sandbox) as client:
        results = await client.lookup_all(plan_lookups("CASE-T12", scenario, inputs))
    filled, _ = backfill_application(Application(scenario=scenario), results, today=NOW.date())
    assert filled.repayment_account is None
    card = next(r for r in results if r.kind is VerificationKind.BANK_CARD)
    assert card.data["holder_name_masked"] == "马*栋"


def test_trainer_page_lists_every_test_case() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "sandbox.md").read_text(encoding="utf-8")
    for household in ROSTER.households:
        assert f"### {household.code} {household.title}" in page
        assert household.inputs.applicant.id_number in page
