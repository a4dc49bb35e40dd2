"""What the sync engine knows about the back-office platform, kept in the store so a restart loses nothing.

- ``sync_cases``: per case, the last version the platform acknowledged for us (``acked_version``: the ``If-Match``
  of the next ``PUT``) and the last status/version the platform reported (``platform_*``);
- ``sync_events``: the platform's events per case (审批, 抵押登记, 办结 ...), each recorded once;
- ``sync_conflicts``: outbox entries the platform refused because it holds another version; both sides are kept
  (the local payload in the outbox row, the platform's view here) until a clerk decides;
- ``sync_state``: small key/value facts such as the ``updated_since`` cursor of the status pull.

Outbox entries gain two states here (migration 4): ``conflict`` (parked, waiting for a clerk) and ``discarded``
(the clerk kept the platform's version, or the local change was re-sent as a newer version). Per-case order is
enforced by :meth:`SyncLedger.next_batch`: an entry is handed out only when every lower version of its case is
``sent`` or ``discarded``. This layer knows nothing of HTTP; counter_app.services.sync drives it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlite_utils

from forms.vocabulary import CaseStatus
from local_cache.audit import AuditLog
from local_cache.bulk_sql import id_list
from local_cache.cases import Cases
from local_cache.db import Database
from local_cache.errors import NotFoundError, ValidationError
from local_cache.outbox import DUE_ENTRIES, Outbox, OutboxEntry

PULL_CURSOR = "pull_cursor"
Keep = Literal["local", "platform"]


class SyncAction:
    """Audit action names of sync events beyond the outbox's own (sync_queued/sent/failed)."""

    CONFLICT = "sync_conflict"
    CONFLICT_RESOLVED = "sync_conflict_resolved"
    GAVE_UP = "sync_gave_up"
    STATUS_PULLED = "sync_status_pulled"


@dataclass(frozen=True)
class PlatformCase:
    case_id: str
    acked_version: int | None
    platform_version: int | None
    platform_status: str | None
    platform_updated_at: str | None
    pulled_at: str | None


@dataclass(frozen=True)
class PlatformEvent:
    case_id: str
    at: str
    type: str
    text: str
    status: str


@dataclass(frozen=True)
class Conflict:
    id: int
    outbox_id: int
    case_id: str
    case_number: str
    local_version: int
    platform_version: int | None
    platform_view: dict[str, Any]
    code: str
    message: str
    detected_at: str
    resolved_at: str | None
    decision: str | None


