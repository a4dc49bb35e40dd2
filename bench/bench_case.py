"""The case aggregate: saves per Enter, autosave p95 at 20,000 cases, F9 to the receipt dialog, the walk's hops.

- Saves per Enter and per keystroke: the reference case T01 opened in the app (Pilot), a value typed into the loan
  amount and confirmed with Enter; the store counts its case saves (``Cases.saves``). Target: one per change.
- Autosave p95: one keystroke's command (``IntakeCase.set_draft``: load-if-stale, apply, assess, save, one
  transaction) on a case in a store of 20,000 cases, p95 of 300. Baseline: the same in a store of 100 cases.
- F9 to the receipt dialog: from the key (and the confirming key) to the print dialog on screen (accept is one
  transaction: status, decision, shortfalls, outbox, audit). Baseline: F7 to the review step on the same case.
- Hops in the documented walk (docs/architecture.md, "One case, keystroke to outbox"): counted from the doc.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from app_driver import T01, Driver, FrozenClock, build_app, prepare_case, store_of  # noqa: E402

from counter_app.services.case_repo import CaseRepository  # noqa: E402
from counter_app.services.case_types import OperatorRef, PrintSetup  # noqa: E402
from counter_app.services.intake import IntakeCase  # noqa: E402
from forms.policy import load_policy  # noqa: E402
from forms.vocabulary import Role  # noqa: E402
from forms.workdays import load_calendar  # noqa: E402
from local_cache import Store  # noqa: E402
from local_cache.people import people_from_payload  # noqa: E402

CLERK = OperatorRef(id=1, login="demo", name="演示", role=Role.CLERK.value)


async def _saves_and_f9(data: Path, case_id: str) -> tuple[float, float, float, float]:
    """(saves per Enter, saves per keystroke, F9 -> dialog seconds, F7 -> review seconds)."""
    from screens.case import CaseScreen
    from screens.decision_dialog import AcceptDialog
    from screens.print_dialog import PrintDialog

    clock = FrozenClock()
    app = build_app(data, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        case = app.workstation.open_case(case_id, app.operator)  # type: ignore[union-attr]
        app.push_screen(CaseScreen(app.workstation, case))
        await d.settle()
        await d.press("f5")
        await d.settle()
        cases = store_of(app.workstation).cases
        field = d.screen.query_one("#f-fund_loan-amount")
        field.focus()
        await pilot.pause()
        field.value = ""
        await pilot.pause()
        before = cases.saves
        await d.press(*"590000")
        typed = cases.saves - before
        before = cases.saves
        await d.press("enter")
        await d.settle()
        per_enter = cases.saves - before
        start = time.perf_counter()
        await d.press("f7")
        await d.settle()
        to_review = time.perf_counter() - start
        start = time.perf_counter()
        await pilot.press("f9")
        while not isinstance(app.screen, AcceptDialog):
            await pilot.pause(0.001)
        await pilot.press("enter")  # confirms the acceptance's summary
        while not isinstance(app.screen, PrintDialog):
            await pilot.pause(0.001)
        to_dialog = time.perf_counter() - start
    return per_enter, typed / 6, to_dialog, to_review


def _store_with(tmp: Path, source: Path, case_id: str, count: int) -> tuple[Store, str]:
    folder = tmp / f"n{count}"
    shutil.copytree(source, folder)
    store = Store.open(folder / "counter.db", folder / "counter.key", workstation_id="QD01")
    payload = store.cases.get(case_id).payload
    people = people_from_payload(payload["application"])
    with store.transaction():
        for _ in range(count - 1):
            record = store.cases.create(actor="demo", operator_id=1)
            store.cases.autosave(record.id, payload, ui_state={"step": 3}, people=people)
    return store, case_id


def _autosave_p95(store: Store, case_id: str, samples: int = 300) -> float:
    repo = CaseRepository(store)
    case = IntakeCase(
        repo=repo,
        loaded=repo.load(case_id),
        policy=load_policy("qingdao"),
        calendar=load_calendar([]),
        operator=CLERK,
        clock=FrozenClock(),
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        printing=PrintSetup(spool_dir=store.path.parent, printer=None, font_path=None, window="一号窗口"),
    )
    times = []
    for i in range(samples):
        start = time.perf_counter()
        case.set_draft("fund_loan.amount", str(500000 + i), {"step": 3, "focus": "f-fund_loan-amount"})
        times.append(time.perf_counter() - start)
    return statistics.quantiles(times, n=20)[18]


def _hops() -> int:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    walk = text.split("## One case, keystroke to outbox", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^\d+\. ", walk, flags=re.MULTILINE))


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        data = tmp / "data"
        case_id = asyncio.run(prepare_case(data, T01))
        per_enter, per_key, to_dialog, to_review = asyncio.run(_app(tmp, data, case_id))
        big, _ = _store_with(tmp, data, case_id, 20_000)
        small, _ = _store_with(tmp, data, case_id, 100)
        p95_big, p95_small = _autosave_p95(big, case_id), _autosave_p95(small, case_id)
        big.close()
        small.close()
    return [
        Figure("case: saves per Enter (loan amount)", per_enter, "writes", "one change", 1, "1"),
        Figure("case: saves per keystroke", per_key, "writes", "one change", 1, "1"),
        Figure("case: autosave p95, 20,000 cases", p95_big * 1000, "ms", "100 cases", p95_small * 1000, "<= 1.5x"),
        Figure("case: F9, confirm -> receipt dialog", to_dialog * 1000, "ms", "F7 -> review step", to_review * 1000),
        Figure("case: hops, keystroke -> outbox (doc)", _hops(), "hops", "before the aggregate", 17),
    ]


async def _app(tmp: Path, data: Path, case_id: str) -> tuple[float, float, float, float]:
    copy = tmp / "app"
    shutil.copytree(data, copy)
    return await _saves_and_f9(copy, case_id)
