"""The store: one object that opens the database and the key, and hands out the repositories.

``Store.open`` is the only way in. The order matters for "nothing is overwritten":

1. check the file is a SQLite database of a schema version we understand (db.py) — no write yet;
2. load the key, and compare its check value with the one in the database — a missing key file is created only
   when the database holds no encrypted data yet (and ``create_key`` is true);
3. only then migrate, and record the key check value on a new database.

The store's cryptographic suite (``gm`` or ``intl``, local_cache/suites.py) is recorded in ``meta.crypto_suite``
beside the key check value (which is suite-specific, so the two are bound together). A store from before suites
has a key check value and no suite: it is ``intl``. A new store takes the suite asked for, ``gm`` by default. A
suite asked for that is not the recorded one is refused (``SuiteMismatchError``); ``counter store rekey`` changes
it (local_cache/rekey.py).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import sqlite_utils

from local_cache.audit import AuditLog
from local_cache.audit_chain import AuditChain, read_segments
from local_cache.cases import Cases
from local_cache.crypto import KeyRing, create_key_file, read_key_file
from local_cache.db import Database
from local_cache.errors import KeyFileError, StoreOpenError, SuiteMismatchError
from local_cache.flags import ReviewFlags
from local_cache.migrations import LATEST_VERSION, migrate
from local_cache.operators import SCRYPT_N, Operators
from local_cache.outbox import Outbox, PrintLog
from local_cache.pending import PendingLookups
from local_cache.records import Records
from local_cache.suites import DEFAULT_SUITE, LEGACY_SUITE, SUITES, Suite, check_suite
from local_cache.ui_state import clean_ui_state

KEY_CHECK = "key_check"
SUITE_KEY = "crypto_suite"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _has_encrypted_data(db: Database) -> tuple[str | None, bool]:
    """(stored key check value, whether any table already holds encrypted data)."""
    conn = db.conn.conn
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    check = None
    if "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", [KEY_CHECK]).fetchone()
        check = None if row is None else str(row[0])
    data = any(
        conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is not None
        for t in ("operators", "cases", "verifications", "outbox")
        if t in tables
    )
    return check, data


def _written_suite(db: Database, check: str | None, has_data: bool) -> Suite | None:
    """The suite the database was written with; None for a database that holds nothing yet."""
    conn = db.conn.conn
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [SUITE_KEY]).fetchone() if "meta" in tables else None
    if row is not None:
        try:
            return check_suite(str(row[0]))
        except ValueError:
            raise StoreOpenError(
                db.path,
                f"记录的算法套件“{row[0]}”无法识别（应为 {'、'.join(SUITES)}），已保持原样未作改动",
                f"unknown crypto suite {row[0]!r} recorded; the file was left untouched",
            ) from None
    # Written before suites were recorded: those stores were all intl.
    return LEGACY_SUITE if check is not None or has_data else None


def _load_keys(db: Database, key_path: Path, create_key: bool, suite: Suite | None = None) -> KeyRing:
    check, has_data = _has_encrypted_data(db)
    written = _written_suite(db, check, has_data)
    if suite is not None and written is not None and suite != written:
        raise SuiteMismatchError(db.path, written, suite)
    effective: Suite = written or suite or DEFAULT_SUITE
    if key_path.exists():
        keys = KeyRing(read_key_file(key_path), effective)
        if check is not None and check != keys.check_value():
            raise KeyFileError(
                key_path,
                f"与数据库 {db.path} 不匹配（不是当初加密这些数据的密钥），请换回原密钥文件；未改动任何数据",
                f"does not match the database {db.path}; restore the original key file, nothing was changed",
            )
        if check is None and has_data:
            raise KeyFileError(
                key_path, "数据库缺少密钥校验值，无法确认密钥是否正确", "the database has no key check value"
            )
        return keys
    if check is not None or has_data:
        raise KeyFileError(
            key_path,
            f"文件不存在，但数据库 {db.path} 已有加密数据；不会生成新密钥，请恢复原密钥文件（或在设置中指定其路径）",
            "file missing while the database holds encrypted data; restore it (a new key is never generated then)",
        )
    if not create_key:
        raise KeyFileError(key_path, "文件不存在", "file not found")
    return KeyRing(create_key_file(key_path), effective)


def _typed_text_out_of_ui_state(conn: sqlite_utils.Database, keys: KeyRing) -> None:
    """v6: half-typed text saved by v5 in the clear screen state moves into the encrypted case payload."""
    rows = conn.conn.execute("SELECT id, ui_state, payload_enc FROM cases").fetchall()
    for case_id, raw_state, blob in rows:
        state = json.loads(raw_state or "{}")
        inputs = state.get("inputs") if isinstance(state, dict) else None
        cleaned = json.dumps(clean_ui_state(state if isinstance(state, dict) else {}), ensure_ascii=False)
        if inputs:
            payload = keys.decrypt_json(blob, f"cases.payload:{case_id}")
            payload["drafts"] = {**dict(inputs), **dict(payload.get("drafts") or {})}
            blob = keys.encrypt_json(payload, f"cases.payload:{case_id}")
        if inputs or cleaned != raw_state:
            conn.execute("UPDATE cases SET ui_state = ?, payload_enc = ? WHERE id = ?", [cleaned, blob, case_id])


class Store:
    """The local store; open with :meth:`open`, close with :meth:`close` (or use as a context manager)."""

    def __init__(
        self,
        db: Database,
        keys: KeyRing,
        *,
        workstation_id: str,
        clock: Callable[[], datetime],
        max_failed_logins: int,
        lockout: timedelta,
        verification_ttl: timedelta,
        scrypt_n: int,
    ) -> None:
        self.db = db
        self.keys = keys
        self.clock = clock
        self.workstation_id = workstation_id
        self.suite: Suite = keys.suite
        db.begin_guard = self._same_suite
        self.audit = AuditLog(db, clock, AuditChain(keys, read_segments(db.conn.conn)).hash_entry)
        self.operators = Operators(
            db, keys, self.audit, clock, max_failed_logins=max_failed_logins, lockout=lockout, scrypt_n=scrypt_n
        )
        self.cases = Cases(db, keys, self.audit, clock, workstation_id)
        self.records = Records(db, keys, self.audit, self.cases, clock, verification_ttl=verification_ttl)
        self.outbox = Outbox(db, keys, self.audit, self.cases, clock)
        self.prints = PrintLog(db, self.audit, self.cases, clock)
        self.pending = PendingLookups(db, keys, self.cases, clock)
        self.flags = ReviewFlags(db, self.audit, self.cases, clock)

    @classmethod
    def open(
        cls,
        db_path: Path,
        key_path: Path,
        *,
        workstation_id: str,
        create_key: bool = True,
        clock: Callable[[], datetime] | None = None,
        max_failed_logins: int = 5,
        lockout: timedelta = timedelta(minutes=15),
        verification_ttl: timedelta = timedelta(hours=4),
        scrypt_n: int = SCRYPT_N,
        suite: Suite | None = None,
    ) -> Store:
        """Open or create the store. Raises StoreOpenError, SchemaTooNewError, SuiteMismatchError or KeyFileError
        with a clear message; in every error case the database and key files are left as they were.

        ``suite``: None opens a store in the suite it was written with and creates a new one as ``gm``; ``gm`` or
        ``intl`` also requires an existing store to be in that suite."""
        db = Database.open(Path(db_path), supported_version=LATEST_VERSION)
        try:
            keys = _load_keys(db, Path(key_path), create_key, suite)
            migrate(db, data_steps={6: lambda conn: _typed_text_out_of_ui_state(conn, keys)})
            with db.write() as conn:
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [KEY_CHECK, keys.check_value()])
                # Recorded for stores from before suites too, so that the suite is read, never inferred, from now on.
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [SUITE_KEY, keys.suite])
                stored = conn.conn.execute("SELECT value FROM meta WHERE key = ?", [KEY_CHECK]).fetchone()[0]
                stored_suite = conn.conn.execute("SELECT value FROM meta WHERE key = ?", [SUITE_KEY]).fetchone()[0]
            if stored_suite != keys.suite:  # another process created it in the other suite meanwhile
                raise SuiteMismatchError(db.path, str(stored_suite), keys.suite)
            if stored != keys.check_value():  # another process initialised it with another key meanwhile
                raise KeyFileError(Path(key_path), "与数据库不匹配", "does not match the database")
            return cls(
                db,
                keys,
                workstation_id=workstation_id,
                clock=clock or utc_now,
                max_failed_logins=max_failed_logins,
                lockout=lockout,
                verification_ttl=verification_ttl,
                scrypt_n=scrypt_n,
            )
        except BaseException:
            db.close()
            raise

    def _same_suite(self, conn: sqlite3.Connection) -> None:
        """Refuse a write under this store's keys once the file was rekeyed to another suite by someone else."""
        row = conn.execute("SELECT value FROM meta WHERE key = ?", [SUITE_KEY]).fetchone()
        written = LEGACY_SUITE if row is None else str(row[0])
        if written != self.suite:
            raise SuiteMismatchError(self.db.path, written, self.suite, rekeyed_meanwhile=True)

    @property
    def path(self) -> Path:
        return self.db.path

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction around several repository calls: all of them commit together, or none does.

        Every repository write joins it (nested ``Database.write``), so a use case that changes the case, its
        status, the outbox and the audit chain leaves the store wholly before or wholly after, even on SIGKILL.
        """
        with self.db.write():
            yield

    def schema_version(self) -> int:
        return self.db.user_version()

    def integrity_check(self) -> list[str]:
        return self.db.integrity_check()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
