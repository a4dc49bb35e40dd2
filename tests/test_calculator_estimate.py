"""The calculator screen's limit estimate (可贷额度估算): keyboard-first, and it shows what ``estimate_limit`` says.

The screen only renders: its lines are compared with the domain function's answer for the same figures, Tab walks
every input in order, and a snapshot (120×36, frozen clock 2026-09-30) shows a filled-in estimate. Regenerate with
``--snapshot-update`` and read the SVG before accepting it.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from app_driver import TERMINAL_SIZE, build_app, freeze_for_snapshot, login_fast
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from counter_app.app import CounterApp
from forms.loan.estimate import estimate_limit, make_input
from forms.policy import load_policy
from screens.calculator import LIMIT_PROMPT, CalculatorScreen, estimate_lines

AS_OF = date(2026, 9, 30)  # the frozen clock's day (app_driver.FROZEN_NOW, China time)

# Tab order of the screen: the calculator part, then the estimate part.
TAB_ORDER = [
    "calc-amount",
    "calc-months",
    "calc-rate",
    "calc-home",
    "calc-method",
    "limit-age",
    "limit-sex",
    "limit-base",
    "limit-balance",
    "limit-spouse-base",
    "limit-spouse-balance",
    "limit-property",
    "limit-house-age",
    "limit-price",
    "limit-term",
]
# A married walk-in (the spouse's age is not asked on screen: the domain's default and its note apply).
FIGURES = {
    "limit-age": "38",
    "limit-base": "9000",
    "limit-balance": "42000",
    "limit-spouse-base": "7000",
    "limit-spouse-balance": "18000",
    "limit-price": "1500000",
}


async def open_calculator(pilot: Pilot[Any]) -> None:
    await login_fast(pilot)
    await pilot.press("k")
    await pilot.pause()


async def type_figures(pilot: Pilot[Any]) -> None:
    """Type each figure into its input (Tab-reached inputs take typed text; setting the value is the same event)."""
    screen = pilot.app.screen
    for widget_id, text in FIGURES.items():
        widget = screen.query_one(f"#{widget_id}", Input)
        widget.focus()
        await pilot.pause()
        await pilot.press(*text)
    await pilot.pause()


def _result(app: Any) -> str:
    return str(app.screen.query_one("#limit-result", Static).render())


def test_tab_walks_every_input_in_order(data_dir: Path) -> None:
    async def run() -> list[str]:
        app = build_app(data_dir)
        seen: list[str] = []
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await open_calculator(pilot)
            assert isinstance(app.screen, CalculatorScreen)
            for _ in TAB_ORDER:
                focused = app.focused
                assert focused is not None
                seen.append(str(focused.id))
                await pilot.press("tab")
                await pilot.pause()
        return seen

    assert asyncio.run(run()) == TAB_ORDER


def test_the_screen_shows_the_domain_estimate(data_dir: Path) -> None:
    async def run() -> tuple[str, str]:
        app = build_app(data_dir)
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await open_calculator(pilot)
            before = _result(app)
            await type_figures(pilot)
            screen = app.screen
            screen.query_one("#limit-property", Select).value = "resale"
            screen.query_one("#limit-house-age", Input).value = "35"
            await pilot.pause()
            return before, _result(app)

    before, after = asyncio.run(run())
    assert before == LIMIT_PROMPT
    values = {
        "age": "38",
        "sex": "男",
        "monthly_base": "9000",
        "balance": "42000",
        "spouse_base": "7000",
        "spouse_balance": "18000",
        "house_price": "1500000",
        "property_kind": "resale",
        "house_age_years": "35",
    }
    expected = estimate_limit(load_policy("qingdao").loan, make_input(values), AS_OF)
    assert after == "\n".join(estimate_lines(expected))
    assert f"最高可贷 {expected.amount:,.2f} 元" in after
    assert "房龄" in after  # the resale's house age bounds the term


def test_a_bad_figure_is_said_in_chinese(data_dir: Path) -> None:
    async def run() -> str:
        app = build_app(data_dir)
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await open_calculator(pilot)
            await type_figures(pilot)
            app.screen.query_one("#limit-age", Input).value = "12"
            await pilot.pause()
            return _result(app)

    assert "年龄须在 16 至 100 之间" in asyncio.run(run())


def test_calculator_with_estimate(snap_compare: Any, data_dir: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_calculator(pilot)
        await type_figures(pilot)
        app = pilot.app
        assert isinstance(app, CounterApp)
        await app.workers.wait_for_complete()
        freeze_for_snapshot(app)
        await pilot.pause()

    assert snap_compare(build_app(data_dir), terminal_size=TERMINAL_SIZE, run_before=run_before)
