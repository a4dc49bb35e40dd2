"""Checking the audit chain (``AuditLog.verify``) and comparing it with the anchors the platform holds.

Kept apart from :mod:`local_cache.audit` (which appends) because a damaged database must never make the check
raise: every read here is guarded, and whatever is wrong comes back as an :class:`AuditReport` with a Chinese
message — a dropped table, an unreadable head, a malformed row, a row slipped in, cut out, edited or moved.

The hash of an entry is one named call (``hasher``, :func:`local_cache.audit.entry_hash` by default), so that a
suite change (HMAC-SM3) swaps it in one place for appending and checking alike.

Locating an insertion or a deletion: the tamperer renumbers the rows after the place (``seq`` is the key), so the
first wrong row's content still hashes with its *original* number ``t``. ``t < seq``: ``seq - t`` rows were slipped
in before it; ``t > seq``: ``t - seq`` rows were cut out — unless the row that belongs here sits elsewhere in the
table (then the rows were reordered).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from local_cache.audit import GENESIS, HEAD_KEY, AuditReport, ProblemKind, entry_hash

Hasher = Callable[[Mapping[str, Any]], str]

COLUMNS = ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash", "hash")
_HASH = re.compile(r"[0-9a-f]{64}")
_HEAD = re.compile(r"(\d{1,18}):([0-9a-f]{64})")
_SHIFT = 64  # how far a renumbered row is looked for, either way (a larger shift reads as an alteration)
# Records that are never written without an audit entry in the same transaction, and how to find that entry.
_RECORD_TABLES = {
    "operators": "操作员 {} 名",
    "cases": "案件 {} 件",
    "status_history": "状态变更 {} 条",
    "verifications": "核验记录 {} 条",
    "outbox": "待同步记录 {} 条",
    "prints": "打印记录 {} 条",
}


def _shown(value: object) -> str:
    """A stored value quoted for a message: control characters escaped, length bounded."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problem(
    kind: ProblemKind, seq: int | None, entries: int, text: str, *, count: int = 1, moved_to: int | None = None
) -> AuditReport:
    where = f"（entry {seq} {kind}）" if seq is not None else f"（{kind}）"
    return AuditReport(
        ok=False, entries=entries, problem=kind, seq=seq, message=f"{text}{where}。", count=count, moved_to=moved_to
    )


@dataclass(frozen=True)
class _Row:
    seq: int
    fields: dict[str, Any]

    @property
    def hash(self) -> str:
        return str(self.fields["hash"])

    @property
    def prev(self) -> str:
        return str(self.fields["prev_hash"])


class _Chain:
    """The rows as stored, with what the walk needs to explain the first wrong one."""

    def __init__(self, rows: list[_Row], hasher: Hasher) -> None:
        self.rows = rows
        self.hasher = hasher
        self.by_prev: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            self.by_prev.setdefault(row.prev, []).append(i)

    def hashes_as(self, i: int, seq: int) -> bool:
        """Whether row ``i``'s content hashes to its stored hash when numbered ``seq``."""
        row = self.rows[i]
        try:
            return self.hasher({**row.fields, "seq": seq}) == row.hash
        except (TypeError, ValueError):
            return False

    def original_seq(self, i: int) -> int | None:
        """The number row ``i`` had when its hash was made (None: its content matches no nearby number)."""
        seq = self.rows[i].seq
        if self.hashes_as(i, seq):
            return seq
        candidates = [seq + d for k in range(1, _SHIFT + 1) for d in (-k, k)]
        if self.rows[i].prev == GENESIS:
            candidates.insert(0, 1)
        return next((c for c in candidates if c >= 1 and self.hashes_as(i, c)), None)

    def holder(self, seq: int, prev_hash: str, *, other_than: int) -> int | None:
        """The row, elsewhere in the table, that was entry ``seq`` (it follows ``prev_hash`` and hashes as ``seq``)."""
        return next(
            (j for j in self.by_prev.get(prev_hash, []) if j != other_than and self.hashes_as(j, seq)),
            None,
        )


def _read_head(conn: sqlite3.Connection) -> tuple[int, str] | AuditReport | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [HEAD_KEY]).fetchone()
    if row is None:
        return None
    match = _HEAD.fullmatch(row[0]) if isinstance(row[0], str) else None
    if match is None:
        text = f"链尾记录（meta.audit_head）已损坏，内容为 {_shown(row[0])}，应为“序号:哈希”：链尾被改写"
        return problem("head", None, 0, text)
    return int(match[1]), match[2]


