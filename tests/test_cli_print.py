"""`counter print`: the first print, then a reprint that needs a supervisor and a reason (issue 5)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
from app_driver import open_counter, store_of

from counter_app.settings import Settings
from printouts import DocKind
from tests.test_followup import agent_case, take_paper


def run(data: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTER_DATA_DIR": str(data), "COUNTER_CONFIG": os.devnull}
    return subprocess.run(
        [sys.executable, "-m", "counter_app", "print", *args, "--password-stdin"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_print_then_reprint_with_a_supervisor(tmp_path: Path) -> None:
    ws = open_counter(Settings(data_dir=tmp_path), clock=lambda: datetime(2026, 9, 30, 2, 0, tzinfo=UTC))
    store_of(ws).operators.add("sun", "孙帮办", "agent", "long-enough-1")
    store_of(ws).operators.add("li", "李主任", "supervisor", "long-enough-1")
    agent = ws.login("sun", "long-enough-1")
    clerk = ws.login("demo", "demo1234")
    case = asyncio.run(agent_case(ws, agent))
    take_paper(case)
    accepted = ws.open_case(case.case_id, clerk)
    accepted.accept()
    accepted.print(DocKind.RECEIPT)
    number = case.case_number
    store_of(ws).close()

    first = run(tmp_path, number, "--doc", "form", "--login", "demo", stdin="demo1234\n")
    assert first.returncode == 0, first.stderr
    assert "已打印申请表" in first.stdout

    clerk_reprint = run(tmp_path, number, "--doc", "receipt", "--login", "demo", "--reason", "遗失", stdin="demo1234\n")
    assert clerk_reprint.returncode == 2
    assert "负责人" in clerk_reprint.stderr

    no_reason = run(tmp_path, number, "--doc", "receipt", "--login", "li", stdin="long-enough-1\n")
    assert no_reason.returncode == 2 and "原因" in no_reason.stderr

    ok = run(tmp_path, number, "--doc", "receipt", "--login", "li", "--reason", "申请人遗失", stdin="long-enough-1\n")
    assert ok.returncode == 0, ok.stderr
    assert "已补打受理回执" in ok.stdout
    path = Path(ok.stdout.split("：", 1)[1].strip())
    assert path.exists() and number in path.name
    # The reprint says so on the paper: 补打, the date and its number (issue 13).
    assert "（第 1 次补打）" in ok.stdout
    with pdfplumber.open(path) as pdf:
        text = "".join((page.extract_text() or "").replace(" ", "") for page in pdf.pages)
    assert re.search(r"补打\d{4}年\d{2}月\d{2}日第1次补打", text)  # the command runs on the real clock

    wrong = run(tmp_path, "QD01-20991231-0001", "--doc", "receipt", "--login", "li", stdin="long-enough-1\n")
    assert wrong.returncode == 2 and "未找到" in wrong.stderr
