"""Local store: the hash-chained audit log detects and locates altered, deleted and inserted entries."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from local_cache import Store, ValidationError
from local_cache.admin import verify_audit
from local_cache.audit import GENESIS, canonical_json, entry_hash
from tests.store_helpers import DEFAULT_NOW

T0 = DEFAULT_NOW  # the shared clock's start: the time every entry in the fixture's log carries


@pytest.fixture
def store(store: Store) -> Store:
    """The shared store (conftest.py; its clock stands at T0) with ten audit entries already in the log."""
    for i in range(10):
        store.audit.append("test", actor="clerk1", case_number=f"QD01-20261122-{i:04d}", step=i)
    return store


def _raw(store: Store) -> sqlite3.Connection:
    """A tamperer's connection: the append-only triggers dropped first."""
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return conn


def test_intact_chain_verifies(store: Store) -> None:
    report = verify_audit(store)
    assert report.ok and report.entries == 10 and report.problem is None
    assert "完整" in report.render()
    first = store.audit.entries()[0]
    assert first.prev_hash == GENESIS


def test_program_cannot_update_or_delete(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.db.conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.conn.execute("DELETE FROM audit_log WHERE seq = 1")
    assert store.audit.verify().ok


def test_altered_entry_is_located(store: Store) -> None:
    _raw(store).execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")
    report = store.audit.verify()
    assert (report.ok, report.problem, report.seq) == (False, "altered", 4)
    assert "第 4 条" in report.render()


def test_altered_and_rehashed_entry_is_located(store: Store) -> None:
    conn = _raw(store)
    row = dict(
        zip(
            ["seq", "at", "actor", "action", "case_number", "detail", "prev_hash"],
            conn.execute(
                "SELECT seq, at, actor, action, case_number, detail, prev_hash FROM audit_log WHERE seq = 6"
            ).fetchone(),
            strict=True,
        )
    )
    row["detail"] = canonical_json({"step": 99})
    conn.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 6", [row["detail"], entry_hash(row)])
    report = store.audit.verify()
    assert (report.problem, report.seq) == ("altered", 6)


def test_deleted_entry_is_located(store: Store) -> None:
    _raw(store).execute("DELETE FROM audit_log WHERE seq = 3")
    report = store.audit.verify()
    assert (report.problem, report.seq) == ("missing", 3)


def test_deleted_tail_is_detected(store: Store) -> None:
    _raw(store).execute("DELETE FROM audit_log WHERE seq >= 9")
    report = store.audit.verify()
    assert (report.problem, report.seq) == ("missing", 9)


def test_inserted_entry_in_the_middle_is_located(store: Store) -> None:
    conn = _raw(store)
    # Make room after entry 5 by renumbering the later ones, then slip in a well-formed forged entry.
    for seq in range(10, 5, -1):
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", [seq + 1, seq])
    prev = conn.execute("SELECT hash FROM audit_log WHERE seq = 5").fetchone()[0]
    forged = {
        "seq": 6,
        "at": T0.isoformat(),
        "actor": "ghost",
        "action": "test",
        "case_number": None,
        "detail": json.dumps({}),
        "prev_hash": prev,
    }
    conn.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", [*forged.values(), entry_hash(forged)])
    report = store.audit.verify()
    assert (report.problem, report.seq) == ("inserted", 6)


def test_appended_forgery_is_detected(store: Store) -> None:
    conn = _raw(store)
    prev = conn.execute("SELECT hash FROM audit_log WHERE seq = 10").fetchone()[0]
    forged = {
        "seq": 11,
        "at": T0.isoformat(),
        "actor": "ghost",
        "action": "test",
        "case_number": None,
        "detail": "{}",
        "prev_hash": prev,
    }
    conn.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", [*forged.values(), entry_hash(forged)])
    report = store.audit.verify()
    assert (report.problem, report.seq) == ("inserted", 11)


def test_tampered_copy_of_the_file_is_detected(store: Store, tmp_path: Path) -> None:
    """What `counter audit verify` on a tampered copy does: open the copy with the same key."""
    store.close()
    copy = tmp_path / "copy.db"
    copy.write_bytes(store.path.read_bytes())
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 7")
    conn.close()
    with Store.open(copy, tmp_path / "k.key", workstation_id="QD01", create_key=False) as s:
        report = verify_audit(s)
    assert (report.problem, report.seq) == ("altered", 7)


@pytest.mark.parametrize("value", ["11010519491231002X", "13812345678", "6222021234567890123"])
def test_personal_data_is_refused_in_audit_detail(store: Store, value: str) -> None:
    with pytest.raises(ValidationError):
        store.audit.append("test", actor="clerk1", note=f"applicant {value}")
    assert store.audit.verify().entries == 10


def test_keyed_hashes_are_allowed_in_audit_detail(store: Store) -> None:
    digest = store.keys.id_hash("11010519491231002X")
    store.audit.append("lookup", actor="clerk1", subject_hash=digest)
    assert store.audit.verify().ok


def test_request_ids_never_read_as_personal_data() -> None:
    """A uuid4 whose last group holds 11 digits from 13-19 used to fail ~3 lookups in 10,000 (issue 14)."""
    import random
    import uuid

    from local_cache.audit import guard_detail

    rng = random.Random(20261201)
    tripped = "5b9f3bcf-5821-41a0-bab8-c14503721761"  # one that did, seen in a test run
    guard_detail({"request_id": tripped})
    for _ in range(20_000):
        guard_detail({"request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4))})
    # What stands next to an id is still checked.
    with pytest.raises(ValidationError):
        guard_detail({"note": f"{tripped} 13812345678"})
