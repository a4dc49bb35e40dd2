"""The user guide (docs/USER_GUIDE.md) shows only screenshots that exist and that the script produces."""

from __future__ import annotations

import re
from pathlib import Path

from user_guide_screens import SCREENS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "USER_GUIDE.md"


def referenced() -> list[str]:
    return re.findall(r"!\[[^\]]*\]\((screenshots/[^)]+\.svg)\)", GUIDE.read_text(encoding="utf-8"))


def test_every_screenshot_the_guide_references_exists() -> None:
    paths = referenced()
    assert len(paths) >= 24
    missing = [p for p in paths if not (GUIDE.parent / p).is_file()]
    assert missing == []
    for p in paths:
        assert (GUIDE.parent / p).read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_every_referenced_screenshot_is_produced_by_the_script() -> None:
    # Otherwise a screenshot could go stale: the script is what keeps them true to the application.
    produced = {f"screenshots/{name}.svg" for name in SCREENS}
    assert set(referenced()) <= produced
    assert produced <= set(referenced()), "a screenshot the script makes is not used in the guide"


def test_the_later_screens_are_shown() -> None:
    # The window's work after acceptance (issues 7 and 8) must stay in the guide, each with its screenshot.
    for name in ("18-followup", "19-handout", "20-supervisor", "21-overdue", "22-sync", "23-kpi", "24-agent"):
        assert name in SCREENS
        assert f"screenshots/{name}.svg" in referenced()
    text = GUIDE.read_text(encoding="utf-8")
    for heading in ("后续办理", "逾期补件", "同步与离线", "帮办代办", "负责人授权", "办件成效与审计日志"):
        assert re.search(rf"^## .*{heading}", text, flags=re.MULTILINE), heading
