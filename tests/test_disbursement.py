"""Shanxi: approval to disbursement within 5 working days. The platform reports the disbursement (a status of its
own, 已放款); an approved case past its deadline lands on the overdue list until it does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_driver import T01, FrozenClock, make_settings, make_workstation, prepare_case, sandbox_of, store_of

from counter_app.services.followup import FollowUp
from forms.vocabulary import CASE_STATUS_LABELS, CaseStatus


def test_an_approved_case_is_chased_until_the_platform_reports_the_disbursement(tmp_path: Path) -> None:
    data = tmp_path / "data"
    clock = FrozenClock()
    case_id = asyncio.run(prepare_case(data, T01, clock=clock, decide="accept"))
    ws = make_workstation(make_settings(data, policy="shanxi"), clock)
    try:
        asyncio.run(ws.background_round())  # the accepted case reaches the platform
        sandbox_of(ws).platform.advance(case_id, "approved")
        asyncio.run(ws.background_round())  # the approval comes back
        store = store_of(ws)
        assert store.cases.get(case_id).summary.status is CaseStatus.APPROVED
        follow = FollowUp(ws)
        assert follow.disbursement_overdue() == []  # approved today: 5 working days to go

        clock.advance(14 * 24 * 3600)
        [(number, due)] = follow.disbursement_overdue()
        assert number == store.cases.case_number_of(case_id) and due < ws.today()

        sandbox_of(ws).platform.advance(case_id, "disbursed")
        asyncio.run(ws.background_round())
        assert store.cases.get(case_id).summary.status is CaseStatus.DISBURSED
        assert CASE_STATUS_LABELS[CaseStatus.DISBURSED] == "已放款"
        assert follow.disbursement_overdue() == []
    finally:
        asyncio.run(ws.aclose())


def test_a_pack_without_the_deadline_chases_nothing(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path / "data"), FrozenClock())
    try:
        assert ws.policy.disbursement_working_days is None
        assert FollowUp(ws).disbursement_overdue() == []
    finally:
        asyncio.run(ws.aclose())
