"""The review shows the whole case and takes 首套/二套; the authorization number is typed; step 4 says when the
contract is not on file; messages wrap at 100×30; home offers the case left open by a crash (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from app_driver import (
    T01,
    T08,
    Driver,
    FrozenClock,
    build_app,
    demo_operator,
    make_settings,
    make_workstation,
    prepare_case,
)
from textual.widgets import Checkbox, Static

from forms.vocabulary import HomeOrdinal, MaterialStatus, VerificationKind
from screens.case import CaseScreen
from screens.resume_dialog import ResumeDialog

SIZE = (120, 36)


def _text(widget: object) -> str:
    return str(widget.render())  # type: ignore[attr-defined]


async def _open_draft(d: Driver) -> CaseScreen:
    await d.login()
    d.screen.query_one("#drafts").focus()
    await d.press("enter")
    await d.settle()
    screen = d.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def test_review_shows_people_property_loan_payment_lookups_and_takes_the_house_count(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _open_draft(d)
        summary = _text(screen.query_one("#review-summary", Static))
        for expected in (
            f"申请人：{T01.applicant.name}（身份证尾号 9132）",
            f"配偶：{T01.spouse.name if T01.spouse else ''}（身份证尾号 9243）",
            "合同 XF2026000101",
            "98.50 平方米",
            "公积金贷款：600,000.00 元，300 个月",
            "月供 2,722.02 元",
            "购房套数：首套（据贷款记录核验）",
            "签字：请按 P 打印申请表（一表）、征信查询授权书",
        ):
            assert expected in summary, (expected, summary)
        assert re.search(r"核验：一致 \d+ 项", summary), summary
        assert T01.applicant.id_number not in summary  # the citizen may be watching: no full ID on the review

        await d.press("t")
        await d.settle()
        assert "购房套数：首套（窗口确认）" in _text(screen.query_one("#review-summary", Static))
        await d.press("t")
        await d.settle()
        summary = _text(screen.query_one("#review-summary", Static))
        assert "购房套数：二套（窗口确认）" in summary
        assessment = screen.case.assessment()
        assert assessment.home_ordinal is HomeOrdinal.SECOND
        # The rate was derived, so it follows the house count (the pack's second-home rate is higher).
        assert assessment.repayment is not None and assessment.repayment.rate > 2.6
        await d.press("t")
        await d.settle()
        assert "购房套数：首套（据贷款记录核验）" in _text(screen.query_one("#review-summary", Static))


async def test_house_count_without_a_loan_history_is_said_to_be_an_assumption(data_dir: Path) -> None:
    workstation = make_workstation(make_settings(data_dir), FrozenClock())
    try:
        case = workstation.new_case(demo_operator(workstation))
        for path, value in (("applicant.id_number", T01.applicant.id_number), ("fund_loan.amount", "300000")):
            assert case.set_field(path, value) == []
        assert case.assessment().home_basis == "unknown"  # no loan history asked yet
        assert case.set_field("fund_loan.home_ordinal", "second") == []
        assert case.assessment().home_basis == "clerk"
        assert case.assessment().home_ordinal is HomeOrdinal.SECOND
    finally:
        await workstation.aclose()


async def test_authorization_number_typed_records_the_authorization(data_dir: Path) -> None:
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        await d.login()
        await d.press("n", "pagedown")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        await d.fill("f-applicant-id_number", T01.applicant.id_number)
        await d.fill("f-credit_authorization-reference", "SQ-T01-0001")
        await d.settle()
        auth = screen.case.application.credit_authorization
        assert auth is not None and auth.recorded and auth.reference == "SQ-T01-0001"
        assert screen.query_one("#credit-auth", Checkbox).value
        line = screen.case.file.line("credit_authorization")
        assert line is not None and line.status is MaterialStatus.RECEIVED
        screen.case.record_authorization()  # the tick later keeps the number typed, invents none
        assert screen.case.application.credit_authorization.reference == "SQ-T01-0001"  # type: ignore[union-attr]


async def test_step_4_says_the_contract_is_not_on_file(data_dir: Path) -> None:
    await prepare_case(data_dir, T08, step=3, checklist=False)
    app = build_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        screen = await _open_draft(d)
        assert screen.step == 3
        record = screen.case.file.lookup(VerificationKind.CONTRACT)
        assert record is not None and record.outcome.value in ("not_found", "mismatch")
        note = _text(screen.query_one("#note-property-contract_number", Static))
        assert "网签备案" in note, note


async def test_at_100x30_messages_wrap_and_every_badge_shows(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    app = build_app(copy_prepared(t01_prepared[0]))
    async with app.run_test(size=(100, 30)) as pilot:
        d = Driver(pilot)
        screen = await _open_draft(d)
        await d.press("f5")
        await d.settle()
        shown = app.export_screenshot()
        # Contract, location, area, price: each backfilled row shows its badge beside the narrowed panel.
        assert shown.count("✔&#160;核验回填") + shown.count("✔ 核验回填") >= 4
        await d.press("f3")
        await d.settle()
        await d.fill("f-applicant-id_number", T01.applicant.id_number[:-1] + "7", submit=False)
        await d.press("tab")
        await d.settle()
        note = screen.query_one("#note-applicant-id_number", Static)
        assert "校验位" in _text(note) and "应为" in _text(note)
        # Wrapped, not cut: the note is as tall as its text needs at this width.
        assert note.size.height >= 1 and note.content_size.width <= note.size.width


async def test_home_offers_the_case_left_open_and_enter_continues_it(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder = copy_prepared(t01_prepared[0])
    case_id = t01_prepared[1]
    workstation = make_workstation(make_settings(folder), FrozenClock())
    operator = demo_operator(workstation)
    try:
        assert workstation.draft_left_open(operator) is None  # prepared through the services: not left open
        case = workstation.open_case(case_id, operator)
        case.save({"step": 3, "focus": "f-fund_loan-amount", "open": True})  # what the case screen saves
        row = workstation.draft_left_open(operator)
        assert row is not None and row.case_id == case_id
    finally:
        await workstation.aclose()
    app = build_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(pilot)
        await d.login()
        assert isinstance(app.screen, ResumeDialog)
        await d.press("enter")
        await d.settle()
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.case.case_id == case_id and screen.step == 3
        assert screen.focused is not None and screen.focused.id == "f-fund_loan-amount"
        await d.press("escape")  # left on purpose: not offered again
        await d.settle()
        assert app.screen.__class__.__name__ == "HomeScreen"
        assert screen.case.ui_state.get("open") is False
