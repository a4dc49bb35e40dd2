"""The sync engine's writes in bulk: a round's acknowledgements and a status pull of thousands of cases.

The per-case methods (``Outbox.mark_sent``, ``SyncLedger.record_sent``, ``Cases.move_status``,
``SyncLedger.record_platform_view``) cost a dozen statements and a decryption per case; a pull of 10,000 cases
spent 6× the listing's time in them. Here the same rows and the same audit entries (``sync_sent``,
``status_changed``) are written with a few ``executemany`` statements, inside the caller's one transaction
(``SyncLedger.batch``), so exactly-once is unchanged: an entry is ``sent`` in the very transaction that records its
acknowledged version. Only moves the store allows without a supervisor are made (``cases._FORWARD``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from forms.vocabulary import CaseStatus
from local_cache.audit import Action, AuditLog
from local_cache.bulk_sql import id_list, insert_rows
from local_cache.cases import _CLOSED, _FORWARD
from local_cache.db import Database
from local_cache.outbox import DUE_ENTRIES, OutboxEntry


class LocalCase(NamedTuple):
    """What a bulk move needs of a local case, read without decrypting anything (a tuple: a pull makes 10,000).
    ``acked_version``: the version the platform last acknowledged for us (0 for none), when asked for."""

    status: CaseStatus
    case_number: str
    acked_version: int = 0


# Status text -> CaseStatus by a dict lookup: the enum's call is several times dearer, once per case of a pull.
_STATUS: dict[str, CaseStatus] = {s.value: s for s in CaseStatus}


class SyncBulk:
    """``SyncBulk(store.db, store.audit, store.clock)``; every method joins the caller's write transaction."""

    def __init__(self, db: Database, audit: AuditLog, clock: Callable[[], datetime]) -> None:
        self._db, self._audit, self._clock = db, audit, clock

    def local_cases(self, case_ids: Iterable[str], *, acked: bool = False) -> dict[str, LocalCase]:
        """Status and number of those of ``case_ids`` that exist here (other workstations' cases are skipped);
        with ``acked``, also the acknowledged version (a pull compares it with the platform's)."""
        acked_sql = "coalesce((SELECT acked_version FROM sync_cases s WHERE s.case_id = c.id), 0)" if acked else "0"
        rows = self._rows(
            f"c.id, c.status, c.case_number, {acked_sql}",
            "cases c WHERE c.id IN (SELECT value FROM json_each(?))",
            [id_list(list(dict.fromkeys(case_ids)))],
        )
        status_of = _STATUS.get
        return {
            str(case_id): LocalCase(status_of(status) or CaseStatus(status), str(number), int(version))
            for case_id, status, number, version in rows
        }

    def acked_versions(self, case_ids: Iterable[str]) -> dict[str, int]:
        """The version the platform last acknowledged for each of ``case_ids`` that has one (``If-Match``)."""
        rows = self._rows(
            "case_id, acked_version",
            "sync_cases WHERE case_id IN (SELECT value FROM json_each(?)) AND acked_version IS NOT NULL",
            [id_list(list(dict.fromkeys(case_ids)))],
        )
        return {str(case_id): int(version) for case_id, version in rows}

    def due_rows(self, *, limit: int, exclude: Collection[int] = ()) -> list[dict[str, Any]]:
        """What :meth:`SyncLedger.next_batch` hands out (the same rule, ``outbox.DUE_ENTRIES``), as whole ``outbox``
        rows still encrypted, read in one step: the drain reads them in its
        store thread, where a row-by-row fetch would wait for the event loop's GIL at every row."""
        rows = self._rows(
            "o.id, o.case_id, o.version, hex(o.payload_enc), o.state, o.attempts, o.next_attempt_at, o.last_error",
            f"({DUE_ENTRIES}) o",
            [self._clock().isoformat(), id_list(list(exclude)), limit],
        )
        # The aggregate's order is not promised by SQL: sorted again (oldest due first, as next_batch).
        rows.sort(key=lambda r: (r[6], r[0]))
        return [
            {
                "id": r[0],
                "case_id": r[1],
                "version": r[2],
                "payload_enc": bytes.fromhex(r[3]),
                "state": r[4],
                "attempts": r[5],
                "next_attempt_at": r[6],
                "last_error": r[7],
            }
            for r in rows
        ]

    def _rows(self, columns: str, source: str, params: Sequence[Any]) -> list[list[Any]]:
        """``SELECT columns FROM source`` as one JSON array, in one step: fetched row by row, the sqlite3 module
        hands the GIL over at every row, and during a drain the event loop holds it — each row then waited for
        the loop's switch interval (a 256-row read took ~20 ms of wall time instead of well under one)."""
        row = self._db.conn.conn.execute(
            f"SELECT json_group_array(json_array({columns})) FROM {source}", list(params)
        ).fetchone()
        return list(json.loads(row[0])) if row and row[0] else []

    def mark_sent(
        self,
        acks: Sequence[tuple[OutboxEntry, int]],
        *,
        actor: str = "sync",
        known: Mapping[str, LocalCase] | None = None,
    ) -> None:
        """``(entry, version the platform answered)`` pairs: each entry ``sent`` and its case's acknowledged version
        raised (never lowered), audited ``sync_sent`` — as ``SyncLedger.record_sent`` does one at a time.
        ``known``: what :meth:`local_cases` returned for these cases in the same transaction (not read again)."""
        if not acks:
            return
        now = self._clock().isoformat()
        numbers = known if known is not None else self.local_cases(e.case_id for e, _ in acks)
        with self._db.write() as conn:
            raw = conn.conn
            raw.execute(
                "UPDATE outbox SET state = 'sent', updated_at = ?, last_error = NULL "
                "WHERE id IN (SELECT value FROM json_each(?))",
                [now, id_list([e.id for e, _ in acks])],
            )
            insert_rows(
                raw,
                "sync_cases",
                ("case_id", "acked_version", "platform_version"),
                [(e.case_id, max(e.version, v), v) for e, v in acks],
                on_conflict="ON CONFLICT (case_id) DO UPDATE SET platform_version = excluded.platform_version, "
                "acked_version = max(coalesce(sync_cases.acked_version, 0), excluded.acked_version)",
            )
            # One detail object per version (almost always 1), so the audit encodes and checks it once.
            details: dict[int, Mapping[str, Any]] = {}
            self._audit.append_many(
                [
                    (
                        Action.SYNC_SENT,
                        actor,
                        numbers[e.case_id].case_number,
                        details.setdefault(e.version, {"version": e.version}),
                    )
                    for e, _ in acks
                    if e.case_id in numbers
                ]
            )

    def move_statuses(
        self,
        moves: Sequence[tuple[str, Sequence[Sequence[CaseStatus]]]],
        *,
        actor: str = "sync",
        known: Mapping[str, LocalCase] | None = None,
    ) -> set[str]:
        """Move each case along the first of its candidate paths that the store's flow allows step by step (a step
        equal to the current status is skipped, as ``move_status`` does); returns the cases that moved.

        One ``UPDATE`` row, one ``status_history`` row and one ``status_changed`` audit entry per step, in order.
        ``known``: what :meth:`local_cases` returned for these cases in the same transaction (not read again)."""
        local = known if known is not None else self.local_cases(case_id for case_id, _ in moves)
        now = self._clock().isoformat()
        # The cases' final state, grouped: (status, accepted on the way, closed_at) -> case ids; one UPDATE each.
        updates: dict[tuple[str, bool, str | None], list[str]] = {}
        history: list[tuple[Any, ...]] = []
        audit: list[tuple[str, str, str | None, Mapping[str, Any]]] = []
        moved: set[str] = set()
        # Thousands of cases share a handful of (status, candidate paths): each plan is worked out once, with the
        # UPDATE group its cases join (None: no allowed path).
        plans: dict[tuple[CaseStatus, tuple[tuple[CaseStatus, ...], ...]], tuple[list[_Step], list[str] | None]] = {}
        changed = Action.STATUS_CHANGED
        for case_id, paths in moves:
            case = local.get(case_id)
            if case is None or case_id in moved:
                continue
            key = (case.status, tuple(map(tuple, paths)))  # tuple() of a tuple is the tuple itself: cheap
            known_plan = plans.get(key)
            if known_plan is None:
                plan = _plan(case.status, paths, now)
                group = None
                if plan:
                    group = updates.setdefault((plan[-1][1], any(step[2] for step in plan), plan[-1][3]), [])
                known_plan = plans[key] = (plan, group)
            plan, group = known_plan
            if group is None:
                continue
            number = case.case_number
            for before, after, _, _, detail in plan:
                history.append((case_id, before, after, now, actor))
                audit.append((changed, actor, number, detail))
            group.append(case_id)
            moved.add(case_id)
        if not updates:
            return moved
        with self._db.write() as conn:

            def update_cases() -> None:
                for (status, accepted, closed), ids in updates.items():
                    conn.conn.execute(
                        "UPDATE cases SET status = ?, status_changed_at = ?, updated_at = ?, "
                        "accepted_at = CASE WHEN ? THEN ? ELSE accepted_at END, closed_at = ? "
                        "WHERE id IN (SELECT value FROM json_each(?))",
                        [status, now, now, accepted, now, closed, id_list(ids)],
                    )

            # The UPDATEs (one statement each, no GIL held while SQLite works) run while the entries are hashed.
            self._audit.append_many(audit, alongside=update_cases)
            insert_rows(conn.conn, "status_history", ("case_id", "from_status", "to_status", "at", "actor"), history)
        return moved

    def record_platform_views(self, views: Sequence[Mapping[str, Any]]) -> int:
        """The platform's status and events of each case (all of them local); returns how many events were new.
        Events are unique on (case, time, type): a view seen again adds nothing."""
        if not views:
            return 0
        now = self._clock().isoformat()
        cases = [
            (
                str(v["case_id"]),
                int(v["version"]),
                str(v["status"]),
                str(v.get("updated_at") or ""),
                now,
            )
            for v in views
        ]
        events = [
            (
                str(v["case_id"]),
                str(e.get("at", "")),
                str(e.get("type", "")),
                str(e.get("text", ""))[:500],
                str(e.get("status", "")),
                now,
            )
            for v in views
            for e in v.get("events") or []
        ]
        with self._db.write() as conn:
            raw = conn.conn
            insert_rows(
                raw,
                "sync_cases",
                ("case_id", "platform_version", "platform_status", "platform_updated_at", "pulled_at"),
                cases,
                on_conflict="ON CONFLICT (case_id) DO UPDATE SET platform_version = excluded.platform_version, "
                "platform_status = excluded.platform_status, platform_updated_at = excluded.platform_updated_at, "
                "pulled_at = excluded.pulled_at",
            )
            columns = ("case_id", "at", "type", "text", "status", "recorded_at")
            return insert_rows(raw, "sync_events", columns, events, verb="INSERT OR IGNORE")


# One step of a planned move: from, to, is it the acceptance, closed_at, the audit detail (one object per plan,
# shared by every case moved the same way, so the audit encodes it once).
_Step = tuple[str, str, bool, str | None, Mapping[str, Any]]


def _plan(current: CaseStatus, paths: Sequence[Sequence[CaseStatus]], now: str) -> list[_Step]:
    """The steps of the first allowed path; empty when none is allowed."""
    for path in paths:
        steps = _allowed_steps(current, path)
        if steps is None:
            continue
        plan: list[_Step] = []
        for step in steps:
            detail = {"from_status": current.value, "to_status": step.value}
            plan.append(
                (current.value, step.value, step == CaseStatus.ACCEPTED, now if step in _CLOSED else None, detail)
            )
            current = step
        return plan
    return []


def _allowed_steps(current: CaseStatus, path: Sequence[CaseStatus]) -> list[CaseStatus] | None:
    """The steps of ``path`` that change something, or None when one of them is not a normal move."""
    steps: list[CaseStatus] = []
    for step in path:
        if step == current:
            continue
        if step not in _FORWARD[current]:
            return None
        steps.append(step)
        current = step
    return steps
