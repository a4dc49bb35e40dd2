"""Cases and drafts: numbering, autosave, status with timestamps, search by ID number or name.

The application itself is stored as an encrypted JSON object (``dict[str, Any]``) — this layer does not know the
``Application`` model, so the intake layer passes ``application.model_dump(mode="json")`` and validates on load.
The people on a case (applicant, spouse, co-borrowers, agent) are kept in ``case_people``: name, ID number and
phone encrypted, plus HMAC keyed hashes of the full name and full ID number so a search never decrypts the table.

Case numbers are unique without a network: ``{workstation}-{YYYYMMDD}-{seq:04d}`` where the sequence is kept per
workstation and (China standard time) date in ``case_sequences`` and allocated inside the creating transaction.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from forms.china_time import CHINA_TZ
from forms.identifiers import mask_id, mask_name
from forms.vocabulary import CaseStatus
from local_cache.audit import Action, AuditLog
from local_cache.crypto import KeyRing, normalize_id_number
from local_cache.db import Database
from local_cache.errors import NotFoundError, PermissionDeniedError, ValidationError
from local_cache.people import Person, people_from_payload
from local_cache.ui_state import clean_ui_state

WORKSTATION_RE = re.compile(r"[A-Z0-9]{1,16}")

# Allowed moves without a supervisor override. The back office may skip steps (submitted -> approved).
_FORWARD: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DRAFT: frozenset({CaseStatus.ACCEPTED, CaseStatus.DECLINED}),
    CaseStatus.DECLINED: frozenset({CaseStatus.DRAFT}),
    CaseStatus.ACCEPTED: frozenset(
        {CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.APPROVED, CaseStatus.REJECTED}
    ),
    CaseStatus.SUBMITTED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.APPROVED, CaseStatus.REJECTED}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.APPROVED, CaseStatus.REJECTED}),
    CaseStatus.APPROVED: frozenset({CaseStatus.DISBURSED, CaseStatus.COMPLETED}),
    CaseStatus.DISBURSED: frozenset({CaseStatus.COMPLETED}),
    CaseStatus.REJECTED: frozenset(),
    CaseStatus.COMPLETED: frozenset(),
}
_CLOSED = frozenset({CaseStatus.DECLINED, CaseStatus.REJECTED, CaseStatus.COMPLETED})


@dataclass(frozen=True)
class CaseSummary:
    """A row of a list: no personal data beyond masked values."""

    id: str
    case_number: str
    status: CaseStatus
    case_date: date
    created_at: datetime
    updated_at: datetime
    revision: int
    operator_id: int | None
    applicant_name: str = ""  # masked
    applicant_id: str = ""  # masked


@dataclass(frozen=True)
class CaseRecord:
    """A full case as loaded for resuming: decrypted payload, UI state and people."""

    summary: CaseSummary
    payload: dict[str, Any]
    ui_state: dict[str, Any]
    people: list[Person] = field(default_factory=list)
    status_changed_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def case_number(self) -> str:
        return self.summary.case_number

    @property
    def status(self) -> CaseStatus:
        return self.summary.status


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Cases:
    def __init__(
        self, db: Database, keys: KeyRing, audit: AuditLog, clock: Callable[[], datetime], workstation_id: str
    ) -> None:
        if not WORKSTATION_RE.fullmatch(workstation_id):
            raise ValidationError(f"工作站编号“{workstation_id}”不正确：应为 1-16 位大写字母或数字，例如 QD01。")
        self._db, self._keys, self._audit, self._clock = db, keys, audit, clock
        self.workstation_id = workstation_id
        # Count of case saves, for the bench's "saves per Enter" (one write per change is the target).
        self.saves = 0

    # -- creating and saving ---------------------------------------------------------------------------------
    def create(
        self,
        *,
        actor: str,
        operator_id: int | None = None,
        payload: Mapping[str, Any] | None = None,
        ui_state: Mapping[str, Any] | None = None,
        people: Sequence[Person] | None = None,
    ) -> CaseRecord:
        now = self._clock()
        day = now.astimezone(CHINA_TZ).date()
        case_id = str(uuid.uuid4())
        body = dict(payload or {})
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO case_sequences (workstation_id, case_date, last_seq) VALUES (?, ?, 1) "
                "ON CONFLICT (workstation_id, case_date) DO UPDATE SET last_seq = last_seq + 1",
                [self.workstation_id, day.isoformat()],
            )
            seq = conn.conn.execute(
                "SELECT last_seq FROM case_sequences WHERE workstation_id = ? AND case_date = ?",
                [self.workstation_id, day.isoformat()],
            ).fetchone()[0]
            number = f"{self.workstation_id}-{day:%Y%m%d}-{int(seq):04d}"
            stamp = now.isoformat()
            conn.table("cases").insert(
                {
                    "id": case_id,
                    "case_number": number,
                    "workstation_id": self.workstation_id,
                    "case_date": day.isoformat(),
                    "status": CaseStatus.DRAFT.value,
                    "operator_id": operator_id,
                    "revision": 0,
                    "payload_enc": self._keys.encrypt_json(body, f"cases.payload:{case_id}"),
                    "ui_state": json.dumps(clean_ui_state(ui_state or {}), ensure_ascii=False),
                    "created_at": stamp,
                    "updated_at": stamp,
                    "status_changed_at": stamp,
                }
            )
            conn.table("status_history").insert(
                {"case_id": case_id, "from_status": None, "to_status": "draft", "at": stamp, "actor": actor}
            )
            self._replace_people(case_id, people if people is not None else people_from_payload(body))
            self._audit.append(Action.CASE_CREATED, actor=actor, case_number=number)
        return self.get(case_id)

    def _replace_people(self, case_id: str, people: Iterable[Person]) -> None:
        conn = self._db.conn
        conn.execute("DELETE FROM case_people WHERE case_id = ?", [case_id])
        enc = self._keys.encrypt_text
        rows = [
            {
                "case_id": case_id,
                "role": p.role,
                "position": p.position,
                "name_enc": enc(p.name, f"case_people.name:{case_id}"),
                "id_number_enc": enc(p.id_number and normalize_id_number(p.id_number), f"case_people.id:{case_id}"),
                "phone_enc": enc(p.phone, f"case_people.phone:{case_id}"),
                "name_hash": self._keys.name_hash(p.name) if p.name else None,
                "id_hash": self._keys.id_hash(p.id_number) if p.id_number else None,
            }
            for p in people
        ]
        if rows:
            conn.table("case_people").insert_all(rows)

    def autosave(
        self,
        case_id: str,
        payload: Mapping[str, Any],
        *,
        ui_state: Mapping[str, Any] | None = None,
        people: Sequence[Person] | None = None,
        expected_revision: int | None = None,
    ) -> int:
        """Save the application, the UI state (screen, focus) and the people index in one transaction.

        Returns the new revision. ``expected_revision`` guards against two windows saving over each other.
        The UI state is cleaned to the step and the focused widget's id (:func:`clean_ui_state`): it is stored in
        clear, so nothing typed may reach it."""
        self.saves += 1
        body = dict(payload)
        blob = self._keys.encrypt_json(body, f"cases.payload:{case_id}")
        with self._db.write() as conn:
            row = conn.conn.execute("SELECT revision, ui_state FROM cases WHERE id = ?", [case_id]).fetchone()
            if row is None:
                raise NotFoundError(f"案件 {case_id} 不存在，无法保存。")
            if expected_revision is not None and int(row[0]) != expected_revision:
                raise ValidationError(
                    f"案件已在别处保存（版本 {row[0]}，本窗口为 {expected_revision}），请重新打开后再改。"
                )
            revision = int(row[0]) + 1
            state = row[1] if ui_state is None else json.dumps(clean_ui_state(ui_state), ensure_ascii=False)
            conn.execute(
                "UPDATE cases SET payload_enc = ?, ui_state = ?, revision = ?, updated_at = ? WHERE id = ?",
                [blob, state, revision, self._clock().isoformat(), case_id],
            )
            self._replace_people(case_id, people if people is not None else people_from_payload(body))
        return revision

    # -- reading ---------------------------------------------------------------------------------------------
    def _summaries(self, where: str, params: Sequence[Any], limit: int | None = None) -> list[CaseSummary]:
        sql = (
            "SELECT c.id, c.case_number, c.status, c.case_date, c.created_at, c.updated_at, c.revision, "
            "c.operator_id, p.name_enc, p.id_number_enc FROM cases c "
            "LEFT JOIN case_people p ON p.case_id = c.id AND p.role = 'applicant' AND p.position = 0 "
            f"WHERE {where} ORDER BY c.created_at DESC, c.case_number DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        out: list[CaseSummary] = []
        for row in self._db.conn.query(sql, list(params)):
            name = self._keys.decrypt_text(row["name_enc"], f"case_people.name:{row['id']}")
            idn = self._keys.decrypt_text(row["id_number_enc"], f"case_people.id:{row['id']}")
            out.append(
                CaseSummary(
                    id=row["id"],
                    case_number=row["case_number"],
                    status=CaseStatus(row["status"]),
                    case_date=date.fromisoformat(row["case_date"]),
                    created_at=datetime.fromisoformat(row["created_at"]),
                    updated_at=datetime.fromisoformat(row["updated_at"]),
                    revision=int(row["revision"]),
                    operator_id=row["operator_id"],
                    applicant_name=mask_name(name) if name else "",
                    applicant_id=mask_id(idn) if idn else "",
                )
            )
        return out

    def get(self, case_id: str) -> CaseRecord:
        rows = list(self._db.conn.query("SELECT * FROM cases WHERE id = ?", [case_id]))
        if not rows:
            raise NotFoundError(f"案件 {case_id} 不存在。")
        row = rows[0]
        summary = self._summaries("c.id = ?", [case_id])[0]
        people = [
            Person(
                role=p["role"],
                position=int(p["position"]),
                name=self._keys.decrypt_text(p["name_enc"], f"case_people.name:{case_id}"),
                id_number=self._keys.decrypt_text(p["id_number_enc"], f"case_people.id:{case_id}"),
                phone=self._keys.decrypt_text(p["phone_enc"], f"case_people.phone:{case_id}"),
            )
            for p in self._db.conn.query(
                "SELECT * FROM case_people WHERE case_id = ? ORDER BY role, position", [case_id]
            )
        ]
        return CaseRecord(
            summary=summary,
            payload=self._keys.decrypt_json(row["payload_enc"], f"cases.payload:{case_id}"),
            ui_state=json.loads(row["ui_state"]),
            people=people,
            status_changed_at=_dt(row["status_changed_at"]),
            accepted_at=_dt(row["accepted_at"]),
            closed_at=_dt(row["closed_at"]),
        )

    def by_number(self, case_number: str) -> CaseRecord:
        row = self._db.conn.conn.execute(
            "SELECT id FROM cases WHERE case_number = ?", [case_number.strip().upper()]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"案件编号“{case_number}”不存在。")
        return self.get(str(row[0]))

    def find_by_id_number(self, id_number: str) -> list[CaseSummary]:
        """Cases where anyone (applicant, spouse, co-borrower, agent) has this full ID number."""
        where = "c.id IN (SELECT case_id FROM case_people WHERE id_hash = ?)"
        return self._summaries(where, [self._keys.id_hash(id_number)])

    def find_by_name(self, name: str) -> list[CaseSummary]:
        """Cases where anyone has exactly this full name (keyed hash: no partial matches by design)."""
        where = "c.id IN (SELECT case_id FROM case_people WHERE name_hash = ?)"
        return self._summaries(where, [self._keys.name_hash(name)])

    def list_drafts(self, *, operator_id: int | None = None, limit: int = 200) -> list[CaseSummary]:
        if operator_id is None:
            return self._summaries("c.status = 'draft'", [], limit)
        return self._summaries("c.status = 'draft' AND c.operator_id = ?", [operator_id], limit)

    def drafts_left_open(self, operator_id: int) -> list[CaseSummary]:
        """This operator's drafts whose case screen was showing when the counter stopped (crash, kill, power)."""
        return self._summaries(
            "c.status = 'draft' AND c.operator_id = ? AND json_extract(c.ui_state, '$.open') = 1", [operator_id], 5
        )

    def list_for_date(self, day: date | None = None) -> list[CaseSummary]:
        """The cases opened on a (China) date, today by default."""
        day = day or self._clock().astimezone(CHINA_TZ).date()
        return self._summaries("c.case_date = ?", [day.isoformat()])

    # -- status ----------------------------------------------------------------------------------------------
    def set_status(
        self,
        case_id: str,
        status: CaseStatus,
        *,
        actor: str,
        reason: str | None = None,
        override_by_supervisor: bool = False,
    ) -> CaseRecord:
        """Move a case; moves outside the normal flow need ``override_by_supervisor`` and a reason.

        The caller checks that the actor *is* a supervisor (it has the logged-in Operator)."""
        self.move_status(case_id, status, actor=actor, reason=reason, override_by_supervisor=override_by_supervisor)
        return self.get(case_id)

    def move_status(
        self,
        case_id: str,
        status: CaseStatus,
        *,
        actor: str,
        reason: str | None = None,
        override_by_supervisor: bool = False,
    ) -> None:
        """:meth:`set_status` without reading the case back: for bulk callers (a pull of thousands of cases)."""
        status = CaseStatus(status)
        now = self._clock().isoformat()
        with self._db.write() as conn:
            row = conn.conn.execute("SELECT status, case_number FROM cases WHERE id = ?", [case_id]).fetchone()
            if row is None:
                raise NotFoundError(f"案件 {case_id} 不存在。")
            current, number = CaseStatus(row[0]), str(row[1])
            if current == status:
                return
            normal = status in _FORWARD[current]
            if not normal and not override_by_supervisor:
                raise PermissionDeniedError(
                    f"案件状态不能从“{current.value}”直接改为“{status.value}”；如确需更改，请负责人操作并说明原因。"
                )
            if not normal and not (reason and reason.strip()):
                raise ValidationError("负责人更改案件状态时必须填写原因。")
            sets = "status = ?, status_changed_at = ?, updated_at = ?"
            params: list[Any] = [status.value, now, now]
            if status == CaseStatus.ACCEPTED:
                sets += ", accepted_at = ?"
                params.append(now)
            sets += ", closed_at = ?"
            params.append(now if status in _CLOSED else None)
            conn.execute(f"UPDATE cases SET {sets} WHERE id = ?", [*params, case_id])
            conn.table("status_history").insert(
                {
                    "case_id": case_id,
                    "from_status": current.value,
                    "to_status": status.value,
                    "at": now,
                    "actor": actor,
                    "reason": reason,
                }
            )
            self._audit.append(
                Action.STATUS_CHANGED,
                actor=actor,
                case_number=number,
                from_status=current.value,
                to_status=status.value,
            )
            if not normal:
                self._audit.append(
                    Action.SUPERVISOR_OVERRIDE, actor=actor, case_number=number, what="status", to_status=status.value
                )

    def history(self, case_id: str) -> list[dict[str, Any]]:
        return list(self._db.conn.query("SELECT * FROM status_history WHERE case_id = ? ORDER BY id", [case_id]))

    def in_status_since(self, status: CaseStatus) -> list[tuple[str, str, datetime]]:
        """(case id, case number, when it entered ``status``) of every case now in ``status`` (no decryption)."""
        rows = self._db.conn.conn.execute(
            "SELECT id, case_number, status_changed_at FROM cases WHERE status = ? ORDER BY status_changed_at",
            [CaseStatus(status).value],
        ).fetchall()
        return [(str(r[0]), str(r[1]), datetime.fromisoformat(r[2])) for r in rows]

    def head(self, case_id: str) -> tuple[int, CaseStatus]:
        """Revision and status of a case, without decrypting anything (is a copy in memory still the latest?)."""
        row = self._db.conn.conn.execute("SELECT revision, status FROM cases WHERE id = ?", [case_id]).fetchone()
        if row is None:
            raise NotFoundError(f"案件 {case_id} 不存在。")
        return int(row[0]), CaseStatus(row[1])

    def case_number_of(self, case_id: str) -> str:
        row = self._db.conn.conn.execute("SELECT case_number FROM cases WHERE id = ?", [case_id]).fetchone()
        if row is None:
            raise NotFoundError(f"案件 {case_id} 不存在。")
        return str(row[0])
