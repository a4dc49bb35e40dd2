"""Loan limits: retirement age, eligibility, the longest term and the maximum loan (DOMAIN.md check values)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
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
    retirement_age_months,
)
from forms.vocabulary import HomeOrdinal, PropertyKind
from tests.loan_helpers import LOADED, PACKS, QINGDAO, person

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
