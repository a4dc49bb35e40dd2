"""The counter application: keystrokes for the reference case, cold start, key latency under load.

- Keystrokes to take the reference case T01 from home to a printed receipt, counted by the scripted Pilot clerk
  (``scripts/app_driver.py``): keys pressed plus values set (Chinese names, Select choices). Baseline: the keys
  it would take to type every value the finished form holds (what a paper-like form without registries costs).
- Fields typed vs fields backfilled by registries (``FieldSource`` in the application's ``sources``).
- Cold start to the login screen, as a ratio to a bare Textual app started the same way in the same run
  (separate processes, headless, exiting as soon as the first screen is mounted; best of 5).
- Key-press latency while ten lookups are in flight (resale case: ten lookups, sandbox latency 3 s): from the key
  event handed to the app's driver to the focused input showing the character; p95 of 60 presses. Baseline: the
  same presses with no lookups running.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from app_driver import (  # noqa: E402
    T01,
    T02,
    TERMINAL_SIZE,
    Driver,
    accept_and_print,
    build_app,
    new_case_to_review,
)

from counter_app.services.sandbox import SandboxSettings  # noqa: E402
from forms.vocabulary import FieldSource  # noqa: E402

COUNTER_START = """
import os, sys, time
os.environ["COUNTER_CONFIG"] = os.devnull
start = time.perf_counter()
from counter_app.app import make_app
from counter_app.settings import Settings
from screens.login import LoginScreen
app = make_app(Settings(data_dir=sys.argv[1]))
async def ready(pilot):
    while not isinstance(app.screen, LoginScreen):
        await pilot.pause()
    print(time.perf_counter() - start)
    app.exit()
app.run(headless=True, size=(120, 36), auto_pilot=ready)
"""

BARE_START = """
import time
start = time.perf_counter()
from textual.app import App
from textual.widgets import Footer, Header, Input, Static
class Bare(App[None]):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Input()
        yield Footer()
app = Bare()
async def ready(pilot):
    await pilot.pause()
    print(time.perf_counter() - start)
    app.exit()
app.run(headless=True, size=(120, 36), auto_pilot=ready)
"""


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of the non-empty scalar values of a dumped model."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("sources", "scenario"):
                continue
            out |= _leaves(value, f"{prefix}{key}.")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out |= _leaves(value, f"{prefix}{index}.")
    elif node not in (None, "", False):
        out[prefix.rstrip(".")] = node
    return out


async def _reference_case() -> tuple[Driver, dict[str, int], int]:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "data")
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            d = Driver(pilot)
            await d.login()
            d.keys = d.values = 0  # from the home screen on
            await new_case_to_review(d, T01)
            await accept_and_print(d)
            case = d.screen.case
            assert case.printed() >= {"receipt"}, "the reference case did not print its receipt"
            sources = case.application.sources
            counts = {s.value: sum(1 for v in sources.values() if v is s) for s in FieldSource}
            full = sum(len(str(v)) for v in _leaves(case.application.model_dump(mode="json")).values())
            return d, counts, full


def _best_start(code: str, *args: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
        )
        best = min(best, float(done.stdout.strip().splitlines()[-1]))
    return best


async def _latencies(*, in_flight: bool, presses: int = 60) -> tuple[list[float], int]:
    """Per-key latency (seconds) typing into the contract field; and how many lookups were running at the end."""
    from textual import events

    from screens.steps.verify import VerifyStep

    sandbox = SandboxSettings(timestamp_tolerance_seconds=10**10, latency_ms=3000 if in_flight else 0)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "data", sandbox_settings=sandbox)
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            d = Driver(pilot, paste=True)
            await d.login()
            await d.press("n")
            await d.settle()
            await d.choose("sc-property_kind", "resale")
            await d.press("pagedown")
            await d.settle()
            await d.fill("f-applicant-id_number", T02.applicant.id_number)
            await d.fill("f-applicant-name", T02.applicant.name)
            await d.fill("f-applicant-phone", T02.applicant.phone)
            await d.press("space")
            await d.press("pagedown")  # ten lookups start (resale), each held 3 s by the sandbox
            await d.pilot.pause()
            await d.press("pagedown")
            field = d.screen.query_one("#f-property-contract_number")
            field.focus()
            await d.pilot.pause()
            driver = app._driver
            assert driver is not None
            samples: list[float] = []
            for i in range(presses):
                char = "0123456789"[i % 10]
                before = len(field.value)
                event = events.Key(char, char)
                event.set_sender(app)
                start = time.perf_counter()
                driver.send_message(event)
                while len(field.value) == before:
                    await asyncio.sleep(0)
                samples.append(time.perf_counter() - start)
                await asyncio.sleep(0.01)  # a fast typist: about 60 keys a second with the handling
            running = len(d.screen.query_one(VerifyStep).running)
            await app.workers.wait_for_complete()
            return samples, running


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def run() -> list[Figure]:
    d, sources, full = asyncio.run(_reference_case())
    typed = sources.get(FieldSource.TYPED.value, 0)
    backfilled = sources.get(FieldSource.VERIFIED.value, 0)
    derived = sources.get(FieldSource.DERIVED.value, 0)
    total_fields = sum(sources.values())
    figures = [
        Figure("app: keys, T01 home -> printed receipt", d.keys, "keys", "typing every form value", full, "minimal"),
        Figure("app: values set (Chinese text, choices)", d.values, "values", "fields in the form", total_fields),
        Figure("app: fields typed by the clerk", typed, "fields", "fields in the form", total_fields),
        Figure(
            "app: fields backfilled by registries",
            backfilled,
            "fields",
            "fields in the form",
            total_fields,
            f"derived {derived}",
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "data")
        _best_start(COUNTER_START, data, repeat=1)  # first run creates the store and the demo clerk: not timed
        counter = _best_start(COUNTER_START, data)
        bare = _best_start(BARE_START)
    figures.append(Figure("app: cold start to login screen", counter, "s", "bare Textual app", bare, "<= 1.5x"))
    loaded, running = asyncio.run(_latencies(in_flight=True))
    idle, _ = asyncio.run(_latencies(in_flight=False))
    figures.append(
        Figure(
            f"app: key latency p95, {running} lookups in flight",
            _p95(loaded) * 1000,
            "ms",
            "p95 with no lookups",
            _p95(idle) * 1000,
            "< 50 ms",
        )
    )
    return figures
