"""Produce the screenshots of docs/USER_GUIDE.md from the application itself, so they stay true.

    .venv/bin/python scripts/user_guide_screens.py [OUTPUT_DIR]      (default: docs/screenshots)

Runs the reference case T01 of the sandbox through the screens with the scripted clerk of ``app_driver`` (frozen
clock, fresh data directory) and saves an SVG at each step, then the side screens (consult, calculator, help,
lock) and an offline lookup panel.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_driver import (
    T01,
    TERMINAL_SIZE,
    Driver,
    build_app,
    freeze_for_snapshot,
    new_case_to_review,
)
from textual.widgets import DataTable

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
}


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
            await _shoot(d, out, "10-print")
            await d.press("enter")
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
            assert app.workstation.sandbox is not None
            app.workstation.sandbox.down = True
            await d.press("n")
            await d.settle()
            await d.press("pagedown")
            await d.settle()
            await d.fill("f-applicant-id_number", "370203199511089153")
            await d.fill("f-applicant-name", "陈思远")
            await d.fill("f-applicant-phone", "13800000021")
            await d.press("space")  # the credit authorization is signed
            await d.press("pagedown")
            await d.settle()
            await d.press("f8")
            await _shoot(d, out, "17-offline")
    return [out / f"{name}.svg" for name in SCREENS]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    paths = asyncio.run(produce(out))
    for path in paths:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
