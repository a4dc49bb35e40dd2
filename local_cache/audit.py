"""The audit log (全程留痕): append-only, hash-chained, verifiable.

Each entry has a sequence number ``seq`` (1, 2, 3 ...), and ``hash = sha256(canonical JSON of {seq, at, actor,
action, case_number, detail, prev_hash})`` where ``prev_hash`` is the previous entry's hash (64 zeros for the
first). The newest ``seq:hash`` is also kept in ``meta`` (the head), updated in the same transaction, so cutting
entries off the end or appending forged ones is detected too.

No personal data in clear: entries carry case numbers, operator logins, kinds, outcomes and references; people are
referred to only by keyed hashes. :func:`guard_detail` refuses values that look like an ID number, a mobile number
or a card number, as a safety net against a caller passing one by mistake.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from local_cache.bulk_sql import insert_rows
from local_cache.db import Database
from local_cache.errors import ValidationError

GENESIS = "0" * 64
HEAD_KEY = "audit_head"

_PERSONAL_PATTERNS = (
    re.compile(r"\d{17}[\dXx]"),  # resident ID number
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile number
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # bank card number
)

_HEX_DIGEST = re.compile(r"[0-9a-f]{32,}")
# Request ids are UUIDs: their last group may hold 11 digits that read like a mobile number ("c14503721761").
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# altered/inserted/missing/reordered: one entry; head: meta.audit_head missing, unreadable or not the last entry;
# no_chain: the table is gone or emptied while records exist; unlogged: records whose audit entry is not in the
# chain; unreadable: the table or a row cannot be read; rewritten: the chain differs from the platform's anchors.
ProblemKind = Literal[
    "altered", "inserted", "missing", "reordered", "head", "no_chain", "unlogged", "unreadable", "rewritten"
]


class Action:
    """The action names written to the log (stable strings: reports and the back office read them)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    UNLOCK = "unlock"
    LOGOUT = "logout"
    OPERATOR_ADDED = "operator_added"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    CASE_CREATED = "case_created"
    STATUS_CHANGED = "status_changed"
    LOOKUP = "lookup"
    PRINT = "print"
    REPRINT = "reprint"
    SYNC_QUEUED = "sync_queued"
    SYNC_SENT = "sync_sent"
    SYNC_FAILED = "sync_failed"
    SUPERVISOR_OVERRIDE = "supervisor_override"
    SHORTFALL_OVERDUE = "shortfall_overdue"
    REVIEW_FLAG = "review_flag"
    REVIEW_RESOLVED = "review_resolved"
    STORE_REKEYED = "store_rekeyed"


# One encoder for every entry: json.dumps with these options builds a new one per call (a bulk append hashes
# thousands of entries). Same output as json.dumps(value, ensure_ascii=False, sort_keys=True, ...).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical_json(value: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(value)


_BODY_KEYS = ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash")
# What the encoder above writes a str with (ensure_ascii=False); the fast body below must use the very same.
_STR = json.encoder.encode_basestring


def entry_body(row: Mapping[str, Any]) -> bytes:
    """The canonical body an entry's hash is taken over: ``canonical_json`` of every field except ``hash``.

    The one definition for appending and verifying. The usual types (int seq, str fields, a None or str case
    number) are written straight into the sorted-key template, byte for byte what ``canonical_json`` gives
    (tests/test_audit_fast_body.py): a pull of 10,000 moves spent more in the generic encoder than in the
    hash. Any other type goes through ``canonical_json`` itself."""
    seq, at, actor, action = row["seq"], row["at"], row["actor"], row["action"]
    number, detail, prev = row["case_number"], row["detail"], row["prev_hash"]
    if (
        type(seq) is int
        and type(at) is str
        and type(actor) is str
        and type(action) is str
        and (number is None or type(number) is str)
        and type(detail) is str
        and type(prev) is str
    ):
        case = "null" if number is None else _STR(number)
        return (
            f'{{"action":{_STR(action)},"actor":{_STR(actor)},"at":{_STR(at)},"case_number":{case},'
            f'"detail":{_STR(detail)},"prev_hash":{_STR(prev)},"seq":{seq}}}'
        ).encode()
    return canonical_json({k: row[k] for k in _BODY_KEYS}).encode()


