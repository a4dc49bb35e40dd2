"""The real ``counter`` in a real terminal: sandbox test cases typed key by key, as a practised clerk types (issue 13).

Each case (T01, T02, T15 of docs/sandbox.md) is a script kept as data (:data:`SCRIPTS`): characters to type, keys
to press, and the few texts a real clerk waits to see (the house the contract lookup backfills, 可以受理 before F9,
the confirmation, the print dialog). Everything else is sent with no regard for the screen: one ``tmux send-keys``
per key, a key every 30 ms, Chinese characters one at a time with ``send-keys -l`` (as an input method commits
them), and no pause after ``n`` or a step change (the app must keep keys typed while a screen opens).

Each case runs in a fresh tmux session (120×36, COUNTER_DATA_DIR a fresh temporary directory, COUNTER_CONFIG
/dev/null, TERM=xterm-256color, LANG=C.UTF-8): log in as demo/demo1234, then the script from the home screen to an
accepted case with its receipt printed, then Esc and Ctrl+Q. Figures per case:

- Keys sent ÷ characters of irreducible data. The data are the values the script types into form fields (ID
  numbers, names, phones, contract number, amounts, terms, bank card, rate): what no registry can supply. The
  credit-authorization number is not among them: the counter numbers the authorization itself (SQ-<case number>),
  so there is nothing to type. Every other key (``n``, Enter, Tab, PageDown, the choice lists, Space, A, F9, the
  confirmations) is overhead. Target ≤ 1.3.
- Lost or misplaced keys. After the quit, the stored case is read (in a subprocess on the checkout that ran, so
  its own store code reads its own file) and every typed value is compared with the field it was typed into (the
  half-typed draft when the field refused it): characters of the typed value missing from the stored one
  (difflib), money and terms compared as numbers (600000 is stored 600000.00). Baseline: characters typed into
  fields. Target 0.
- Key → screen painted, p95. For every third character of each typed value (from its third on, so the text
  looked for is unambiguous), the time from ``send-keys`` until ``tmux capture-pane -p``, polled every 2 ms, shows
  the value typed so far one more time than just before the key. A key not painted within 2 s is left out of
  the p95 (it is a lost key, which the figure above counts; stderr says how many).
  Baseline: the same measurement, same characters, typed into ``cat`` in a pane of the same size (the tty echoes
  at once), i.e. what tmux, the pty and the polling cost by themselves. Target < 100 ms.
- How far the script got (actions done of all): 1.0 when a case reaches its printed receipt. A text waited for
  that never shows stops the script; the case is still read, and what was typed until then is compared (the keys
  and data characters of the two figures above are then those sent until the stop).

Once per run: ``n`` → case screen (``1 办理情形`` visible) p95 over a few repetitions (Esc back home in between),
baseline ``k`` → loan calculator (``月供计算`` visible), the lightest screen the home screen opens. Target < 100 ms.

Another checkout (the code before a fix) runs with ``run(cwd=...)`` or ``BENCH_COUNTER_CWD=/path``: ``python -m
counter_app`` with that directory as cwd and PYTHONPATH. Nothing is asserted; without tmux the bench returns no
figures and says so on stderr. Details (per-field differences, where a script stopped) go to stderr.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bench.common import Figure

ROOT = Path(__file__).resolve().parents[1]
KEY_DELAY = 0.03  # a practised clerk (and the tmux tests): a key every 30 ms
POLL = 0.002  # how often the pane is read while timing a key
PAINT_TIMEOUT = 2.0  # a key not painted after this long is counted as this long (it is probably lost)
SAMPLE_EVERY = 3  # time every third character of a typed value, from its third on
REPEATS = 7  # n -> case screen, and k -> calculator
WIDTH, HEIGHT = "120", "36"
# A private tmux server: our environment reaches the app, and nobody else's sessions share the server.
SOCKET = f"counter-bench-{os.getpid()}"


# -- scripts as data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Type:
    """Characters sent one at a time; ``path``: the application field that must end up holding them (None: none)."""

    text: str
    path: str | None = None


@dataclass(frozen=True)
class Press:
    """Named tmux keys (Enter, Tab, PageDown, Space, F9, n), one at a time."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class WaitFor:
    """A text (regular expression) a real clerk waits to see before going on; ``why`` says what the clerk waits for."""

    pattern: str
    why: str
    timeout: float = 20.0