class SyncLedger:
    """``SyncLedger(store.db, store.audit, store.cases, store.outbox, store.clock)``; see the module docstring."""

    def __init__(
        self, db: Database, audit: AuditLog, cases: Cases, outbox: Outbox, clock: Callable[[], datetime]
    ) -> None:
        self._db, self._audit, self._cases, self._outbox, self._clock = db, audit, cases, outbox, clock

    @classmethod
    def of(cls, store: Any) -> SyncLedger:
        """The ledger of a :class:`local_cache.Store` (typed ``Any`` to avoid an import cycle with store.py)."""
        return cls(store.db, store.audit, store.cases, store.outbox, store.clock)

    @contextlib.contextmanager
    def batch(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction around many ledger calls (nested writes join it): one commit, one fsync."""
        with self._db.write() as conn:
            yield conn

    # -- push ------------------------------------------------------------------------------------------------
    def next_batch(self, *, limit: int = 64, exclude: Collection[int] = ()) -> list[OutboxEntry]:
        """Due pending entries, oldest first, at most one per case: the lowest version not yet through.

        An entry waits while any lower version of its case is pending, parked as a conflict or dead — so
        version N+1 never reaches the platform before N."""
        # Whole rows in one query (not one more query per entry): the drain asks for a batch many times a second.
        rows = self._db.conn.query(DUE_ENTRIES, [self._clock().isoformat(), id_list(list(exclude)), limit])
        return [self._outbox.entry_of(r) for r in rows]

    def next_due_at(self) -> datetime | None:
        """When the earliest pending entry becomes due (for a worker's sleep), or None when nothing is pending."""
        row = self._db.conn.conn.execute("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def next_version(self, case_id: str) -> int:
        """The version number a new outbox entry of this case should carry (one above any used so far)."""
        row = self._db.conn.conn.execute(
            "SELECT max(v) FROM (SELECT max(version) AS v FROM outbox WHERE case_id = ? "
            "UNION ALL SELECT max(coalesce(acked_version, 0), coalesce(platform_version, 0)) FROM sync_cases "
            "WHERE case_id = ?)",
            [case_id, case_id],
        ).fetchone()
        return int(row[0] or 0) + 1

    def acked_version(self, case_id: str) -> int | None:
        """The version the platform last acknowledged for us: the ``If-Match`` of the next PUT."""
        row = self._db.conn.conn.execute("SELECT acked_version FROM sync_cases WHERE case_id = ?", [case_id]).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def adopt_version(self, case_id: str, version: int, status: str | None) -> None:
        """The platform's version of a case taken from it (pulled from another window, or refreshed after one
        changed it): the base of our next PUT (``If-Match``), in the caller's transaction."""
        self._upsert_case(case_id, acked_version=version, platform_version=version, platform_status=status)

    def has_unsent(self, case_id: str) -> bool:
        """Local versions not yet acknowledged (pending, parked or dead): a platform body must not overwrite them."""
        row = self._db.conn.conn.execute(
            "SELECT 1 FROM outbox WHERE case_id = ? AND state NOT IN ('sent', 'discarded') LIMIT 1", [case_id]
        ).fetchone()
        return row is not None

    def _upsert_case(self, case_id: str, **values: Any) -> None:
        values["case_id"] = case_id
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "case_id")
        self._db.conn.execute(
            f"INSERT INTO sync_cases ({cols}) VALUES ({marks}) ON CONFLICT (case_id) DO UPDATE SET {updates}",
            list(values.values()),
        )

    def record_sent(self, entry: OutboxEntry, *, platform_version: int, platform_status: str | None) -> None:
        """The platform acknowledged ``entry``: mark it sent and remember the acknowledged version, atomically."""
        with self._db.write():
            self._outbox.mark_sent(entry.id)
            current = self.acked_version(entry.case_id) or 0
            values: dict[str, Any] = {"acked_version": max(current, entry.version, platform_version)}
            values["platform_version"] = platform_version
            if platform_status:
                values["platform_status"] = platform_status
            self._upsert_case(entry.case_id, **values)

    def give_up(self, entry: OutboxEntry, error: str, *, actor: str = "sync") -> None:
        """A refusal retrying cannot cure (a malformed case): the entry goes ``dead`` at once, for a person."""
        now = self._clock().isoformat()
        with self._db.write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? "
                "WHERE id = ?",
                [error[:500], now, entry.id],
            )
            self._audit.append(
                SyncAction.GAVE_UP,
                actor=actor,
                case_number=self._cases.case_number_of(entry.case_id),
                version=entry.version,
            )

    # -- conflicts -------------------------------------------------------------------------------------------
    def park_conflict(
        self,
        entry: OutboxEntry,
        *,
        platform_version: int | None,
        platform_view: Mapping[str, Any],
        code: str,
        message: str,
        actor: str = "sync",
    ) -> Conflict:
        """Park ``entry`` as ``conflict``: nothing is overwritten on either side until a clerk decides."""
        now = self._clock().isoformat()
        with self._db.write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'conflict', last_error = ?, updated_at = ? WHERE id = ?",
                [f"{code}: {message}"[:500], now, entry.id],
            )
            conn.execute(
                "INSERT INTO sync_conflicts (outbox_id, case_id, local_version, platform_version, platform_view, "
                "code, message, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (outbox_id) DO UPDATE SET "
                "platform_version = excluded.platform_version, platform_view = excluded.platform_view, "
                "code = excluded.code, message = excluded.message, resolved_at = NULL, decision = NULL",
                [
                    entry.id,
                    entry.case_id,
                    entry.version,
                    platform_version,
                    json.dumps(dict(platform_view), ensure_ascii=False),
                    code,
                    message[:500],
                    now,
                ],
            )
            if platform_version is not None:
                self._upsert_case(entry.case_id, platform_version=platform_version)
            self._audit.append(
                SyncAction.CONFLICT,
                actor=actor,
                case_number=self._cases.case_number_of(entry.case_id),
                local_version=entry.version,
                platform_version=platform_version if platform_version is not None else "",
                code=code,
            )
        return self.conflicts(case_id=entry.case_id)[-1]

    def conflicts(self, *, case_id: str | None = None, open_only: bool = True) -> list[Conflict]:
        sql = (
            "SELECT k.*, c.case_number FROM sync_conflicts k JOIN cases c ON c.id = k.case_id WHERE 1 = 1"
            + (" AND k.resolved_at IS NULL" if open_only else "")
            + (" AND k.case_id = ?" if case_id else "")
            + " ORDER BY k.id"
        )
        return [
            Conflict(
                id=int(r["id"]),
                outbox_id=int(r["outbox_id"]),
                case_id=r["case_id"],
                case_number=r["case_number"],
                local_version=int(r["local_version"]),
                platform_version=None if r["platform_version"] is None else int(r["platform_version"]),
                platform_view=json.loads(r["platform_view"]),
                code=r["code"],
                message=r["message"],
                detected_at=r["detected_at"],
                resolved_at=r["resolved_at"],
                decision=r["decision"],
            )
            for r in self._db.conn.query(sql, [case_id] if case_id else [])
        ]

    def resolve(self, case_id: str, keep: Keep, *, actor: str) -> OutboxEntry | None:
        """A clerk's decision on the open conflict of ``case_id``.

        ``platform``: the parked entry and every later local version of the case are discarded; the platform's
        version becomes the base of future changes. ``local``: the newest local payload is queued again as a new
        version above the platform's, with the platform's version as ``If-Match`` — an explicit overwrite the
        clerk chose, never a silent one. Returns the new outbox entry (``local``) or None."""
        if keep not in ("local", "platform"):
            raise ValidationError(f"冲突处理方式“{keep}”无效：应为 local（保留本地）或 platform（保留平台）。")
        open_conflicts = self.conflicts(case_id=case_id)
        if not open_conflicts:
            raise NotFoundError(f"案件 {case_id} 没有待处理的同步冲突。")
        conflict = open_conflicts[-1]
        now = self._clock().isoformat()
        new_entry: OutboxEntry | None = None
        with self._db.write() as conn:
            rows = conn.conn.execute(
                "SELECT id, version FROM outbox WHERE case_id = ? AND version >= ? AND state IN "
                "('pending', 'conflict', 'dead') ORDER BY version",
                [case_id, conflict.local_version],
            ).fetchall()
            newest = self._outbox.get(int(rows[-1][0])) if rows else self._outbox.get(conflict.outbox_id)
            conn.execute(
                f"UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id IN ({','.join('?' for _ in rows)})",
                [now, *[int(r[0]) for r in rows]],
            )
            base = conflict.platform_version
            if base is not None:
                self._upsert_case(case_id, acked_version=base)
            if keep == "local":
                version = max(self.next_version(case_id), (base or 0) + 1)
                payload = {k: v for k, v in newest.payload.items() if k != "version"}
                new_entry = self._outbox.enqueue(case_id, version, payload, actor=actor)
            conn.execute(
                "UPDATE sync_conflicts SET resolved_at = ?, decision = ? WHERE case_id = ? AND resolved_at IS NULL",
                [now, keep, case_id],
            )
            self._audit.append(
                SyncAction.CONFLICT_RESOLVED,
                actor=actor,
                case_number=conflict.case_number,
                keep=keep,
                local_version=conflict.local_version,
                platform_version=base if base is not None else "",
                discarded=len(rows),
                new_version=new_entry.version if new_entry else "",
            )
        return new_entry

    # -- pull ------------------------------------------------------------------------------------------------
    def cursor(self) -> str | None:
        row = self._db.conn.conn.execute("SELECT value FROM sync_state WHERE key = ?", [PULL_CURSOR]).fetchone()
        return None if row is None else str(row[0])

    def set_cursor(self, value: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [PULL_CURSOR, value],
            )

    def local_statuses(self, case_ids: Sequence[str]) -> dict[str, CaseStatus]:
        """Local status of those of ``case_ids`` that exist here (other workstations' cases are skipped)."""
        found: dict[str, CaseStatus] = {}
        ids = list(case_ids)
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for case_id, status in self._db.conn.conn.execute(
                f"SELECT id, status FROM cases WHERE id IN ({marks})", chunk
            ):
                found[str(case_id)] = CaseStatus(status)
        return found

    def record_platform_view(self, view: Mapping[str, Any]) -> int:
        """Store the platform's status and events of one case; returns how many events were new."""
        case_id = str(view["case_id"])
        now = self._clock().isoformat()
        with self._db.write() as conn:
            self._upsert_case(
                case_id,
                platform_version=int(view["version"]),
                platform_status=str(view["status"]),
                platform_updated_at=str(view.get("updated_at") or ""),
                pulled_at=now,
            )
            new = 0
            for event in view.get("events") or []:
                cur = conn.conn.execute(
                    "INSERT OR IGNORE INTO sync_events (case_id, at, type, text, status, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        case_id,
                        str(event.get("at", "")),
                        str(event.get("type", "")),
                        str(event.get("text", ""))[:500],
                        str(event.get("status", "")),
                        now,
                    ],
                )
                new += cur.rowcount
        return new

    def platform_case(self, case_id: str) -> PlatformCase | None:
        rows = list(self._db.conn.query("SELECT * FROM sync_cases WHERE case_id = ?", [case_id]))
        if not rows:
            return None
        r = rows[0]
        return PlatformCase(
            case_id=r["case_id"],
            acked_version=r["acked_version"],
            platform_version=r["platform_version"],
            platform_status=r["platform_status"],
            platform_updated_at=r["platform_updated_at"],
            pulled_at=r["pulled_at"],
        )

    def events(self, case_id: str) -> list[PlatformEvent]:
        return [
            PlatformEvent(r["case_id"], r["at"], r["type"], r["text"], r["status"])
            for r in self._db.conn.query("SELECT * FROM sync_events WHERE case_id = ? ORDER BY at, id", [case_id])
        ]

    def audit_pull(self, *, cases: int, moved: int, events: int, actor: str = "sync") -> None:
        """One audit entry per pull run (counts only: a pull of 10,000 cases is not 10,000 entries)."""
        self._audit.append(SyncAction.STATUS_PULLED, actor=actor, cases=cases, moved=moved, events=events)
