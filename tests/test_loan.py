"""Loan rules: policy packs, rates and repayment schedules (DOMAIN.md check values). Retirement, eligibility, term
and the maximum loan are in test_loan_limits.py; the shared set-up in loan_helpers.py."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from forms.loan import LoanPolicy, overdue_rate, rate_for, schedule, summary
from forms.vocabulary import HomeOrdinal, RepaymentMethod
from tests.loan_helpers import ANNUITY, EQUAL_PRINCIPAL, LOADED, PACKS, POLICIES, QINGDAO

# ----------------------------------------------------------------------------------------------------------------
# Policy packs
# ----------------------------------------------------------------------------------------------------------------


def _numbers_outside_sourced(node: Any, path: str = "") -> list[str]:
    """Paths of numbers or dates in the raw TOML that are not the `value` of a sourced table."""
    found: list[str] = []
    if isinstance(node, dict):
        if "value" in node:
            if not (node.get("source") or node.get("assumption")):
                found.append(path)
            return found
        for key, child in node.items():
            found += _numbers_outside_sourced(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _numbers_outside_sourced(child, f"{path}[{index}]")
    elif isinstance(node, int | float | date) and not isinstance(node, bool):
        found.append(path)
    return found


class TestPolicyPacks:
    @pytest.mark.parametrize("code", PACKS)
    def test_every_number_has_provenance(self, code: str) -> None:
        raw = tomllib.loads((POLICIES / code / "loan.toml").read_text(encoding="utf-8"))
        assert _numbers_outside_sourced(raw) == []

    @pytest.mark.parametrize("code", PACKS)
    def test_national_rates_in_every_pack(self, code: str) -> None:
        policy = LOADED[code]
        assert rate_for(policy, HomeOrdinal.FIRST, 360) == Decimal("2.6")
        assert rate_for(policy, HomeOrdinal.FIRST, 60) == Decimal("2.1")
        assert rate_for(policy, HomeOrdinal.SECOND, 60) == Decimal("2.525")
        assert rate_for(policy, HomeOrdinal.SECOND, 61) == Decimal("3.075")

    def test_qingdao_figures(self) -> None:
        assert QINGDAO.caps.single.value == 900000
        assert QINGDAO.caps.couple.value == 1300000
        assert QINGDAO.caps.single_with_top_ups.value == 1600000
        assert QINGDAO.caps.couple_with_top_ups.value == 2400000
        assert QINGDAO.balance.multiple.value == 20
        assert QINGDAO.balance.min_counted_balance.value == 10000
        assert QINGDAO.capacity.contribution_share.value == Decimal("0.40")
        assert QINGDAO.amount.minimum.value == 10000
        assert QINGDAO.amount.multiple.value == 5000
        assert QINGDAO.term.resale_age_plus_term_max_years.value == 50
        assert QINGDAO.eligibility.min_account_months.value == 6
        assert set(QINGDAO.top_ups) == {"multi_child", "talent", "green_building", "ready_built"}
        assert QINGDAO.caps.single.source and not QINGDAO.caps.single.assumption

    def test_other_packs_mark_local_caps_as_assumptions(self) -> None:
        for code in ("sichuan", "fujian", "gansu"):
            assert LOADED[code].caps.single.assumption
            assert LOADED[code].caps.couple.assumption

    def test_missing_provenance_rejected(self) -> None:
        text = (POLICIES / "qingdao" / "loan.toml").read_text(encoding="utf-8")
        broken = re.sub(r"multiple = \{ value = 5000, source = \"[^\"]*\" \}", "multiple = { value = 5000 }", text)
        assert broken != text
        with pytest.raises(ValidationError, match="来源"):
            LoanPolicy.from_toml_text(broken)

    def test_unknown_key_rejected(self) -> None:
        text = (POLICIES / "qingdao" / "loan.toml").read_text(encoding="utf-8")
        with pytest.raises(ValidationError):
            LoanPolicy.from_toml_text(text + '\nsurprise = { value = 1, source = "x" }\n')

    def test_top_up_needs_exactly_one_of_amount_or_ratio(self) -> None:
        text = (POLICIES / "qingdao" / "loan.toml").read_text(encoding="utf-8")
        both = text.replace(
            '[top_ups.talent]\nlabel = "高层次人才"\n',
            '[top_ups.talent]\nlabel = "高层次人才"\namount = { value = 100000, assumption = "x" }\n',
        )
        assert both != text
        with pytest.raises(ValidationError, match="amount"):
            LoanPolicy.from_toml_text(both)

    def test_ratio_out_of_range_rejected(self) -> None:
        text = (POLICIES / "qingdao" / "loan.toml").read_text(encoding="utf-8")
        bad = text.replace("first_home_ratio = { value = 0.20,", "first_home_ratio = { value = 1.20,")
        assert bad != text
        with pytest.raises(ValidationError, match="0 至 1"):
            LoanPolicy.from_toml_text(bad)


# ----------------------------------------------------------------------------------------------------------------
# Rates
# ----------------------------------------------------------------------------------------------------------------


class TestRates:
    def test_boundary_at_five_years(self) -> None:
        assert rate_for(QINGDAO, HomeOrdinal.FIRST, 1) == Decimal("2.1")
        assert rate_for(QINGDAO, HomeOrdinal.FIRST, 60) == Decimal("2.1")
        assert rate_for(QINGDAO, HomeOrdinal.FIRST, 61) == Decimal("2.6")

    def test_history_by_date(self) -> None:
        assert rate_for(QINGDAO, HomeOrdinal.FIRST, 360, on=date(2025, 5, 7)) == Decimal("2.85")
        assert rate_for(QINGDAO, HomeOrdinal.FIRST, 360, on=date(2025, 5, 8)) == Decimal("2.6")
        assert rate_for(QINGDAO, HomeOrdinal.SECOND, 12, on=date(2024, 6, 1)) == Decimal("2.775")

    def test_before_first_table_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="早于"):
            rate_for(QINGDAO, HomeOrdinal.FIRST, 360, on=date(2020, 1, 1))

    def test_months_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="贷款期限"):
            rate_for(QINGDAO, HomeOrdinal.FIRST, 0)

    def test_overdue(self) -> None:
        assert overdue_rate(QINGDAO, Decimal("2.6")) == Decimal("3.9")


# ----------------------------------------------------------------------------------------------------------------
# Repayment
# ----------------------------------------------------------------------------------------------------------------


class TestRepaymentCheckValues:
    def test_annuity_600k(self) -> None:
        result = summary(Decimal("600000"), Decimal("2.6"), 360, ANNUITY)
        assert result.monthly_payment == Decimal("2402.04")
        assert result.total_interest == Decimal("264733.78")
        assert result.total_repaid == Decimal("864733.78")
        table = schedule(Decimal("600000"), Decimal("2.6"), 360, ANNUITY)
        assert table.total_interest == result.scheduled_total_interest
        assert all(row.payment == Decimal("2402.04") for row in table.rows[:-1])
        assert table.rows[0].interest == Decimal("1300.00")
        assert table.rows[0].principal == Decimal("1102.04")
        assert table.rows[-1].remaining == Decimal("0.00")
        # The last row absorbs the cent differences: within a few yuan of the instalment.
        assert abs(table.rows[-1].payment - Decimal("2402.04")) < Decimal("5")

    def test_equal_principal_600k(self) -> None:
        result = summary(600000, "2.6", 360, EQUAL_PRINCIPAL)
        assert result.first_payment == Decimal("2966.67")
        assert result.monthly_payment == Decimal("2966.67")
        assert result.monthly_decrease == Decimal("3.61")
        assert result.last_payment == Decimal("1670.28")
        assert result.total_interest == Decimal("234650.00")
        assert result.scheduled_total_interest == Decimal("234649.55")
        table = schedule(600000, "2.6", 360, EQUAL_PRINCIPAL)
        assert table.total_interest == Decimal("234649.55")
        assert table.rows[0].payment == Decimal("2966.67")
        drops = {table.rows[k].payment - table.rows[k + 1].payment for k in range(358)}
        assert drops <= {Decimal("3.61"), Decimal("3.62"), Decimal("3.60")}

    @pytest.mark.parametrize(("rate", "payment"), [("2.85", "4135.57"), ("2.6", "4003.40")])
    def test_annuity_one_million(self, rate: str, payment: str) -> None:
        assert summary(1000000, rate, 360, ANNUITY).monthly_payment == Decimal(payment)

    def test_zero_rate(self) -> None:
        for method in RepaymentMethod:
            table = schedule(Decimal("600000"), 0, 360, method)
            assert table.total_interest == 0
            assert table.total_principal == Decimal("600000.00")
            assert table.rows[0].payment == Decimal("1666.67")
        assert summary(600000, 0, 360, ANNUITY).total_interest == 0

    def test_single_month(self) -> None:
        table = schedule(Decimal("12000"), Decimal("2.4"), 1, ANNUITY)
        assert len(table.rows) == 1
        assert table.rows[0].principal == Decimal("12000.00")
        assert table.rows[0].interest == Decimal("24.00")

    @pytest.mark.parametrize(
        ("principal", "rate", "months", "fragment"),
        [
            (0, "2.6", 360, "本金"),
            (-5, "2.6", 360, "本金"),
            (1000, "-0.1", 360, "年利率"),
            (1000, "abc", 360, "年利率"),
            (1000, "2.6", 0, "期限"),
            (1000, "2.6", 361, "期限"),
        ],
    )
    def test_invalid_inputs(self, principal: int, rate: str, months: int, fragment: str) -> None:
        with pytest.raises(ValueError, match=fragment):
            schedule(principal, rate, months, ANNUITY)


@settings(max_examples=150)
@given(
    fen=st.integers(min_value=1, max_value=500_000_000),
    rate=st.decimals(min_value=0, max_value=15, places=3),
    months=st.integers(min_value=1, max_value=360),
    method=st.sampled_from(list(RepaymentMethod)),
)
def test_schedule_principal_sums_to_loan(fen: int, rate: Decimal, months: int, method: RepaymentMethod) -> None:
    principal = Decimal(fen) / 100
    table = schedule(principal, rate, months, method)
    assert len(table.rows) == months
    assert table.total_principal == principal
    assert table.rows[-1].remaining == 0
    previous = principal
    for row in table.rows:
        assert row.principal >= 0
        assert row.interest >= 0
        assert row.payment == row.principal + row.interest
        assert row.remaining == previous - row.principal
        assert row.remaining >= 0
        for value in (row.payment, row.principal, row.interest, row.remaining):
            assert value.as_tuple().exponent == -2
        previous = row.remaining
    result = summary(principal, rate, months, method)
    assert result.scheduled_total_interest == table.total_interest
    assert result.scheduled_total_repaid == table.total_paid
    assert result.total_repaid == principal + result.total_interest
