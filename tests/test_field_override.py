"""Verified values are read-only; 人工修改 (Ctrl+O) changes one on purpose, with a reason, audited (issue 13).

T01 is prepared through the services (its contract lookup backfills the property's area). A plain ``set_field``
of another area is refused; the override takes it, keeps what the registry said and why, marks the value
``overridden`` for the back office, raises a flag that keeps the case from machine approval, and a later lookup
leaves it. On screen, a key on the backfilled field changes nothing and says how to change it; Ctrl+O does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from app_driver import Driver, FrozenClock, build_app, demo_operator, make_settings, make_workstation, store_of

from counter_app.services.case_repo import platform_payload
from counter_app.services.intake import IntakeError
from forms.vocabulary import FieldSource, VerificationKind
from screens.case import CaseScreen
from screens.override_dialog import OverrideDialog
from screens.widgets import FieldInput

AREA = "property.area"
SIZE = (120, 36)


async def test_override_is_kept_flagged_audited_and_survives_a_later_lookup(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    workstation = make_workstation(make_settings(folder), FrozenClock())
    try:
        case = workstation.open_case(t01_prepared[1], demo_operator(workstation))
        assert case.source_of(AREA) is FieldSource.VERIFIED
        registry_area = case.value_at(AREA)
        [issue] = case.set_field(AREA, "99.00")
        assert "Ctrl+O 人工修改" in issue.message and case.value_at(AREA) == registry_area
        assert case.set_field(AREA, registry_area) == []  # the same value again is no change: taken quietly
        with pytest.raises(IntakeError, match="理由"):
            case.override_field(AREA, "99.00", reason="  ")
        with pytest.raises(IntakeError, match="不是核验回填"):
            case.override_field("applicant.phone", "13800000002", reason="号码有误")
        assert case.override_field(AREA, "abc", reason="登记簿已更正")  # refused by the form: nothing kept
        assert case.source_of(AREA) is FieldSource.VERIFIED
        assert case.override_field(AREA, "99.00", reason="登记簿\x1b[2J已更正\u202e") == []  # stored cleaned

        assert case.value_at(AREA) == "99.00" and case.source_of(AREA) is FieldSource.OVERRIDDEN
        [kept] = case.file.field_overrides
        assert (kept.path, kept.verified_value, kept.reason) == (AREA, registry_area, "登记簿已更正")
        assessment = case.assessment()
        assert "verified_value_overridden" in [f.code for f in assessment.flags]
        assert assessment.verdict != "auto"
        body = platform_payload(case.file, assessment)
        assert body["application"]["sources"][AREA] == "overridden"
        assert body["field_overrides"][0]["verified_value"] == registry_area

        # The contract lookup again: the registry's area does not overwrite the clerk's override.
        await case.run_lookups([VerificationKind.CONTRACT])
        assert case.value_at(AREA) == "99.00" and case.source_of(AREA) is FieldSource.OVERRIDDEN

        entries = [e for e in store_of(workstation).audit.entries() if e.action == "field_override"]
        assert len(entries) == 1 and entries[0].detail["path"] == AREA and "99" not in str(entries[0].detail)
    finally:
        await workstation.aclose()


async def test_keys_cannot_change_a_verified_field_ctrl_o_can(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    app = build_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        await d.login()
        d.screen.query_one("#drafts").focus()
        await d.press("enter")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        await d.press("f5")  # the loan step: the property's backfilled fields
        await d.settle()
        field = screen.query_one("#f-property-area", FieldInput)
        before = field.value
        assert field.locked and before
        screen.set_focus(field)
        await d.press("1", "backspace", "delete")
        await d.settle()
        assert field.value == before
        assert "Ctrl+O" in str(screen.query_one("#note-property-area").render())
        await d.press("ctrl+o")
        await d.settle()
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog)
        await d.press(*["backspace"] * len(before), "9", "9", "enter")
        await d.press("enter")  # no reason yet: the dialog stays and asks for one
        await d.settle()
        assert app.screen is dialog
        await d.type_text("登记簿已更正")
        await d.press("enter")
        await d.settle()
        assert app.screen is screen
        assert field.value == "99.00" and field.locked and field.has_class("overridden")
        assert "人工修改" in str(screen.query_one("#note-property-area").render())
        assert screen.case.source_of(AREA) is FieldSource.OVERRIDDEN
