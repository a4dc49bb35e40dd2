"""The sync outbox and the print log.

Outbox: one entry per (case, version) — the full case to ``PUT`` to the back office. Enqueueing the same version
twice is one entry (the platform contract is idempotent on case + version too). Entries move
``pending -> sent``, or back to ``pending`` with ``attempts + 1`` and a later ``next_attempt_at`` after a failure,
or to ``dead`` after too many attempts; every move is audited as a sync event. The payload is encrypted.

Print log: every print of a document for a case; a second print of the same document is a reprint and needs a
reason. Both are audited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from local_cache.audit import Action, AuditLog
from local_cache.cases import Cases
from local_cache.crypto import KeyRing
from local_cache.db import Database
from local_cache.errors import NotFoundError, ValidationError

# The entries a drain may send now: due, pending, at most one per case, the lowest version not yet through (a lower
# one pending, parked as a conflict or dead holds it back: version N+1 never reaches the platform before N), oldest
# first. Parameters: now (ISO), the ids to leave out (a JSON array, bulk_sql.id_list), the limit. One rule for
# SyncLedger.next_batch and SyncBulk.due_rows (the drain's read in its store thread).
DUE_ENTRIES = (
    "SELECT o.* FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ? "
    "AND o.id NOT IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM outbox p "
    "WHERE p.case_id = o.case_id AND p.version < o.version AND p.state NOT IN ('sent', 'discarded')) "
    "ORDER BY o.next_attempt_at, o.id LIMIT ?"
)


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    case_id: str
    version: int
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class OutboxStatus:
    """One outbox entry as the sync screen lists it (no payload)."""

    id: int
    case_id: str
    case_number: str
    version: int
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PrintLogEntry:
    """One row of the print log: who printed which document of a case, when, and why if it was a reprint.

    Not :class:`printouts.spool.PrintRecord`, which is what a print produced (file, warnings, printer message).
    """

    id: int
    case_id: str
    document: str
    actor: str
    printed_at: datetime
    is_reprint: bool
    reason: str | None
    job_id: str | None = None
    printer_state: str | None = None  # None: no printer; "completed" is the only state that means printed
    printer_message: str | None = None


class Outbox:
    def __init__(
        self,
        db: Database,
        keys: KeyRing,
        audit: AuditLog,
        cases: Cases,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 20,
    ) -> None:
        self._db, self._keys, self._audit, self._cases, self._clock = db, keys, audit, cases, clock
        self.max_attempts = max_attempts

    def entry_of(self, r: Mapping[str, Any]) -> OutboxEntry:
        """An entry from a whole ``outbox`` row (the sync ledger reads a batch of them in one query)."""
        return self._entry(r)

    def _entry(self, r: Mapping[str, Any]) -> OutboxEntry:
        return OutboxEntry(
            id=int(r["id"]),
            case_id=r["case_id"],
            version=int(r["version"]),
            payload=self._keys.decrypt_json(r["payload_enc"], f"outbox.payload:{r['case_id']}:{r['version']}"),
            state=r["state"],
            attempts=int(r["attempts"]),
            next_attempt_at=datetime.fromisoformat(r["next_attempt_at"]),
            last_error=r["last_error"],
        )

    def get(self, entry_id: int) -> OutboxEntry:
        rows = list(self._db.conn.query("SELECT * FROM outbox WHERE id = ?", [entry_id]))
        if not rows:
            raise NotFoundError(f"待同步记录 {entry_id} 不存在。")
        return self._entry(rows[0])

    def entries(self, *, limit: int = 500) -> list[OutboxStatus]:
        """Every entry's state for the sync screen, newest first, without decrypting payloads."""
        sql = (
            "SELECT o.id, o.case_id, c.case_number, o.version, o.state, o.attempts, o.next_attempt_at, o.last_error, "
            "o.updated_at FROM outbox o JOIN cases c ON c.id = o.case_id ORDER BY o.updated_at DESC, o.id DESC LIMIT ?"
        )
        return [
            OutboxStatus(
                id=int(r["id"]),
                case_id=r["case_id"],
                case_number=r["case_number"],
                version=int(r["version"]),
                state=r["state"],
                attempts=int(r["attempts"]),
                next_attempt_at=datetime.fromisoformat(r["next_attempt_at"]),
                last_error=r["last_error"],
                updated_at=datetime.fromisoformat(r["updated_at"]),
            )
            for r in self._db.conn.query(sql, [limit])
        ]

    def retry_now(self) -> int:
        """Manual retry from the sync screen: every waiting or given-up entry becomes due now."""
        now = self._clock().isoformat()
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? "
                "WHERE state IN ('pending', 'dead')",
                [now, now],
            )
            return int(cursor.rowcount)

    def enqueue(self, case_id: str, version: int, payload: Mapping[str, Any], *, actor: str) -> OutboxEntry:
        now = self._clock().isoformat()
        with self._db.write() as conn:
            number = self._cases.case_number_of(case_id)
            row = conn.conn.execute(
                "SELECT id FROM outbox WHERE case_id = ? AND version = ?", [case_id, version]
            ).fetchone()
            if row is not None:
                return self.get(int(row[0]))
            entry_id = (
                conn.table("outbox")
                .insert(
                    {
                        "case_id": case_id,
                        "version": version,
                        "payload_enc": self._keys.encrypt_json(dict(payload), f"outbox.payload:{case_id}:{version}"),
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "last_error": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                .last_pk
            )
            assert entry_id is not None
            self._audit.append(Action.SYNC_QUEUED, actor=actor, case_number=number, version=version)
        return self.get(int(entry_id))

    def due(self, *, limit: int = 50) -> list[OutboxEntry]:
        """Pending entries whose next attempt time has come, oldest first."""
        return [
            self._entry(r)
            for r in self._db.conn.query(
                "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
                "LIMIT ?",
                [self._clock().isoformat(), limit],
            )
        ]

    def counts(self) -> dict[str, int]:
        """Entries per state, for the home screen's outbox indicator."""
        rows = self._db.conn.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}

    def mark_sent(self, entry_id: int, *, actor: str = "sync") -> None:
        entry = self.get(entry_id)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'sent', updated_at = ?, last_error = NULL WHERE id = ?",
                [self._clock().isoformat(), entry_id],
            )
            self._audit.append(
                Action.SYNC_SENT,
                actor=actor,
                case_number=self._cases.case_number_of(entry.case_id),
                version=entry.version,
            )

    def mark_failed(self, entry_id: int, error: str, *, retry_in: timedelta, actor: str = "sync") -> OutboxEntry:
        """Record a failed attempt; the entry is retried after ``retry_in`` or becomes ``dead``."""
        entry = self.get(entry_id)
        now = self._clock()
        attempts = entry.attempts + 1
        state = "dead" if attempts >= self.max_attempts else "pending"
        with self._db.write() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? "
                "WHERE id = ?",
                [state, attempts, (now + retry_in).isoformat(), error[:500], now.isoformat(), entry_id],
            )
            # The error text stays in the outbox row only: it may echo personal data from a server response.
            self._audit.append(
                Action.SYNC_FAILED,
                actor=actor,
                case_number=self._cases.case_number_of(entry.case_id),
                version=entry.version,
                attempts=attempts,
                state=state,
            )
        return self.get(entry_id)


