"""Review flags (复核提示): a lookup answered after acceptance disagrees with what the case was accepted on.

Nothing in an accepted case is changed by a late answer; instead a flag says what changed and what the clerk must
do, and stays on the home screen until someone resolves it (audited). Flags carry no personal data: the registry,
the two outcomes and a fixed instruction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from local_cache.audit import Action, AuditLog
from local_cache.cases import Cases
from local_cache.db import Database
from local_cache.errors import NotFoundError


@dataclass(frozen=True)
class ReviewFlag:
    id: int
    case_id: str
    kind: str
    outcome_before: str
    outcome_after: str
    message: str
    action: str
    request_id: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


def _flag(r: dict[str, Any]) -> ReviewFlag:
    return ReviewFlag(
        id=int(r["id"]),
        case_id=r["case_id"],
        kind=r["kind"],
        outcome_before=r["outcome_before"],
        outcome_after=r["outcome_after"],
        message=r["message"],
        action=r["action"],
        request_id=r["request_id"],
        created_at=datetime.fromisoformat(r["created_at"]),
        resolved_at=datetime.fromisoformat(r["resolved_at"]) if r["resolved_at"] else None,
        resolved_by=r["resolved_by"],
        resolution=r["resolution"],
    )


class ReviewFlags:
    """``store.flags``: raise, list and resolve review flags."""

    def __init__(self, db: Database, audit: AuditLog, cases: Cases, clock: Callable[[], datetime]) -> None:
        self._db, self._audit, self._cases, self._clock = db, audit, cases, clock

    def raise_flag(
        self,
        case_id: str,
        kind: str,
        *,
        before: str,
        after: str,
        message: str,
        action: str,
        request_id: str,
        actor: str,
    ) -> ReviewFlag:
        """Idempotent per request id: the same late answer raises one flag however often it is replayed."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO review_flags (case_id, kind, outcome_before, outcome_after, message, action, request_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
                [case_id, kind, before, after, message, action, request_id, self._clock().isoformat()],
            )
            self._audit.append(
                Action.REVIEW_FLAG,
                actor=actor,
                case_number=self._cases.case_number_of(case_id),
                kind=kind,
                before=before,
                after=after,
            )
        return self.by_request(request_id)

    def by_request(self, request_id: str) -> ReviewFlag:
        rows = list(self._db.conn.query("SELECT * FROM review_flags WHERE request_id = ?", [request_id]))
        if not rows:
            raise NotFoundError(f"复核提示 {request_id} 不存在。")
        return _flag(rows[0])

    def open_flags(self, case_id: str | None = None) -> list[ReviewFlag]:
        sql = "SELECT * FROM review_flags WHERE resolved_at IS NULL"
        params: list[Any] = []
        if case_id is not None:
            sql += " AND case_id = ?"
            params.append(case_id)
        return [_flag(r) for r in self._db.conn.query(sql + " ORDER BY created_at, id", params)]

    def resolve(self, flag_id: int, *, actor: str, resolution: str) -> ReviewFlag:
        with self._db.write() as conn:
            row = conn.conn.execute("SELECT case_id FROM review_flags WHERE id = ?", [flag_id]).fetchone()
            if row is None:
                raise NotFoundError(f"复核提示 {flag_id} 不存在。")
            conn.execute(
                "UPDATE review_flags SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                [self._clock().isoformat(), actor, resolution, flag_id],
            )
            self._audit.append(
                Action.REVIEW_RESOLVED, actor=actor, case_number=self._cases.case_number_of(str(row[0])), flag=flag_id
            )
        rows = list(self._db.conn.query("SELECT * FROM review_flags WHERE id = ?", [flag_id]))
        return _flag(rows[0])
