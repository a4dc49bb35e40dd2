"""Sync bookkeeping in the store: migration 4 keeps the outbox, per-case order, conflicts; and `counter sync`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_app.commands import sync as sync_command
from forms.vocabulary import CaseStatus
from local_cache import NotFoundError, Store, ValidationError
from local_cache.db import Database
from local_cache.migrations import LATEST_VERSION, migrate
from local_cache.sync_ledger import SyncLedger


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=Clock())
    yield s
    s.close()


def test_migration_4_keeps_outbox_rows_and_widens_states(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "old.db", supported_version=LATEST_VERSION)
    migrate(db, target=3)
    db.conn.execute(
        "INSERT INTO cases (id, case_number, workstation_id, case_date, status, payload_enc, created_at, updated_at, "
        "status_changed_at) VALUES ('c1', 'QD01-20261123-0001', 'QD01', '2026-11-23', 'accepted', x'00', 't', 't', 't')"
    )
    db.conn.execute(
        "INSERT INTO outbox (id, case_id, version, payload_enc, state, attempts, next_attempt_at, created_at, "
        "updated_at) VALUES (7, 'c1', 1, x'01', 'pending', 2, 'n', 'c', 'u')"
    )
    db.conn.conn.commit()
    assert migrate(db, target=4) == [4]
    row = db.conn.conn.execute("SELECT id, case_id, version, state, attempts FROM outbox").fetchone()
    assert tuple(row) == (7, "c1", 1, "pending", 2)
    db.conn.execute("UPDATE outbox SET state = 'conflict' WHERE id = 7")  # allowed now
    with pytest.raises(Exception, match="CHECK"):
        db.conn.execute("UPDATE outbox SET state = 'bogus' WHERE id = 7")
    indexes = {r[0] for r in db.conn.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "outbox_due" in indexes
    db.close()


def test_next_batch_hands_out_one_version_per_case_in_order(store: Store) -> None:
    ledger = SyncLedger.of(store)
    a = store.cases.create(actor="t").id
    b = store.cases.create(actor="t").id
    store.outbox.enqueue(a, 2, {"v": 2}, actor="t")  # queued out of order on purpose
    store.outbox.enqueue(a, 1, {"v": 1}, actor="t")
    store.outbox.enqueue(b, 1, {"v": 1}, actor="t")
    first = ledger.next_batch()
    assert sorted((e.case_id == a, e.version) for e in first) == [(False, 1), (True, 1)]
    entry_a1 = next(e for e in first if e.case_id == a)
    ledger.record_sent(entry_a1, platform_version=1, platform_status="in_review")
    assert ledger.acked_version(a) == 1
    assert sorted((e.case_id, e.version) for e in ledger.next_batch()) == sorted([(a, 2), (b, 1)])
    assert ledger.next_version(a) == 3 and ledger.next_version(b) == 2


def test_conflict_blocks_later_versions_and_resolve_validates(store: Store) -> None:
    ledger = SyncLedger.of(store)
    a = store.cases.create(actor="t").id
    e1 = store.outbox.enqueue(a, 1, {"v": 1}, actor="t")
    store.outbox.enqueue(a, 2, {"v": 2}, actor="t")
    ledger.park_conflict(e1, platform_version=5, platform_view={"status": "approved"}, code="stale", message="m")
    assert ledger.next_batch() == []  # v2 waits behind the parked v1
    assert store.outbox.counts() == {"conflict": 1, "pending": 1}
    with pytest.raises(ValidationError):
        ledger.resolve(a, "both", actor="clerk1")  # type: ignore[arg-type]
    entry = ledger.resolve(a, "local", actor="clerk1")
    assert entry is not None and entry.version == 6 and entry.payload == {"v": 2}
    assert ledger.acked_version(a) == 5
    assert [e.version for e in ledger.next_batch()] == [6]
    with pytest.raises(NotFoundError):
        ledger.resolve(a, "platform", actor="clerk1")


def test_counter_sync_once_embedded_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path))
    with Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01") as store:
        for _ in range(3):
            case = store.cases.create(actor="t")
            store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="t")
            store.outbox.enqueue(case.id, 1, {"case_number": case.case_number}, actor="t")
    assert sync_command.main(["--once"]) == 0
    out, err = capsys.readouterr()
    assert "已发送 3 件" in out and "已同步 3/3" in err
    with Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01") as store:
        assert store.outbox.counts() == {"sent": 3}
    assert sync_command.main(["--once", "--pull-only"]) == 0
