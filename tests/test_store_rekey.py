"""``counter store rekey`` (issue 14, item 9): a whole store moves to the other suite in one transaction, the audit
chain is re-anchored rather than rewritten, and a SIGKILL at any instant leaves exactly one suite, all readable."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from local_cache import Store, SuiteMismatchError
from local_cache.audit import canonical_json, entry_hash
from local_cache.rekey import ENCRYPTED, HASH_COLUMNS, rekey_store
from local_cache.suites import VERSION_BYTE, Suite
from tests.store_helpers import Clock

FIXTURE = Path(__file__).parent / "fixtures" / "v5_store"
ROOT = Path(__file__).resolve().parent.parent


def _v5_copy(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    db, key = folder / "counter.db", folder / "counter.key"
    shutil.copy(FIXTURE / "counter.db", db)
    shutil.copy(FIXTURE / "counter.key", key)
    key.chmod(0o600)
    return db, key


def _snapshot(store: Store) -> dict[str, object]:
    """Everything readable through the repositories, decrypted (what a rekey must keep byte for byte)."""
    conn = store.db.conn.conn
    case_ids = [r[0] for r in conn.execute("SELECT id FROM cases ORDER BY id")]
    cases = {cid: store.cases.get(cid) for cid in case_ids}
    return {
        "cases": {cid: (c.payload, c.people, c.ui_state) for cid, c in cases.items()},
        "verifications": {cid: store.records.verifications(cid) for cid in case_ids},
        "operators": [(o.login, o.name) for o in store.operators.list()],
        "outbox": [store.outbox.get(int(r[0])).payload for r in conn.execute("SELECT id FROM outbox ORDER BY id")],
        "pending": [
            store.pending.get(r[0]).request_json for r in conn.execute("SELECT request_id FROM pending_lookups")
        ],
    }


def _blob_suites(db: Path) -> set[bytes]:
    conn = sqlite3.connect(db)
    try:
        found: set[bytes] = set()
        for table, column in ENCRYPTED:
            for (blob,) in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"):
                found.add(bytes(blob)[:1])
        return found
    finally:
        conn.close()


def test_rekey_moves_every_value_and_hash_and_reanchors_the_chain(tmp_path: Path) -> None:
    db, key = _v5_copy(tmp_path)
    with Store.open(db, key, workstation_id="QD01") as s:
        before = _snapshot(s)
        ids = [r[0] for r in s.db.conn.conn.execute("SELECT id FROM cases")]
        applicant = next(p for cid in ids for p in s.cases.get(cid).people if p.name and p.id_number)
        old_entries = s.audit.entries(limit=10_000)
        old_head = old_entries[-1]
        assert s.suite == "intl"
        report = rekey_store(s, "gm", actor="admin")
    assert report.changed and report.values > 0 and report.hashes > 0
    assert _blob_suites(db) == {VERSION_BYTE["gm"]}
    with Store.open(db, key, workstation_id="QD01", suite="gm") as s:
        assert s.suite == "gm"
        assert _snapshot(s) == before
        # Search works with the recomputed HMAC-SM3 hashes.
        assert s.cases.find_by_id_number(applicant.id_number)
        assert s.cases.find_by_name(applicant.name)
        assert s.db.conn.conn.execute("SELECT COUNT(*) FROM verification_cache").fetchone()[0] == 0
        # The old entries are untouched; one store_rekeyed entry follows the old head under the new suite.
        entries = s.audit.entries(limit=10_000)
        assert [e.hash for e in entries[:-1]] == [e.hash for e in old_entries]
        rekeyed = entries[-1]
        assert rekeyed.action == "store_rekeyed" and rekeyed.seq == old_head.seq + 1 == report.anchored_at
        assert rekeyed.prev_hash == old_head.hash
        assert rekeyed.detail["from_suite"] == "intl" and rekeyed.detail["to_suite"] == "gm"
        assert rekeyed.detail["chain_ok_before"] is True
        assert s.audit.verify().ok
        # Work goes on under gm, chained to the re-anchored entry.
        s.cases.create(actor="t", payload={"applicant": {"name": "迁移之后"}})
        assert s.audit.verify().ok
    # And back: a rekey is symmetric.
    with Store.open(db, key, workstation_id="QD01") as s:
        assert rekey_store(s, "intl").changed
    with Store.open(db, key, workstation_id="QD01", suite="intl") as s:
        assert s.audit.verify().ok
        after = _snapshot(s)
        assert {cid: after["cases"][cid] for cid in before["cases"]} == before["cases"]  # type: ignore[index,union-attr]
        assert {k: after[k] for k in ("operators", "outbox", "pending")} == {
            k: before[k] for k in ("operators", "outbox", "pending")
        }
    assert _blob_suites(db) == {VERSION_BYTE["intl"]}


def test_rekey_to_the_same_suite_changes_nothing(tmp_path: Path, clock: Clock) -> None:
    with Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=clock) as s:
        s.cases.create(actor="t")
        entries = len(s.audit.entries())
        report = rekey_store(s, "gm")
        assert not report.changed and "无需迁移" in report.render()
        assert len(s.audit.entries()) == entries


def test_a_store_left_open_elsewhere_cannot_write_after_a_rekey(tmp_path: Path, clock: Clock) -> None:
    db, key = tmp_path / "c.db", tmp_path / "k.key"
    with Store.open(db, key, workstation_id="QD01", clock=clock, suite="intl") as s:
        s.cases.create(actor="t")
    stale = Store.open(db, key, workstation_id="QD01", clock=clock)
    try:
        with Store.open(db, key, workstation_id="QD01", clock=clock) as s:
            rekey_store(s, "gm")
        with pytest.raises(SuiteMismatchError, match="重新启动"):
            stale.cases.create(actor="t")
    finally:
        stale.close()
    assert _blob_suites(db) == {VERSION_BYTE["gm"]}


def test_every_encrypted_and_hash_column_is_known_to_the_rekey(tmp_path: Path, clock: Clock) -> None:
    """A column added by a later migration must be added to rekey.ENCRYPTED/HASH_COLUMNS, or rekey refuses."""
    with Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=clock) as s:
        conn = s.db.conn.conn
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {(t, str(c[1])) for t in tables for c in conn.execute(f"PRAGMA table_info({t})")}
    assert {c for c in columns if c[1].endswith("_enc")} == set(ENCRYPTED)
    assert {c for c in columns if c[1].endswith("_hash")} <= set(HASH_COLUMNS)


def test_a_rewritten_old_segment_does_not_verify_after_a_rekey(tmp_path: Path) -> None:
    """Only the key makes gm entries; everything before them is chained to them, so the intl part stays sealed."""
    db, key = _v5_copy(tmp_path)
    with Store.open(db, key, workstation_id="QD01") as s:
        rekey_store(s, "gm")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    row = dict(
        zip(
            ["seq", "at", "actor", "action", "case_number", "detail", "prev_hash"],
            conn.execute(
                "SELECT seq, at, actor, action, case_number, detail, prev_hash FROM audit_log WHERE seq = 3"
            ).fetchone(),
            strict=True,
        )
    )
    row["detail"] = canonical_json({"forged": 1})
    conn.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 3", [row["detail"], entry_hash(row)])
    conn.close()
    with Store.open(db, key, workstation_id="QD01") as s:
        report = s.audit.verify()
    assert not report.ok and report.seq == 3

    # Claiming the whole chain is intl (to rewrite it with plain SHA-256) does not work either.
    db2, key2 = _v5_copy(tmp_path / "second")
    with Store.open(db2, key2, workstation_id="QD01") as s:
        rekey_store(s, "gm")
    conn = sqlite3.connect(db2, isolation_level=None)
    conn.execute("UPDATE meta SET value = '[[1, \"intl\"]]' WHERE key = 'audit_suites'")
    conn.close()
    with Store.open(db2, key2, workstation_id="QD01") as s:
        assert not s.audit.verify().ok


# -- SIGKILL in the middle ----------------------------------------------------------------------------------------

ROUNDS = 8
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from local_cache import Store
    from local_cache.rekey import rekey_store

    db, key, suite = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    store = Store.open(db, key, workstation_id="QD01", create_key=False)
    print("open", flush=True)
    rekey_store(store, suite)
    store.close()
    print("done", flush=True)
    """
)


