"""Chinese everywhere (issue 13): the footer, the help (F1) and the command palette never show Textual's English key
texts, and the palette finds cases and runs the counter's actions in Chinese."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import T01, TERMINAL_SIZE, build_app, freeze_for_snapshot, login_fast, prepare_case
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import Markdown, Select
from textual.widgets._footer import FooterKey
from textual.widgets._select import SelectOverlay

import screens
from counter_app.app import CounterApp
from screens.builtin_keys import BUILTIN_KEYS, is_chinese, use_chinese_key_texts
from screens.calculator import CalculatorScreen
from screens.case import CaseScreen
from screens.consult import ConsultScreen
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.sync import SyncScreen

CASE_NUMBER = "QD01-20260930-0001"


# -- the table itself ----------------------------------------------------------------------------------------------


def _all_subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _all_subclasses(subclass)


def test_every_loaded_widget_class_has_chinese_key_texts() -> None:
    # Every screen module loaded, as a working day would load them: any Textual widget they bring in is here.
    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        importlib.import_module(module.name)
    use_chinese_key_texts()
    english = sorted(
        f"{cls.__module__}.{cls.__qualname__}: {binding.key} {binding.description!r}"
        for cls in set(_all_subclasses(DOMNode))
        if cls.__module__.startswith(("textual.", "screens.", "counter_app.")) and cls._merged_bindings is not None
        for bindings in cls._merged_bindings.key_to_bindings.values()
        for binding in bindings
        if binding.description and not is_chinese(binding.description)
    )
    assert english == [], "add these to screens/builtin_keys.py BUILTIN_KEYS:\n" + "\n".join(english)


def test_translation_is_idempotent_and_keeps_the_keys() -> None:
    use_chinese_key_texts()
    before = {cls: list(cls.__dict__.get("BINDINGS", [])) for cls in BUILTIN_KEYS}
    use_chinese_key_texts()
    assert {cls: list(cls.__dict__.get("BINDINGS", [])) for cls in BUILTIN_KEYS} == before
    # The overlay's tuple became a Binding with the same key and action.
    (overlay,) = SelectOverlay.__dict__["BINDINGS"]
    assert (overlay.key, overlay.action, overlay.description) == ("escape", "dismiss", "收起选项")


# -- what the clerk sees -------------------------------------------------------------------------------------------


def _english_in_view(app: CounterApp) -> list[str]:
    """English key texts the clerk can see now: the screen's bindings (what F1 lists) and its footer."""
    found = [
        f"binding {key}: {active.binding.description}"
        for key, active in app.screen.active_bindings.items()
        if active.binding.description and not is_chinese(active.binding.description)
    ]
    found += [f"footer {k.key}: {k.description}" for k in app.screen.query(FooterKey) if not is_chinese(k.description)]
    return found


async def _help_rows(pilot: Pilot[Any]) -> list[str]:
    """The help's key table for the screen on top (F1, read, Esc)."""
    await pilot.press("f1")
    await pilot.pause()
    help_screen = pilot.app.screen
    assert isinstance(help_screen, HelpScreen)
    source = help_screen.query_one(Markdown).source
    await pilot.press("escape")
    await pilot.pause()
    table = source.split("## 办理流程")[0]
    return [line for line in table.splitlines() if line.startswith("| ") and line not in ("| 按键 | 功能 |",)]


def _english_rows(rows: list[str]) -> list[str]:
    return [row for row in rows if not is_chinese(row.split("|")[2])]


async def _check_every_focus(pilot: Pilot[Any]) -> list[str]:
    """Focus each widget of the screen in turn: the bindings (and footer) of each must read Chinese."""
    app = pilot.app
    assert isinstance(app, CounterApp)
    problems = _english_in_view(app)
    for widget in list(app.screen.focus_chain):
        widget.focus()
        await pilot.pause()
        problems += [f"{widget!r} {p}" for p in _english_in_view(app)]
    return problems


