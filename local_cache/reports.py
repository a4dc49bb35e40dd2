"""Read-only queries for the counter's reports: decided cases in a time range, and an audit log search.

The repositories answer the window's questions (one case, today's list); reports ask across many cases. These
queries only read, so they never take the write lock; the SQL stays in this layer (services never see SQL).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from local_cache.audit import AuditEntry
from local_cache.store import Store

# The decisions a window makes; a case may be decided more than once (declined, reopened, accepted).
DECISIONS = ("accepted", "declined")


def decided_case_ids(store: Store, since: datetime, until: datetime) -> list[str]:
    """Ids of cases with a decision (accepted or declined) at ``since <= at < until``, oldest decision first.

    Timestamps are stored as ISO text; the rows are compared after parsing, so clocks in any UTC offset give the
    right answer (a text comparison would not)."""
    found: dict[str, datetime] = {}
    rows = store.db.conn.query(
        "SELECT case_id, at FROM status_history WHERE to_status IN (?, ?) ORDER BY id",
        list(DECISIONS),
    )
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        if since <= at < until:
            found.setdefault(str(row["case_id"]), at)
    return sorted(found, key=lambda case_id: found[case_id])


def rated_case_numbers(store: Store, since: datetime, until: datetime) -> list[str]:
    """Numbers of cases given a satisfaction rating (好差评) at ``since <= at < until``, by the audit lines the
    rating command writes in its transaction; the ratings themselves are read from each case (oldest first)."""
    found: dict[str, datetime] = {}
    rows = store.db.conn.query("SELECT case_number, at FROM audit_log WHERE action = 'rating' ORDER BY seq")
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        if row["case_number"] and since <= at < until:
            found.setdefault(str(row["case_number"]), at)
    return sorted(found, key=lambda number: found[number])


def search_audit(
    store: Store,
    *,
    case_number: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """The newest ``limit`` audit entries matching every given filter (exact match), oldest first."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("case_number", case_number), ("actor", actor), ("action", action)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC LIMIT ?"
    params.append(max(1, int(limit)))
    rows = list(store.db.conn.query(sql, params))
    return [AuditEntry(**{**row, "detail": json.loads(row["detail"])}) for row in reversed(rows)]


def audit_facets(store: Store) -> tuple[list[str], list[str]]:
    """The distinct actors and actions in the log, for the viewer's filter choices."""
    conn = store.db.conn.conn
    actors = [str(r[0]) for r in conn.execute("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]
    actions = [str(r[0]) for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
    return actors, actions
