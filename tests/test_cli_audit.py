"""``counter audit verify`` on a damaged database: exit 1 with a Chinese message, never a traceback (issue 14)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli_store import run

DAMAGE = {
    "dropped table": ("DROP TABLE audit_log", "审计日志表 audit_log 不存在"),
    "garbage head": ("UPDATE meta SET value = 'garbage' WHERE key = 'audit_head'", "链尾记录（meta.audit_head）已损坏"),
    "missing head": ("DELETE FROM meta WHERE key = 'audit_head'", "链尾记录（meta.audit_head）缺失"),
    "truncated table": ("DELETE FROM audit_log", "审计日志被清空"),
    "no chain at all": ("DELETE FROM audit_log; DELETE FROM meta WHERE key = 'audit_head'", "操作员 2 名"),
    "row as seq 0": ("UPDATE audit_log SET seq = 0 WHERE seq = 1", "插在第 1 条之前"),
    "malformed hash": ("UPDATE audit_log SET hash = 'zz' WHERE seq = 2", "第 2 条被篡改"),
    "not utf-8": ("UPDATE audit_log SET actor = CAST(X'FFFE' AS TEXT) WHERE seq = 1", "无法读取"),
    "dropped meta": ("DROP TABLE meta", "数据库无法打开"),
}


@pytest.fixture(scope="module")
def counter_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("audit") / "data"
    for login in ("wang", "li"):
        added = run(data, "operators", "add", login, "柜员", "--password-stdin", stdin="long-enough-1\n")
        assert added.returncode == 0, added.stderr
    return data


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_damage_exits_1_with_a_message(counter_data: Path, tmp_path: Path, damage: str, as_json: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("counter.db", "counter.key"):
        (data / name).write_bytes((counter_data / name).read_bytes())
    (data / "counter.key").chmod(0o600)
    sql, text = DAMAGE[damage]
    conn = sqlite3.connect(data / "counter.db", isolation_level=None)
    conn.executescript(f"DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};")
    conn.close()
    out = run(data, "audit", "verify", *(["--json"] if as_json else []))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and not out.stderr.strip()
    if as_json:
        report = json.loads(out.stdout)
        assert report["ok"] is False and report["problem"] and text in report["message"]
    else:
        assert out.stdout.startswith("审计日志校验失败：") and text in out.stdout


def test_intact_json(counter_data: Path) -> None:
    out = run(counter_data, "audit", "verify", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"] is True and report["entries"] == 2 and report["problem"] is None
