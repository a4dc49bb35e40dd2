"""Issue 14, found-item 6: random argv at every ``counter`` command never gives a traceback.

Each run is ``counter COMMAND [ACTION] [options with random values]`` in-process (tests/cli_helpers.py): exit 0,
1 or 2, no traceback or internal error, an exit 2 with one line that says 错误, no raw control character in the
output. The servers (sandbox, serve) and the sync worker are replaced by stubs once their arguments are parsed
and checked, so a valid argv returns instead of listening; everything else runs for real on a scratch data
directory. The tally (runs tried / clean) is printed with ``-s``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli_helpers import Run, run_counter

HOSTILE = ["\x1b[2J", "\x1b]0;x\x07", "\u202eabc", "\x9b31m", "\x00", "a\nb", " ", "", "-", "--", "-1", "1e999"]
CHOICES = ["qingdao", "shanxi", "first", "second", "annuity", "equal-principal", "new", "resale", "fund"]
CHOICES += ["combined", "receipt", "form", "notice", "commitment", "authorization", "demo", "男", "女", "male"]
CHOICES += ["show", "verify", "list", "clerk", "supervisor", "127.0.0.1", "0.0.0.0", "8765", "T99", "t00"]

# command -> (leading words, options taking a value, flags)
COMMANDS: dict[str, tuple[list[list[str]], list[str], list[str]]] = {
    "calc": (
        [[]],
        [
            "--amount",
            "--months",
            "--rate",
            "--policy",
            "--home",
            "--method",
            "--age",
            "--birth-date",
            "--sex",
            "--base",
            "--balance",
            "--months-contributed",
            "--spouse-age",
            "--spouse-sex",
            "--spouse-base",
            "--spouse-balance",
            "--spouse-months-contributed",
            "--property",
            "--house-age",
            "--price",
            "--term",
            "--as-of",
        ],
        ["--schedule", "--json", "--limit"],
    ),
    "materials": ([[]], ["--policy", "--property", "--loan", "--co-borrowers"], ["--agent", "--married", "--json"]),
    "deadline": ([[]], ["--accepted", "--days", "--policy", "--holiday-file"], ["--json"]),
    "config": ([["show"], []], [], []),
    "operators": (
        [["list"], ["unlock", "x"], ["add", "wang", "王"], ["reset-password", "demo"], []],
        ["--role"],
        ["--password-stdin"],
    ),
    "audit": ([["verify"], []], [], []),
    "print": ([["QD01-20260930-0001"], []], ["--doc", "--reason", "--login"], ["--password-stdin"]),
    "report": ([[]], ["--from", "--to"], ["--csv"]),
    "trial": ([["T99"], []], ["--policy"], ["--json", "--accept", "--print"]),
    "sandbox": ([[]], ["--port", "--host"], ["--allow-remote"]),
    "serve": ([[]], ["--host", "--port", "--public-url"], ["--allow-remote"]),
    "sync": ([[]], [], ["--once", "--pull-only", "--quiet"]),
}
# Valid argv, one value of which is replaced at random: reaches the handlers, not only the parser.
BASES: list[list[str]] = [
    ["calc", "--amount", "600000", "--months", "360", "--rate", "2.6"],
    ["calc", "--amount", "600000", "--months", "240", "--policy", "qingdao", "--home", "second"],
    ["calc", "--limit", "--age", "35", "--sex", "男", "--base", "10000", "--balance", "50000", "--price", "1500000"],
    [
        "calc",
        "--limit",
        "--birth-date",
        "1990-05-01",
        "--sex",
        "女",
        "--base",
        "8000",
        "--balance",
        "1",
        "--price",
        "900000",
        "--property",
        "resale",
        "--house-age",
        "10",
        "--spouse-age",
        "33",
        "--term",
        "240",
    ],
    ["materials", "--property", "new", "--loan", "fund", "--co-borrowers", "1"],
    ["deadline", "--accepted", "2026-09-30", "--days", "20"],
    ["report", "--from", "2026-09-01", "--to", "2026-09-30"],
    ["print", "QD01-20260930-0001", "--doc", "receipt", "--login", "demo", "--reason", "遗失"],
]
TALLY = {"tried": 0, "clean": 0, "exit0": 0, "exit1": 0, "exit2": 0}


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    import counter_app.commands.sync as sync_command
    import counter_app.services.sandbox as sandbox_service
    import counter_app.services.serve as serve_service

    async def no_sync(args: Any) -> int:
        return 0

    # Parsed, checked, then not started: a valid argv would otherwise listen or loop until Ctrl+C.
    monkeypatch.setattr(sandbox_service, "serve_sandbox", lambda *a, **k: None)
    monkeypatch.setattr(serve_service, "serve", lambda *a, **k: None)
    monkeypatch.setattr(sync_command, "_run", no_sync)
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path / "data"))
    holidays = tmp_path / "years.toml"
    holidays.write_text('years = "2027"\n')
    yield {"holidays": holidays, "dir": tmp_path}


def _values(files: dict[str, Path]) -> st.SearchStrategy[str]:
    # No /dev/zero or FIFO here: in-process, an unfixed reader would exhaust memory or block (test_cli_hostile.py
    # tries them in a capped child process).
    paths = [str(files["holidays"]), str(files["dir"]), "/nonexistent/x.toml", "/etc/hostname"]
    digits = st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)
    return st.one_of(
        st.text(max_size=24),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
        st.dates().map(lambda d: d.isoformat()),
        digits,
        st.sampled_from(paths + HOSTILE + CHOICES),
    )


@st.composite
def argv_for(draw: st.DrawFn, files: dict[str, Path]) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    leading, options, flags = COMMANDS[command]
    argv = [command, *draw(st.sampled_from(leading))]
    values = _values(files)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(st.integers(min_value=0, max_value=9))
        if kind < 6 and options:
            argv += [draw(st.sampled_from(options)), draw(values)]
        elif kind < 8 and flags:
            argv.append(draw(st.sampled_from(flags)))
        else:
            argv.append(draw(values))  # a stray positional or junk
    return argv


@st.composite
def near_valid(draw: st.DrawFn, files: dict[str, Path]) -> list[str]:
    argv = list(draw(st.sampled_from(BASES)))
    if draw(st.booleans()):
        values = [i for i in range(1, len(argv)) if not argv[i].startswith("--")]
        argv[draw(st.sampled_from(values))] = draw(_values(files))
    else:  # valid values, one more option: mostly exit 0
        argv.append(draw(st.sampled_from(["--json", "--schedule", "--csv", "--married", "--agent", "--days"])))
    return argv


def test_random_argv_never_gives_a_traceback(scratch: dict[str, Path]) -> None:
    @settings(max_examples=800)
    @given(
        argv=st.one_of(argv_for(scratch), near_valid(scratch)),
        stdin=st.sampled_from(["", "demo1234\n", "wrong-pass\n"]),
    )
    def one(argv: list[str], stdin: str) -> None:
        run = run_counter(argv, stdin)
        _count(run)
        assert run.clean, run

    one()
    print(f"\ncounter CLI property runs: {TALLY}")
    assert TALLY["tried"] >= 800 and TALLY["clean"] == TALLY["tried"]


def _count(run: Run) -> None:
    TALLY["tried"] += 1
    TALLY["clean"] += run.clean
    TALLY[f"exit{run.code}"] = TALLY.get(f"exit{run.code}", 0) + 1
