"""Spooled PDFs hold personal data in clear (issue 14, item 8): the folder is the owner's only, and PDFs older than
spool_retention_days are purged by the background round (Workstation.purge_spool) and `counter spool purge`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from app_driver import open_counter

from counter_app.settings import Settings
from printouts import DocKind
from printouts.retention import purge_spool
from printouts.spool import spool_document
from tests.test_printouts_spool import receipt_doc

NOW = datetime(2026, 9, 30, 1, 40, tzinfo=UTC)


def aged(folder: Path, name: str, days: float, now: datetime = NOW) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"%PDF-1.4 x")
    when = (now - timedelta(days=days)).timestamp()
    os.utime(path, (when, when))
    return path


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_existing_open_spool_folder_is_closed_to_others(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir(mode=0o755)
    spool.chmod(0o755)
    record = spool_document(receipt_doc(), DocKind.RECEIPT, spool, actor="a", now=NOW)
    assert stat.S_IMODE(spool.stat().st_mode) == 0o700
    assert stat.S_IMODE(record.path.stat().st_mode) == 0o600


def test_purge_removes_only_old_spooled_pdfs(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    old = aged(spool, "QD01_receipt_old.pdf", 31)
    fresh = aged(spool, "QD01_receipt_new.pdf", 29)
    notes = aged(spool, "notes.txt", 400)
    (spool / "sub").mkdir()
    inner = aged(spool / "sub", "deep.pdf", 400)
    target = aged(tmp_path, "elsewhere.pdf", 400)
    (spool / "link.pdf").symlink_to(target)
    result = purge_spool(spool, older_than=timedelta(days=30), now=NOW)
    assert (result.removed, result.kept, result.failed) == (1, 1, ())
    assert not old.exists() and fresh.exists() and notes.exists() and inner.exists() and target.exists()
    assert purge_spool(tmp_path / "missing", older_than=timedelta(days=30)).removed == 0


def test_the_workstation_purges_with_the_retention_setting(tmp_path: Path) -> None:
    ws = open_counter(Settings(data_dir=tmp_path, spool_retention_days=7), clock=lambda: NOW)
    spool = ws.printing.spool_dir
    old, fresh = aged(spool, "a.pdf", 8), aged(spool, "b.pdf", 6)
    assert ws.purge_spool().removed == 1
    assert not old.exists() and fresh.exists()


def test_the_default_retention_is_thirty_days_and_the_follow_deadline_twenty_seconds() -> None:
    settings = Settings(data_dir=Path("/nonexistent"))
    assert settings.spool_retention_days == 30 and settings.print_follow_seconds == 20


def test_counter_spool_purge(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    spool = tmp_path / "spool"
    old, fresh = aged(spool, "a.pdf", 31, now), aged(spool, "b.pdf", 1, now)
    env = {**os.environ, "COUNTER_DATA_DIR": str(tmp_path), "COUNTER_CONFIG": os.devnull}
    run = [sys.executable, "-m", "counter_app", "spool", "purge"]
    out = subprocess.run([*run, "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["removed"] == 1 and data["kept"] == 1 and data["retention_days"] == 30
    assert not old.exists() and fresh.exists()
    out = subprocess.run([*run, "--days", "0"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and "删除超过 0 天的文件 1 个" in out.stdout and not fresh.exists()
    bad = subprocess.run([*run, "--days", "x"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
