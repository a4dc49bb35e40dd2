"""Where Enter goes is the form's to say (issue 13): a field still to be typed is required and empty, or belongs to a
required section not begun; optional, filled and derived fields are passed. A paper received on the checklist is
the form's tick too."""

from __future__ import annotations

from pathlib import Path

from app_driver import T01, FrozenClock, demo_operator, make_settings, make_workstation

from forms.scenario import Scenario


async def test_required_sections_and_fields_are_to_be_typed_optional_ones_are_not(data_dir: Path) -> None:
    workstation = make_workstation(make_settings(data_dir), FrozenClock())
    try:
        case = workstation.new_case(demo_operator(workstation))
        scenario = case.application.scenario.model_dump(mode="json")
        case.set_scenario(Scenario.model_validate({**scenario, "marital_status": "married", "presence": "agent"}))
        needs = case.assessment().needs_typing
        # Sections not begun: every field of them is to be typed (the spouse, the agent, the loan, the card).
        for path in ("applicant.id_number", "spouse.id_number", "agent.id_number", "fund_loan.amount"):
            assert needs(path), path
        assert needs("repayment_account.card_number")
        assert needs("credit_authorization.reference")  # typing the signed paper's number records it
        assert needs("property.contract_number")
        assert case.set_field("spouse.id_number", T01.spouse.id_number if T01.spouse else "") == []
        assert case.set_field("property.contract_number", T01.contract) == []
        assert case.set_field("fund_loan.amount", "600000") == []
        needs = case.assessment().needs_typing
        assert needs("spouse.name") and not needs("spouse.id_number")  # begun: its required fields left
        assert not needs("spouse.phone")  # the spouse's phone is optional
        assert needs("fund_loan.months") and not needs("fund_loan.rate")  # the rate is the pack's (derived)
        assert needs("property.location") and not needs("property.down_payment")  # optional once the house is begun
    finally:
        await workstation.aclose()


async def test_the_power_of_attorney_received_on_the_checklist_ticks_the_form(data_dir: Path) -> None:
    workstation = make_workstation(make_settings(data_dir), FrozenClock())
    try:
        case = workstation.new_case(demo_operator(workstation))
        scenario = case.application.scenario.model_dump(mode="json")
        case.set_scenario(Scenario.model_validate({**scenario, "presence": "agent"}))
        assert case.set_field("agent.name", "孙帮办") == []
        assert "power_of_attorney" in {line.code for line in case.file.checklist}
        case.mark_received("power_of_attorney")
        assert case.application.agent is not None and case.application.agent.power_of_attorney is True
        assert not any("授权委托书" in p for p in case.blocking_problems())
    finally:
        await workstation.aclose()
