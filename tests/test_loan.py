"""Loan rules: policy packs, rates, repayment schedules, maximum loan and term (DOMAIN.md check values)."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from forms.loan import (
    Borrower,
    LoanLimitInput,
    LoanPolicy,
    Sex,
    age_months,
    eligibility_problems,
    is_eligible,
    max_loan,
    max_term_months,
    overdue_rate,
    rate_for,
    retirement_age_months,
    schedule,
    summary,
)
from forms.vocabulary import HomeOrdinal, PropertyKind, RepaymentMethod

POLICIES = Path(__file__).resolve().parents[1] / "forms" / "policies"
PACKS = ("qingdao", "sichuan", "fujian", "gansu")
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


# ----------------------------------------------------------------------------------------------------------------
# Retirement, eligibility, term
# ----------------------------------------------------------------------------------------------------------------


class TestRetirement:
    @pytest.mark.parametrize(
        ("sex", "birth", "months"),
        [
            (Sex.MALE, None, 720),
            (Sex.MALE, date(1964, 12, 31), 720),
            (Sex.MALE, date(1965, 1, 1), 721),
            (Sex.MALE, date(1965, 4, 30), 721),
            (Sex.MALE, date(1965, 5, 1), 722),
            (Sex.MALE, date(1976, 12, 1), 756),
            (Sex.MALE, date(1990, 1, 1), 756),
            (Sex.FEMALE, None, 660),
            (Sex.FEMALE, date(1969, 12, 1), 660),
            (Sex.FEMALE, date(1970, 1, 1), 661),
            (Sex.FEMALE, date(1995, 6, 1), 696),
        ],
    )
    def test_staged_rise(self, sex: Sex, birth: date | None, months: int) -> None:
        assert retirement_age_months(QINGDAO, sex, birth) == months

    def test_age_months(self) -> None:
        assert age_months(person(age=40)) == 480
        exact = person(age=40, birth_date=date(1985, 7, 15))
        assert age_months(exact, as_of=date(2026, 7, 14)) == 40 * 12 + 11
        assert age_months(exact, as_of=date(2026, 7, 15)) == 41 * 12


class TestEligibility:
    def test_minimum_months(self) -> None:
        assert is_eligible(QINGDAO, 6)
        assert not is_eligible(QINGDAO, 5)
        problems = eligibility_problems(QINGDAO, [person(months=24), person(months=2)])
        assert len(problems) == 1
        assert "共同借款人1" in problems[0] and "6 个月" in problems[0]


class TestTerm:
    def test_young_borrower_gets_thirty_years(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=30)])
        assert limit.months == 360
        assert limit.binding.key == "max_term"
        assert limit.years == 30

    def test_age_binds(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=50)])
        assert limit.months == (60 + 5 - 50) * 12
        assert limit.binding.key == "age"
        assert "法定退休年龄" in limit.reason

    def test_earliest_retiring_borrower_binds(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=45), person(age=44, sex=Sex.FEMALE)])
        assert limit.months == (55 + 5 - 44) * 12
        assert "共同借款人1" in limit.binding.detail

    def test_staged_retirement_lengthens_term(self) -> None:
        # Born 1976-03: 134 months after 1965-01, so 134 // 4 + 1 = 34 months later (retires at 62 y 10 m).
        born = date(1976, 3, 1)
        plain = max_term_months(QINGDAO, [person(age=50)])
        staged = max_term_months(QINGDAO, [person(age=50, birth_date=born)], as_of=date(2026, 3, 1))
        assert staged.months == plain.months + 34
        assert "62 岁 10 个月" in staged.reason

    def test_resale_house_age(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=30)], PropertyKind.RESALE, 30)
        assert limit.months == 240
        assert limit.binding.key == "house_age"
        new = max_term_months(QINGDAO, [person(age=30)], PropertyKind.NEW, 30)
        assert new.months == 360  # house age only limits a resale

    def test_resale_without_house_age_is_noted(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=30)], PropertyKind.RESALE)
        assert "房龄" in limit.reason

    def test_too_old_means_zero(self) -> None:
        limit = max_term_months(QINGDAO, [person(age=62, sex=Sex.FEMALE)])
        assert limit.months == 0
        assert "不能办理" in limit.reason

    def test_old_house_means_zero(self) -> None:
        assert max_term_months(QINGDAO, [person()], PropertyKind.RESALE, 55).months == 0


# ----------------------------------------------------------------------------------------------------------------
# Maximum loan
# ----------------------------------------------------------------------------------------------------------------


def ask(**overrides: Any) -> LoanLimitInput:
    fields: dict[str, Any] = {"borrowers": [person()], "house_price": Decimal("2000000")}
    fields.update(overrides)
    return LoanLimitInput(**fields)


class TestMaxLoan:
    def test_balance_binds(self) -> None:
        limit = max_loan(QINGDAO, ask())
        assert limit.bound("cap").amount == Decimal("900000.00")
        assert limit.bound("balance").amount == Decimal("600000.00")  # 20 × 30,000
        assert limit.bound("capacity").amount == Decimal("1440000.00")  # 10,000 × 40% × 12 × 30
        assert limit.bound("down_payment").amount == Decimal("1600000.00")  # 2,000,000 × 80%
        assert limit.amount == Decimal("600000.00")
        assert limit.binding.key == "balance"
        assert limit.binding.label == "账户余额倍数"
        assert "账户余额倍数" in limit.explanation

    def test_small_balance_counted_at_minimum(self) -> None:
        limit = max_loan(QINGDAO, ask(borrowers=[person(balance="3000")]))
        assert limit.bound("balance").amount == Decimal("200000.00")
        assert limit.amount == Decimal("200000.00")

    def test_rounded_down_to_multiple(self) -> None:
        limit = max_loan(QINGDAO, ask(borrowers=[person(balance="30123")]))
        assert limit.bound("balance").amount == Decimal("602460.00")
        assert limit.amount == Decimal("600000.00")

    def test_cap_binds_single_and_couple(self) -> None:
        rich = person(balance="500000", base="40000")
        assert max_loan(QINGDAO, ask(borrowers=[rich])).amount == Decimal("900000.00")
        couple = ask(borrowers=[rich, person(sex=Sex.FEMALE, balance="500000")], couple=True, house_price=5000000)
        limit = max_loan(QINGDAO, couple)
        assert limit.amount == Decimal("1300000.00")
        assert limit.binding.key == "cap"

    def test_top_ups_and_ceiling(self) -> None:
        rich = person(balance="900000", base="60000")
        some = max_loan(QINGDAO, ask(borrowers=[rich], house_price=9000000, top_ups={"talent"}, multi_child=True))
        assert some.bound("cap").amount == Decimal("1440000.00")  # 900,000 × (1 + 0.3 + 0.3)
        every = ask(borrowers=[rich], house_price=9000000, top_ups=set(QINGDAO.top_ups))
        assert max_loan(QINGDAO, every).bound("cap").amount == Decimal("1600000.00")  # ceiling, not 1,620,000

    def test_unknown_top_up(self) -> None:
        with pytest.raises(ValueError, match="不在本地政策中"):
            max_loan(QINGDAO, ask(top_ups={"lottery_winner"}))

    def test_capacity_uses_years_to_retirement(self) -> None:
        older = person(age=50, base="5000", balance="900000")
        limit = max_loan(QINGDAO, ask(borrowers=[older]))
        assert limit.bound("capacity").amount == Decimal("360000.00")  # 5,000 × 40% × 12 × 15
        assert limit.binding.key == "capacity"

    def test_term_limits_capacity(self) -> None:
        limit = max_loan(QINGDAO, ask(term_months=120))
        assert limit.bound("capacity").amount == Decimal("480000.00")  # 10,000 × 40% × 120

    def test_down_payment_second_home_and_appraisal(self) -> None:
        rich = person(balance="900000", base="60000")
        second = max_loan(QINGDAO, ask(borrowers=[rich], house_price=1000000, home=HomeOrdinal.SECOND))
        assert second.bound("down_payment").amount == Decimal("700000.00")
        resale = ask(borrowers=[rich], house_price=1000000, appraised_value=800000, property_kind=PropertyKind.RESALE)
        limit = max_loan(QINGDAO, resale)
        assert limit.bound("down_payment").amount == Decimal("640000.00")
        assert "评估价值" in limit.bound("down_payment").detail

    def test_below_minimum_is_zero_with_reason(self) -> None:
        limit = max_loan(QINGDAO, ask(house_price=12000))
        assert limit.amount == 0
        assert any("最低贷款额" in reason for reason in limit.reasons)

    def test_main_borrower_not_eligible(self) -> None:
        limit = max_loan(QINGDAO, ask(borrowers=[person(months=3)]))
        assert limit.amount == 0
        assert not limit.eligible
        assert any("不足 6 个月" in reason for reason in limit.reasons)

    def test_young_co_borrower_account_not_counted(self) -> None:
        limit = max_loan(QINGDAO, ask(borrowers=[person(), person(balance="100000", months=2)], couple=True))
        assert limit.bound("balance").amount == Decimal("600000.00")
        assert limit.eligible

    def test_input_errors_are_chinese(self) -> None:
        with pytest.raises(ValidationError) as info:
            LoanLimitInput(
                borrowers=[{"age": 12, "sex": "?", "monthly_base": "-1"}],
                house_price="abc",
            )
        text = str(info.value)
        for fragment in ("年龄须在", "性别", "月缴存基数不能为负数", "购房总价"):
            assert fragment in text

    def test_accepts_chinese_aliases(self) -> None:
        inp = LoanLimitInput(
            borrowers=[Borrower(age=30, sex="女", monthly_base="8,000", account_months=12)],
            house_price="1,000,000",
            home="二套",
            property_kind="二手房",
        )
        assert inp.home is HomeOrdinal.SECOND
        assert inp.property_kind is PropertyKind.RESALE
        assert inp.borrowers[0].sex is Sex.FEMALE


money_fen = st.integers(min_value=0, max_value=300_000_000).map(lambda fen: Decimal(fen) / 100)
borrowers = st.builds(
    Borrower,
    age=st.integers(min_value=16, max_value=100),
    sex=st.sampled_from(list(Sex)),
    birth_date=st.none() | st.dates(min_value=date(1926, 1, 1), max_value=date(2010, 12, 31)),
    monthly_base=money_fen,
    balance=money_fen,
    account_months=st.integers(min_value=0, max_value=600),
)


@st.composite
def limit_inputs(draw: st.DrawFn) -> tuple[LoanPolicy, LoanLimitInput]:
    policy = LOADED[draw(st.sampled_from(PACKS))]
    inp = LoanLimitInput(
        borrowers=draw(st.lists(borrowers, min_size=1, max_size=4)),
        couple=draw(st.booleans()),
        house_price=draw(money_fen),
        appraised_value=draw(st.none() | money_fen),
        home=draw(st.sampled_from(list(HomeOrdinal))),
        property_kind=draw(st.sampled_from(list(PropertyKind))),
        house_age_years=draw(st.none() | st.integers(min_value=0, max_value=100)),
        top_ups=draw(st.frozensets(st.sampled_from(sorted(policy.top_ups)))),
        multi_child=draw(st.booleans()),
        term_months=draw(st.none() | st.integers(min_value=1, max_value=360)),
    )
    return policy, inp


@settings(max_examples=200)
@given(case=limit_inputs(), as_of=st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2040, 12, 31)))
def test_max_loan_within_every_bound(case: tuple[LoanPolicy, LoanLimitInput], as_of: date | None) -> None:
    policy, inp = case
    limit = max_loan(policy, inp, as_of=as_of)
    assert limit.amount >= 0
    for bound in limit.bounds:
        assert bound.amount >= 0
        assert limit.amount <= bound.amount
    assert limit.binding.amount == min(bound.amount for bound in limit.bounds)
    assert limit.amount % policy.amount.multiple.value == 0
    assert limit.amount == 0 or limit.amount >= policy.amount.minimum.value
    if limit.amount == 0:
        assert limit.reasons  # a zero always says why
    cap_ceiling = policy.caps.couple_with_top_ups.value if inp.couple else policy.caps.single_with_top_ups.value
    assert limit.amount <= cap_ceiling

    term = max_term_months(policy, inp.borrowers, inp.property_kind, inp.house_age_years, as_of=as_of)
    assert 0 <= term.months <= policy.term.max_years.value * 12
    assert all(term.months <= bound.months for bound in term.bounds)
    assert term.reason