Action = Type | Press | WaitFor


def press(*keys: str) -> Press:
    return Press(keys)


def typed(text: str, path: str) -> Type:
    return Type(text, path)


def person(prefix: str, id_number: str, name: str, phone: str) -> list[Action]:
    """An ID number, a name and a phone, each confirmed with Enter (Enter goes to the next field to type)."""
    return [
        typed(id_number, f"{prefix}.id_number"),
        press("Enter"),
        typed(name, f"{prefix}.name"),
        press("Enter"),
        typed(phone, f"{prefix}.phone"),
        press("Enter"),
    ]


# The end of every case: the review must say it can be accepted (the lookups have answered), F9 shows what is
# accepted, Enter confirms; the print dialog opens by itself with the receipt ticked, Enter prints.
ACCEPT_AND_PRINT: list[Action] = [
    WaitFor("可以受理", "the review: every lookup answered, nothing blocks acceptance"),
    press("F9"),
    WaitFor("确认受理", "the confirmation's summary, read before confirming"),
    press("Enter"),
    WaitFor("打印文书", "the print dialog, what will be printed"),
    press("Enter"),
    WaitFor("已打印：受理回执", "the receipt printed"),
]
HOUSE_BACKFILLED = WaitFor(r"坐落  \S", "the house the contract lookup backfills, checked before the loan is typed")

