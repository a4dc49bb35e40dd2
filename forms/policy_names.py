"""Which policy packs exist: light enough for settings validation at start-up (no pack is loaded here)."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

POLICY_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def policies_root() -> Any:
    return resources.files("forms").joinpath("policies")


def available_policies() -> list[str]:
    """Codes of the packaged policy packs, sorted, the default (qingdao) first."""
    codes = sorted(p.name for p in policies_root().iterdir() if p.is_dir() and POLICY_CODE.match(p.name))
    if "qingdao" in codes:
        codes.remove("qingdao")
        codes.insert(0, "qingdao")
    return codes
