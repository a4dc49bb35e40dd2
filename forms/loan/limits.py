"""Eligibility and the maximum loan (申请条件、贷款额度).

Every bound is rounded down to the fen, the final amount down to the policy's multiple, so the amount is never
above any bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from forms.loan._common import MONTHS_PER_YEAR, _cent_down
from forms.loan.borrowers import Borrower, LoanLimitInput, _borrower_name
from forms.loan.policy import LoanPolicy
from forms.loan.term import _months_until_retirement_plus
from forms.vocabulary import HomeOrdinal, PropertyKind


def is_eligible(policy: LoanPolicy, account_months: int) -> bool:
    """Has the fund account been paid into long enough (连续缴存满 N 个月)?"""
    return account_months >= policy.eligibility.min_account_months.value


def eligibility_problems(policy: LoanPolicy, borrowers: Sequence[Borrower]) -> list[str]:
    """Chinese notes for every borrower whose account is too young; empty when all qualify."""
    minimum = policy.eligibility.min_account_months.value
    problems: list[str] = []
    for index, borrower in enumerate(borrowers):
        if not is_eligible(policy, borrower.account_months):
            problems.append(
                f"{_borrower_name(index, borrower)}连续缴存 {borrower.account_months} 个月，不足 {minimum} 个月，"
                f"须连续缴存满 {minimum} 个月方可申请（计入额度）"
            )
    return problems


# --------------------------------------------------------------------------------------------------------------
# Maximum loan
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoanBound:
    """One upper bound of the loan: ``key`` is stable (cap, balance, capacity, down_payment), ``label`` Chinese."""

    key: str
    label: str
    amount: Decimal
    detail: str


@dataclass(frozen=True, slots=True)
class LoanLimit:
    """The maximum loan with every bound shown and the binding one named."""

    amount: Decimal
    bounds: tuple[LoanBound, ...]
    binding: LoanBound
    reasons: tuple[str, ...]
    eligible: bool

    def bound(self, key: str) -> LoanBound:
        for item in self.bounds:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def explanation(self) -> str:
        """One line for the screen: the amount and what limits it."""
        if self.amount == 0:
            return "可贷额度为 0：" + "；".join(self.reasons)
        return f"可贷额度 {self.amount:,.2f} 元，受“{self.binding.label}”限制"


def _percent(ratio: Decimal) -> str:
    """0.40 -> "40", 0.125 -> "12.5"."""
    return f"{(ratio * 100).normalize():f}"


def _floor_to(value: Decimal, multiple: Decimal) -> Decimal:
    if value <= 0:
        return Decimal("0.00")
    units = (value / multiple).to_integral_value(rounding=ROUND_DOWN)
    return _cent_down(units * multiple)


def _cap_bound(policy: LoanPolicy, inp: LoanLimitInput) -> tuple[LoanBound, list[str]]:
    caps = policy.caps
    base = caps.couple.value if inp.couple else caps.single.value
    ceiling = caps.couple_with_top_ups.value if inp.couple else caps.single_with_top_ups.value
    requested = set(inp.top_ups)
    notes: list[str] = []
    if inp.multi_child:
        if "multi_child" in policy.top_ups:
            requested.add("multi_child")
        else:
            notes.append("本地政策未设多子女家庭加额，按基础限额计算")
    unknown = sorted(requested - set(policy.top_ups))
    if unknown:
        known = "、".join(f"{name}（{top.label}）" for name, top in policy.top_ups.items()) or "无"
        raise ValueError(f"申请加额项目 {'、'.join(unknown)} 不在本地政策中；可选项目：{known}")
    extra = Decimal(0)
    parts: list[str] = []
    for name in sorted(requested):
        top_up = policy.top_ups[name]
        if top_up.amount is not None:
            add = top_up.amount.value
        else:
            assert top_up.ratio is not None  # guaranteed by TopUp._one_of
            add = base * top_up.ratio.value
        extra += add
        parts.append(f"{top_up.label} +{_cent_down(add):,.2f}")
    amount = _cent_down(min(base + extra, ceiling))
    who = "夫妻双方缴存" if inp.couple else "单方缴存"
    detail = f"{who}最高限额 {base:,.2f} 元"
    if parts:
        detail += "，加额：" + "，".join(parts) + f"（加额后最高 {ceiling:,.2f} 元）"
    return LoanBound("cap", "贷款最高限额", amount, detail), notes


def _balance_bound(policy: LoanPolicy, counted: Sequence[Borrower]) -> LoanBound:
    rule = policy.balance
    floor = rule.min_counted_balance.value
    total = sum((max(borrower.balance, floor) for borrower in counted), Decimal(0))
    amount = _cent_down(total * rule.multiple.value)
    detail = f"账户余额合计（每人不足 {floor:,.2f} 元按 {floor:,.2f} 元计）{total:,.2f} 元 × {rule.multiple.value} 倍"
    return LoanBound("balance", "账户余额倍数", amount, detail)


def _capacity_bound(
    policy: LoanPolicy, counted: Sequence[Borrower], term_months: int | None, as_of: date | None
) -> LoanBound:
    rule = policy.capacity
    share = rule.contribution_share.value
    total = Decimal(0)
    parts: list[str] = []
    for borrower in counted:
        months = _months_until_retirement_plus(policy, borrower, rule.years_after_retirement.value, as_of)
        months = min(months, rule.max_years.value * MONTHS_PER_YEAR)
        if term_months is not None:
            months = min(months, term_months)
        total += borrower.monthly_base * share * months
        parts.append(f"{borrower.monthly_base:,.2f} 元 × {months} 个月")
    amount = _cent_down(total)
    detail = (
        f"月缴存基数 × {_percent(share)}% × 可还款月数（至法定退休年龄后 {rule.years_after_retirement.value} 年，"
        f"最长 {rule.max_years.value} 年）：" + ("；".join(parts) if parts else "无计入的借款人")
    )
    return LoanBound("capacity", "还款能力", amount, detail)


def _down_payment_bound(policy: LoanPolicy, inp: LoanLimitInput) -> LoanBound:
    rule = policy.down_payment
    ratio = rule.first_home_ratio.value if inp.home is HomeOrdinal.FIRST else rule.second_home_ratio.value
    basis = inp.house_price
    basis_label = "购房总价"
    if inp.property_kind is PropertyKind.RESALE and inp.appraised_value is not None and inp.appraised_value < basis:
        # A resale is financed on the lower of price and appraisal, so an inflated price cannot raise the loan.
        basis = inp.appraised_value
        basis_label = "评估价值"
    amount = _cent_down(basis * (1 - ratio))
    ordinal = "首套" if inp.home is HomeOrdinal.FIRST else "二套"
    detail = f"{basis_label} {basis:,.2f} 元 × (1 − {ordinal}最低首付 {_percent(ratio)}%)"
    return LoanBound("down_payment", "首付比例", amount, detail)


def max_loan(policy: LoanPolicy, inp: LoanLimitInput, *, as_of: date | None = None) -> LoanLimit:
    """The maximum fund loan: the least of cap, balance, capacity and down-payment bounds.

    The result is rounded down to the policy's multiple and is 0 (with a Chinese reason) below the minimum loan or
    when the main borrower's account is too young. Co-borrowers whose account is too young are not counted in the
    balance and capacity bounds. Raises ValueError only for top-ups that the policy does not know.
    """
    reasons: list[str] = []
    problems = eligibility_problems(policy, inp.borrowers)
    main_eligible = is_eligible(policy, inp.borrowers[0].account_months)
    counted = [borrower for borrower in inp.borrowers if is_eligible(policy, borrower.account_months)]

    cap, notes = _cap_bound(policy, inp)
    bounds = (
        cap,
        _balance_bound(policy, counted),
        _capacity_bound(policy, counted, inp.term_months, as_of),
        _down_payment_bound(policy, inp),
    )
    binding = min(bounds, key=lambda bound: bound.amount)
    multiple = policy.amount.multiple.value
    minimum = policy.amount.minimum.value
    amount = _floor_to(binding.amount, multiple)
    reasons.extend(notes)
    reasons.extend(problems)
    if not main_eligible:
        amount = Decimal("0.00")
    elif amount < minimum:
        reasons.append(
            f"按“{binding.label}”计算的额度 {binding.amount:,.2f} 元按 {multiple:,.0f} 元取整后为 {amount:,.2f} 元，"
            f"低于最低贷款额 {minimum:,.2f} 元，不能办理"
        )
        amount = Decimal("0.00")
    return LoanLimit(amount, bounds, binding, tuple(reasons), main_eligible)