SCRIPTS: dict[str, list[Action]] = {
    # 新建商品房·纯公积金·本人·已婚 (docs/sandbox.md T01; phones and loan as scripts/sandbox_cases.py).
    "T01": [
        press("n"),
        # 1 办理情形: 婚姻状况 is the fourth choice; Enter opens its list, Down goes from 未婚 to 已婚, Enter picks it.
        press("Tab", "Tab", "Tab", "Enter", "Down", "Enter", "PageDown"),
        # 2 申请人: focus starts on the applicant's ID number.
        *person("applicant", "370202198803159132", "王建国", "13800000001"),
        *person("spouse", "370202199007029243", "刘晓梅", "13800000002"),
        # Focus is on the applicant's credit authorization: Space ticks it; Tab, Space: the spouse's own.
        press("Space", "Tab", "Space", "PageDown"),
        # 3 核验: the lookups run while the clerk goes on.
        press("PageDown"),
        # 4 房屋与贷款: the contract number; its lookup backfills the house, Enter then sits on 首付款 (left empty).
        typed("XF2026000101", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        press("Enter"),
        typed("600000", "fund_loan.amount"),
        press("Enter"),
        typed("300", "fund_loan.months"),
        press("Enter", "Enter"),  # 年利率 left empty: the policy's rate
        typed("6222020200112345679", "repayment_account.card_number"),
        press("Enter", "PageDown"),
        # 5 材料清单: A marks every line still missing as received; 6 审核与决定.
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
    # 再交易住房·纯公积金·本人·未婚 (T02).
    "T02": [
        press("n"),
        # 房屋类型 is the first choice (focused): Enter, Down to 再交易住房, Enter. 未婚 is the default.
        press("Enter", "Down", "Enter", "PageDown"),
        *person("applicant", "370203199511089153", "陈思远", "13800000021"),
        press("Space", "PageDown"),
        press("PageDown"),
        typed("CJ2026000201", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        # The contract backfills the seller and the title too; Enter passes 首付款, 评估价值, 卖方收款账号 (empty).
        press("Enter", "Enter", "Enter"),
        typed("400000", "fund_loan.amount"),
        press("Enter"),
        typed("240", "fund_loan.months"),
        press("Enter", "Enter"),
        typed("6217001234009876549", "repayment_account.card_number"),
        press("Enter", "PageDown"),
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
    # 新建商品房·组合贷款·代办·未婚 (T15): the agent (孙帮办) and the bank part; data as tests/test_followup.py.
    "T15": [
        press("n"),
        # 贷款类型 (second choice): Enter, Down to 组合贷款, Enter; 办理方式 (third): Enter, Down to 帮办代办, Enter.
        press("Tab", "Enter", "Down", "Enter", "Tab", "Enter", "Down", "Enter", "PageDown"),
        *person("applicant", "370211198703039770", "唐宇", "13800000015"),
        *person("agent", "370211198506189358", "孙帮办", "13900000015"),
        typed("帮办代办员", "agent.relation"),
        press("Enter"),
        # The power of attorney (授权委托书) box, then the applicant's credit authorization.
        press("Space", "Tab", "Space", "PageDown"),
        press("PageDown"),
        typed("XF2026001501", "property.contract_number"),
        press("Enter"),
        HOUSE_BACKFILLED,
        press("Enter"),
        typed("500000", "fund_loan.amount"),
        press("Enter"),
        typed("300", "fund_loan.months"),
        press("Enter", "Enter"),
        typed("沙箱银行", "bank_loan.bank"),
        press("Enter"),
        typed("300000", "bank_loan.amount"),
        press("Enter"),
        typed("300", "bank_loan.months"),
        press("Enter"),
        typed("3.5", "bank_loan.rate"),
        press("Enter"),
        typed("6217004455667788992", "repayment_account.card_number"),
        press("Enter", "PageDown"),
        press("a", "PageDown"),
        *ACCEPT_AND_PRINT,
    ],
}


def data_chars(script: list[Action]) -> int:
    """Characters of irreducible data: everything the script types into a form field."""
    return sum(len(a.text) for a in script if isinstance(a, Type) and a.path)


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
    subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", session, *size, *where, *pinned, *command],
        env={**os.environ, **env},
        check=True,
    )
    return session


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


def log_in(session: str, kb: Keyboard) -> bool:
    """The demo clerk; the login screen and then the home screen are waited for (a clerk sees them appear)."""
    if not wait_for(session, "操作员登录", 40):
        return False
    kb.text("demo", timed=False)
    kb.key("Enter")
    kb.text("demo1234", timed=False)
    kb.key("Enter")
    return wait_for(session, "今日案件", 40)


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


# -- one case ----------------------------------------------------------------------------------------------------


@dataclass
class CaseRun:
    code: str
    keys: int = 0
    data: int = 0
    lost: int = 0
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
    result.data = data_chars(script[: result.done])
    for action in script[: result.done]:
        if isinstance(action, Type) and action.path:
            stored = stored_value(payload, action.path)
            lost = missing_chars(action.text, stored)
            result.lost += lost
            if lost or not same_value(action.text, stored):
                print(f"  {code} {action.path}: typed {action.text!r}, stored {stored!r}", file=sys.stderr)
    return result


# -- opening screens -----------------------------------------------------------------------------------------------


def time_open(session: str, key: str, shows: str) -> float | None:
    """Seconds from ``key`` on the home screen until ``shows`` is on the pane; then Esc back home. None: never."""
    if not wait_for(session, "今日案件", 10):
        return None
    time.sleep(0.3)  # the home screen settled: only the opening is timed
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


# -- the figures -------------------------------------------------------------------------------------------------


def resolve_target(cwd: Path | str | None) -> Target:
    where = cwd if cwd is not None else os.environ.get("BENCH_COUNTER_CWD") or None
    return Target(Path(where).resolve() if where else None)


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
        result = run_case(code, target)
        painted = [s for s in result.latencies if s < PAINT_TIMEOUT]
        unpainted = len(result.latencies) - len(painted)
        print(
            f"  {code}: {result.done}/{result.total} actions, {result.keys} keys, {result.lost}/{result.data} data"
            f" characters lost, {len(painted)} keys timed ({unpainted} never painted in {PAINT_TIMEOUT:.0f} s)",
            file=sys.stderr,
        )
        figures += [
            Figure(f"terminal {code}: keys sent", result.keys, "keys", "data chars sent", result.data, "ratio <= 1.3"),
            Figure(
                f"terminal {code}: data chars lost/misplaced", result.lost, "chars", "data chars sent", result.data, "0"
            ),
            Figure(
                f"terminal {code}: key -> painted p95",
                p95(painted) * 1000,
                "ms",
                "cat echo p95 ms",
                p95(result.echo) * 1000,
                "< 100 ms",
            ),
            Figure(
                f"terminal {code}: script actions done", result.done, "actions", "in script", result.total, "ratio 1"
            ),
        ]
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
