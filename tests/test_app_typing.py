"""The clerk's path at typing speed (issue 13): fields take only what they can hold, Enter goes to the next field to
type (never into a backfilled one), a resumed value keeps its caret at the end, and the checklist needs one key per
material (Space moves on) or one for all (A)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from app_driver import T01, Driver, build_app, prepare_case
from textual.widgets import DataTable, Input

from forms.vocabulary import FieldSource, MaterialStatus
from screens.case import CaseScreen
from screens.resume_dialog import ResumeDialog
from screens.widgets import FieldInput, typing_rule

SIZE = (120, 36)
ID18 = T01.applicant.id_number


@pytest.mark.parametrize(
    ("path", "allowed", "refused"),
    [
        ("applicant.id_number", "37020219880315913X", ["370202198803159132" + "1", "37020A"]),
        ("co_borrowers.0.id_number", "12345678901234567x", ["1234-5"]),
        ("property.seller_id_number", "370203196804219317", ["3702031968042193170"]),
        ("spouse.phone", "13800000002", ["138000000021", "138-0000"]),
        ("repayment_account.card_number", "6222020200112345679", ["62220202001123456790", "6222 0202"]),
        ("fund_loan.amount", "600000.50", ["600,000", "1.2.3", "六十万"]),
        ("fund_loan.months", "360", ["3600", "30m"]),
        ("bank_loan.rate", "3.1", ["3.1%", "3..1"]),
    ],
)
def test_each_kind_of_field_takes_its_characters_and_length(path: str, allowed: str, refused: list[str]) -> None:
    restrict, max_length = typing_rule(path)
    field = FieldInput(path)
    assert (field.restrict, field.max_length) == (restrict, max_length)
    assert not field.select_on_focus
    assert restrict is not None
    assert re.fullmatch(restrict, allowed) and len(allowed) <= max_length
    for text in refused:
        assert re.fullmatch(restrict, text) is None or len(text) > max_length, text


def test_free_text_fields_take_anything() -> None:
    for path in ("applicant.name", "property.location", "property.contract_number", "repayment_account.bank"):
        assert typing_rule(path) == (None, 0)


async def _new_case_people(d: Driver) -> CaseScreen:
    await d.login()
    await d.press("n")
    await d.settle()
    await d.press("pagedown")
    await d.settle()
    screen = d.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def test_a_missed_enter_cannot_run_the_id_into_the_name(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _new_case_people(d)
        id_field = screen.query_one("#f-applicant-id_number", Input)
        assert app.focused is id_field
        await d.press(*ID18, "1", "a", "-")  # a 19th digit, a letter, a dash: each refused
        assert id_field.value == ID18
        await d.press("enter")
        await d.settle()
        assert screen.case.application.applicant.id_number == ID18
        assert app.focused is screen.query_one("#f-applicant-name", Input)
        await d.type_text("王建国")
        await d.press("enter")
        phone = screen.query_one("#f-applicant-phone", Input)
        assert app.focused is phone
        await d.press(*"1380000000", "x", "1", "2")  # a letter and a twelfth digit are refused
        assert phone.value == "13800000001"
        # A lower-case x (the check character) is taken; the form stores it upper-case.
        id_field.focus()
        await pilot.pause()
        await d.press("ctrl+shift+a", *"11010519491231002x", "enter")
        await d.settle()
        assert screen.case.application.applicant.id_number == "11010519491231002X"


async def _open(d: Driver, case_id: str, key: str) -> CaseScreen:
    app = d.app
    await d.login()
    case = app.workstation.open_case(case_id, app.operator)  # type: ignore[arg-type]
    app.push_screen(CaseScreen(app.workstation, case))
    await d.settle()
    await d.press(key)
    await d.settle()
    screen = app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def test_loan_fields_refuse_what_they_cannot_hold(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder, case_id = t01_prepared
    app = build_app(copy_prepared(folder))
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _open(d, case_id, "f5")
        typed = {
            "#f-fund_loan-amount": ("59a0000.5.0", "590000.50"),
            "#f-fund_loan-months": ("2401", "240"),
            "#f-fund_loan-rate": ("2.8x5", "2.85"),
            "#f-repayment_account-card_number": ("6222 0202001123456790", "6222020200112345679"),
        }
        for selector, (keys, held) in typed.items():
            field = screen.query_one(selector, Input)
            field.focus()
            await pilot.pause()
            field.value = ""
            await d.type_text(keys)
            assert field.value == held, selector


async def test_enter_skips_backfilled_fields_with_one_write(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder, case_id = t01_prepared
    app = build_app(copy_prepared(folder))
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _open(d, case_id, "f5")
        case = screen.case
        fields = list(screen.query(FieldInput).filter("#step-loan FieldInput"))
        verified = [f.path for f in fields if case.source_of(f.path) is FieldSource.VERIFIED]
        assert {"property.location", "property.area", "property.total_price"} <= set(verified)
        screen.query_one("#f-property-contract_number", FieldInput).focus()
        await pilot.pause()
        await d.press("enter")
        await d.settle()
        # Every field passed over holds a value (verified, derived or typed) or is optional: the prepared case has
        # nothing left to type on the step, so Enter went on to the next step, the checklist.
        order = [f.path for f in fields]
        passed = order[order.index("property.contract_number") + 1 :]
        assert not any(case.assessment().needs_typing(p) for p in passed), passed
        assert {"property.location", "property.area", "property.total_price"} <= set(passed)
        assert screen.step == 4 and app.focused is not None
        assert screen.query_one("#step-checklist") in app.focused.ancestors_with_self
        # The term emptied: Enter from the amount goes to it, and from it past the rate (the pack's, derived).
        assert case.set_field("fund_loan.months", "") == []
        await d.press("f5")
        await d.settle()
        screen.query_one("#f-fund_loan-amount", Input).focus()
        await pilot.pause()
        await d.press("enter")
        await pilot.pause()
        months = screen.query_one("#f-fund_loan-months", Input)
        assert app.focused is months
        await d.press(*"300", "enter")
        await d.settle()
        assert case.source_of("fund_loan.rate") is FieldSource.DERIVED
        assert app.focused is not screen.query_one("#f-fund_loan-rate", Input)


async def test_a_lookup_that_backfills_the_field_enter_went_to_moves_focus_on(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot, paste=True)
        screen = await _new_case_people(d)
        await d.fill("f-applicant-id_number", T01.applicant.id_number)
        await d.fill("f-applicant-name", T01.applicant.name)
        await d.press("f5")
        await d.settle()
        # Enter after the contract number goes to 坐落 (empty: the clerk would type it) while the lookups run;
        # their answer backfills it, and focus goes on to a field the clerk types (keys typed next cannot land in
        # the backfilled, read-only 坐落).
        await d.fill("f-property-contract_number", T01.contract)
        await pilot.pause()
        await d.settle()
        assert screen.case.source_of("property.location") is FieldSource.VERIFIED
        focused = app.focused
        assert isinstance(focused, FieldInput)
        assert screen.case.source_of(focused.path) is not FieldSource.VERIFIED, focused.path


async def test_resume_puts_the_caret_after_the_restored_text(data_dir: Path) -> None:
    half = "1380000"
    first = build_app(data_dir)
    async with first.run_test(size=SIZE) as pilot:
        d = Driver(pilot, paste=True)
        await _new_case_people(d)
        await d.fill("f-applicant-id_number", ID18)
        await d.fill("f-applicant-name", "王建国")
        await d.press(*half)
    again = build_app(data_dir)
    async with again.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        await d.login()
        assert isinstance(again.screen, ResumeDialog)  # the case left open is offered at once
        await d.press("enter")
        await d.settle()
        phone = again.screen.query_one("#f-applicant-phone", Input)
        assert again.focused is phone
        assert phone.value == half and phone.cursor_position == len(half) and phone.selection.is_empty
        await d.press(*"0001")
        assert phone.value == half + "0001", "the next key goes after the restored text, it does not wipe it"
        # Tab onto a filled field does not select it either: the caret is at the end of its text.
        name = again.screen.query_one("#f-applicant-name", Input)
        await d.press("shift+tab")
        assert again.focused is name and name.selection.is_empty and name.cursor_position == len(name.value)


async def test_checklist_space_moves_on_and_a_receives_every_missing_line(data_dir: Path) -> None:
    case_id = await prepare_case(data_dir, T01, step=4, checklist=False)
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _open(d, case_id, "f6")
        table = screen.query_one("#materials", DataTable)
        rows = screen.case.assessment().rows
        missing = [i for i, r in enumerate(rows) if r.status is MaterialStatus.MISSING]
        assert len(missing) >= 3
        await d.row_key("materials", rows[missing[0]].code, "space")
        assert table.cursor_row == missing[1], "Space goes on to the next line still missing"
        await d.press("space")
        await d.settle()
        assert table.cursor_row == missing[2]
        statuses = [r.status for r in screen.case.assessment().rows]
        assert statuses[missing[0]] is statuses[missing[1]] is MaterialStatus.RECEIVED
        assert screen.active_bindings["a"].binding.description == "全收"  # in the footer (short: 100 columns)
        await d.press("a")
        await d.settle()
        after = screen.case.assessment().rows
        assert not [r for r in after if r.status is MaterialStatus.MISSING]
        lines = {line.code: line for line in screen.case.file.checklist}
        materials = screen.case.policy.materials
        for index in missing[2:]:
            receipt = lines[rows[index].code].received
            # As the pack expects the paper: 原件1份, or the original shown and a copy kept (复印件1份).
            expected = materials.get(rows[index].code).expected_paper
            assert receipt is not None and (receipt.form, receipt.count) == expected
        # O and + on a received line: the paper as it was handed in.
        code = rows[missing[2]].code
        await d.row_key("materials", code, "o", "plus", "plus")
        receipt = screen.case.file.line(code).received  # type: ignore[union-attr]
        form, count = materials.get(code).expected_paper
        assert receipt is not None and receipt.form != form and receipt.count == count + 2
        assert f"{count + 2} 份" in screen.case.assessment().row(code).note
