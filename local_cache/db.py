"""The SQLite file: safe opening, per-thread connections and serialised write transactions.

Textual runs workers in threads, and a ``sqlite3.Connection`` must not be shared between threads that use it at
the same time. So each thread gets its own connection (created on first use, wrapped in ``sqlite_utils.Database``),
and every write goes through :meth:`Database.write`: a process-wide lock plus ``BEGIN IMMEDIATE``, so writers
queue instead of failing with "database is locked", and a second process (another ``counter`` on the same file)
is held off by SQLite's own lock and the busy timeout.

Opening never writes before it has checked that the file is a SQLite database of a version we understand, so a
wrong path or a newer database is left byte-for-byte untouched.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from local_cache.errors import SchemaTooNewError, StoreOpenError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def _precheck_path(path: Path) -> None:
    """Refuse paths that are not (and cannot become) a SQLite database, without touching them."""
    if path.is_dir():
        raise StoreOpenError(path, "该路径是一个目录，不是数据库文件", "the path is a directory, not a database file")
    if path.exists():
        try:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StoreOpenError(
                path, f"文件无法读取（{exc.strerror}）", f"cannot read the file ({exc.strerror})"
            ) from exc
        if header and header != SQLITE_HEADER:
            raise StoreOpenError(
                path,
                "该文件不是 SQLite 数据库，已保持原样未作改动",
                "not a SQLite database; the file was left untouched",
            )
        return
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreOpenError(
            path,
            f"无法创建所在目录 {parent}（{exc.strerror}）",
            f"cannot create the directory {parent} ({exc.strerror})",
        ) from exc
    if not os.access(parent, os.W_OK):
        raise StoreOpenError(path, f"目录 {parent} 不可写", f"the directory {parent} is not writable")
    try:
        # Create it empty with 0600 ourselves: SQLite gives its -wal/-shm files the database file's mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process created it meanwhile; SQLite will open it
    except OSError as exc:
        raise StoreOpenError(
            path, f"无法创建数据库文件（{exc.strerror}）", f"cannot create the file ({exc.strerror})"
        ) from exc


class Database:
    """One SQLite file; hands each thread its own connection and serialises writes."""

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.path = path
        # FULL: a committed autosave survives a power cut, not just a crash of the program (WAL + NORMAL would
        # only guarantee the latter).
        self._synchronous = synchronous
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._registry_lock = threading.Lock()
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        # Called at the start of every outermost write transaction, after BEGIN IMMEDIATE (so it sees what other
        # processes committed); raising aborts the transaction. The store refuses to write once another process
        # moved the file to another crypto suite (counter store rekey) under it.
        self.begin_guard: Callable[[sqlite3.Connection], None] | None = None

    # -- opening ---------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, supported_version: int, synchronous: str = "FULL") -> Database:
        """Open (or create) the file; checks type, readability and schema version before any write."""
        _precheck_path(path)
        db = cls(path, synchronous=synchronous)
        try:
            conn = db.conn.conn
            # Read-only probes first: a corrupt or foreign file fails here, before WAL or a migration writes.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found > supported_version:
                raise SchemaTooNewError(path, found, supported_version)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreOpenError(
                    path, f"无法切换到 WAL 日志模式（当前 {mode}）", f"cannot switch to WAL (got {mode})"
                )
        except SchemaTooNewError:
            db.close()
            raise
        except StoreOpenError:
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            text = str(exc)
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                zh = f"文件或所在目录只读或无法打开（{text}）"
            else:
                zh = f"文件已损坏或不是有效的数据库（{text}），已保持原样未作改动"
            raise StoreOpenError(path, zh, text) from exc
        return db

    # -- connections -----------------------------------------------------------------------------------------
    def _connect(self) -> sqlite_utils.Database:
        if self._closed:
            raise StoreOpenError(self.path, "数据库已关闭", "the store is closed")
        try:
            # check_same_thread=False only so close() may close every thread's connection; each connection is
            # still used by the one thread that created it.
            raw = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreOpenError(self.path, f"无法打开（{exc}）", str(exc)) from exc
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute(f"PRAGMA synchronous={self._synchronous}")
        # Freed and overwritten content is zeroed, so an old version of a row (e.g. the clear screen state a v5
        # store kept) does not linger in free pages of the file or the WAL.
        raw.execute("PRAGMA secure_delete=ON")
        wrapped = sqlite_utils.Database(raw, execute_plugins=False)
        with self._registry_lock:
            self._prune_dead_threads()
            self._connections.append((weakref.ref(threading.current_thread()), raw))
        return wrapped

    def _prune_dead_threads(self) -> None:
        # Textual starts a new thread per worker; close connections whose thread has ended so they do not pile up.
        alive: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        for ref, raw in self._connections:
            thread = ref()
            if thread is not None and thread.is_alive():
                alive.append((ref, raw))
            else:
                with contextlib.suppress(sqlite3.Error):
                    raw.close()
        self._connections = alive

    @property
    def conn(self) -> sqlite_utils.Database:
        """This thread's connection (created on first use)."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            self._local.depth = 0
        return db

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction (``BEGIN IMMEDIATE``); nested calls in one thread join the outer transaction."""
        db = self.conn
        if self._local.depth > 0:
            self._local.depth += 1
            try:
                yield db
            finally:
                self._local.depth -= 1
            return
        with self._write_lock:
            db.conn.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                if self.begin_guard is not None:
                    self.begin_guard(db.conn)
                yield db
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            else:
                db.conn.execute("COMMIT")
            finally:
                self._local.depth = 0

    def user_version(self) -> int:
        return int(self.conn.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check``: ``["ok"]`` when the file is sound."""
        return [str(row[0]) for row in self.conn.conn.execute("PRAGMA integrity_check").fetchall()]

    def close(self) -> None:
        with self._registry_lock:
            self._closed = True
            for _, raw in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    raw.close()
            self._connections = []
        self._local = threading.local()
