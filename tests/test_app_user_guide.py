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
    assert len(paths) >= 15
    missing = [p for p in paths if not (GUIDE.parent / p).is_file()]
    assert missing == []
    for p in paths:
        assert (GUIDE.parent / p).read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_every_referenced_screenshot_is_produced_by_the_script() -> None:
    # Otherwise a screenshot could go stale: the script is what keeps them true to the application.
    produced = {f"screenshots/{name}.svg" for name in SCREENS}
    assert set(referenced()) <= produced
    assert produced <= set(referenced()), "a screenshot the script makes is not used in the guide"
