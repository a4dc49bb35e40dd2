"""Drive the counter application through Textual's Pilot: shared by the tests, the user-guide script and the bench.

Everything here is deterministic: a frozen clock (2026-09-30 10:00 China time), a fresh data directory, and an
embedded sandbox on the same clock, so case numbers, dates and lookup times are the same on every run.

The :class:`Driver` counts what a clerk would do: every key pressed (``keys``) and every value set directly
(``values``: Chinese text cannot be typed through ``pilot.press``, so it is set on the widget as an input method
would; a Select choice counts as one value too).

Usage (inside ``app.run_test()`` or a snapshot's ``run_before``)::

    driver = Driver(pilot)
    await driver.login()
    await t01_to_review(driver)
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Never read a developer's own settings file when driving the app from a script.
os.environ.setdefault("COUNTER_CONFIG", os.devnull)

# The test cases (测试件) of docs/sandbox.md (scripts/sandbox_cases.py), re-exported: ``from app_driver import T01``.
from sandbox_cases import T01, T02, T08, Person, TestCase  # noqa: E402, F401
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import DataTable, Input, Select  # noqa: E402

from counter_app.app import CounterApp, make_app  # noqa: E402
from counter_app.compose import open_workstation  # noqa: E402
from counter_app.services.intake import IntakeCase, OperatorRef  # noqa: E402
from counter_app.services.sandbox import SandboxSettings  # noqa: E402
from counter_app.services.sandbox.app import Sandbox  # noqa: E402
from counter_app.services.stores import open_store  # noqa: E402
from counter_app.services.workstation import Workstation  # noqa: E402
from counter_app.settings import Settings  # noqa: E402
from forms.scenario import Scenario  # noqa: E402
from forms.vocabulary import VerificationKind  # noqa: E402
from local_cache import Store  # noqa: E402
from screens.widgets import field_id  # noqa: E402

# 2026-09-30 10:00 in China (UTC+8): a Wednesday before the National Day holiday, so working days matter.
FROZEN_NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
TERMINAL_SIZE = (120, 36)


class FrozenClock:
    """A clock that stands still until told to move (idle lock, overdue shortfalls)."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a fresh counter in ``data_dir`` (embedded sandbox, PDFs to the spool only)."""
    return Settings(data_dir=data_dir, **overrides)


def open_counter(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    *,
    sandbox: Sandbox | None = None,
) -> Workstation:
    """``counter_app.compose.open_workstation`` as the app does it, keeping the store and the sandbox at hand.

    By default a sandbox with its default settings on ``clock`` (what the app gets). The store and the sandbox stay
    reachable for the caller through :func:`store_of` and :func:`sandbox_of`.
    """
    store = open_store(settings, demo_clerk=True, clock=clock)
    if sandbox is None:
        sandbox = Sandbox(clock=clock) if clock is not None else Sandbox()
    workstation = open_workstation(settings, clock=clock, store=store, sandbox=sandbox)
    _behind[workstation] = (store, sandbox)
    return workstation


def make_workstation(
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    sandbox_settings: SandboxSettings | None = None,
) -> Workstation:
    """A workstation whose embedded sandbox runs on the same frozen clock.

    The sandbox's lookup times follow the frozen clock, so they are the same on every run. The gateway client
    still signs with the real time, so the sandbox is told to accept any timestamp skew.
    """
    sandbox = Sandbox(sandbox_settings or SandboxSettings(timestamp_tolerance_seconds=10**10), clock=clock)
    return open_counter(settings, clock, sandbox=sandbox)


# The store and the sandbox behind each workstation opened here. The workstation exposes neither (screens must not
# reach them), but tests and scripts set up data through the store and inject faults through the sandbox.
_behind: weakref.WeakKeyDictionary[Workstation, tuple[Store, Sandbox]] = weakref.WeakKeyDictionary()


def store_of(workstation: Workstation) -> Store:
    """The store behind a workstation opened by :func:`open_counter`, :func:`make_workstation` or :func:`build_app`."""
    return _behind[workstation][0]


def sandbox_of(workstation: Workstation) -> Sandbox:
    """The sandbox behind a workstation opened by :func:`open_counter`, :func:`make_workstation`, :func:`build_app`."""
    return _behind[workstation][1]


def build_app(
    data_dir: Path,
    *,
    clock: FrozenClock | None = None,
    idle_lock_seconds: float | None = None,
    sandbox_settings: SandboxSettings | None = None,
) -> CounterApp:
    """The application on ``data_dir`` with a frozen clock and a sandbox on that clock."""
    clock = clock or FrozenClock()
    settings = make_settings(data_dir)
    workstation = make_workstation(settings, clock, sandbox_settings=sandbox_settings)
    return make_app(settings, clock=clock, workstation=workstation, idle_lock_seconds=idle_lock_seconds)