async def _open_by_number(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await _type(pilot, CASE_NUMBER)
    await pilot.press("enter")
    await _settle(pilot)


async def _type(pilot: Pilot[Any], text: str) -> None:
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await pilot.press(*text)
    await _results(pilot)


async def _results(pilot: Pilot[Any]) -> None:
    # The palette gathers hits in a worker and shows them in batches.
    await pilot.pause()
    await pilot.app.screen.workers.wait_for_complete()
    await pilot.pause(0.1)


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _prompts(pilot: Pilot[Any]) -> list[str]:
    options = pilot.app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pytest.fixture
def draft(t01_prepared: tuple[Path, str], copy_prepared: Callable[[Path], Path]) -> Path:
    """T01 filled in and checked off, a draft at review (an editable case: it opens on the case screen)."""
    return copy_prepared(t01_prepared[0])


async def test_home_and_calculator_read_chinese(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await login_fast(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert await _check_every_focus(pilot) == []
        app.screen.query_one("#today").focus()
        rows = await _help_rows(pilot)
        # The table's own keys are listed, in Chinese (not left out), beside the screen's.
        assert any("下一行" in row for row in rows) and any("新建案件" in row for row in rows)
        assert _english_rows(rows) == []
        await pilot.press("k")
        await _settle(pilot)
        assert isinstance(app.screen, CalculatorScreen)
        assert await _check_every_focus(pilot) == []
        assert _english_rows(await _help_rows(pilot)) == []


async def test_case_steps_and_an_open_select_read_chinese(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await login_fast(pilot)
        await _open_by_number(pilot)
        assert isinstance(app.screen, CaseScreen)
        for key in ("f2", "f3", "f4", "f5", "f6", "f7"):
            await pilot.press(key)
            await _settle(pilot)
            rows = await _help_rows(pilot)
            assert rows and _english_rows(rows) == [], key
            assert await _check_every_focus(pilot) == [], key
        # A Select opened on the scenario step: its overlay's Esc shows in the footer.
        await pilot.press("f2")
        await _settle(pilot)
        select = app.screen.query(Select).first()
        select.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert select.expanded
        footer = {k.key: k.description for k in app.screen.query(FooterKey)}
        assert footer.get("escape") == "收起选项"
        assert _english_in_view(app) == []
        assert _english_rows(await _help_rows(pilot)) == []


async def test_palette_reads_chinese_and_finds_a_case_by_number(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await login_fast(pilot)
        await pilot.press("ctrl+p")
        await _results(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert _english_in_view(app) == []
        assert _english_rows(await _help_rows(pilot)) == []
        # Discovery (nothing typed): every command is named in Chinese.
        await pilot.press("down")
        await _results(pilot)
        prompts = _prompts(pilot)
        assert prompts and all(is_chinese(p.split("\n")[0]) for p in prompts)
        await _type(pilot, CASE_NUMBER)
        prompts = _prompts(pilot)
        # Number, status label and the masked applicant; below, the masked ID number.
        assert prompts[0] == f"{CASE_NUMBER}  暂存  王*国\n打开案件 · 身份证号码 3702**********9132"
        # The applicant is masked: neither the full name nor the full ID number is ever shown.
        assert "王建国" not in "".join(prompts) and "370202198803159132" not in "".join(prompts)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case.case_number == CASE_NUMBER


async def test_palette_finds_a_case_by_name_and_by_id_number(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await login_fast(pilot)
        for query in ("王建国", "370202198803159132"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await _type(pilot, query)
            assert any(p.startswith(CASE_NUMBER) for p in _prompts(pilot)), query
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await _type(pilot, "王建国")
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, CaseScreen)


async def test_palette_actions_run_as_their_keys(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await login_fast(pilot)

        async def run(name: str) -> None:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await _type(pilot, name)
            prompts = [p.split("\n")[0] for p in _prompts(pilot)]
            assert prompts.count(name) == 1, prompts  # one entry, whichever list offers it
            assert prompts[0] == name, prompts
            await pilot.press("enter")
            await _settle(pilot)

        await run("材料咨询")
        assert isinstance(app.screen, ConsultScreen)
        await pilot.press("escape")
        await _settle(pilot)
        # From another screen, the home screen's actions come from the counter's provider, run on the home screen.
        await pilot.press("k")
        await _settle(pilot)
        assert isinstance(app.screen, CalculatorScreen)
        await run("同步")
        assert isinstance(app.screen, SyncScreen)
        await run("帮助")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await _settle(pilot)
        await run("锁屏")
        assert isinstance(app.screen, LockScreen)
        # Nothing opens over the lock screen, the palette included.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)


async def test_palette_offers_no_case_before_login(draft: Path) -> None:
    app = build_app(draft)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        if isinstance(app.screen, CommandPalette):
            await _type(pilot, CASE_NUMBER)
            assert not any(p.startswith(CASE_NUMBER) for p in _prompts(pilot))
            await pilot.press(*["backspace"] * len(CASE_NUMBER))
            await _type(pilot, "材料咨询")
            assert not any("材料咨询" in p for p in _prompts(pilot))


# -- the palette as the clerk sees it -------------------------------------------------------------------------------


def test_palette_with_a_case(snap_compare: Any, data_dir: Path) -> None:
    asyncio.run(prepare_case(data_dir, T01, decide="accept"))

    async def run_before(pilot: Pilot[Any]) -> None:
        await login_fast(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await _type(pilot, "王建国")
        app = pilot.app
        assert isinstance(app, CounterApp)
        freeze_for_snapshot(app)
        await pilot.pause()

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)
