"""Schema migrations, versioned in code and recorded in ``PRAGMA user_version``.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the bump of ``user_version``, so a
crash mid-migration leaves the database at the previous version, and the next start simply tries again. Never edit
a released migration: add a new one.

Columns ending in ``_enc`` hold AES-GCM ciphertext (see crypto.py); columns ending in ``_hash`` hold HMAC keyed
hashes. Timestamps are ISO 8601 UTC text (``2026-11-22T01:02:03.456789+00:00``), dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlite_utils

from local_cache.db import Database

_V1: tuple[str, ...] = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE operators (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE,
        name_enc BLOB NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('clerk', 'agent', 'supervisor')),
        password_hash TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        is_demo INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    )""",
    """CREATE TABLE case_sequences (
        workstation_id TEXT NOT NULL,
        case_date TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (workstation_id, case_date)
    )""",
    """CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        case_number TEXT NOT NULL UNIQUE,
        workstation_id TEXT NOT NULL,
        case_date TEXT NOT NULL,
        status TEXT NOT NULL,
        operator_id INTEGER REFERENCES operators(id),
        revision INTEGER NOT NULL DEFAULT 0,
        payload_enc BLOB NOT NULL,
        ui_state TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status_changed_at TEXT NOT NULL,
        accepted_at TEXT,
        closed_at TEXT
    )""",
    "CREATE INDEX cases_by_date ON cases (case_date, status)",
    "CREATE INDEX cases_by_status ON cases (status, updated_at)",
    """CREATE TABLE case_people (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        name_enc BLOB,
        id_number_enc BLOB,
        phone_enc BLOB,
        name_hash TEXT,
        id_hash TEXT
    )""",
    "CREATE INDEX case_people_by_case ON case_people (case_id)",
    "CREATE INDEX case_people_by_id ON case_people (id_hash)",
    "CREATE INDEX case_people_by_name ON case_people (name_hash)",
    """CREATE TABLE status_history (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        from_status TEXT,
        to_status TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT
    )""",
    "CREATE INDEX status_history_by_case ON status_history (case_id)",
    """CREATE TABLE checklist_lines (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        material_code TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (case_id, material_code)
    )""",
    """CREATE TABLE shortfalls (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        material_code TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'fulfilled', 'overdue')),
        due_date TEXT NOT NULL,
        commitment_ref TEXT,
        created_at TEXT NOT NULL,
        fulfilled_at TEXT,
        overdue_at TEXT,
        UNIQUE (case_id, material_code)
    )""",
    "CREATE INDEX shortfalls_by_due ON shortfalls (status, due_date)",
    """CREATE TABLE verifications (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        data_enc BLOB NOT NULL,
        source TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        request_id TEXT NOT NULL UNIQUE,
        subject_hash TEXT,
        authorization_ref TEXT,
        actor TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX verifications_by_case ON verifications (case_id, kind)",
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        payload_enc BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (case_id, version)
    )""",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
    """CREATE TABLE prints (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        document TEXT NOT NULL,
        actor TEXT NOT NULL,
        printed_at TEXT NOT NULL,
        is_reprint INTEGER NOT NULL,
        reason TEXT
    )""",
    "CREATE INDEX prints_by_case ON prints (case_id, document)",
    """CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        case_number TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    # Append-only for the program and for casual edits; verify() catches whoever drops these triggers first.
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)

# v2: the verification cache (same lookup for the same case not sent twice within the TTL).
_V2: tuple[str, ...] = (
    """CREATE TABLE verification_cache (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        subject_hash TEXT NOT NULL,
        verification_id INTEGER NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (case_id, kind, subject_hash)
    )""",
    "CREATE INDEX shortfalls_by_case ON shortfalls (case_id)",
)

# v3: lookups queued while the gateway is unreachable (local_cache/pending.py). The request names the subject,
# hence encrypted; request_id UNIQUE makes queueing idempotent.
_V3: tuple[str, ...] = (
    """CREATE TABLE pending_lookups (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        request_enc BLOB NOT NULL,
        request_id TEXT NOT NULL UNIQUE,
        queued_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done')),
        attempts INTEGER NOT NULL DEFAULT 0,
        done_at TEXT
    )""",
    "CREATE INDEX pending_lookups_queued ON pending_lookups (state, queued_at)",
)

# v4: sync with the back-office platform (local_cache/sync_ledger.py). The outbox is rebuilt only to widen its
# state CHECK with 'conflict' (parked until a clerk decides) and 'discarded' (superseded by that decision); rows,
# ids and indexes are kept as they were.
_V4: tuple[str, ...] = (
    """CREATE TABLE outbox_v4 (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        payload_enc BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'dead', 'conflict', 'discarded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (case_id, version)
    )""",
    "INSERT INTO outbox_v4 SELECT id, case_id, version, payload_enc, state, attempts, next_attempt_at, last_error, "
    "created_at, updated_at FROM outbox",
    "DROP TABLE outbox",
    "ALTER TABLE outbox_v4 RENAME TO outbox",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
    """CREATE TABLE sync_cases (
        case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
        acked_version INTEGER,
        platform_version INTEGER,
        platform_status TEXT,
        platform_updated_at TEXT,
        pulled_at TEXT
    )""",
    """CREATE TABLE sync_events (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (case_id, at, type)
    )""",
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL UNIQUE,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        local_version INTEGER NOT NULL,
        platform_version INTEGER,
        platform_view TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        resolved_at TEXT,
        decision TEXT CHECK (decision IN ('local', 'platform'))
    )""",
    "CREATE INDEX sync_conflicts_open ON sync_conflicts (case_id, resolved_at)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

