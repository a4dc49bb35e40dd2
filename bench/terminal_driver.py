"""Driving the real ``counter`` in tmux for bench_terminal: sessions, paced keys, timing paint, reading the store back.

A private tmux server (``tmux -L counter-bench-<pid>``) so our environment reaches the app and nobody else's
sessions share it. :class:`Keyboard` sends one key per ``tmux send-keys``, at most one every :data:`KEY_DELAY`, and
times every third character of a typed value until the pane shows it. :func:`read_cases` reads the stored cases
back with the checkout that wrote them; :func:`missing_chars` compares a typed value with what was stored.
:func:`open_times` times ``n`` -> case screen against ``k`` -> loan calculator.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY_DELAY = 0.03  # a practised clerk (and the tmux tests): a key every 30 ms
POLL = 0.002  # how often the pane is read while timing a key
PAINT_TIMEOUT = 2.0  # a key not painted after this long is counted as this long (it is probably lost)
SAMPLE_EVERY = 3  # time every third character of a typed value, from its third on
REPEATS = 7  # n -> case screen, and k -> calculator
WIDTH, HEIGHT = "120", "36"
# A private tmux server: our environment reaches the app, and nobody else's sessions share the server.
SOCKET = f"counter-bench-{os.getpid()}"


# -- tmux --------------------------------------------------------------------------------------------------------


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def alive(session: str) -> bool:
    done = subprocess.run(["tmux", "-L", SOCKET, "has-session", "-t", session], capture_output=True, check=False)
    return done.returncode == 0


def start_session(command: list[str], *, env: dict[str, str], cwd: Path | None = None) -> str:
    session = f"bench-{uuid.uuid4().hex[:8]}"
    pinned = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    where = ["-c", str(cwd)] if cwd is not None else []
    size = ["-x", WIDTH, "-y", HEIGHT]
    argv = ["tmux", "-L", SOCKET, "new-session", "-d", "-s", session, *size, *where, *pinned, *command]
    for attempt in range(3):
        # The server of the previous case may still be exiting ("server exited unexpectedly"): try again.
        started = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True, check=False)
        if started.returncode == 0:
            return session
        time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"tmux did not start a session: {started.stderr.strip()}")


def wait_for(session: str, pattern: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, screen(session)):
            return True
        time.sleep(0.02)
    return False


@dataclass
class Keyboard:
    """Sends keys at most one every 30 ms (paced from the previous send), timing a sample of them."""

    session: str
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds, which character of which field)
    _next: float = 0.0

    def _pace(self) -> float:
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
        start = time.monotonic()
        self._next = start + KEY_DELAY
        self.sent += 1
        return start

    def key(self, name: str) -> None:
        self._pace()
        tmux("send-keys", "-t", self.session, name)

    def text(self, text: str, *, timed: bool = True, label: str = "") -> None:
        for index, char in enumerate(text):
            sample = timed and index >= 2 and index % SAMPLE_EVERY == 2
            # The field as painted: the text so far, then the cursor's blank cell or the end of the line (tmux trims
            # trailing blanks). Not followed by more text, so a title or placeholder that contains it does not count.
            shown = re.compile(re.escape(text[: index + 1]) + r"(?= |$)", re.MULTILINE)
            before = len(shown.findall(screen(self.session))) if sample else 0
            start = self._pace()
            tmux("send-keys", "-t", self.session, "-l", char)
            if sample:
                seconds = self._painted(shown, before, start)
                self.latencies.append(seconds)
                self.slowest = sorted([*self.slowest, (seconds, f"{label}[{index}]")], reverse=True)[:5]

    def _painted(self, shown: re.Pattern[str], before: int, start: float) -> float:
        """Seconds from the send until ``shown`` is on the pane once more than before the key."""
        while (elapsed := time.monotonic() - start) < PAINT_TIMEOUT:
            if len(shown.findall(screen(self.session))) > before:
                return elapsed
            time.sleep(POLL)
        return PAINT_TIMEOUT


# -- the app -----------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where the app comes from: the installed ``counter`` (cwd None) or ``python -m counter_app`` in a checkout."""

    cwd: Path | None = None

    def command(self) -> list[str]:
        if self.cwd is None:
            return [str(Path(sys.executable).with_name("counter"))]
        return [sys.executable, "-m", "counter_app"]

    def env(self, data: Path) -> dict[str, str]:
        env = {
            "COUNTER_DATA_DIR": str(data),
            "COUNTER_CONFIG": os.devnull,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        }
        if self.cwd is not None:
            env["PYTHONPATH"] = str(self.cwd)
        return env

    def start(self, data: Path) -> str:
        return start_session(self.command(), env=self.env(data), cwd=self.cwd)


