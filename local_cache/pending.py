"""Lookups queued while the verification gateway was unreachable, to be sent again once it is back.

One row per lookup request, keyed by its request id (UNIQUE): queueing the same request twice is one row, so a
lookup queued again during a replay that failed halfway stays one entry. The request itself names the subject
(name, ID number), so it is stored encrypted (``request_enc``, associated data ``pending_lookups.request:<id>``);
this layer treats it as opaque JSON text and knows nothing of the gateway's models.

Rows move ``queued -> done`` (the replay got an answer that is no longer pending); ``attempts`` counts replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from local_cache.cases import Cases
from local_cache.crypto import KeyRing
from local_cache.db import Database
from local_cache.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class PendingLookup:
    id: int
    case_id: str
    kind: str
    request_json: str
    request_id: str
    queued_at: datetime
    state: str
    attempts: int
    done_at: datetime | None


def _context(request_id: str) -> str:
    return f"pending_lookups.request:{request_id}"


class PendingLookups:
    """``store.pending``: queue, list and close lookups waiting for the gateway."""

    def __init__(self, db: Database, keys: KeyRing, cases: Cases, clock: Callable[[], datetime]) -> None:
        self._db, self._keys, self._cases, self._clock = db, keys, cases, clock

    def _row(self, r: dict[str, Any]) -> PendingLookup:
        return PendingLookup(
            id=int(r["id"]),
            case_id=r["case_id"],
            kind=r["kind"],
            request_json=self._keys.decrypt(r["request_enc"], _context(r["request_id"])).decode("utf-8"),
            request_id=r["request_id"],
            queued_at=datetime.fromisoformat(r["queued_at"]),
            state=r["state"],
            attempts=int(r["attempts"]),
            done_at=datetime.fromisoformat(r["done_at"]) if r["done_at"] else None,
        )

    def get(self, request_id: str) -> PendingLookup:
        rows = list(self._db.conn.query("SELECT * FROM pending_lookups WHERE request_id = ?", [request_id]))
        if not rows:
            raise NotFoundError(f"排队核验请求 {request_id} 不存在。")
        return self._row(rows[0])

    def queue(self, case_id: str, kind: str, request_json: str, request_id: str) -> PendingLookup:
        """Queue a lookup (idempotent by ``request_id``: an existing row is returned unchanged)."""
        if not request_id.strip():
            raise ValidationError("排队核验请求：请求编号为空，应为请求的 UUID。")
        with self._db.write() as conn:
            self._cases.case_number_of(case_id)  # NotFoundError for an unknown case, before anything is written
            conn.execute(
                "INSERT INTO pending_lookups (case_id, kind, request_enc, request_id, queued_at, state, attempts) "
                "VALUES (?, ?, ?, ?, ?, 'queued', 0) ON CONFLICT (request_id) DO NOTHING",
                [
                    case_id,
                    kind,
                    self._keys.encrypt(request_json.encode("utf-8"), _context(request_id)),
                    request_id,
                    self._clock().isoformat(),
                ],
            )
        return self.get(request_id)

    def queued(self, limit: int = 100) -> list[PendingLookup]:
        """Lookups still waiting, oldest first."""
        return [
            self._row(r)
            for r in self._db.conn.query(
                "SELECT * FROM pending_lookups WHERE state = 'queued' ORDER BY queued_at, id LIMIT ?", [limit]
            )
        ]

    def count(self) -> int:
        """How many lookups are waiting (the home screen's indicator)."""
        row = self._db.conn.conn.execute("SELECT count(*) FROM pending_lookups WHERE state = 'queued'").fetchone()
        return int(row[0])

    def attempted(self, request_id: str) -> None:
        """Count one replay of a queued lookup."""
        with self._db.write() as conn:
            conn.execute("UPDATE pending_lookups SET attempts = attempts + 1 WHERE request_id = ?", [request_id])

    def done(self, request_id: str) -> bool:
        """Mark a lookup answered; returns False when it was not queued (unknown or already done)."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE pending_lookups SET state = 'done', done_at = ? WHERE request_id = ? AND state = 'queued'",
                [self._clock().isoformat(), request_id],
            )
            return bool(cursor.rowcount)
