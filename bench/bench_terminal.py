"""The real ``counter`` in a real terminal: sandbox test cases typed key by key, as a practised clerk types (issue 13).

Each case (T01, T02, T15 of docs/sandbox.md) is a script kept as data (bench/terminal_cases.py): characters to type,
keys to press, and the few texts a real clerk waits to see. Everything else is sent with no regard for the screen
(bench/terminal_driver.py): one ``tmux send-keys`` per key, a key every 30 ms, Chinese characters one at a time with
``send-keys -l`` (as an input method commits them), and no pause after ``n``, a choice or a step change.

Each case runs in a fresh tmux session (120×36, COUNTER_DATA_DIR a fresh temporary directory, COUNTER_CONFIG
/dev/null, TERM=xterm-256color, LANG=C.UTF-8): log in as demo/demo1234, then the script from the home screen to an
accepted case with its receipt printed, then Esc and Ctrl+Q. Figures per case:

- Keys sent ÷ characters of irreducible data: ID numbers, phones, contract number, amounts, terms, the bank part's
  rate, bank card and the credit-authorization number (typed or scanned off the signed paper). Names and other words
  (bank name, the agent's relation) are not counted as irreducible; a second figure divides the same keys by every
  character typed into a field, names and words included. Every other key (``n``, Enter, Tab, PageDown, the choice
  lists, Space, A, F9, the confirmations) is overhead. Target ≤ 1.3.
- Lost or misplaced characters. After the quit, the stored case is read (in a subprocess on the checkout that ran,
  so its own store code reads its own file) and every typed value, names included, is compared with the field it
  was typed into (the half-typed draft when the field refused it): characters of the typed value missing from the
  stored one (difflib), money and terms compared as numbers (600000 is stored 600000.00). Baseline: characters
  typed into fields. Target 0.
- Key → screen painted, p95. For every third character of each typed value (from its third on, so the text looked
  for is unambiguous), the time from ``send-keys`` until ``tmux capture-pane -p``, polled every 2 ms, shows the value
  typed so far one more time than just before the key. A key not painted within 2 s is left out of the p95 (it is
  a lost key, which the figure above counts; stderr says how many). Baseline: the same measurement, same characters,
  typed into ``cat`` in a pane of the same size (the tty echoes at once), i.e. what tmux, the pty and the polling
  cost by themselves. Target < 100 ms.
- How far the script got (actions done of all): 1.0 when a case reaches its printed receipt. A text waited for
  that never shows stops the script; the case is still read, and what was typed until then is compared (the keys
  and characters of the figures above are then those sent until the stop).

Once per run: ``n`` → case screen (``1 办理情形`` visible) p95 over a few repetitions (Esc back home in between),
baseline ``k`` → loan calculator (``月供计算`` visible), the lightest screen the home screen opens. Target < 100 ms.

Another checkout (the code before a fix) runs with ``run(cwd=...)`` or ``BENCH_COUNTER_CWD=/path``: ``python -m
counter_app`` with that directory as cwd and PYTHONPATH. Nothing is asserted; without tmux the bench returns no
figures and says so on stderr. Details (per-field differences, where a script stopped) go to stderr.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Figure
from bench.terminal_cases import SCRIPTS, Action, Press, Type, data_chars, typed_chars
from bench.terminal_driver import (
    PAINT_TIMEOUT,
    Keyboard,
    Target,
    log_in,
    missing_chars,
    open_times,
    quit_app,
    read_cases,
    same_value,
    screen,
    start_session,
    stored_value,
    tmux,
    wait_for,
)

# -- one case ----------------------------------------------------------------------------------------------------


@dataclass
class CaseRun:
    code: str
    keys: int = 0
    data: int = 0  # irreducible data characters sent
    typed: int = 0  # every character sent into a field (names and words included)
    lost: int = 0  # of ``typed``
    done: int = 0
    total: int = 0
    stopped: str = ""
    latencies: list[float] = field(default_factory=list)
    echo: list[float] = field(default_factory=list)


def p95(samples: list[float]) -> float:
    if not samples:
        return float("nan")
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def play(session: str, script: list[Action], kb: Keyboard) -> tuple[int, str]:
    """Runs the script; returns how many actions were done and, when one never came true, what was waited for."""
    for index, action in enumerate(script):
        if isinstance(action, Press):
            for name in action.keys:
                kb.key(name)
        elif isinstance(action, Type):
            kb.text(action.text, label=action.path or "")
        elif not wait_for(session, action.pattern, action.timeout):
            return index, f"{action.why} ({action.pattern!r} never showed)"
    return len(script), ""


def echo_baseline(script: list[Action]) -> list[float]:
    """The same characters, timed the same way, typed into ``cat``: the floor of what tmux and polling cost."""
    session = start_session(["cat"], env={"TERM": "xterm-256color", "LANG": "C.UTF-8"})
    try:
        time.sleep(0.3)
        kb = Keyboard(session)
        for action in script:
            if isinstance(action, Type) and action.path:
                kb.text(action.text)
                kb.key("Enter")
        return kb.latencies
    finally:
        tmux("kill-session", "-t", session)


def run_case(code: str, target: Target) -> CaseRun:
    script = SCRIPTS[code]
    result = CaseRun(code, total=len(script))
    result.echo = echo_baseline(script)
    with tempfile.TemporaryDirectory(prefix=f"bench-terminal-{code}-") as tmp:
        data = Path(tmp) / "data"
        session = target.start(data)
        try:
            kb = Keyboard(session)
            if not log_in(session, kb):
                result.stopped = f"never reached the home screen:\n{screen(session)}"
            else:
                kb.sent = 0  # from the home screen on: the case's keys only
                result.done, result.stopped = play(session, script, kb)
                result.keys, result.latencies = kb.sent, kb.latencies
                slow = ", ".join(f"{where} {seconds * 1000:.0f} ms" for seconds, where in kb.slowest)
                print(f"  {code} slowest keys: {slow}", file=sys.stderr)
                if result.stopped:
                    print(f"  {code} stopped: {result.stopped}; the pane shows:\n{screen(session)}", file=sys.stderr)
        finally:
            quit_app(session)
        cases = read_cases(target, data)
    payload = cases[-1] if cases else {}
    if len(cases) > 1:
        print(f"  {code}: {len(cases)} cases stored, the last one compared", file=sys.stderr)
    # Only what was typed is compared (a script stopped by a text that never showed typed no further).
    sent = script[: result.done]
    result.data, result.typed = data_chars(sent), typed_chars(sent)
    for action in sent:
        if isinstance(action, Type) and action.path:
            stored = stored_value(payload, action.path)
            lost = missing_chars(action.text, stored)
            result.lost += lost
            if lost or not same_value(action.text, stored):
                print(f"  {code} {action.path}: typed {action.text!r}, stored {stored!r}", file=sys.stderr)
    return result


# -- the figures -------------------------------------------------------------------------------------------------


def resolve_target(cwd: Path | str | None) -> Target:
    where = cwd if cwd is not None else os.environ.get("BENCH_COUNTER_CWD") or None
    return Target(Path(where).resolve() if where else None)


def case_figures(result: CaseRun) -> list[Figure]:
    code = result.code
    painted = [s for s in result.latencies if s < PAINT_TIMEOUT]
    unpainted = len(result.latencies) - len(painted)
    print(
        f"  {code}: {result.done}/{result.total} actions, {result.keys} keys, {result.data} data characters"
        f" ({result.typed} typed with names and words), {result.lost}/{result.typed} characters lost,"
        f" {len(painted)} keys timed ({unpainted} never painted in {PAINT_TIMEOUT:.0f} s)",
        file=sys.stderr,
    )
    return [
        Figure(f"terminal {code}: keys sent", result.keys, "keys", "data chars sent", result.data, "ratio <= 1.3"),
        Figure(f"terminal {code}: keys sent (names too)", result.keys, "keys", "chars typed", result.typed, "-"),
        Figure(f"terminal {code}: chars lost/misplaced", result.lost, "chars", "chars typed", result.typed, "0"),
        Figure(
            f"terminal {code}: key -> painted p95",
            p95(painted) * 1000,
            "ms",
            "cat echo p95 ms",
            p95(result.echo) * 1000,
            "< 100 ms",
        ),
        Figure(f"terminal {code}: script actions done", result.done, "actions", "in script", result.total, "ratio 1"),
    ]


def run(cwd: Path | str | None = None, cases: tuple[str, ...] = ("T01", "T02", "T15")) -> list[Figure]:
    """Every case of ``cases`` typed into the counter of ``cwd`` (default: $BENCH_COUNTER_CWD, else ``counter``)."""
    if shutil.which("tmux") is None:
        print("bench_terminal: tmux is not installed; skipped", file=sys.stderr)
        return []
    target = resolve_target(cwd)
    if target.cwd is None and not Path(target.command()[0]).exists():
        print("bench_terminal: the counter command is not installed; skipped", file=sys.stderr)
        return []
    print(f"  app: {target.cwd or target.command()[0]}", file=sys.stderr)
    figures: list[Figure] = []
    for code in cases:
        figures += case_figures(run_case(code, target))
    opened, calculator = open_times(target)
    figures.append(
        Figure(
            "terminal: n -> case screen p95",
            p95(opened) * 1000,
            "ms",
            "k -> calculator p95 ms",
            p95(calculator) * 1000,
            "< 100 ms",
        )
    )
    return figures
