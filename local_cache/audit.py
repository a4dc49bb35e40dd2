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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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

ProblemKind = Literal["altered", "inserted", "missing"]


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


def canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(row: Mapping[str, Any]) -> str:
    """The hash of one entry: over every field except ``hash`` itself (``prev_hash`` included)."""
    body = {k: row[k] for k in ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash")}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


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
    """The result of :meth:`AuditLog.verify`; ``problem``/``seq`` name the first bad entry."""

    ok: bool
    entries: int
    problem: ProblemKind | None = None
    seq: int | None = None
    message: str = ""

    def render(self) -> str:
        """One line for ``counter audit verify``."""
        if self.ok:
            return f"审计日志完整：共 {self.entries} 条，哈希链校验通过。"
        return f"审计日志校验失败：{self.message}"


_PROBLEM_ZH = {"altered": "被篡改", "inserted": "为插入的伪造条目", "missing": "缺失（被删除）"}


def _problem(kind: ProblemKind, seq: int, entries: int, extra: str = "") -> AuditReport:
    message = f"第 {seq} 条{_PROBLEM_ZH[kind]}{extra}（entry {seq} {kind}）。"
    return AuditReport(ok=False, entries=entries, problem=kind, seq=seq, message=message)


class AuditLog:
    """Append and verify; appends join the caller's write transaction when there is one."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

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
            row["hash"] = entry_hash(row)
            conn.table("audit_log").insert(row)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [HEAD_KEY, f"{seq}:{row['hash']}"],
            )
        return AuditEntry(**{**row, "detail": dict(detail)})

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

    def verify(self) -> AuditReport:
        """Walk the chain; name the first altered, inserted or missing entry."""
        conn = self._db.conn
        head_row = conn.conn.execute("SELECT value FROM meta WHERE key = ?", [HEAD_KEY]).fetchone()
        head_seq, head_hash = (0, GENESIS) if head_row is None else (int(head_row[0].split(":")[0]), head_row[0][-64:])
        expected, prev_hash, prev_seq, count = 1, GENESIS, 0, 0
        for row in conn.query("SELECT * FROM audit_log ORDER BY seq"):
            count += 1
            seq = int(row["seq"])
            if seq > head_seq:
                return _problem("inserted", seq, count, "（超出记录的链尾）")
            if seq > expected:
                return _problem("missing", expected, count)
            if entry_hash(row) != row["hash"]:
                shifted = {**row, "seq": seq - 1}
                if seq > 1 and entry_hash(shifted) == row["hash"]:
                    # This entry was renumbered one up: something was slipped in before it.
                    return _problem("inserted", seq - 1, count)
                return _problem("altered", seq, count)
            if row["prev_hash"] != prev_hash:
                # This entry is self-consistent but does not follow its predecessor: the predecessor was altered
                # and re-hashed, or this entry was forged on top of another chain.
                return _problem("altered", prev_seq or seq, count, "（哈希链断开）")
            expected, prev_hash, prev_seq = seq + 1, row["hash"], seq
        if prev_seq < head_seq:
            return _problem("missing", prev_seq + 1, count, "（链尾条目被删除）")
        if prev_hash != head_hash:
            return _problem("altered", prev_seq, count, "（与记录的链尾不符）")
        return AuditReport(ok=True, entries=count)
