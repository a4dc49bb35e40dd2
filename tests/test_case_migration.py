"""A store made by the code before the case aggregate (schema v5, payload v1) opens, migrates and works.

``tests/fixtures/v5_store`` was written by commit 9267cc7 (the recipe is ``make_v5.py.txt`` beside it): an accepted
new-house case with its receipt and form printed, a declined case, an accepted resale case with a waiver and its
补件, a draft with half-typed text in the clear screen state, a voided case and an agent's case handed to the window.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_app.services.case_repo import CaseRepository
from counter_app.services.case_types import OperatorRef
from forms.case import SCHEMA_VERSION, CaseFileError, load_case
from forms.china_time import china_date
from forms.materials import Whose
from forms.policy import load_policy
from forms.vocabulary import CaseStatus, MaterialStatus, Role, VerificationKind
from local_cache import Store
from local_cache.migrations import LATEST_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "v5_store"
NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
HALF_TYPED = "半截名字"


@pytest.fixture
def migrated(tmp_path: Path) -> Store:
    shutil.copy(FIXTURE / "counter.db", tmp_path / "counter.db")
    shutil.copy(FIXTURE / "counter.key", tmp_path / "counter.key")
    # git keeps no 0600 mode: a fresh clone has the fixture key as 0644, which the store rightly refuses.
    (tmp_path / "counter.key").chmod(0o600)
    raw = (tmp_path / "counter.db").read_bytes()
    assert HALF_TYPED.encode() in raw, "the fixture must hold the v5 leak the migration removes"
    store = Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01", clock=lambda: NOW)
    return store


def _by_status(store: Store) -> dict[CaseStatus, list[str]]:
    out: dict[CaseStatus, list[str]] = {}
    for summary in store.cases.list_for_date(china_date(NOW)):
        out.setdefault(summary.status, []).append(summary.id)
    return out


def test_v5_store_migrates_and_every_case_loads_whole(migrated: Store) -> None:
    store = migrated
    assert store.schema_version() == LATEST_VERSION  # every migration since v5 ran (6, then 7: print jobs)
    cases = _by_status(store)
    assert {s: len(ids) for s, ids in cases.items()} == {
        CaseStatus.ACCEPTED: 2,
        CaseStatus.DECLINED: 1,
        CaseStatus.DRAFT: 2,
        CaseStatus.REJECTED: 1,
    }
    files = {cid: load_case(store.cases.get(cid).payload) for ids in cases.values() for cid in ids}
    assert all(f.schema_version == SCHEMA_VERSION for f in files.values())

    for cid in cases[CaseStatus.ACCEPTED]:
        file = files[cid]
        assert file.decision is not None and file.decision.outcome == "accepted"
        assert file.decision.promised is not None and file.decision.promised.isoformat() == "2026-10-14"
        assert file.lookup(VerificationKind.IDENTITY) is not None
    printed = [f for f in files.values() if f.prints.frozen]
    assert len(printed) == 1 and set(printed[0].prints.frozen) == {"receipt", "form"}
    resale = [f for f in files.values() if f.supplements]
    assert len(resale) == 1 and [s.code for s in resale[0].supplements] == ["seller_marital"]
    line = resale[0].line("seller_marital")
    assert line is not None and line.status is MaterialStatus.RECEIVED

    [declined] = cases[CaseStatus.DECLINED]
    assert files[declined].decision is not None and files[declined].decision.outcome == "declined"
    [voided] = cases[CaseStatus.REJECTED]
    assert files[voided].void is not None and files[voided].void.by == "li"

    agent_case = next(f for f in files.values() if f.handoff is not None)
    assert agent_case.handoff is not None and agent_case.handoff.by == "sun"
    agent = agent_case.lookup(VerificationKind.IDENTITY, Whose.AGENT)
    assert agent is not None and agent.person is Whose.AGENT

    # The half-typed text left the clear screen state for the encrypted case; nothing of it stays readable.
    half = next(f for f in files.values() if f.drafts)
    assert half.drafts == {"applicant.name": HALF_TYPED, "fund_loan.amount": "12"}
    for ids in cases.values():
        for cid in ids:
            assert set(store.cases.get(cid).ui_state) <= {"step", "focus"}
    path = store.path
    store.close()
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            assert HALF_TYPED.encode() not in part.read_bytes(), part.name


def test_migrated_case_takes_a_command(migrated: Store) -> None:
    """A v1 case is saved back as v2 by its next command (here a draft's scenario-preserving save)."""
    from counter_app.services.case_types import PrintSetup
    from counter_app.services.intake import IntakeCase
    from forms.workdays import load_calendar

    repo = CaseRepository(migrated)
    [draft, _] = sorted(_by_status(migrated)[CaseStatus.DRAFT])
    case = IntakeCase(
        repo=repo,
        loaded=repo.load(draft),
        policy=load_policy("qingdao"),
        calendar=load_calendar([]),
        operator=OperatorRef(id=1, login="demo", name="演示", role=Role.CLERK.value),
        clock=lambda: NOW,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        printing=PrintSetup(spool_dir=migrated.path.parent, printer=None, font_path=None, window="一号窗口"),
    )
    case.save({"step": 2})
    assert migrated.cases.get(draft).payload["schema_version"] == SCHEMA_VERSION
    migrated.close()


def test_a_newer_case_version_is_refused_with_a_message() -> None:
    with pytest.raises(CaseFileError, match="无法识别"):
        load_case({"schema_version": SCHEMA_VERSION + 1})
