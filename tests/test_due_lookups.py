"""Every way of moving between steps runs the lookups that are due; a lookup whose input is missing waits (待录入)
instead of asking about nothing; an answer from the gateway's cache is filed under the person it was asked about."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from app_driver import T01, Driver, FrozenClock, build_app, demo_operator, make_settings, make_workstation
from textual.widgets import DataTable

from forms.materials import Whose
from forms.scenario import Scenario
from forms.vocabulary import VerificationKind
from screens.case import CaseScreen
from screens.steps.verify import VerifyStep


def test_a_lookup_without_its_input_waits_and_is_not_sent(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        case = ws.new_case(demo_operator(ws), Scenario())
        assert set(case.waiting_for_input()) == set(Scenario().verifications())  # no applicant yet
        case.set_field("applicant.id_number", T01.applicant.id_number)
        case.set_field("applicant.name", T01.applicant.name)
        waiting = case.waiting_for_input()
        assert waiting == {
            VerificationKind.CONTRACT: "合同编号",
            VerificationKind.PROPERTY: "合同编号或不动产权证号",
            VerificationKind.BANK_CARD: "还款银行卡号",
        }
        sent = {r.kind for r in case.lookup_requests()}
        assert not sent & set(waiting)
        case.set_field("property.contract_number", T01.contract)
        assert VerificationKind.CONTRACT in case.due_lookups()
        asyncio.run(case.run_lookups(case.due_lookups()))
        assert case.due_lookups() == []  # everything asked with what the form now holds
    finally:
        asyncio.run(ws.aclose())


def test_cached_answers_are_filed_under_the_person_asked(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        case = ws.new_case(demo_operator(ws), Scenario(marital_status="married"))
        for prefix, person in (("applicant", T01.applicant), ("spouse", T01.spouse)):
            assert person is not None
            case.set_field(f"{prefix}.id_number", person.id_number)
            case.set_field(f"{prefix}.name", person.name)
        asyncio.run(case.run_lookups())
        mine = case.application.fund_account
        assert mine is not None and mine.account_number == "370200100913"
        # The backfilled account number makes the fund lookup due again; its answers come from the cache now.
        asyncio.run(case.run_lookups([VerificationKind.FUND_ACCOUNT]))
        again = case.application.fund_account
        assert again is not None and again.account_number == "370200100913"  # not the spouse's 370200100924
        spouse = case.file.lookup(VerificationKind.FUND_ACCOUNT, Whose.SPOUSE)
        assert spouse is not None and spouse.data.get("account_no") == "370200100924"
    finally:
        asyncio.run(ws.aclose())


async def test_an_f_key_jump_runs_the_lookups_that_are_due(
    t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]
) -> None:
    folder, case_id = t01_prepared
    app = build_app(copy_prepared(folder))
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        case = app.workstation.open_case(case_id, app.operator)  # type: ignore[arg-type]
        case.set_field("repayment_account.card_number", "6222020200112345679")
        before = len(case.file.lookups)
        app.push_screen(CaseScreen(app.workstation, case))
        await d.settle()
        assert VerificationKind.BANK_CARD in case.due_lookups() or case.file.lookup(VerificationKind.BANK_CARD)
        await d.press("f7")  # straight to the review: the due lookups run on the way
        await d.settle()
        assert case.due_lookups() == []
        assert len(case.file.lookups) >= before
        await d.press("f4")
        await d.settle()
        table = app.screen.query_one(VerifyStep).query_one("#lookups", DataTable)
        states = [str(table.get_cell(row.key, "state")) for row in table.ordered_rows]
        assert "待发起" not in states and "待录入" not in states
