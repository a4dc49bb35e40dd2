"""Issue 14, found-item 6: every ``counter`` command answers bad input with exit 2 and one Chinese line.

A fixed table of the inputs that broke it (tracebacks, memory exhaustion, exit 0 on nonsense, raw escapes), then
a property test that throws random argv at every command's parser. ``main`` runs in-process (tests/cli_helpers.py):
an exception escaping it would be a traceback in a real process; two rows also run as real processes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import RAW_CONTROLS, Run, run_counter

HOSTILE_TEXT = "QD01\x1b[2J\x1b]0;pwned\x07\u202eevil\u2066\x9b31m"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A data directory for the commands that open the store, and hostile holiday files."""
    root = tmp_path_factory.mktemp("hostile")
    made = {
        "data": root / "data",
        "years_string": root / "years-string.toml",
        "year_string": root / "year-string.toml",
        "bad_date": root / "bad-date.toml",
        "nested": root / "nested.toml",
        "big": root / "big.toml",
        "binary": root / "binary.toml",
        "fifo": root / "fifo",
    }
    made["data"].mkdir()
    made["years_string"].write_text('years = "2027"\n')
    made["year_string"].write_text('[years]\n2027 = "holidays"\n')
    made["bad_date"].write_text('[years.2027]\nholidays = ["2027-02-30", 5]\n')
    made["nested"].write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    made["big"].write_text("# padding\n" * 200_000)  # 2 MB of valid TOML: over the 1 MiB cap
    made["binary"].write_bytes(b"\xff\xfe\x00years")
    os.mkfifo(made["fifo"])  # reading a FIFO with no writer would block forever
    saved = os.environ.get("COUNTER_DATA_DIR")
    os.environ["COUNTER_DATA_DIR"] = str(made["data"])
    yield made
    if saved is None:
        os.environ.pop("COUNTER_DATA_DIR", None)
    else:
        os.environ["COUNTER_DATA_DIR"] = saved


CALC = ["calc", "--months", "360", "--rate", "2.6", "--amount"]
DEADLINE = ["deadline", "--accepted", "2026-09-30", "--days", "10", "--holiday-file"]

# (argv, a fragment of the one-line message); every row must exit 2. "{name}" is a file from the fixture.
TABLE: list[tuple[list[str], str]] = [
    ([*CALC, "1e30"], "过大"),
    ([*CALC, "1e309"], "过大"),
    ([*CALC, "1e15"], "过大"),
    ([*CALC, "1000000000000"], "过大"),
    ([*CALC, "600000.005"], "两位小数"),
    ([*CALC, "-600000"], "负数"),
    ([*CALC, "0"], "大于 0"),
    ([*CALC, "NaN"], "有限"),
    ([*CALC, "Infinity"], "有限"),
    ([*CALC, "六十万"], "不是有效的金额"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "0"], "超出范围"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "100"], "超出范围"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "20.0001"], "超出范围"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "-2.6"], "超出范围"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "1e-30"], "小数位"),
    (["calc", "--amount", "600000", "--months", "360", "--rate", "nan"], "超出范围"),
    (["calc", "--amount", "600000", "--months", "0", "--rate", "2.6"], "1 到 360"),
    (["calc", "--amount", "600000", "--months", "99999999999999999999", "--rate", "2.6"], "不是整数"),
    (["calc", "--amount", "600000", "--months", "１２", "--rate", "2.6"], "不是整数"),
    (["calc", "--limit", "--age", "35", "--sex", "男", "--base", "1e30", "--balance", "1", "--price", "1"], ""),
    (["calc", "--limit", "--birth-date", "9999-12-31", "--sex", "男", "--base", "1", "--balance", "1"], "超出范围"),
    (["calc", "--limit", "--age", "35", "--as-of", "2026-02-30", "--sex", "男"], "实际日期"),
    (["deadline", "--accepted", "9999-12-31"], "超出范围"),
    (["deadline", "--accepted", "0001-01-01"], "超出范围"),
    (["deadline", "--accepted", "2026-02-30"], "实际日期"),
    (["deadline", "--accepted", "20260930"], "YYYY-MM-DD"),
    (["deadline", "--accepted", "2026-W40-1"], "YYYY-MM-DD"),
    (["deadline", "--accepted", "2026-09-30", "--days", "366"], "0 到 365"),
    (["deadline", "--accepted", "2026-09-30", "--days", "-1"], "0 到 365"),
    ([*DEADLINE, "{data}"], "不是普通文件"),
    ([*DEADLINE, "{years_string}"], "[years.YYYY]"),
    ([*DEADLINE, "{year_string}"], "应为表"),
    ([*DEADLINE, "{bad_date}"], "非日期"),
    ([*DEADLINE, "{nested}"], "节假日数据文件"),
    ([*DEADLINE, "{big}"], "1024 KiB"),
    ([*DEADLINE, "{binary}"], "UTF-8"),
    ([*DEADLINE, "/nonexistent/holidays.toml"], "无法读取"),
    ([*DEADLINE, ""], "文件路径"),
    (["print", HOSTILE_TEXT, "--doc", "receipt", "--login", "demo"], "--password-stdin"),
    (["print", "QD01-20260930-0001", "--doc", "receipt", "--login", "demo", "--reason", "x" * 201], "最多 200"),
    (["print", "QD01-20260930-0001", "--doc", "receipt", "--login", "demo", "--reason", "\x1b\x07"], "不能为空"),
    (["print", "QD01-20260930-0001", "--doc", HOSTILE_TEXT, "--login", "demo"], "无效的取值"),
    (["operators", "add", "wang", "王", "--role", "boss"], "无效的取值"),
    (["operators", "add", "wang", "\x1b[31m", "--password-stdin"], "不能为空"),
    (["operators", "add", "wang", "王小柜"], "--password-stdin"),
    (["operators", "reset-password", "wang", "--password-stdin"], "没有密码"),
    (["operators", "unlock", HOSTILE_TEXT], "不存在"),
    (["report", "--from", "2026-13-01"], "日期"),
    (["report", "--from", "2026-10-01", "--to", "2026-09-01"], ""),
    (["trial", HOSTILE_TEXT], "没有测试件"),
    (["sandbox", "--port", "0"], "端口"),
    (["serve", "--port", "99999"], "端口"),
    (["materials", "--property", "new", "--loan", "fund", "--co-borrowers", "9"], "无效的取值"),
    (["calc", "--bogus", HOSTILE_TEXT], "无法识别的参数"),
    (["deadline"], "缺少必填参数"),
    ([HOSTILE_TEXT], "无效的取值"),
]