class PrintLog:
    def __init__(self, db: Database, audit: AuditLog, cases: Cases, clock: Callable[[], datetime]) -> None:
        self._db, self._audit, self._cases, self._clock = db, audit, cases, clock

    def record(
        self,
        case_id: str,
        document: str,
        *,
        actor: str,
        reason: str | None = None,
        job_id: str | None = None,
        printer_state: str | None = None,
        printer_message: str | None = None,
    ) -> PrintLogEntry:
        """Log a print; a repeated print of the same document is a reprint and must give a reason."""
        with self._db.write() as conn:
            number = self._cases.case_number_of(case_id)
            earlier = conn.conn.execute(
                "SELECT count(*) FROM prints WHERE case_id = ? AND document = ?", [case_id, document]
            ).fetchone()[0]
            is_reprint = int(earlier) > 0
            if is_reprint and not (reason and reason.strip()):
                raise ValidationError(f"“{document}”已打印过，重新打印必须填写补打原因。")
            conn.table("prints").insert(
                {
                    "case_id": case_id,
                    "document": document,
                    "actor": actor,
                    "printed_at": self._clock().isoformat(),
                    "is_reprint": int(is_reprint),
                    "reason": reason.strip() if reason else None,
                    "job_id": job_id,
                    "printer_state": printer_state,
                    "printer_message": printer_message,
                }
            )
            self._audit.append(
                Action.REPRINT if is_reprint else Action.PRINT, actor=actor, case_number=number, document=document
            )
        return self.prints(case_id)[-1]

    def settle(self, case_id: str, job_id: str, *, printer_state: str, printer_message: str | None) -> int:
        """What the printer finally did with a logged job (followed after lp queued it); returns rows changed."""
        with self._db.write() as conn:
            cursor = conn.conn.execute(
                "UPDATE prints SET printer_state = ?, printer_message = ? WHERE case_id = ? AND job_id = ?",
                [printer_state, printer_message, case_id, job_id],
            )
            return int(cursor.rowcount)

    def prints(self, case_id: str) -> list[PrintLogEntry]:
        return [
            PrintLogEntry(
                int(r["id"]),
                r["case_id"],
                r["document"],
                r["actor"],
                datetime.fromisoformat(r["printed_at"]),
                bool(r["is_reprint"]),
                r["reason"],
                r["job_id"],
                r["printer_state"],
                r["printer_message"],
            )
            for r in self._db.conn.query("SELECT * FROM prints WHERE case_id = ? ORDER BY id", [case_id])
        ]