@dataclass
class Driver:
    """A scripted clerk: presses keys and sets values through the Pilot, counting both."""

    pilot: Pilot[Any]
    # True: ASCII text goes in as one paste, still counted key by key (Pilot presses cost ~50 ms each).
    paste: bool = False
    keys: int = 0
    values: int = 0
    log: list[str] = field(default_factory=list)

    @property
    def app(self) -> CounterApp:
        app = self.pilot.app
        assert isinstance(app, CounterApp)
        return app

    @property
    def screen(self) -> Any:
        return self.app.screen

    async def settle(self) -> None:
        """Let messages, workers (login, lookups) and the refresh that follows them all finish."""
        await self.pilot.pause()
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        self.keys += len(keys)
        self.log.extend(keys)
        await self.pilot.press(*keys)

    async def type_text(self, text: str) -> None:
        """Type ASCII key by key; set anything else at once (as an input method would), counting one value."""
        if text.isascii() and not self.paste:
            await self.press(*[_key(c) for c in text])
            return
        focused = self.app.focused
        assert isinstance(focused, Input), f"no input has focus to type {text!r} into"
        focused.insert_text_at_cursor(text)
        if text.isascii():
            self.keys += len(text)
            self.log.extend(text)
        else:
            self.values += 1
            self.log.append(f"<{text}>")
        await self.pilot.pause()

    async def fill(self, field_id: str, text: str, *, submit: bool = True) -> None:
        """Focus a field (as Tab would), select the text already there, type into it and press Enter."""
        widget = self.screen.query_one(f"#{field_id}", Input)
        if self.app.focused is not widget:
            widget.focus()
            await self.pilot.pause()
        await self.press(*(["ctrl+shift+a"] if widget.value else []))  # focus selects nothing: typing must replace
        await self.type_text(text)
        if submit:
            await self.press("enter")

    async def choose(self, select_id: str, value: str) -> None:
        """Pick a Select option (one value: the clerk opens the list and picks it)."""
        self.screen.query_one(f"#{select_id}", Select).value = value
        self.values += 1
        self.log.append(f"<{select_id}={value}>")
        await self.pilot.pause()

    async def login(self, user: str = "demo", password: str = "demo1234") -> None:
        await self.pilot.pause()
        await self.press(*user, "enter", *password, "enter")
        await self.settle()

    async def row_key(self, table_id: str, code: str, *keys: str) -> None:
        """Move a table's cursor to the row ``code`` (the clerk's arrow keys) and press ``keys`` there."""
        table = self.screen.query_one(f"#{table_id}", DataTable)
        table.focus()
        target = table.get_row_index(code)
        moves = target - table.cursor_row
        await self.press(*(["down"] * moves if moves > 0 else ["up"] * -moves))
        await self.press(*keys)
        await self.settle()


def _key(char: str) -> str:
    names = {" ": "space", "-": "minus", ".": "full_stop", "/": "slash", "(": "left_parenthesis"}
    return names.get(char, char)


StepHook = Callable[[str], Awaitable[None]]


async def _no_hook(step: str) -> None:
    return None


async def _to_step(d: Driver, key: str) -> None:  # a step by its key (F3-F7, PageDown), then let it settle
    await d.press(key)
    await d.settle()


async def new_case_to_review(d: Driver, case: TestCase, *, hook: StepHook = _no_hook) -> None:
    """From the home screen to the review step: scenario, people, lookups, loan, checklist. ``hook(step_name)`` runs
    when each step is on screen and filled (the user-guide script screenshots there); steps are reached by F-key."""
    await d.press("n")
    await d.settle()
    for name, value in case.scenario.items():
        await d.choose(f"sc-{name}", value)
    await d.settle()
    await hook("scenario")
    await _to_step(d, "pagedown")
    for prefix, person in (("applicant", case.applicant), ("spouse", case.spouse)):
        if person is None:
            continue
        await d.fill(f"f-{prefix}-id_number", person.id_number)
        await d.fill(f"f-{prefix}-name", person.name)
        await d.fill(f"f-{prefix}-phone", person.phone)
    # The authorization number, typed (or scanned) off the signed paper: Enter records it (and may go on a step).
    await d.fill("f-credit_authorization-reference", case.authorization)
    await d.settle()
    await _to_step(d, "f3")
    await hook("people")
    await _to_step(d, "f4")  # starts every lookup the scenario needs
    await hook("verify")
    await _to_step(d, "f5")
    # The contract number re-runs the contract, title and tax lookups, which backfill the house.
    await d.fill("f-property-contract_number", case.contract)
    await d.settle()
    if case.title_certificate:
        await d.fill("f-property-title_certificate", case.title_certificate)
        await d.settle()
    for path, text in case.extra:
        await d.fill(field_id(path), text)
    await d.fill("f-fund_loan-amount", case.amount)
    await d.fill("f-fund_loan-months", case.months)
    await d.fill("f-repayment_account-card_number", case.card)  # Enter: nothing left to type, on to the checklist
    await d.settle()
    await _to_step(d, "f5")
    await hook("loan")
    await _to_step(d, "f6")
    screen = d.screen
    evaluation = screen.case.evaluation()
    for item in evaluation.missing:
        code = item.material.code
        if code in case.lacking:
            continue
        if code in case.waive:
            await d.row_key("materials", code, "w")
            await d.press("enter")  # confirm the waiver dialog with its default reason
            await d.settle()
        else:
            await d.row_key("materials", code, "space")
    await hook("checklist")
    await _to_step(d, "f7")
    await hook("review")


