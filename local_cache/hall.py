"""Cases of the hall: a case accepted at another window, pulled from the platform into this store.

Kept apart from :mod:`local_cache.cases` (which numbers and saves this window's own cases); it uses that class's
connection, key ring and audit log, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from forms.vocabulary import CaseStatus
from local_cache.audit import Action
from local_cache.cases import CaseRecord, Cases
from local_cache.people import people_from_payload


def adopt_case(
    cases: Cases,
    *,
    case_id: str,
    case_number: str,
    status: CaseStatus,
    payload: Mapping[str, Any],
    case_date: date,
    actor: str,
    version: int,
) -> CaseRecord:
    """A case accepted at another window of the hall, pulled from the platform: stored under its own id and
    number (never renumbered), in one transaction with its people index and an audited ``case_created``
    (``origin: platform``), so the chain still accounts for every case held here."""
    now = cases._clock().isoformat()
    body = dict(payload)
    with cases._db.write() as conn:
        conn.table("cases").insert(
            {
                "id": case_id,
                "case_number": case_number,
                "workstation_id": case_number.split("-", 1)[0],
                "case_date": case_date.isoformat(),
                "status": status.value,
                "operator_id": None,
                "revision": 0,
                "payload_enc": cases._keys.encrypt_json(body, f"cases.payload:{case_id}"),
                "ui_state": json.dumps({}),
                "created_at": now,
                "updated_at": now,
                "status_changed_at": now,
            }
        )
        conn.table("status_history").insert(
            {"case_id": case_id, "from_status": None, "to_status": status.value, "at": now, "actor": actor}
        )
        cases._replace_people(case_id, people_from_payload(body))
        cases._audit.append(
            Action.CASE_CREATED, actor=actor, case_number=case_number, origin="platform", version=version
        )
    return cases.get(case_id)


def case_exists(cases: Cases, case_id: str) -> bool:
    """Whether this store holds the case (its own, or one pulled from the platform before)."""
    return cases._db.conn.conn.execute("SELECT 1 FROM cases WHERE id = ?", [case_id]).fetchone() is not None


def stale_cases(cases: Cases, versions: list[tuple[str, int]]) -> list[str]:
    """Of (case id, platform version) pairs from a status pull: the cases held here whose platform version is above
    the one acknowledged to us, with no local version of ours still unsent — one query for the whole pull."""
    if not versions:
        return []
    rows = cases._db.conn.conn.execute(
        "SELECT json_extract(p.value, '$[0]') FROM json_each(?) AS p "
        "JOIN cases c ON c.id = json_extract(p.value, '$[0]') "
        "LEFT JOIN sync_cases s ON s.case_id = c.id "
        "WHERE json_extract(p.value, '$[1]') > coalesce(s.acked_version, 0) "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.state NOT IN ('sent', 'discarded'))",
        [json.dumps(versions)],
    ).fetchall()
    return [str(row[0]) for row in rows]
