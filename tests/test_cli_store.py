"""`counter operators` and `counter audit verify` through a subprocess on a fresh data folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def run(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTER_DATA_DIR": str(data), "COUNTER_CONFIG": os.devnull}
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_operators_add_list_reset_and_audit(tmp_path: Path) -> None:
    out = run(
        tmp_path,
        "operators",
        "add",
        "wang",
        "王小柜",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="long-enough-1\n",
    )
    assert out.returncode == 0, out.stderr
    assert "wang" in out.stdout
    listing = run(tmp_path, "operators", "list")
    assert "王小柜" in listing.stdout and "负责人" in listing.stdout
    # Set-up commands never create the demo clerk.
    assert "demo" not in listing.stdout
    assert (
        run(tmp_path, "operators", "reset-password", "wang", "--password-stdin", stdin="another-pass-2\n").returncode
        == 0
    )
    audit = run(tmp_path, "audit", "verify")
    assert audit.returncode == 0, audit.stderr
    assert (tmp_path / "counter.key").stat().st_mode & 0o077 == 0


def test_short_password_and_unknown_operator_exit_2(tmp_path: Path) -> None:
    out = run(tmp_path, "operators", "add", "li", "李四", "--password-stdin", stdin="short\n")
    assert out.returncode == 2
    assert "密码" in out.stderr and "Traceback" not in out.stderr
    missing = run(tmp_path, "operators", "reset-password", "nobody", "--password-stdin", stdin="long-enough-1\n")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr


def test_audit_verify_names_a_tampered_entry(tmp_path: Path) -> None:
    run(tmp_path, "operators", "add", "wang", "王小柜", "--password-stdin", stdin="long-enough-1\n")
    run(tmp_path, "operators", "reset-password", "wang", "--password-stdin", stdin="another-pass-2\n")
    conn = sqlite3.connect(tmp_path / "counter.db")
    table = "audit_log"
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    assert "seq" in cols
    text_col = next(c for c in ("detail", "details", "actor") if c in cols)
    # A tamperer with the file drops the append-only triggers first; the hash chain still tells.
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"UPDATE {table} SET {text_col} = {text_col} || 'x' WHERE seq = 1")
    conn.commit()
    conn.close()
    out = run(tmp_path, "audit", "verify")
    assert out.returncode == 1
    assert "第 1 条被篡改" in out.stdout


def test_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    run(tmp_path, "operators", "add", "wang", "王小柜", "--password-stdin", stdin="long-enough-1\n")
    key = tmp_path / "counter.key"
    key.write_bytes(bytes(len(key.read_bytes())))
    out = run(tmp_path, "operators", "list")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.strip()