def _argv(argv: list[str], files: dict[str, Path]) -> list[str]:
    return [str(files[a[1:-1]]) if a.startswith("{") and a.endswith("}") else a for a in argv]


@pytest.mark.parametrize(("argv", "fragment"), TABLE, ids=[f"row{n:02d}" for n in range(len(TABLE))])
def test_hostile_input_exits_2_with_one_line(argv: list[str], fragment: str, files: dict[str, Path]) -> None:
    run = run_counter(_argv(argv, files))
    assert run.code == 2, run
    assert run.clean, run
    assert fragment in run.err, run


def test_valid_input_still_works(files: dict[str, Path]) -> None:
    for argv, expected in [
        (["calc", "--amount", "600,000", "--months", "360", "--rate", "2.6%"], "2,402.04"),
        (["calc", "--amount", "999999999999.99", "--months", "1", "--rate", "20"], "999,999,999,999.99"),
        (["calc", "--amount", "0.01", "--months", "1", "--rate", "0.0001"], "0.01"),
        (["deadline", "--accepted", "2026-09-30", "--days", "20"], "2026-11-03"),
        (["deadline", "--accepted", "2099-12-31", "--days", "0"], "2099-12-31"),
    ]:
        run = run_counter(argv)
        assert run.code == 0 and run.clean and expected in run.out, run


def test_escapes_are_shown_escaped(files: dict[str, Path]) -> None:
    run = run_counter(["operators", "unlock", HOSTILE_TEXT])
    assert run.code == 2 and not any(c in run.err for c in RAW_CONTROLS)
    assert "\\x1b[2J" in run.err and "\\u202e" in run.err and "\\x07" in run.err


def _process(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    def limit_memory() -> None:  # without the cap, /dev/zero is read until the kernel kills the process
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "counter_app", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        preexec_fn=limit_memory,
    )


def test_real_processes_print_no_traceback(files: dict[str, Path]) -> None:
    env = {**os.environ, "COUNTER_DATA_DIR": str(files["data"]), "COUNTER_CONFIG": os.devnull}
    # /dev/zero and a FIFO only in a child with a memory cap and a timeout: without the fix one is read until
    # memory runs out and the other blocks for ever, which must not take the test process with them.
    for argv, fragment in (
        ([*CALC, "1e30"], "过大"),
        ([*DEADLINE, "/dev/zero"], "不是普通文件"),
        ([*DEADLINE, str(files["fifo"])], "不是普通文件"),
        ([*DEADLINE, str(files["years_string"])], "[years.YYYY]"),
    ):
        proc = _process(argv, env)
        run = Run(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
        assert run.code == 2 and run.clean and fragment in run.err, run