# v5: review flags — a deferred lookup that now disagrees with what an accepted case was accepted on.
# The message names the registry and the outcomes only (no personal data), so it is stored in clear.
_V5: tuple[str, ...] = (
    """CREATE TABLE review_flags (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        outcome_before TEXT NOT NULL,
        outcome_after TEXT NOT NULL,
        message TEXT NOT NULL,
        action TEXT NOT NULL,
        request_id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT,
        resolution TEXT
    )""",
    "CREATE INDEX review_flags_open ON review_flags (resolved_at, case_id)",
)

# v6: the case aggregate. No table changes: half-typed text leaves the clear ``cases.ui_state`` for the encrypted
# payload, which needs the key, so the store passes that step in as a data step (Store.open).
_V6: tuple[str, ...] = ()

# v7: what the printer did with a print (issue 14): lp only queues a job, so the log keeps the CUPS job id and its
# followed state ("queued", then "completed", "held", "stopped", "pending" ...) with the message the clerk saw.
# NULL on older rows and on prints with no printer configured. No personal data: state, job id and spool path.
_V7: tuple[str, ...] = (
    "ALTER TABLE prints ADD COLUMN job_id TEXT",
    "ALTER TABLE prints ADD COLUMN printer_state TEXT",
    "ALTER TABLE prints ADD COLUMN printer_message TEXT",
)

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _V1),
    (2, _V2),
    (3, _V3),
    (4, _V4),
    (5, _V5),
    (6, _V6),
    (7, _V7),
)
LATEST_VERSION = MIGRATIONS[-1][0]


def migrate(
    db: Database,
    target: int = LATEST_VERSION,
    data_steps: Mapping[int, Callable[[sqlite_utils.Database], None]] | None = None,
) -> list[int]:
    """Apply every migration above the current version up to ``target``; returns the versions applied.

    ``data_steps[version]`` runs inside that version's transaction, after its statements (steps needing the key)."""
    applied: list[int] = []
    for version, statements in MIGRATIONS:
        if version > target:
            break
        with db.write() as conn:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if int(conn.conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                continue
            for statement in statements:
                conn.execute(statement)
            step = (data_steps or {}).get(version)
            if step is not None:
                step(conn)
            conn.execute(f"PRAGMA user_version={version}")
        applied.append(version)
    return applied