# A clerk logs in before the citizen sits down, and comes back to the home screen between citizens: home uses that
# second to prepare the next case's screen (screens/warm_case.py). The scripts and the n -> case timing start then.
HOME_SETTLES = 1.0


def log_in(session: str, kb: Keyboard) -> bool:
    """The demo clerk; the login screen and then the home screen are waited for (a clerk sees them appear)."""
    if not wait_for(session, "操作员登录", 40):
        return False
    kb.text("demo", timed=False)
    kb.key("Enter")
    kb.text("demo1234", timed=False)
    kb.key("Enter")
    if not wait_for(session, "今日案件", 40):
        return False
    time.sleep(HOME_SETTLES)
    return True


def quit_app(session: str) -> None:
    """Back to the home screen (Esc closes what is open) and Ctrl+Q; a session still running after that is killed."""
    for _ in range(4):
        if "今日案件" in screen(session) and "1 办理情形" not in screen(session):
            break
        tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.5)
    tmux("send-keys", "-t", session, "C-q")
    deadline = time.monotonic() + 15
    while alive(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(session):
        tmux("kill-session", "-t", session)
        time.sleep(0.5)


READ_CASE = """
import json, sys
from pathlib import Path
from local_cache import Store
data = Path(sys.argv[1])
with Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", create_key=False) as store:
    ids = {c.id for c in store.cases.list_for_date()} | {c.id for c in store.cases.list_drafts()}
    payloads = [store.cases.get(i).payload for i in sorted(ids)]
print(json.dumps(payloads, ensure_ascii=False, default=str))
"""


def read_cases(target: Target, data: Path) -> list[dict[str, object]]:
    """Every case stored in ``data``, read by the checkout that wrote it."""
    if not (data / "counter.db").exists():
        return []
    cwd = target.cwd or ROOT
    done = subprocess.run(
        [sys.executable, "-c", READ_CASE, str(data)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd), "COUNTER_CONFIG": os.devnull},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode:
        print(f"  could not read the store: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return []
    payloads: list[dict[str, object]] = json.loads(done.stdout)
    return payloads


def stored_value(payload: dict[str, object], path: str) -> str:
    """The field's stored value; a half-typed draft (refused or never confirmed) wins, as the screen shows it."""
    drafts = payload.get("drafts")
    if isinstance(drafts, dict) and path in drafts:
        return str(drafts[path])
    node: object = payload.get("application")
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ""
    return "" if node is None else str(node)


def as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def same_value(typed_text: str, stored: str) -> bool:
    """Equal as text, or as numbers (money is stored with two decimals, a term as an integer)."""
    number = as_number(typed_text)
    return typed_text == stored or (number is not None and number == as_number(stored))


def missing_chars(expected: str, stored: str) -> int:
    """Characters of ``expected`` not found, in order, in ``stored`` (numbers equal as numbers count as equal)."""
    if same_value(expected, stored):
        return 0
    matched = sum(block.size for block in difflib.SequenceMatcher(None, expected, stored).get_matching_blocks())
    return len(expected) - matched


# -- opening screens -----------------------------------------------------------------------------------------------


def time_open(session: str, key: str, shows: str) -> float | None:
    """Seconds from ``key`` on the home screen until ``shows`` is on the pane; then Esc back home. None: never."""
    if not wait_for(session, "今日案件", 10):
        return None
    time.sleep(HOME_SETTLES)  # the home screen settled: only the opening is timed
    before = screen(session)
    if shows in before:
        return None
    start = time.monotonic()
    tmux("send-keys", "-t", session, key)
    opened: float | None = None
    while time.monotonic() - start < 5:
        if shows in screen(session):
            opened = time.monotonic() - start
            break
        time.sleep(POLL)
    tmux("send-keys", "-t", session, "Escape")
    deadline = time.monotonic() + 10
    while shows in screen(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    return opened


def open_times(target: Target) -> tuple[list[float], list[float]]:
    """``n`` -> case screen and ``k`` -> calculator, interleaved so both see the same machine, REPEATS times each."""
    cases: list[float] = []
    calculator: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-terminal-open-") as tmp:
        session = target.start(Path(tmp) / "data")
        try:
            if log_in(session, Keyboard(session)):
                for _ in range(REPEATS):
                    for key, shows, into in (("k", "月供计算", calculator), ("n", "1 办理情形", cases)):
                        seconds = time_open(session, key, shows)
                        if seconds is not None:
                            into.append(seconds)
        finally:
            quit_app(session)
    return cases, calculator
