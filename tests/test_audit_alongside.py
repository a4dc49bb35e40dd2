"""AuditLog.append_many(alongside=...): the entries hashed in a helper thread while the caller's statement runs
are the very rows a plain append_many writes, in the same transaction as that statement."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import local_cache.audit as audit_module
from local_cache import Store

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _open(path: Path) -> Store:
    return Store.open(path / "c.db", path / "k.key", workstation_id="QD01", clock=lambda: AT)


def _entries(n: int) -> list[tuple[str, str, str | None, dict[str, object]]]:
    detail = {"from_status": "in_review", "to_status": "approved"}
    return [("status_changed", "sync", None if i % 7 == 0 else f"QD01-{i}", detail) for i in range(n)]


def _rows(store: Store) -> list[tuple[object, ...]]:
    return store.db.conn.conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()


@pytest.mark.parametrize("n", [3, audit_module.OVERLAP_MIN + 5])
def test_alongside_writes_the_same_chain(tmp_path: Path, n: int) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "overlap").mkdir()
    plain = _open(tmp_path / "plain")
    shutil.copy(tmp_path / "plain" / "k.key", tmp_path / "overlap" / "k.key")  # same key: same hashes
    overlap = _open(tmp_path / "overlap")
    try:
        for store in (plain, overlap):
            store.audit.append("login", actor="clerk1")
        calls: list[int] = []
        assert plain.audit.append_many(_entries(n)) == n + 1
        with overlap.db.write() as conn:
            seq = overlap.audit.append_many(
                _entries(n),
                alongside=lambda: calls.append(conn.conn.execute("UPDATE meta SET value = value").rowcount),
            )
        assert seq == n + 1 and len(calls) == 1
        assert _rows(overlap) == _rows(plain)
        assert overlap.audit.head() == plain.audit.head()
        assert overlap.audit.verify().ok
    finally:
        plain.close()
        overlap.close()


def test_a_failing_alongside_writes_nothing(tmp_path: Path) -> None:
    store = _open(tmp_path)
    try:
        store.audit.append("login", actor="clerk1")
        before = _rows(store)

        def fail() -> None:
            store.db.conn.conn.execute("INSERT INTO meta (key, value) VALUES ('scratch', 'x')")
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            store.audit.append_many(_entries(audit_module.OVERLAP_MIN), alongside=fail)
        assert _rows(store) == before
        assert store.db.conn.conn.execute("SELECT count(*) FROM meta WHERE key = 'scratch'").fetchone()[0] == 0
        assert store.audit.verify().ok
    finally:
        store.close()


def test_alongside_runs_even_without_entries(tmp_path: Path) -> None:
    store = _open(tmp_path)
    try:
        calls: list[bool] = []
        assert store.audit.append_many([], alongside=lambda: calls.append(True)) == 0
        assert calls == [True]
    finally:
        store.close()
