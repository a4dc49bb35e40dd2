"""Shared set-up for the loan tests: the policy packs' loan rules, loaded once, and a borrower builder."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

from forms.loan import Borrower, LoanPolicy, Sex
from forms.policy_names import available_policies
from forms.vocabulary import RepaymentMethod

POLICIES = Path(__file__).resolve().parents[1] / "forms" / "policies"
# Every packaged pack, so that a new one is held to the same checks without editing the tests.
PACKS = tuple(available_policies())
ANNUITY = RepaymentMethod.ANNUITY
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL


def load(code: str) -> LoanPolicy:
    with (POLICIES / code / "loan.toml").open("rb") as handle:
        return LoanPolicy.model_validate(tomllib.load(handle))


LOADED = {code: load(code) for code in PACKS}
QINGDAO = LOADED["qingdao"]


def person(
    age: int = 30,
    sex: Sex = Sex.MALE,
    base: str = "10000",
    balance: str = "30000",
    months: int = 24,
    birth_date: date | None = None,
) -> Borrower:
    return Borrower(
        age=age,
        sex=sex,
        monthly_base=Decimal(base),
        balance=Decimal(balance),
        account_months=months,
        birth_date=birth_date,
    )
