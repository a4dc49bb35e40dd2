"""Fewer keys on the clerk's path (issue 13: keys ÷ data ≤ 1.3): a choice changes with one key (Right, Left), Enter
at the end of a step goes on to the next step with something to type, the box of a signed authorization is ticked
with Space and passed with Enter, and a field that a running lookup will backfill is not one to type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_driver import T01, Driver, build_app
from textual.widgets import Input, Select

from counter_app.services.gateway_forms import BACKFILL_PATHS, backfill_values
from counter_app.services.gateway_models import VerificationResult
from forms.vocabulary import MaritalStatus, PropertyKind, VerificationKind, VerificationOutcome
from screens.case import CaseScreen
from screens.widgets import TickBox

SIZE = (120, 36)


async def _new_case(d: Driver) -> CaseScreen:
    await d.login()
    await d.press("n")
    await d.settle()
    screen = d.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def test_right_and_left_change_a_choice_without_opening_its_list(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _new_case(d)
        marital = screen.query_one("#sc-marital_status", Select)
        await d.press("tab", "tab", "tab")
        assert app.focused is marital
        await d.press("right")
        await d.settle()
        assert not marital.expanded
        assert screen.case.application.scenario.marital_status is MaritalStatus.MARRIED
        await d.press("left", "left")  # round: before the first choice comes the last
        await d.settle()
        assert screen.case.application.scenario.marital_status is MaritalStatus.WIDOWED
        await d.press("shift+tab", "shift+tab", "shift+tab", "right")  # 房屋类型, two answers: Right gives the other
        await d.settle()
        assert screen.case.application.scenario.property_kind is PropertyKind.RESALE
        await d.press("right")
        await d.settle()
        assert screen.case.application.scenario.property_kind is PropertyKind.NEW


async def test_enter_and_space_go_from_the_authorization_to_the_contract_number(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot, paste=True)
        screen = await _new_case(d)
        await d.press("tab", "tab", "tab", "right", "pagedown")  # married: the spouse signs an authorization too
        await d.settle()
        assert T01.spouse is not None
        for field_id, value in (
            ("f-applicant-id_number", T01.applicant.id_number),
            ("f-applicant-name", T01.applicant.name),
            ("f-applicant-phone", "13800000001"),
            ("f-spouse-id_number", T01.spouse.id_number),
            ("f-spouse-name", T01.spouse.name),
        ):
            assert app.focused is screen.query_one(f"#{field_id}", Input), field_id
            await d.type_text(value)
            await d.press("enter")
            await d.settle()
        # Past the spouse's optional phone to the authorization number; Enter records the applicant's (its box
        # ticks itself) and goes to the spouse's box, still to tick.
        assert app.focused is screen.query_one("#f-credit_authorization-reference", Input)
        await d.type_text("SQ-T01-0001")
        await d.press("enter")
        await d.settle()
        spouse_box = screen.query_one(".member-auth", TickBox)
        assert screen.query_one("#credit-auth", TickBox).value is True
        assert app.focused is spouse_box and spouse_box.value is False
        # Enter passes a box without ticking it (a tick says the paper is in hand): nothing is left to type on the
        # step, so focus goes on to the contract number on 4 房屋与贷款, past 3 核验 (nothing to type there).
        await d.press("enter")
        await d.settle()
        assert spouse_box.value is False and screen.step == 3
        assert app.focused is screen.query_one("#f-property-contract_number", Input)
        # Back on the box, Space ticks it (the spouse's authorization is recorded) and goes on the same way.
        await d.press("f3")
        await d.settle()
        screen.set_focus(spouse_box)
        await pilot.pause()
        await d.press("space")
        await d.settle()
        assert spouse_box.value is True
        assert screen.case.file.authorization(*_spouse()) is not None
        assert screen.step == 3 and app.focused is screen.query_one("#f-property-contract_number", Input)


def _spouse() -> tuple[Any, int]:
    from forms.materials import Whose

    return Whose.SPOUSE, 0


async def test_a_field_a_running_lookup_will_fill_is_passed_by_enter(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot, paste=True)
        screen = await _new_case(d)
        await d.press("f5")
        await d.settle()
        location = screen.query_one("#f-property-location", Input)
        assert location.value == "" and screen._to_type(location)  # type: ignore[arg-type]
        screen.lookups_running.add(VerificationKind.CONTRACT)
        assert not screen._to_type(location)  # type: ignore[arg-type]
        screen.lookups_running.discard(VerificationKind.CONTRACT)
        screen.lookups_running.add(VerificationKind.BANK_CARD)  # another lookup fills other fields
        assert screen._to_type(location)  # type: ignore[arg-type]


def test_backfill_paths_name_every_field_a_lookup_fills() -> None:
    """BACKFILL_PATHS is what backfill_values may put, for every kind and both kinds of house."""
    data: dict[VerificationKind, dict[str, Any]] = {
        VerificationKind.FUND_ACCOUNT: {
            "account_no": "370200100913",
            "status": "normal",
            "balance": "85000.00",
            "contribution_base": "12000.00",
            "monthly_deposit": "2400.00",
            "consecutive_months": 36,
            "opened_on": "2018-03-01",
            "unit_name": "沙箱单位",
        },
        VerificationKind.CONTRACT: {
            "contract_no": "XF2026000101",
            "address": "青岛市市南区海岸路18号",
            "area_m2": "98.50",
            "total_price": "2360000.00",
            "pre_sale_permit": "青房预售2026001",
            "seller_name": "沙箱置业",
            "seller_ids": ["370203196804219317"],
        },
        VerificationKind.PROPERTY: {"cert_no": "鲁(2020)青岛市不动产权第0000001号", "built_year": 2005},
        VerificationKind.BANK_CARD: {"bank": "沙箱银行"},
    }
    for kind, values in data.items():
        result = VerificationResult.model_construct(kind=kind, outcome=VerificationOutcome.MATCH, data=values)
        paths = {path for property_kind in PropertyKind for path, _ in backfill_values(result, property_kind)}
        assert paths == BACKFILL_PATHS[kind], (kind, paths ^ BACKFILL_PATHS[kind])
    assert set(BACKFILL_PATHS) == set(data)
