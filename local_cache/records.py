"""What a case collects: checklist lines, shortfalls (容缺), verification records and the verification cache.

Verification data returned by a registry is personal data: it is stored encrypted. Every recorded lookup is
written to the audit log with who, when, case number, kind, outcome and authorization reference — never the
subject or the returned data. The cache maps (case, kind, keyed hash of the subject) to the last definitive
answer until its TTL runs out, so the same lookup for the same case is not sent twice within it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from forms.vocabulary import MaterialStatus, ShortfallStatus, VerificationKind, VerificationOutcome
from local_cache.audit import Action, AuditLog
from local_cache.cases import Cases
from local_cache.crypto import KeyRing
from local_cache.db import Database
from local_cache.errors import NotFoundError

# Only answers that say something about the subject are cached; unavailable/pending must be retried.
_CACHEABLE = frozenset({VerificationOutcome.MATCH, VerificationOutcome.MISMATCH, VerificationOutcome.NOT_FOUND})


@dataclass(frozen=True)
class ChecklistLine:
    material_code: str
    status: MaterialStatus
    detail: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class Shortfall:
    id: int
    case_id: str
    material_code: str
    status: ShortfallStatus
    due_date: date
    commitment_ref: str | None
    created_at: datetime
    fulfilled_at: datetime | None


@dataclass(frozen=True)
class VerificationRecord:
    id: int
    case_id: str
    kind: VerificationKind
    outcome: VerificationOutcome
    data: dict[str, Any]
    source: str
    checked_at: datetime
    request_id: str
    authorization_ref: str | None
    actor: str


def _shortfall(row: Mapping[str, Any]) -> Shortfall:
    return Shortfall(
        id=int(row["id"]),
        case_id=row["case_id"],
        material_code=row["material_code"],
        status=ShortfallStatus(row["status"]),
        due_date=date.fromisoformat(row["due_date"]),
        commitment_ref=row["commitment_ref"],
        created_at=datetime.fromisoformat(row["created_at"]),
        fulfilled_at=datetime.fromisoformat(row["fulfilled_at"]) if row["fulfilled_at"] else None,
    )


class Records:
    def __init__(
        self,
        db: Database,
        keys: KeyRing,
        audit: AuditLog,
        cases: Cases,
        clock: Callable[[], datetime],
        *,
        verification_ttl: timedelta = timedelta(hours=4),
    ) -> None:
        self._db, self._keys, self._audit, self._cases, self._clock = db, keys, audit, cases, clock
        self.verification_ttl = verification_ttl

    # -- checklist -------------------------------------------------------------------------------------------
    def set_checklist_line(
        self, case_id: str, material_code: str, status: MaterialStatus, detail: Mapping[str, Any] | None = None
    ) -> None:
        """Upsert one checklist line (detail: count, original/copy, due date ... — no personal data)."""
        with self._db.write() as conn:
            self._cases.case_number_of(case_id)
            conn.execute(
                "INSERT INTO checklist_lines (case_id, material_code, status, detail, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT (case_id, material_code) DO UPDATE SET status = excluded.status, "
                "detail = excluded.detail, updated_at = excluded.updated_at",
                [
                    case_id,
                    material_code,
                    MaterialStatus(status).value,
                    json.dumps(dict(detail or {}), ensure_ascii=False, default=str),
                    self._clock().isoformat(),
                ],
            )

    def checklist(self, case_id: str) -> list[ChecklistLine]:
        return [
            ChecklistLine(
                r["material_code"],
                MaterialStatus(r["status"]),
                json.loads(r["detail"]),
                datetime.fromisoformat(r["updated_at"]),
            )
            for r in self._db.conn.query(
                "SELECT * FROM checklist_lines WHERE case_id = ? ORDER BY material_code", [case_id]
            )
        ]

    # -- shortfalls ------------------------------------------------------------------------------------------
    def add_shortfall(
        self, case_id: str, material_code: str, due_date: date, *, commitment_ref: str | None = None
    ) -> Shortfall:
        with self._db.write() as conn:
            self._cases.case_number_of(case_id)
            conn.execute(
                "INSERT INTO shortfalls (case_id, material_code, status, due_date, commitment_ref, created_at) "
                "VALUES (?, ?, 'open', ?, ?, ?) ON CONFLICT (case_id, material_code) DO UPDATE SET "
                "status = 'open', due_date = excluded.due_date, commitment_ref = excluded.commitment_ref, "
                "fulfilled_at = NULL, overdue_at = NULL",
                [case_id, material_code, due_date.isoformat(), commitment_ref, self._clock().isoformat()],
            )
        return self._get_shortfall(case_id, material_code)

    def _get_shortfall(self, case_id: str, material_code: str) -> Shortfall:
        rows = list(
            self._db.conn.query(
                "SELECT * FROM shortfalls WHERE case_id = ? AND material_code = ?", [case_id, material_code]
            )
        )
        if not rows:
            raise NotFoundError(f"案件 {case_id} 没有材料“{material_code}”的容缺记录。")
        return _shortfall(rows[0])

    def fulfil_shortfall(self, case_id: str, material_code: str) -> Shortfall:
        """The waived material was handed in (补件), on time or late."""
        with self._db.write() as conn:
            self._get_shortfall(case_id, material_code)
            conn.execute(
                "UPDATE shortfalls SET status = 'fulfilled', fulfilled_at = ? WHERE case_id = ? AND material_code = ?",
                [self._clock().isoformat(), case_id, material_code],
            )
        return self._get_shortfall(case_id, material_code)

    def shortfalls(self, case_id: str) -> list[Shortfall]:
        return [
            _shortfall(r)
            for r in self._db.conn.query(
                "SELECT * FROM shortfalls WHERE case_id = ? ORDER BY due_date, material_code", [case_id]
            )
        ]

    def shortfalls_due(self, until: date) -> list[Shortfall]:
        """Open shortfalls due on or before ``until`` and all overdue ones (the home screen's follow-ups)."""
        return [
            _shortfall(r)
            for r in self._db.conn.query(
                # Same due date: by case number (case ids are random, so ordering by them shuffles the list).
                "SELECT s.* FROM shortfalls s JOIN cases c ON c.id = s.case_id "
                "WHERE s.status = 'overdue' OR (s.status = 'open' AND s.due_date <= ?) "
                "ORDER BY s.due_date, c.case_number, s.material_code",
                [until.isoformat()],
            )
        ]

    def mark_overdue(self, today: date) -> list[Shortfall]:
        """Open shortfalls whose due date is before ``today`` become overdue; returns those changed."""
        with self._db.write() as conn:
            rows = list(
                conn.query(
                    "SELECT s.*, c.case_number FROM shortfalls s JOIN cases c ON c.id = s.case_id "
                    "WHERE s.status = 'open' AND s.due_date < ?",
                    [today.isoformat()],
                )
            )
            now = self._clock().isoformat()
            for row in rows:
                conn.execute("UPDATE shortfalls SET status = 'overdue', overdue_at = ? WHERE id = ?", [now, row["id"]])
                self._audit.append(
                    Action.SHORTFALL_OVERDUE,
                    actor="system",
                    case_number=row["case_number"],
                    material=row["material_code"],
                    due=row["due_date"],
                )
        return [_shortfall({**r, "status": "overdue"}) for r in rows]

    # -- verifications ---------------------------------------------------------------------------------------
    def subject_hash(self, kind: VerificationKind, subject: Mapping[str, Any]) -> str:
        return self._keys.subject_hash({"kind": VerificationKind(kind).value, "subject": dict(subject)})

    def record_verification(
        self,
        case_id: str,
        kind: VerificationKind,
        outcome: VerificationOutcome,
        *,
        data: Mapping[str, Any],
        source: str,
        checked_at: datetime,
        request_id: str,
        actor: str,
        authorization_ref: str | None = None,
        subject: Mapping[str, Any] | None = None,
    ) -> VerificationRecord:
        """Store a lookup result (idempotent by request id), audit it, and cache definitive answers."""
        kind, outcome = VerificationKind(kind), VerificationOutcome(outcome)
        subject_hash = self.subject_hash(kind, subject) if subject is not None else None
        now = self._clock()
        with self._db.write() as conn:
            number = self._cases.case_number_of(case_id)
            existing = conn.conn.execute("SELECT id FROM verifications WHERE request_id = ?", [request_id]).fetchone()
            if existing is not None:
                return self.verification(int(existing[0]))
            vid = (
                conn.table("verifications")
                .insert(
                    {
                        "case_id": case_id,
                        "kind": kind.value,
                        "outcome": outcome.value,
                        "data_enc": self._keys.encrypt_json(dict(data), f"verifications.data:{request_id}"),
                        "source": source,
                        "checked_at": checked_at.isoformat(),
                        "request_id": request_id,
                        "subject_hash": subject_hash,
                        "authorization_ref": authorization_ref,
                        "actor": actor,
                        "recorded_at": now.isoformat(),
                    }
                )
                .last_pk
            )
            assert vid is not None
            if subject_hash is not None and outcome in _CACHEABLE:
                conn.execute(
                    "INSERT INTO verification_cache (case_id, kind, subject_hash, verification_id, expires_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, kind, subject_hash) DO UPDATE SET "
                    "verification_id = excluded.verification_id, expires_at = excluded.expires_at",
                    [case_id, kind.value, subject_hash, vid, (now + self.verification_ttl).isoformat()],
                )
            self._audit.append(
                Action.LOOKUP,
                actor=actor,
                case_number=number,
                kind=kind.value,
                outcome=outcome.value,
                authorization_ref=authorization_ref,
                request_id=request_id,
                subject_hash=subject_hash,
            )
        return self.verification(int(vid))

    def cached_verification(
        self, case_id: str, kind: VerificationKind, subject: Mapping[str, Any]
    ) -> VerificationRecord | None:
        """The last definitive answer for this lookup on this case, if it is still within the TTL."""
        row = self._db.conn.conn.execute(
            "SELECT verification_id FROM verification_cache WHERE case_id = ? AND kind = ? AND subject_hash = ? "
            "AND expires_at > ?",
            [case_id, VerificationKind(kind).value, self.subject_hash(kind, subject), self._clock().isoformat()],
        ).fetchone()
        return None if row is None else self.verification(int(row[0]))

    def verification(self, verification_id: int) -> VerificationRecord:
        rows = list(self._db.conn.query("SELECT * FROM verifications WHERE id = ?", [verification_id]))
        if not rows:
            raise NotFoundError(f"核验记录 {verification_id} 不存在。")
        return self._verification(rows[0])

    def _verification(self, r: Mapping[str, Any]) -> VerificationRecord:
        return VerificationRecord(
            id=int(r["id"]),
            case_id=r["case_id"],
            kind=VerificationKind(r["kind"]),
            outcome=VerificationOutcome(r["outcome"]),
            data=self._keys.decrypt_json(r["data_enc"], f"verifications.data:{r['request_id']}"),
            source=r["source"],
            checked_at=datetime.fromisoformat(r["checked_at"]),
            request_id=r["request_id"],
            authorization_ref=r["authorization_ref"],
            actor=r["actor"],
        )

    def verifications(self, case_id: str) -> list[VerificationRecord]:
        return [
            self._verification(r)
            for r in self._db.conn.query("SELECT * FROM verifications WHERE case_id = ? ORDER BY id", [case_id])
        ]
