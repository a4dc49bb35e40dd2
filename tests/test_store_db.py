"""Local store: opening, bad files at the database path, migrations, WAL and thread safety."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from local_cache import SchemaTooNewError, Store, StoreOpenError
from local_cache.db import Database
from local_cache.migrations import LATEST_VERSION, migrate

T0 = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)


def _open(tmp_path: Path, **kw: object) -> Store:
    return Store.open(
        tmp_path / "data" / "counter.db",
        tmp_path / "data" / "store.key",
        workstation_id="QD01",
        clock=lambda: T0,
        scrypt_n=2**10,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path)
    yield s
    s.close()


def test_new_store_is_wal_with_foreign_keys_and_latest_schema(store: Store) -> None:
    conn = store.db.conn.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert store.schema_version() == LATEST_VERSION
    assert store.integrity_check() == ["ok"]
    with pytest.raises(sqlite3.IntegrityError):
        store.db.conn.execute("INSERT INTO case_people (case_id, role) VALUES ('no-such-case', 'applicant')")


def test_database_file_is_owner_only(store: Store) -> None:
    if os.name != "posix":
        pytest.skip("mode bits are POSIX only")
    assert (store.path.stat().st_mode & 0o077) == 0


def test_reopen_keeps_data(tmp_path: Path) -> None:
    with _open(tmp_path) as s:
        case = s.cases.create(actor="t", payload={"applicant": {"name": "王五"}})
    with _open(tmp_path) as s:
        assert s.cases.get(case.id).payload == {"applicant": {"name": "王五"}}


def test_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "data" / "counter.db"
    path.parent.mkdir()
    db = Database.open(path, supported_version=LATEST_VERSION)
    assert migrate(db, target=1) == [1]
    db.close()
    with _open(tmp_path) as s:
        assert s.schema_version() == LATEST_VERSION
        tables = set(s.db.conn.table_names())
        assert "verification_cache" in tables


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "counter.db"
    _open(tmp_path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={LATEST_VERSION + 1}")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError) as info:
        _open(tmp_path)
    assert str(path) in str(info.value)
    assert "升级" in str(info.value)
    assert path.read_bytes() == before


def test_non_sqlite_file_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "data" / "counter.db"
    path.parent.mkdir()
    path.write_text("这是一份报告，不是数据库。\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreOpenError) as info:
        _open(tmp_path)
    assert str(path) in str(info.value)
    assert "不是 SQLite" in str(info.value)
    assert path.read_bytes() == before
    assert not (tmp_path / "data" / "store.key").exists()


def test_corrupt_database_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "data" / "counter.db"
    with _open(tmp_path) as s:
        s.cases.create(actor="t")
    # Checkpointed and closed: everything lives in the main file; now smash the schema page after the header.
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    before = path.read_bytes()
    with pytest.raises(StoreOpenError) as info:
        _open(tmp_path)
    assert str(path) in str(info.value)
    assert "损坏" in str(info.value)
    assert path.read_bytes() == before


def test_directory_at_database_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "counter.db"
    path.mkdir(parents=True)
    with pytest.raises(StoreOpenError) as info:
        _open(tmp_path)
    assert str(path) in str(info.value)
    assert "目录" in str(info.value)
    assert path.is_dir() and not any(path.iterdir())


def test_database_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    with pytest.raises(StoreOpenError) as info:
        _open(tmp_path)
    assert str(blocker / "counter.db") in str(info.value)
    assert blocker.read_text() == "not a directory"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    ro = tmp_path / "data"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(StoreOpenError) as info:
            _open(tmp_path)
        assert str(ro / "counter.db") in str(info.value)
    finally:
        ro.chmod(0o700)


def _run_threads(n: int, target: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrap(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_writers_in_threads(store: Store) -> None:
    """Eight worker threads create and autosave cases at once: no lock errors, no thread errors, nothing lost."""
    numbers: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for j in range(15):
            case = store.cases.create(actor=f"w{i}", payload={"n": j})
            for k in range(3):
                store.cases.autosave(case.id, {"n": j, "k": k, "worker": i}, ui_state={"focus": f"f{k}"})
            with lock:
                numbers.append(case.case_number)

    errors = _run_threads(8, work)
    assert errors == []
    assert len(numbers) == 120
    assert len(set(numbers)) == 120  # case numbers stayed unique under contention
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, 121))
    assert store.audit.verify().ok
    assert store.audit.verify().entries == 120
    drafts = store.cases.list_drafts(limit=1000)
    assert len(drafts) == 120 and all(d.revision == 3 for d in drafts)


def test_connection_made_in_one_thread_is_not_used_in_another(store: Store) -> None:
    main_conn = store.db.conn
    seen: list[object] = []
    errors = _run_threads(1, lambda _: seen.append(store.db.conn))
    assert errors == []
    assert seen and seen[0] is not main_conn
    # and the main thread's connection still works after the worker has gone
    assert store.cases.list_for_date() == []


def test_failed_transaction_rolls_back_everything(store: Store) -> None:
    case = store.cases.create(actor="t", payload={"v": 1})
    with pytest.raises(RuntimeError), store.db.write():
        store.cases.autosave(case.id, {"v": 2})
        store.audit.append("test", actor="t")
        raise RuntimeError("power cut simulated inside the transaction")
    assert store.cases.get(case.id).payload == {"v": 1}
    assert store.cases.get(case.id).summary.revision == 0
    assert store.audit.verify().entries == 1  # only case_created