async def accept_and_print(d: Driver) -> None:
    """F9 on the review step, Enter to confirm the summary, then Enter in the print dialog: what the decision needs."""
    await d.press("f9")
    await d.settle()
    await d.press("enter")  # the acceptance's confirmation (screens/decision_dialog.py)
    await d.settle()
    await d.press("enter")
    await d.settle()
    await d.press("escape")  # the rating dialog that follows (好差评, screens/rating_dialog.py): not rated


def freeze_for_snapshot(app: CounterApp) -> None:
    """Stop what moves on its own before a screenshot: cursor blink and toasts."""
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    app.clear_notifications()


# -- cases prepared through the services (fast set-up for snapshots; the Pilot tests drive the screens) ------------


def demo_operator(workstation: Workstation) -> OperatorRef:
    """The demo clerk, without paying for a password check (scrypt is slow on purpose)."""
    for op in store_of(workstation).operators.list():
        if op.login == "demo":
            return OperatorRef(id=op.id, login=op.login, name=op.name, role=op.role.value)
    raise LookupError("no demo clerk in this store")


async def login_fast(pilot: Pilot[Any]) -> None:
    """Past the login screen as the demo clerk (the login itself is tested on its own)."""
    app = pilot.app
    assert isinstance(app, CounterApp)
    await pilot.pause()
    app.screen.dismiss(demo_operator(app.workstation))
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def prepare_case(
    data_dir: Path,
    case: TestCase,
    *,
    clock: FrozenClock | None = None,
    step: int = 5,
    checklist: bool = True,
    decide: str | None = None,
) -> str:
    """Take ``case`` through the services as the screens would (lookups included); returns the case id.

    ``step`` is where the case screen reopens; ``checklist`` marks every missing material received or waived;
    ``decide`` is ``"accept"`` or ``"decline"`` (nothing printed).
    """
    clock = clock or FrozenClock()
    workstation = make_workstation(make_settings(data_dir), clock)
    try:
        operator = demo_operator(workstation)
        intake = workstation.new_case(operator)
        current = intake.application.scenario.model_dump(mode="json")
        intake.set_scenario(Scenario.model_validate({**current, **case.scenario}))
        people = [("applicant", case.applicant), ("spouse", case.spouse)]
        for prefix, person in people:
            if person is None:
                continue
            for name in ("id_number", "name", "phone"):
                _set(intake, f"{prefix}.{name}", getattr(person, name))
        intake.record_authorization(case.authorization)
        await intake.run_lookups()
        _set(intake, "property.contract_number", case.contract)
        if case.title_certificate:
            _set(intake, "property.title_certificate", case.title_certificate)
        for path, text in case.extra:
            _set(intake, path, text)
        needed = intake.application.scenario.verifications()
        await intake.run_lookups(
            [k for k in (VerificationKind.CONTRACT, VerificationKind.PROPERTY, VerificationKind.TAX) if k in needed]
        )
        _set(intake, "fund_loan.amount", case.amount)
        _set(intake, "fund_loan.months", case.months)
        _set(intake, "repayment_account.card_number", case.card)
        await intake.run_lookups([VerificationKind.BANK_CARD])
        if checklist:
            for item in intake.evaluation().missing:
                code = item.material.code
                if code in case.lacking:
                    continue
                if code in case.waive:
                    intake.waive(code)
                else:
                    intake.mark_received(code)
        intake.save({"step": step, "focus": "", "inputs": {}})
        if decide == "accept":
            intake.accept()
        elif decide == "decline":
            intake.decline()
        return intake.case_id
    finally:
        await workstation.aclose()


def _set(intake: IntakeCase, path: str, value: str) -> None:
    issues = intake.set_field(path, value)
    if issues:
        raise ValueError(f"{path}: {issues[0].message}")