def entry_hash(row: Mapping[str, Any], digest: Callable[[bytes], str] | None = None) -> str:
    """The hash of one entry: over every field except ``hash`` itself (``prev_hash`` included).

    ``digest`` hashes the canonical body (:func:`entry_body`); SHA-256 (the intl suite) unless the store's chain
    gives its own (local_cache/audit_chain.py: HMAC-SM3 under the gm suite).
    """
    data = entry_body(row)
    return digest(data) if digest is not None else hashlib.sha256(data).hexdigest()


def guard_detail(detail: Mapping[str, Any]) -> None:
    """Refuse detail values that look like personal data (ID, mobile or card number)."""
    for key, value in detail.items():
        if isinstance(value, Mapping):
            guard_detail(value)
            continue
        text = str(value)
        if _HEX_DIGEST.fullmatch(text):
            continue  # keyed hashes are long hex strings and may contain long digit runs by chance
        text = _UUID.sub("-", text)  # ids are not personal data; what is around them is still checked
        if any(p.search(text) for p in _PERSONAL_PATTERNS):
            raise ValidationError(
                f"审计日志字段“{key}”疑似包含个人信息（证件号、手机号或卡号），日志中只能记录其密钥哈希。"
            )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    case_number: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditReport:
    """The result of :meth:`AuditLog.verify` (local_cache/audit_verify.py); ``problem``/``seq`` name the first bad
    entry (``seq`` None when the problem is the table or the head as a whole), ``count`` how many entries it spans,
    ``moved_to`` where a moved entry sits now. ``anchored``/``anchors``: after a comparison with the platform,
    the newest anchored entry that matched and how many anchors the platform holds."""

    ok: bool
    entries: int
    problem: ProblemKind | None = None
    seq: int | None = None
    message: str = ""
    count: int = 1
    moved_to: int | None = None
    anchored: int | None = None
    anchors: int | None = None

    def render(self) -> str:
        """One line for ``counter audit verify``."""
        if not self.ok:
            return f"审计日志校验失败：{self.message}"
        if self.message:  # intact, with a remark (e.g. not compared with the platform)
            return self.message
        if self.anchors is None:
            return f"审计日志完整：共 {self.entries} 条，哈希链校验通过。"
        later = self.entries - (self.anchored or 0)
        tail = f"；其后 {later} 条尚未锚定（下次同步时锚定）" if later > 0 else ""
        return (
            f"审计日志完整：共 {self.entries} 条，哈希链校验通过；与平台保存的 {self.anchors} 个锚点一致"
            f"（已锚定至第 {self.anchored or 0} 条{tail}）。"
        )

    def as_json(self) -> dict[str, Any]:
        """``counter audit verify --json`` (docs/cli.md)."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "problem": self.problem,
            "seq": self.seq,
            "count": self.count if self.problem else 0,
            "moved_to": self.moved_to,
            "anchored": self.anchored,
            "anchors": self.anchors,
            "message": self.render(),
        }


#: From this many entries on, ``append_many(alongside=...)`` hashes in a helper thread (a sync round's commits of
#: a few hundred are not worth a thread hop; a pull's thousands are).
OVERLAP_MIN = 2000
_HASHER: list[ThreadPoolExecutor] = []


def _hasher() -> ThreadPoolExecutor:
    """The helper thread of ``append_many``, started on first use (most processes never need it)."""
    if not _HASHER:
        _HASHER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-hash"))
    return _HASHER[0]


class AuditLog:
    """Append and verify; appends join the caller's write transaction when there is one."""

    def __init__(
        self, db: Database, clock: Callable[[], datetime], hash_entry: Callable[[Mapping[str, Any]], str] | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        # The store's suite decides how entries are hashed (audit_chain.AuditChain); plain SHA-256 without one.
        self.hash_entry: Callable[[Mapping[str, Any]], str] = hash_entry or entry_hash

    def append(self, action: str, *, actor: str, case_number: str | None = None, **detail: Any) -> AuditEntry:
        guard_detail(detail)
        with self._db.write() as conn:
            last = conn.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
            row: dict[str, Any] = {
                "seq": seq,
                "at": self._clock().isoformat(),
                "actor": actor,
                "action": action,
                "case_number": case_number,
                "detail": canonical_json(detail),
                "prev_hash": prev,
            }
            row["hash"] = self.hash_entry(row)
            conn.table("audit_log").insert(row)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [HEAD_KEY, f"{seq}:{row['hash']}"],
            )
        return AuditEntry(**{**row, "detail": dict(detail)})

    def append_many(
        self,
        entries: Sequence[tuple[str, str, str | None, Mapping[str, Any]]],
        *,
        alongside: Callable[[], None] | None = None,
    ) -> int:
        """``(action, actor, case_number, detail)`` entries chained in order: the same rows as that many
        :meth:`append` calls, with one read of the head and one insert statement — a sync round's hundreds of
        acknowledgements, or a pull's thousands of status moves, would otherwise spend most of their time here.
        Returns the newest ``seq`` (0 when ``entries`` is empty).

        ``alongside``: more writes of the same transaction, made after the head is read and before the entries
        are inserted. From :data:`OVERLAP_MIN` entries on, the entries are hashed in a helper thread meanwhile:
        a single long statement (a pull's UPDATE of thousands of cases) runs in SQLite without the GIL, so the
        hashing costs no time of its own. Only single statements belong there: a statement stepped row by row
        (executemany) hands the GIL back and forth with the hashing at every row."""
        if not entries:
            if alongside is not None:
                alongside()
            return 0
        # Bulk callers share one detail object between many entries (every case moved the same way): encoded once.
        encoded: dict[int, str] = {}
        texts = [encoded.get(id(d)) or encoded.setdefault(id(d), canonical_json(d)) for *_, d in entries]
        checked: set[str] = set()
        for text, (*_, detail) in zip(texts, entries, strict=True):
            if text not in checked:  # a pull's thousands of moves have a handful of distinct details
                guard_detail(detail)
                checked.add(text)
        at = self._clock().isoformat()
        with self._db.write() as conn:
            last = conn.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            head = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
            if alongside is None:
                rows = self._chain(head, at, texts, entries)
            elif len(entries) < OVERLAP_MIN:
                alongside()
                rows = self._chain(head, at, texts, entries)
            else:
                hashing = _hasher().submit(self._chain, head, at, texts, entries)
                try:
                    alongside()
                finally:
                    rows = hashing.result()  # never leave the helper running past the transaction
            seq, prev = rows[-1][0], rows[-1][-1]
            insert_rows(
                conn.conn,
                "audit_log",
                ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash", "hash"),
                rows,
            )
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [HEAD_KEY, f"{seq}:{prev}"],
            )
        return seq

    def _chain(
        self,
        head: tuple[int, str],
        at: str,
        texts: Sequence[str],
        entries: Sequence[tuple[str, str, str | None, Mapping[str, Any]]],
    ) -> list[tuple[Any, ...]]:
        """The rows of ``entries`` chained after ``head`` (``seq``, ``hash``), hashes included."""
        seq, prev = head
        rows: list[tuple[Any, ...]] = []
        hash_entry = self.hash_entry
        for text, (action, actor, case_number, _) in zip(texts, entries, strict=True):
            seq += 1
            body = {"seq": seq, "at": at, "actor": actor, "action": action, "case_number": case_number, "detail": text}
            body["prev_hash"] = prev
            digest = hash_entry(body)
            rows.append((seq, at, actor, action, case_number, text, prev, digest))
            prev = digest
        return rows

    def entries(self, *, case_number: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        sql = "SELECT * FROM audit_log"
        params: list[Any] = []
        if case_number is not None:
            sql += " WHERE case_number = ?"
            params.append(case_number)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        return [AuditEntry(**{**row, "detail": json.loads(row["detail"])}) for row in self._db.conn.query(sql, params)][
            ::-1
        ]

    def head(self) -> tuple[int, str] | None:
        """The newest entry's ``(seq, hash)``, for the platform's anchor (None when the log is empty or unreadable)."""
        try:
            row = self._db.conn.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else (int(row[0]), str(row[1]))

    def verify(self) -> AuditReport:
        """Walk the chain; name the first altered, inserted, missing or moved entry. Never raises: a damaged
        table or head is a report too (local_cache/audit_verify.py)."""
        from local_cache.audit_verify import verify_chain  # that module imports this one

        return verify_chain(self._db.conn.conn, self.hash_entry)
