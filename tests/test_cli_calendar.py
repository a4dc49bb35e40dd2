"""`counter calendar import FILE` through a subprocess: it shows what it read, asks, saves where the calendar looks
(holidays.toml in the data directory, or the holiday_file setting), and from then on the year is no estimate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTICES = Path(__file__).resolve().parent / "fixtures" / "holiday_notices"
# A fictitious 2027 notice (the real one is published around November 2026), in the published structure.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试用虚构文本）
　　一、元旦：1月1日（周五）至3日（周日）放假，共3天。
　　二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月14日（周日）上班。
"""


def counter(
    data_dir: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COUNTER_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


def deadline(data_dir: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    out = counter(data_dir, "deadline", "--accepted", "2027-02-03", "--days", "6", "--json", env=env)
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.fixture
def notice_2027(tmp_path: Path) -> Path:
    path = tmp_path / "notice-2027.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    return path


def test_import_ends_the_estimate_for_that_year(tmp_path: Path, notice_2027: Path) -> None:
    data = tmp_path / "data"
    before = deadline(data)
    assert before == {"accepted": "2027-02-03", "working_days": 6, "due": "2027-02-19", "estimate": True}
    out = counter(data, "calendar", "import", str(notice_2027), "--yes")
    assert out.returncode == 0, out.stderr
    assert "春节：放假 2027-02-05（周五） 至 2027-02-12（周五），8 天；调休上班 2027-02-14（周日）" in out.stdout
    assert (data / "holidays.toml").is_file()
    # The 调休 Sunday is worked: the official date is a day earlier than the estimate, and no longer one.
    assert deadline(data) == {"accepted": "2027-02-03", "working_days": 6, "due": "2027-02-18", "estimate": False}
    assert "官方安排（节假日数据文件）" in counter(data, "calendar", "show", "2027").stdout


def test_it_asks_and_a_no_saves_nothing(tmp_path: Path, notice_2027: Path) -> None:
    data = tmp_path / "data"
    for answer in ("n\n", "\n", ""):
        out = counter(data, "calendar", "import", str(notice_2027), stdin=answer)
        assert out.returncode == 1 and "[y/N]" in out.stdout and "未保存" in out.stdout
        assert not (data / "holidays.toml").exists()
    assert counter(data, "calendar", "import", str(notice_2027), stdin="y\n").returncode == 0
    assert deadline(data)["estimate"] is False


def test_import_writes_the_configured_holiday_file_and_keeps_its_other_years(tmp_path: Path, notice_2027: Path) -> None:
    configured = tmp_path / "hall-holidays.toml"
    configured.write_text('[years.2028]\nholidays = ["2028-01-03"]\n', encoding="utf-8")
    env = {"COUNTER_HOLIDAY_FILE": str(configured)}
    out = counter(tmp_path / "data", "calendar", "import", str(notice_2027), "--yes", env=env)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "data" / "holidays.toml").exists()
    text = configured.read_text(encoding="utf-8")
    assert "[years.2027]" in text and "[years.2028]" in text
    assert deadline(tmp_path / "data", env=env)["estimate"] is False


def test_the_2025_notice_imports_as_published(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = counter(data, "calendar", "import", str(NOTICES / "2025.txt"), "--yes")
    assert out.returncode == 0, out.stderr
    assert "国庆节、中秋节：放假 2025-10-01（周三） 至 2025-10-08（周三），8 天" in out.stdout
    national = counter(data, "deadline", "--accepted", "2025-09-30", "--days", "6", "--json")
    # Oct 1-8 off; Thu 9, Fri 10, Sat 11 (调休上班), Mon 13, Tue 14, Wed 15: as chinese-calendar says.
    assert json.loads(national.stdout) == {**json.loads(national.stdout), "due": "2025-10-15", "estimate": False}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "没有任何"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。\n", "共 4 天"),
        ("not = [toml", "既不是"),
    ],
)
def test_bad_input_exits_2_and_saves_nothing(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.txt"
    path.write_text(content, encoding="utf-8")
    out = counter(tmp_path / "data", "calendar", "import", str(path), "--yes")
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "data" / "holidays.toml").exists()
    missing = counter(tmp_path / "data", "calendar", "import", str(tmp_path / "none.txt"), "--yes")
    assert missing.returncode == 2 and "无法读取" in missing.stderr