def _template(folder: Path) -> tuple[Path, Path]:
    """An intl store with enough cases that a rekey takes a measurable while."""
    db, key = folder / "counter.db", folder / "counter.key"
    with Store.open(db, key, workstation_id="QD01", suite="intl", scrypt_n=2**4) as s:
        s.operators.add("wang", "王小柜", "clerk", "long-enough-1", actor="admin")
        with s.transaction():
            for i in range(600):
                s.cases.create(
                    actor="wang",
                    payload={
                        "applicant": {"name": f"测试{i}", "id_number": "11010519491231002X", "phone": "13812345678"},
                        "notes": "x" * 3000,
                    },
                )
    return db, key


def _run_child(db: Path, key: Path, suite: Suite) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(key), suite],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _check_whole(db: Path, key: Path) -> Suite:
    """Exactly one suite, every value readable in it, the chain intact; returns the suite."""
    blobs = _blob_suites(db)
    with Store.open(db, key, workstation_id="QD01", create_key=False) as s:
        assert s.integrity_check() == ["ok"]
        assert blobs == {VERSION_BYTE[s.suite]}, (s.suite, blobs)
        ids = [r[0] for r in s.db.conn.conn.execute("SELECT id FROM cases")]
        assert len(ids) == 600
        for cid in ids:
            case = s.cases.get(cid)
            assert case.payload["notes"] == "x" * 3000 and case.people[0].name
        assert len(s.cases.find_by_name("测试17")) == 1
        assert [o.name for o in s.operators.list()] == ["王小柜"]
        assert s.audit.verify().ok
        last = s.audit.entries()[-1]
        assert (last.action == "store_rekeyed") == (s.suite == "gm")
        return s.suite


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")
def test_sigkill_at_random_instants_leaves_one_suite(tmp_path: Path) -> None:
    template_db, template_key = _template(tmp_path / "template")
    # How long one rekey takes here, so that the kills land across it (machines differ tenfold).
    db, key = _v5_like_copy(template_db, template_key, tmp_path / "timing")
    child = _run_child(db, key, "gm")
    assert child.stdout is not None and child.stdout.readline().strip() == "open"
    start = time.monotonic()
    out, err = child.communicate(timeout=120)
    duration = time.monotonic() - start
    assert "done" in out, err
    assert _check_whole(db, key) == "gm"

    rng = random.Random(20261201)
    outcomes: list[Suite] = []
    for n in range(ROUNDS):
        db, key = _v5_like_copy(template_db, template_key, tmp_path / f"round{n}")
        child = _run_child(db, key, "gm")
        assert child.stdout is not None and child.stdout.readline().strip() == "open"
        time.sleep(rng.uniform(0.0, duration * 1.1))
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()
        outcomes.append(_check_whole(db, key))
    # Whatever the instant, the store opens in exactly one suite, readable; most kills land mid-rekey.
    assert set(outcomes) <= {"intl", "gm"}
    print(f"rekey {duration:.2f} s; after each kill: {outcomes}")
    assert "intl" in outcomes, f"no kill landed inside the rekey ({duration:.2f} s): {outcomes}"


def _v5_like_copy(db: Path, key: Path, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    shutil.copy(db, folder / db.name)
    shutil.copy(key, folder / key.name)
    (folder / key.name).chmod(0o600)
    return folder / db.name, folder / key.name
