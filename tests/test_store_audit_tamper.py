"""The audit chain's tamper matrix (issue 14, found-item 5): every way of damaging the table or its head that a
person holding the file could try is reported — never raised — and located where it happened.

A tamperer drops the append-only triggers first. The log holds seven plain entries, then three case creations
(seq 8–10), so that cutting the tail also cuts records the cases table still holds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from local_cache import Store
from local_cache.audit import GENESIS, entry_hash
from tests.store_helpers import DEFAULT_NOW

Hasher = Callable[[Mapping[str, Any]], str]
COLUMNS = ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash", "hash")


@pytest.fixture
def store(store: Store) -> Store:
    for i in range(7):
        store.audit.append("test", actor="clerk1", step=i)
    for _ in range(3):
        store.cases.create(actor="clerk1")
    assert store.audit.verify().ok and store.audit.verify().entries == 10
    return store


def hasher(store: Store) -> Hasher:
    """The store's own entry hash (a tamperer who holds the key file too): SHA-256, or HMAC-SM3 under gm."""
    found: Hasher = getattr(store.audit, "hash_entry", entry_hash)
    return found


def _raw(store: Store) -> sqlite3.Connection:
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return conn


def _row(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    values = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE seq = ?", [seq]).fetchone()
    return dict(zip(COLUMNS, values, strict=True))


def _forged(h: Hasher, seq: int, prev: str, *, valid: bool = True) -> list[Any]:
    row: dict[str, Any] = {
        "seq": seq,
        "at": DEFAULT_NOW.isoformat(),
        "actor": "ghost",
        "action": "test",
        "case_number": None,
        "detail": json.dumps({}),
        "prev_hash": prev,
    }
    return [*row.values(), h(row) if valid else "f" * 64]


def _shift(conn: sqlite3.Connection, first: int, by: int, last: int = 10**6) -> None:
    """Renumber entries ``first``..``last`` by ``by`` (highest first going up, lowest first going down: the key is
    unique)."""
    seqs = [
        r[0] for r in conn.execute("SELECT seq FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq", [first, last])
    ]
    for seq in reversed(seqs) if by > 0 else seqs:
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", [seq + by, seq])


def _set_head(conn: sqlite3.Connection, value: str) -> None:
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", [value])


def _head_to_last(conn: sqlite3.Connection) -> None:
    seq, digest = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    _set_head(conn, f"{seq}:{digest}")


def _insert(conn: sqlite3.Connection, values: list[Any]) -> None:
    conn.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", values)


# -- the table and the head -----------------------------------------------------------------------------------------
def drop_table(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DROP TABLE audit_log")


def garbage_head(c: sqlite3.Connection, h: Hasher) -> None:
    _set_head(c, "garbage\x1b[2J")


def binary_head(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE meta SET value = X'00FF' WHERE key = 'audit_head'")


def missing_head(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM meta WHERE key = 'audit_head'")


def replaced_head(c: sqlite3.Connection, h: Hasher) -> None:
    _set_head(c, f"10:{_row(c, 4)['hash']}")


def rolled_back_head(c: sqlite3.Connection, h: Hasher) -> None:
    _set_head(c, f"5:{_row(c, 5)['hash']}")


def emptied_table(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log")


def emptied_table_and_head(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log")
    missing_head(c, h)


def dropped_and_recreated_empty(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("CREATE TABLE saved AS SELECT * FROM audit_log WHERE 0")
    c.execute("DROP TABLE audit_log")
    c.execute("ALTER TABLE saved RENAME TO audit_log")
    missing_head(c, h)


def tail_cut_head_rewritten(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log WHERE seq >= 9")
    _head_to_last(c)


def column_dropped(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")


def text_keys(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("CREATE TABLE saved (seq TEXT, at, actor, action, case_number, detail, prev_hash, hash)")
    c.execute("INSERT INTO saved SELECT * FROM audit_log")
    c.execute("DROP TABLE audit_log")
    c.execute("ALTER TABLE saved RENAME TO audit_log")
    c.execute("UPDATE audit_log SET seq = 'x' WHERE seq = '2'")


# -- malformed rows -------------------------------------------------------------------------------------------------
def hash_not_hex(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET hash = 'zz' WHERE seq = 3")


def null_prev_hash(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("CREATE TABLE saved AS SELECT * FROM audit_log")
    c.execute("DROP TABLE audit_log")
    c.execute("ALTER TABLE saved RENAME TO audit_log")
    c.execute("UPDATE audit_log SET prev_hash = NULL WHERE seq = 4")


def blob_detail(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET detail = X'FF00' WHERE seq = 5")


def not_utf8_text(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET actor = CAST(X'FFFE' AS TEXT) WHERE seq = 5")


# -- single entries -------------------------------------------------------------------------------------------------
def edited(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")


def edited_and_rehashed(c: sqlite3.Connection, h: Hasher) -> None:
    row = _row(c, 6)
    row["detail"] = json.dumps({"step": 99})
    c.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 6", [row["detail"], h(row)])


def inserted_as_seq_0(c: sqlite3.Connection, h: Hasher) -> None:
    _insert(c, _forged(h, 0, GENESIS))


def inserted_at_the_front(c: sqlite3.Connection, h: Hasher) -> None:
    _shift(c, 1, 1)
    _insert(c, _forged(h, 1, GENESIS))
    _head_to_last(c)


def inserted_between(c: sqlite3.Connection, h: Hasher) -> None:
    _shift(c, 6, 1)
    _insert(c, _forged(h, 6, _row(c, 5)["hash"]))
    _head_to_last(c)


def inserted_between_unhashed(c: sqlite3.Connection, h: Hasher) -> None:
    _shift(c, 6, 1)
    _insert(c, _forged(h, 6, _row(c, 5)["hash"], valid=False))
    _head_to_last(c)


def two_inserted_between(c: sqlite3.Connection, h: Hasher) -> None:
    _shift(c, 6, 2)
    first = _forged(h, 6, _row(c, 5)["hash"])
    _insert(c, first)
    _insert(c, _forged(h, 7, first[-1]))
    _head_to_last(c)


def appended(c: sqlite3.Connection, h: Hasher) -> None:
    _insert(c, _forged(h, 11, _row(c, 10)["hash"]))


def deleted_gap(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log WHERE seq = 3")


def deleted_renumbered(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log WHERE seq = 3")
    _shift(c, 4, -1)
    _head_to_last(c)


def two_deleted_renumbered(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log WHERE seq IN (3, 4)")
    _shift(c, 5, -2)
    _head_to_last(c)


def deleted_tail(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("DELETE FROM audit_log WHERE seq >= 9")


def swapped(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET seq = -3 WHERE seq = 3")
    c.execute("UPDATE audit_log SET seq = 3 WHERE seq = 7")
    c.execute("UPDATE audit_log SET seq = 7 WHERE seq = -3")


def moved_to_the_end(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET seq = 100 WHERE seq = 3")
    _shift(c, 4, -1, last=10)
    c.execute("UPDATE audit_log SET seq = 10 WHERE seq = 100")


def moved_beyond_the_end(c: sqlite3.Connection, h: Hasher) -> None:
    c.execute("UPDATE audit_log SET seq = 11 WHERE seq = 3")
    _set_head(c, f"11:{_row(c, 11)['hash']}")


Tamper = Callable[[sqlite3.Connection, Hasher], None]
# (tamper, problem, seq, what the message must say)
MATRIX: list[tuple[Tamper, str, int | None, str]] = [
    (drop_table, "no_chain", None, "案件 3 件"),
    (garbage_head, "head", None, "'garbage\\x1b[2J'"),
    (binary_head, "head", None, "已损坏"),
    (missing_head, "head", None, "链尾记录（meta.audit_head）缺失"),
    (replaced_head, "head", 10, "链尾记录被替换"),
    (rolled_back_head, "inserted", 6, "超出记录的链尾第 5 条"),
    (emptied_table, "missing", 1, "审计日志被清空"),
    (emptied_table_and_head, "no_chain", None, "审计链被清除"),
    (dropped_and_recreated_empty, "no_chain", None, "状态变更 3 条"),
    (tail_cut_head_rewritten, "unlogged", None, "case_created"),
    (column_dropped, "unreadable", None, "缺少列 prev_hash"),
    (text_keys, "unreadable", None, "不是整数"),
    (hash_not_hex, "altered", 3, "第 3 条被篡改"),
    (null_prev_hash, "altered", 4, "第 4 条被篡改"),
    (blob_detail, "altered", 5, "第 5 条被篡改"),
    (not_utf8_text, "unreadable", None, "无法读取"),
    (edited, "altered", 4, "第 4 条被篡改"),
    (edited_and_rehashed, "altered", 6, "哈希链断开"),
    (inserted_as_seq_0, "inserted", 0, "插在第 1 条之前"),
    (inserted_at_the_front, "inserted", 1, "第 1 条为插入的伪造条目"),
    (inserted_between, "inserted", 6, "第 6 条为插入的伪造条目"),
    (inserted_between_unhashed, "inserted", 6, "第 6 条为插入的伪造条目"),
    (two_inserted_between, "inserted", 6, "第 6 至 7 条，共 2 条"),
    (appended, "inserted", 11, "超出记录的链尾"),
    (deleted_gap, "missing", 3, "第 3 条缺失"),
    (deleted_renumbered, "missing", 3, "重新编号"),
    (two_deleted_renumbered, "missing", 3, "共 2 条"),
    (deleted_tail, "missing", 9, "链尾条目被删除"),
    (swapped, "reordered", 3, "第 3 条被移到第 7 条的位置"),
    (moved_to_the_end, "reordered", 3, "第 3 条被移到第 10 条的位置"),
    (moved_beyond_the_end, "reordered", 3, "第 3 条被移到第 11 条的位置"),
]


@pytest.mark.parametrize(("tamper", "kind", "seq", "text"), MATRIX, ids=[m[0].__name__ for m in MATRIX])
def test_tampering_is_reported_and_located(store: Store, tamper: Tamper, kind: str, seq: int | None, text: str) -> None:
    tamper(_raw(store), hasher(store))
    report = store.audit.verify()  # never raises
    assert (report.ok, report.problem, report.seq) == (False, kind, seq), report.message
    assert text in report.render()
    assert report.render().startswith("审计日志校验失败：")


def test_an_empty_new_database_is_intact(tmp_path: Any) -> None:
    with Store.open(tmp_path / "n.db", tmp_path / "n.key", workstation_id="QD01", scrypt_n=2**10) as fresh:
        report = fresh.audit.verify()
    assert report.ok and report.entries == 0


def test_the_head_is_the_newest_entry(store: Store) -> None:
    seq, digest = store.audit.head() or (0, "")
    assert seq == 10 and digest == _row(_raw(store), 10)["hash"]


def test_a_whole_chain_rewrite_is_undetectable_locally(store: Store) -> None:
    """Why the platform holds anchors: every entry re-hashed from an edit on and the head rewritten passes here."""
    rewrite_chain(_raw(store), hasher(store), edit_seq=2)
    assert store.audit.verify().ok


def rewrite_chain(conn: sqlite3.Connection, h: Hasher, *, edit_seq: int) -> None:
    """Edit entry ``edit_seq`` and re-hash it and every later entry, then the head: consistent throughout."""
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = GENESIS if edit_seq == 1 else _row(conn, edit_seq - 1)["hash"]
    for (seq,) in conn.execute("SELECT seq FROM audit_log WHERE seq >= ? ORDER BY seq", [edit_seq]).fetchall():
        row = _row(conn, seq)
        row["prev_hash"] = prev
        if seq == edit_seq:
            row["actor"] = "someone-else"
        row["hash"] = prev = h(row)
        conn.execute(
            "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            [row["actor"], row["prev_hash"], row["hash"], seq],
        )
    _head_to_last(conn)
