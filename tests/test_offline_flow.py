"""Offline intake end to end through the services the screens use (issue 7).

Gateway down while a case is taken: lookups become pending and queued, the case is still accepted on paper and
its receipt printed; once the gateway and the platform answer again, one background round replays the lookups
(flagging exactly the accepted cases whose late answers disagree) and syncs each case exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
import pytest
from app_driver import open_counter, sandbox_of, store_of

from counter_app.services.intake import IntakeCase, OperatorRef
from counter_app.services.workstation import Workstation
from counter_app.settings import Settings
from forms.scenario import Scenario
from forms.vocabulary import CaseStatus, MaterialStatus, VerificationKind, VerificationOutcome
from printouts import DocKind

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)

T01 = {
    "applicant.id_number": "370202198803159132",
    "applicant.name": "王建国",
    "applicant.phone": "13800000001",
    "spouse.id_number": "370202199007029243",
    "spouse.name": "刘晓梅",
    "spouse.phone": "13800000002",
}
T07 = {  # registered as 何美玲; typed as 何美琳: identity answers "mismatch"
    "applicant.id_number": "370202199305279427",
    "applicant.name": "何美琳",
    "applicant.phone": "13800000007",
}


@pytest.fixture
def workstation(tmp_path: Path) -> Iterator[Workstation]:
    settings = Settings(data_dir=tmp_path, sync_interval_seconds=0)
    ws = open_counter(settings, clock=lambda: NOW)
    yield ws
    store_of(ws).close()


@pytest.fixture
def clerk(workstation: Workstation) -> OperatorRef:
    return workstation.login("demo", "demo1234")


def fill(case: IntakeCase, values: dict[str, str], contract: str, card: str) -> None:
    for path, value in values.items():
        assert case.set_field(path, value) == [], path
    case.record_authorization()
    for path, value in {
        "property.contract_number": contract,
        "property.total_price": "2000000",
        "fund_loan.amount": "600000",
        "fund_loan.months": "300",
        "repayment_account.card_number": card,
    }.items():
        assert case.set_field(path, value) == [], path


PAPER = {  # offline nothing is backfilled: the clerk types it from the documents handed in
    "employer.name": "青岛某单位（沙箱）",
    "fund_account.balance": "80000",
    "fund_account.contribution_base": "10000",
    "fund_account.consecutive_months": "48",
    "property.location": "青岛市市南区某路1号（沙箱）",
    "repayment_account.bank": "沙箱银行",
}


# The fund account number as printed on each applicant's own papers (the replay asks the registry about it).
ACCOUNTS = {T01["applicant.id_number"]: "370200100913", T07["applicant.id_number"]: "370200700942"}


def type_from_paper(case: IntakeCase) -> None:
    for path, value in PAPER.items():
        assert case.set_field(path, value) == [], path
    account = ACCOUNTS[case.application.applicant.id_number or ""]
    assert case.set_field("fund_account.account_number", account) == []


def take_everything_on_paper(case: IntakeCase) -> None:
    """Offline nothing is exempted: the clerk takes every document (and waives what may be waived)."""
    for code, line in list(case.checklist.items()):
        if line.status is not MaterialStatus.VERIFIED:
            case.mark_received(code, copies=1, original=True)


async def test_offline_case_is_accepted_then_flagged_and_synced_once(
    workstation: Workstation, clerk: OperatorRef
) -> None:
    sandbox = sandbox_of(workstation)
    assert sandbox is not None
    sandbox.down = True

    flagged = workstation.new_case(clerk, Scenario())
    fill(flagged, T07, "XF2026000701", "6222020200778899118")
    clean = workstation.new_case(clerk, Scenario(marital_status="married"))
    fill(clean, T01, "XF2026000101", "6222020200112345679")

    for case in (flagged, clean):
        await case.run_lookups()
        # The first failures may say "unavailable"; a second run, like the clerk's F8, queues them all.
        await case.run_lookups()
        outcomes = set(case.outcomes().values())
        assert VerificationOutcome.PENDING in outcomes
        assert VerificationOutcome.MATCH not in outcomes
        type_from_paper(case)
        take_everything_on_paper(case)
        decision = case.accept()
        assert decision.status is CaseStatus.ACCEPTED
        assert decision.assessment.pending_lookups, "the receipt must say verification is pending"
        record = case.print(DocKind.RECEIPT)
        with pdfplumber.open(record.path) as pdf:
            text = "".join(page.extract_text() or "" for page in pdf.pages)
        assert case.case_number in text
        assert "核验待完成" in text  # the receipt says verification is still pending

    queued = store_of(workstation).pending.count()
    assert queued >= 2 * 8

    # The platform is unreachable as well: nothing is lost, the outbox waits.
    assert store_of(workstation).outbox.counts().get("pending", 0) == 2

    sandbox.down = False
    await workstation.background_round()
    await workstation.background_round()  # a second round must change nothing: exactly once

    assert store_of(workstation).pending.count() == 0
    flags = workstation.review_flags()
    assert [f.case_number for f in flags] == [flagged.case_number]
    assert "身份信息" in flags[0].message and "不一致" in flags[0].message
    assert flags[0].action
    # The late answers reached the case (kept with its lookups), but nothing the case was accepted on changed: the
    # form as typed and the decision, which still records the identity lookup as pending at acceptance.
    reopened = workstation.open_case(flagged.case_id, clerk)
    assert reopened.outcomes()[VerificationKind.IDENTITY] is VerificationOutcome.MISMATCH
    assert VerificationOutcome.PENDING not in set(reopened.outcomes().values())
    assert reopened.application.applicant.name == "何美琳"  # not backfilled from the registry's 何美玲
    decision = reopened.file.decision
    assert decision is not None and VerificationKind.IDENTITY in decision.pending_lookups

    counts = store_of(workstation).outbox.counts()
    assert counts.get("pending", 0) == 0 and counts.get("sent", 0) == 2
    platform_cases = sandbox.platform.cases if hasattr(sandbox.platform, "cases") else None
    if platform_cases is not None:
        assert sorted(platform_cases) == sorted([flagged.case_id, clean.case_id])

    # The flag is part of the case itself (its aggregate), as is how the window settled it.
    [flag] = reopened.file.flags
    assert flag.kind.value == "identity" and flag.after is VerificationOutcome.MISMATCH and flag.resolved_at is None

    workstation.resolve_flag(flags[0].id, clerk, "已电话通知申请人携带身份证原件核实")
    assert workstation.review_flags() == []
    [settled] = workstation.open_case(flagged.case_id, clerk).file.flags
    assert settled.resolved_by == clerk.login and settled.resolution.startswith("已电话通知")


async def test_an_online_case_raises_no_flag(workstation: Workstation, clerk: OperatorRef) -> None:
    case = workstation.new_case(clerk, Scenario(marital_status="married"))
    fill(case, T01, "XF2026000101", "6222020200112345679")
    await case.run_lookups()
    assert set(case.outcomes().values()) == {VerificationOutcome.MATCH}
    await workstation.background_round()
    assert workstation.review_flags() == []
    assert store_of(workstation).pending.count() == 0