def _read_rows(conn: sqlite3.Connection) -> list[_Row] | AuditReport:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "audit_log" not in tables:
        return problem("no_chain", None, 0, "审计日志表 audit_log 不存在（被删除），无法证明任何操作的留痕")
    present = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    lacking = [c for c in COLUMNS if c not in present]
    if lacking:
        return problem("unreadable", None, 0, f"审计日志表结构被改动：缺少列 {'、'.join(lacking)}")
    rows: list[_Row] = []
    for position, values in enumerate(conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY seq"), 1):
        fields = dict(zip(COLUMNS, values, strict=True))
        seq = fields["seq"]
        if not isinstance(seq, int):
            text = f"审计日志第 {position} 行的序号 {_shown(seq)} 不是整数：表被重建或该行被篡改"
            return problem("unreadable", None, position, text)
        for name in ("hash", "prev_hash"):
            if not (isinstance(fields[name], str) and _HASH.fullmatch(fields[name])):
                return problem("altered", seq, position, f"第 {seq} 条被篡改（{name} 为 {_shown(fields[name])}）")
        rows.append(_Row(seq, fields))
    return rows


def _unlogged_records(conn: sqlite3.Connection) -> str | None:
    """Records that are always audited when written, but whose audit entry is not in the log."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "cases" in tables:
        row = conn.execute(
            "SELECT case_number, (SELECT COUNT(*) FROM cases c2 WHERE c2.case_number NOT IN"
            " (SELECT case_number FROM audit_log WHERE action = 'case_created' AND case_number IS NOT NULL))"
            " FROM cases WHERE case_number NOT IN"
            " (SELECT case_number FROM audit_log WHERE action = 'case_created' AND case_number IS NOT NULL) LIMIT 1"
        ).fetchone()
        if row is not None:
            return f"案件 {_shown(row[0])} 等 {row[1]} 件的建档记录（case_created）不在审计日志中"
    if "operators" in tables:
        row = conn.execute(
            "SELECT login FROM operators WHERE login NOT IN (SELECT json_extract(detail, '$.login') FROM audit_log"
            " WHERE action = 'operator_added' AND json_valid(detail)) LIMIT 1"
        ).fetchone()
        if row is not None:
            return f"操作员 {_shown(row[0])} 的添加记录（operator_added）不在审计日志中"
    return None


def _record_counts(conn: sqlite3.Connection) -> list[str]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    counts = []
    for table, label in _RECORD_TABLES.items():
        if table in tables:
            n = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if n:
                counts.append(label.format(n))
    return counts


def _walk(chain: _Chain, head_seq: int, head_hash: str) -> AuditReport | None:
    """The first wrong row, explained; None when every row follows its predecessor up to the head."""
    rows = chain.rows
    expected, prev_hash, prev_seq = 1, GENESIS, 0
    for i, row in enumerate(rows):
        count, s = i + 1, row.seq
        if s < 1:
            return problem("inserted", s, count, f"序号 {s} 的条目为插入的伪造条目（序号小于 1，插在第 1 条之前）")
        if s == prev_seq:
            return problem("inserted", s, count, f"第 {s} 条为插入的伪造条目（序号重复）")
        if s > head_seq:
            return problem("inserted", s, count, f"第 {s} 条为插入的伪造条目（超出记录的链尾第 {head_seq} 条）")
        if s > expected:
            moved = chain.holder(expected, prev_hash, other_than=i)
            if moved is not None:
                to = rows[moved].seq
                text = f"第 {expected} 条被移到第 {to} 条的位置（顺序被改动）"
                return problem("reordered", expected, count, text, moved_to=to)
            text = f"第 {expected} 条缺失（被删除）" + (f"，共 {s - expected} 条" if s - expected > 1 else "")
            return problem("missing", expected, count, text, count=s - expected)
        t = chain.original_seq(i)
        if t == s and row.prev == prev_hash:
            expected, prev_hash, prev_seq = s + 1, row.hash, s
            continue
        if t is None:
            # Content that hashes as no nearby number: edited in place — or a forgery slipped in here, which the
            # next row (renumbered to make room, still following our predecessor) gives away.
            if i + 1 < len(rows) and rows[i + 1].prev == prev_hash and chain.hashes_as(i + 1, s):
                return problem("inserted", s, count, f"第 {s} 条为插入的伪造条目")
            return problem("altered", s, count, f"第 {s} 条被篡改")
        if t != s:
            moved = chain.holder(s, prev_hash, other_than=i)
            if moved is not None:
                to = rows[moved].seq
                return problem("reordered", s, count, f"第 {s} 条被移到第 {to} 条的位置（顺序被改动）", moved_to=to)
            if t < s:
                many = f"（第 {t} 至 {s - 1} 条，共 {s - t} 条）" if s - t > 1 else ""
                text = f"第 {t} 条为插入的伪造条目{many}，其后的条目被重新编号"
                return problem("inserted", t, count, text, count=s - t)
            many = f"（原第 {s} 至 {t - 1} 条，共 {t - s} 条）" if t - s > 1 else ""
            text = f"第 {s} 条缺失（被删除）{many}，其后的条目被重新编号"
            return problem("missing", s, count, text, count=t - s)
        # Self-consistent and in its place, but not following its predecessor: that one was edited and re-hashed.
        at = prev_seq or s
        return problem("altered", at, count, f"第 {at} 条被篡改（哈希链断开）")
    last = rows[-1].seq if rows else 0
    if last < head_seq:
        text = f"第 {last + 1} 条缺失（被删除）（链尾条目被删除：链尾记录为第 {head_seq} 条）"
        return problem("missing", last + 1, len(rows), text, count=head_seq - last)
    if prev_hash != head_hash:
        text = f"第 {last} 条与链尾记录（meta.audit_head）不符：该条被改写后重算哈希，或链尾记录被替换"
        return problem("head", last, len(rows), text)
    return None


def verify_chain(conn: sqlite3.Connection, hasher: Hasher = entry_hash) -> AuditReport:
    """The whole check; never raises for what a database may hold (a broken file reads as ``unreadable``)."""
    try:
        return _verify(conn, hasher)
    except (sqlite3.Error, ValueError, TypeError, OverflowError) as exc:
        return problem("unreadable", None, 0, f"审计日志无法读取（{type(exc).__name__}: {_shown(str(exc))}）")


def _verify(conn: sqlite3.Connection, hasher: Hasher) -> AuditReport:
    rows = _read_rows(conn)
    if isinstance(rows, AuditReport):
        if rows.problem == "no_chain" and (counts := _record_counts(conn)):
            text = f"数据库中有{'、'.join(counts)}，但审计日志表 audit_log 不存在（被删除）"
            return problem("no_chain", None, 0, text)
        return rows
    head = _read_head(conn)
    if isinstance(head, AuditReport):
        return head
    if head is None:
        if rows:
            text = f"链尾记录（meta.audit_head）缺失，而审计日志有 {len(rows)} 条：链尾被删除"
            return problem("head", None, len(rows), text)
        if counts := _record_counts(conn):
            text = f"数据库中有{'、'.join(counts)}，但审计日志为空且没有链尾记录：审计链被清除"
            return problem("no_chain", None, 0, text)
        return AuditReport(ok=True, entries=0)
    if not rows:
        text = f"审计日志为空，而链尾记录为第 {head[0]} 条：审计日志被清空"
        return problem("missing", 1, 0, text, count=head[0])
    found = _walk(_Chain(rows, hasher), *head)
    if found is not None:
        return found
    unlogged = _unlogged_records(conn)
    if unlogged is not None:
        text = f"{unlogged}：日志末尾被截断后链尾被重写，或整条链被重建"
        return problem("unlogged", None, len(rows), text)
    return AuditReport(ok=True, entries=len(rows))


@dataclass(frozen=True)
class Anchor:
    """One chain head the platform received from this workstation."""

    seq: int
    hash: str
    received_at: str = ""


def compare_with_anchors(conn: sqlite3.Connection, anchors: Sequence[Anchor], local: AuditReport) -> AuditReport:
    """The local chain (already verified: ``local.ok``) against the platform's anchors, oldest first.

    The chain links every entry to the one before, so a local entry with the anchored hash at the anchored number
    vouches for every entry up to it: a rewrite lies after the last anchor that matches and at or before the first
    one that does not.
    """
    try:
        hashes = dict(conn.execute("SELECT seq, hash FROM audit_log").fetchall())
    except sqlite3.Error as exc:
        return problem("unreadable", None, local.entries, f"审计日志无法读取（{_shown(str(exc))}）")
    good = 0
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq not in hashes:
            text = (
                f"平台于 {anchor.received_at or '此前'} 收到本机的链尾为第 {anchor.seq} 条，本机审计日志只有"
                f" {local.entries} 条：第 {max(good, local.entries) + 1} 条起的条目被删除，链尾被重写"
            )
            return problem("rewritten", max(good, local.entries) + 1, local.entries, text)
        if hashes[anchor.seq] != anchor.hash:
            text = (
                f"第 {anchor.seq} 条与平台于 {anchor.received_at or '此前'} 收到的锚点不符：第 {good + 1} 至"
                f" {anchor.seq} 条之间的条目被改写，其后的整条链与链尾被重算"
            )
            return problem("rewritten", good + 1, local.entries, text, count=anchor.seq - good)
        good = anchor.seq
    return AuditReport(ok=True, entries=local.entries, anchored=good, anchors=len(anchors))
