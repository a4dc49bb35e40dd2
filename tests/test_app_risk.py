"""The household's lookups and the 机审 on screen: each person's own credit authorization (people step), every
person's lookups (verify step), the verdict and risk flags with a supervisor's note (review step).

T01 prepared through the services: the spouse's credit lookup was refused (no authorization of her own), so the
case carries one "lookups incomplete" flag and the verdict is manual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app_driver import build_app, login_fast, store_of
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Static

from counter_app.app import CounterApp
from forms.materials import Whose
from forms.vocabulary import VerificationKind, VerificationOutcome
from screens.case import CaseScreen
from screens.flag_note_dialog import FlagNoteDialog
from screens.steps.verify import VerifyStep, kind_of, row_key
from screens.supervisor_dialog import SupervisorDialog

SIZE = (120, 36)
CASE_NUMBER = "QD01-20260930-0001"


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _open(pilot: Pilot[Any], key: str) -> CaseScreen:
    await login_fast(pilot)
    find = pilot.app.screen.query_one("#find", Input)
    find.focus()
    find.value = CASE_NUMBER
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.press(key)
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    return screen


def _text(screen: CaseScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_row_keys_stay_unique_and_name_the_kind() -> None:
    assert row_key(VerificationKind.IDENTITY) == "identity"
    assert row_key(VerificationKind.CREDIT, Whose.SPOUSE) == "spouse:0:credit"
    assert row_key(VerificationKind.CREDIT, Whose.CO_BORROWER, 1) == "co_borrower:1:credit"
    assert kind_of("co_borrower:1:credit") is VerificationKind.CREDIT
    assert kind_of("fund_account") is VerificationKind.FUND_ACCOUNT


async def test_verify_lists_every_persons_lookups(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "f4")
        table = screen.query_one("#lookups", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert len(keys) == len(set(keys))
        assert keys[0] == "identity"
        assert [k for k in keys if k.startswith("spouse:")] == [
            "spouse:0:identity",
            "spouse:0:fund_account",
            "spouse:0:loan_history",
            "spouse:0:credit",
        ]
        credit = table.get_row("spouse:0:credit")
        assert credit[0] == "配偶" and "已拒绝" in str(credit[2])
        assert table.get_row("identity")[0] == "申请人"
        # Enter on the spouse's credit row re-runs the credit lookup (for everyone).
        seen: list[VerificationKind] = []
        original = screen._run_lookups
        screen._run_lookups = lambda kinds: seen.extend(kinds or ())  # type: ignore[method-assign]
        table.focus()
        table.move_cursor(row=table.get_row_index("spouse:0:credit"))
        assert screen.query_one(VerifyStep).selected_kind() is VerificationKind.CREDIT
        await pilot.press("enter")
        await _settle(pilot)
        screen._run_lookups = original  # type: ignore[method-assign]
        assert seen == [VerificationKind.CREDIT]
        assert "配偶及共同借款人已一致 3/4 项" in _text(screen, "#verify-summary")


async def test_spouse_authorization_checkbox_records_it_and_asks_again(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "f3")
        assert screen.query_one("#credit-auth", Checkbox).value is True  # the applicant's, as before
        box = screen.query_one("#credit-auth-spouse", Checkbox)
        assert box.value is False
        assert "配偶已签署本人征信查询授权书" in str(box.label)
        assert not screen.query("#credit-auth-co-0")  # no co-borrower on T01
        box.focus()
        await pilot.press("space")
        await _settle(pilot)
        case = screen.case
        assert case.file.authorization(Whose.SPOUSE) is not None
        # The refused credit lookup was asked again with her authorization, and now matches: the flag is gone.
        credit = case.file.lookup(VerificationKind.CREDIT, Whose.SPOUSE)
        assert credit is not None and credit.outcome is VerificationOutcome.MATCH
        assert case.assessment().verdict == "auto"
        # Unticking cannot withdraw a signed authorization: it stays, and the box shows it.
        await pilot.press("space")
        await _settle(pilot)
        assert box.value is True and case.file.authorization(Whose.SPOUSE) is not None


async def test_review_shows_verdict_and_flag_and_a_supervisor_notes_it(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    app = build_app(folder)
    assert isinstance(app, CounterApp)
    store_of(app.workstation).operators.add("li", "李主任", "supervisor", "long-enough-1")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "f7")
        risk = _text(screen, "#review-risk")
        assert "风险提示" in risk and "机审结论：转人工审核" in risk
        assert "【人工审核】1 项核验未完成" in risk
        assert "依据：配偶·个人征信（人民银行） 2026-09-30 10:00" in risk
        assert "风险核查" not in _text(screen, "#review-problems")  # nothing refuses: the blocking list is clear
        await pilot.press("n")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SupervisorDialog)
        dialog.query_one("#sv-login", Input).value = "li"
        dialog.query_one("#sv-password", Input).value = "long-enough-1"
        dialog.query_one("#sv-reason", Input).focus()
        await pilot.press("enter")
        await _settle(pilot)
        notes = app.screen
        assert isinstance(notes, FlagNoteDialog)
        await pilot.press("enter")  # the one flag, highlighted: on to the note
        await _settle(pilot)
        notes.query_one("#fn-note", Input).value = "配偶授权书已补签，待复核"
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is screen
        [note] = screen.case.file.flag_notes
        assert (note.code, note.by, note.note) == ("lookups_incomplete", "li", "配偶授权书已补签，待复核")
        assert "负责人批注（li 2026-09-30 10:00）：配偶授权书已补签，待复核" in _text(screen, "#review-risk")
        # The flag stands: a note changes no verdict.
        assert screen.case.assessment().verdict == "manual"
