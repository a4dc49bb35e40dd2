"""docs/rules.md stays true: every pack judges the household, and every flag a pack grades is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.case.risk import FALLBACK_SEVERITY
from forms.policy import load_policy
from forms.policy_names import available_policies

DOC = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", available_policies())
def test_every_pack_judges_the_household_and_its_flags_are_documented(code: str) -> None:
    loan = load_policy(code).loan
    assert loan.history is not None and loan.credit is not None and loan.household is not None, code
    assert loan.flags, f"{code}: no risk flag severities"
    for flag, severity in loan.flags.items():
        assert f"`{flag}`" in DOC, f"{flag} is not in docs/rules.md"
        assert severity.source or severity.assumption


def test_the_fallback_severities_are_documented() -> None:
    assert all(f"`{code}`" in DOC for code in FALLBACK_SEVERITY)
