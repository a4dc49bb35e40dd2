"""Produce the screenshots of docs/USER_GUIDE.md from the application itself, so they stay true.

    .venv/bin/python scripts/user_guide_screens.py [OUTPUT_DIR]      (default: docs/screenshots)

Runs the reference case T01 of the sandbox through the screens with the scripted clerk of ``app_driver`` (frozen
clock, fresh data directory) and saves an SVG at each step, then the side screens (consult, calculator, help,
lock) and an offline lookup panel. A second counter then shows the window's later work on cases prepared through
the services: the follow-up of an accepted case (补件, 出件, 补打 with a supervisor), the sync page with a version
conflict and a review flag, the KPI page, an agent's pre-verified case handed to the window, and — with the clock
moved 40 days on — the overdue list. Every run writes the same files.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_driver import (
    T01,
    T02,
    TERMINAL_SIZE,
    Driver,
    FrozenClock,
    build_app,
    freeze_for_snapshot,
    login_fast,
    make_settings,
    make_workstation,
    new_case_to_review,
    prepare_case,
    sandbox_of,
    store_of,
)
from textual.widgets import DataTable

from counter_app.app import make_app
from local_cache.sync_ledger import SyncLedger

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "screenshots"

# name -> what it shows (the guide references these files; tests check they exist).
SCREENS = {
    "01-login": "登录",
    "02-home": "首页",
    "03-scenario": "第 1 步 办理情形",
    "04-people": "第 2 步 申请人",
    "05-verify": "第 3 步 核验",
    "06-loan": "第 4 步 房屋与贷款",
    "07-checklist": "第 5 步 材料清单",
    "08-waive": "容缺受理确认",
    "09-review": "第 6 步 审核与决定",
    "10-print": "打印文书",
    "11-accepted": "受理完成",
    "12-home-after": "受理后的首页",
    "13-consult": "材料咨询",
    "14-calculator": "贷款计算",
    "15-help": "帮助",
    "16-lock": "锁屏",
    "17-offline": "离线核验",
    "18-followup": "后续办理",
    "19-handout": "出件登记",
    "20-supervisor": "负责人授权",
    "21-overdue": "逾期补件",
    "22-sync": "同步（版本冲突与复核提示）",
    "23-kpi": "办件成效",
    "24-agent": "帮办代办：预审后交窗口",
}

# A supervisor (负责人) of the second counter, for the authorisation dialog and the audit log.
SUPERVISOR = ("zhang", "张主任", "long-enough-1")
AGENT = ("sun", "孙帮办", "long-enough-2")


async def _shoot(d: Driver, out: Path, name: str) -> None:
    assert name in SCREENS, name
    await d.settle()
    freeze_for_snapshot(d.app)
    await d.pilot.pause()
    d.app.save_screenshot(f"{name}.svg", str(out))


async def produce(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "data")
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            d = Driver(pilot, paste=True)
            await _shoot(d, out, "01-login")
            await d.login()
            await _shoot(d, out, "02-home")
            names = {"scenario": "03-scenario", "people": "04-people", "verify": "05-verify", "loan": "06-loan"}
            names |= {"checklist": "07-checklist", "review": "09-review"}

            async def hook(step: str) -> None:
                if step == "checklist":
                    # Show the waiver dialog on the invoice before the checklist itself.
                    table = d.screen.query_one("#materials", DataTable)
                    table.focus()
                    table.move_cursor(row=table.get_row_index("purchase_invoice"))
                    await d.press("w")
                    await _shoot(d, out, "08-waive")
                    await d.press("escape")
                await _shoot(d, out, names[step])

            await new_case_to_review(d, T01, hook=hook)
            await d.press("f9")
            await d.settle()
            await d.press("enter")  # confirm the acceptance's summary
            await _shoot(d, out, "10-print")
            await d.press("enter")
            await d.settle()
            await d.press("escape")  # the rating dialog (好差评) that follows: not rated here
            await _shoot(d, out, "11-accepted")
            await d.press("f1")
            await _shoot(d, out, "15-help")
            await d.press("escape")
            await d.press("ctrl+l")
            await _shoot(d, out, "16-lock")
            await d.press(*"demo1234", "enter")
            await d.press("escape")
            await _shoot(d, out, "12-home-after")
            await d.press("c")
            await _shoot(d, out, "13-consult")
            await d.press("escape")
            await d.press("k")
            await _shoot(d, out, "14-calculator")
            await d.press("escape")
            # Offline: the exchange platform is down; lookups queue as 待核验 and the clerk goes on.
            sandbox_of(app.workstation).down = True
            await d.press("n")
            await d.settle()
            await d.press("pagedown")
            await d.settle()
            await d.fill("f-applicant-id_number", "370203199511089153")
            await d.fill("f-applicant-name", "陈思远")
            await d.fill("f-applicant-phone", "13800000021")
            await d.fill("f-credit_authorization-reference", "SQ-T02-0001")  # the signed authorization's number
            await d.press("f4")  # Enter went on to the house and loan step: back to the lookups
            await d.settle()
            await d.press("f8")
            await _shoot(d, out, "17-offline")
        await _later_work(Path(tmp) / "later", out)
    return [out / f"{name}.svg" for name in SCREENS]


async def _prepare_later(data_dir: Path, clock: FrozenClock) -> tuple[str, str]:
    """Two accepted cases (T01 to follow up, T02 with a conflict and a flag), a supervisor and an agent."""
    first = await prepare_case(data_dir, T01, clock=clock, decide="accept")
    second = await prepare_case(data_dir, T02, clock=clock, decide="accept")
    workstation = make_workstation(make_settings(data_dir), clock)
    store = store_of(workstation)
    try:
        for login, name, password in (SUPERVISOR, AGENT):
            role = "supervisor" if (login, name, password) == SUPERVISOR else "agent"
            store.operators.add(login, name, role, password)
        # The platform's reviewer changed T02 meanwhile: the clerk must choose which version stands.
        [entry] = [e for e in store.outbox.due(limit=10) if e.case_id == second]
        SyncLedger.of(store).park_conflict(
            entry,
            platform_version=2,
            platform_view={
                "status": "in_review",
                "version": 2,
                "events": [{"at": "2026-09-30T10:30", "text": "审批中"}],
            },
            code="version_conflict",
            message="平台已有版本 2（审批岗修改了贷款期限）",
        )
        # A lookup queued offline came back different from what was accepted (复核提示).
        store.flags.raise_flag(
            second,
            "identity",
            before="pending",
            after="mismatch",
            message="身份信息（公安）补查结果为“不一致”，与受理时（排队待核验）不同",
            action="请联系申请人携带身份证原件到窗口核实",
            request_id="user-guide-flag",
            actor="system",
        )
    finally:
        await workstation.aclose()
    return first, second


async def _later_work(data_dir: Path, out: Path) -> None:
    clock = FrozenClock()
    first, _second = await _prepare_later(data_dir, clock)
    # No background timer: the screenshots must not depend on when a sync round happens to run.
    settings = make_settings(data_dir, sync_interval_seconds=0)
    workstation = make_workstation(settings, clock)
    app = make_app(settings, clock=clock, workstation=workstation)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        d = Driver(pilot, paste=True)
        await login_fast(pilot)
        # T01 goes to the platform, which works through it to 办结 (completed): the result can be handed out.
        await workstation.background_round()
        for _ in range(8):
            sandbox_of(workstation).platform.advance(first, None)
        await workstation.background_round()
        await d.fill("find", store_of(workstation).cases.get(first).case_number)
        await d.settle()
        await _shoot(d, out, "18-followup")
        await d.press("h")
        await d.settle()
        await d.type_text("王建国本人")
        await _shoot(d, out, "19-handout")
        await d.press("escape")
        await d.press("p")
        await d.settle()
        await d.type_text(SUPERVISOR[0])
        await _shoot(d, out, "20-supervisor")
        await d.press("escape", "escape")
        await d.settle()
        # Back home the find box still has focus (the case was found through it): Tab to the case list first.
        await d.press("tab")
        await d.press("s")
        await _shoot(d, out, "22-sync")
        await d.press("escape")
        await d.press("i")
        await _shoot(d, out, "23-kpi")
        await d.press("escape")
        await d.settle()
        # Forty days on, the waived invoice of T01 is overdue (it was due by the promised completion date).
        clock.advance(40 * 24 * 3600)
        await d.press("o")
        await _shoot(d, out, "21-overdue")
        await d.press("escape")
    await _agent_hand_over(data_dir / "agent", out)


async def _agent_hand_over(data_dir: Path, out: Path) -> None:
    """An agent (帮办代办员) pre-verifies T01 and hands it to the window with H."""
    clock = FrozenClock()
    settings = make_settings(data_dir, sync_interval_seconds=0)
    workstation = make_workstation(settings, clock)
    store_of(workstation).operators.add(*AGENT[:2], "agent", AGENT[2])
    app = make_app(settings, clock=clock, workstation=workstation)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        d = Driver(pilot, paste=True)
        await d.login(AGENT[0], AGENT[2])
        await new_case_to_review(d, T01)
        await _shoot(d, out, "24-agent")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    paths = asyncio.run(produce(out))
    for path in paths:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
