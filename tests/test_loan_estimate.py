"""The walk-in limit estimate (forms.loan.estimate): the case's own rules, with a walk-in's defaults said aloud.

Every figure is checked against ``max_loan`` / ``max_term_months`` called directly, so the estimate can add no
rule of its own; the defaults (months contributed, the spouse's sex and age) each leave a note.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from forms.loan import Borrower, LoanLimitInput, Sex, max_loan, max_term_months
from forms.loan.estimate import EstimateError, estimate_limit, make_input
from forms.vocabulary import PropertyKind
from tests.loan_helpers import LOADED, PACKS, QINGDAO

AS_OF = date(2026, 9, 30)
SINGLE = {"age": 35, "sex": "男", "monthly_base": "10000", "balance": "50000", "house_price": "1500000"}


def estimate(**changes: Any) -> Any:
    return estimate_limit(QINGDAO, make_input({**SINGLE, **changes}), AS_OF)


def test_single_buyer_is_bound_by_the_cap() -> None:
    result = estimate()
    # Qingdao: cap 900,000 single; 20 × 50,000 = 1,000,000; 10,000 × 40 % × 360 = 1,440,000; 80 % of 1.5 M.
    assert result.amount == Decimal("900000.00")
    assert result.loan.binding.key == "cap"
    assert [b.key for b in result.loan.bounds] == ["cap", "balance", "capacity", "down_payment"]
    assert result.term.months == 360 and result.term_months == 360
    assert result.annual_rate == Decimal("2.6")
    assert result.monthly_payment == Decimal("3603.06")
    assert not result.couple
    assert result.notes == ("连续缴存月数未填，按已满 6 个月估算",)


def test_it_is_max_loan_and_max_term_and_nothing_else() -> None:
    result = estimate(age=52, balance="20000", property_kind="resale", house_age_years=30, account_months=40)
    borrower = Borrower(
        age=52, sex=Sex.MALE, monthly_base=Decimal("10000"), balance=Decimal("20000"), account_months=40
    )
    term = max_term_months(QINGDAO, [borrower], PropertyKind.RESALE, 30, as_of=AS_OF)
    inp = LoanLimitInput(
        borrowers=[borrower],
        house_price=Decimal("1500000"),
        property_kind=PropertyKind.RESALE,
        house_age_years=30,
        term_months=term.months,
    )
    assert result.term == term
    assert result.loan == max_loan(QINGDAO, inp, as_of=AS_OF)
    assert result.term.binding.key == "age"  # 60 + 5 − 52 = 13 years, before the house's 20
    assert result.notes == ()


def test_spouse_makes_a_couple_and_blank_spouse_fields_are_noted() -> None:
    result = estimate(spouse_base="6000", spouse_balance="20000")
    assert result.couple
    assert result.loan.bound("cap").amount == Decimal("1300000.00")
    assert "配偶性别未填，按女估算" in result.notes
    assert "配偶年龄未填，按与主借款人同为 35 岁估算" in result.notes
    # The spouse (a woman of 35: 55 + 5) bounds the term, not the buyer (60 + 5).
    assert result.term.months == 300
    assert result.term.binding.key == "age"


def test_a_spouse_who_does_not_contribute_keeps_the_single_cap() -> None:
    result = estimate(spouse_age=33, spouse_base="0", spouse_balance="0")
    assert not result.couple
    assert result.loan.bound("cap").amount == Decimal("900000.00")
    assert any("单方缴存" in note for note in result.notes)


def test_a_term_asked_for_is_used_and_one_too_long_is_refused_politely() -> None:
    short = estimate(term_months=120)
    assert short.term_months == 120
    assert short.annual_rate == Decimal("2.6")
    # Capacity counts only the months of the loan: 10,000 × 40 % × 120.
    assert short.loan.bound("capacity").amount == Decimal("480000.00")
    assert short.loan.binding.key == "capacity"
    old = estimate(age=58, term_months=240)
    assert old.term_months == old.term.months == 84
    assert old.problems and "超过最长可贷期限 84 个月" in old.problems[0]


def test_birth_date_gives_the_age_and_the_staged_retirement() -> None:
    result = estimate(age=None, birth_date=date(1980, 5, 1))
    age_bound = next(b for b in result.term.bounds if b.key == "age")
    assert "46 岁" in age_bound.detail
    assert "63 岁" in age_bound.detail  # born 1980: the full three-year rise


def test_young_account_and_no_term_give_zero_with_reasons() -> None:
    young = estimate(account_months=3)
    assert young.amount == 0 and not young.loan.eligible
    assert young.monthly_payment is None
    assert any("不足 6 个月" in reason for reason in young.loan.reasons)
    none_left = estimate(age=66)
    assert none_left.term.months == 0
    assert none_left.amount == 0 and none_left.annual_rate is None
    assert none_left.problems


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"age": None}, "须填写年龄或出生日期"),
        ({"age": 12}, "年龄须在 16 至 100 之间"),
        ({"sex": "x"}, "性别“x”无效"),
        ({"monthly_base": "abc"}, "月缴存基数"),
        ({"balance": "-1"}, "公积金账户余额不能为负数"),
        ({"house_price": "0"}, "购房总价须大于 0 元"),
        ({"house_price": None}, "须填写购房总价"),
        ({"term_months": "400"}, "贷款期限（月）须在 1 至 360 之间"),
        ({"property_kind": "castle"}, "房屋类型“castle”无效"),
    ],
)
def test_bad_figures_are_refused_in_chinese(changes: dict[str, Any], message: str) -> None:
    values = {key: value for key, value in {**SINGLE, **changes}.items() if value is not None}
    with pytest.raises(EstimateError, match=message):
        make_input(values)


def test_a_birth_date_too_recent_is_refused_in_chinese() -> None:
    with pytest.raises(EstimateError, match="年龄须在 16 至 100 之间"):
        estimate(age=None, birth_date=date(2015, 1, 1))


@pytest.mark.parametrize("code", PACKS)
def test_every_pack_gives_an_estimate(code: str) -> None:
    result = estimate_limit(LOADED[code], make_input(SINGLE), AS_OF)
    assert 0 < result.amount <= result.loan.binding.amount
    assert result.term.months > 0 and result.monthly_payment is not None


def test_the_spouse_is_named_as_such_in_the_term_rule() -> None:
    result = estimate(spouse_base="6000")
    assert result.term.binding.detail.startswith("配偶（女，35 岁）")


def test_the_pack_decides_what_the_spouse_counts_for() -> None:
    # A pack without household rules counts the buyer alone, as a case does (forms.case.household).
    bare = QINGDAO.model_copy(update={"household": None})
    alone = estimate_limit(bare, make_input({**SINGLE, "spouse_base": "6000", "spouse_balance": "20000"}), AS_OF)
    assert alone.term.months == 360  # the buyer's own age rule (60 + 5 − 35), not the spouse's 55 + 5
    assert any("按主借款人一人估算" in note for note in alone.notes)
    assert alone.loan.bound("cap").amount == Decimal("1300000.00")  # married: the couple cap without a rule
    # Where the couple cap does not need both contributing, a non-contributing spouse still gives it.
    assert QINGDAO.household is not None
    lenient = QINGDAO.household.model_copy(
        update={
            "couple_cap_needs_both_contributing": QINGDAO.household.spouse_counts.model_copy(update={"value": False})
        }
    )
    pack = QINGDAO.model_copy(update={"household": lenient})
    married = estimate_limit(pack, make_input({**SINGLE, "spouse_age": 33}), AS_OF)
    assert married.couple
