"""The loan policy of one jurisdiction (``loan.toml``) and the rate look-ups (利率、逾期罚息).

Every figure comes from the active policy pack's ``loan.toml``, each number a ``Sourced`` value; rates are annual
percentages as Decimal (``Decimal("2.6")`` means 2.6 % a year).
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forms.sourced import Sourced
from forms.vocabulary import HomeOrdinal

# --------------------------------------------------------------------------------------------------------------
# The policy (loan.toml)
# --------------------------------------------------------------------------------------------------------------


class _PolicyPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RateTable(_PolicyPart):
    """One published rate table (年利率, percent), in force from ``effective_date``."""

    effective_date: Sourced[date]
    short_term_max_months: Sourced[int] = Field(title="短期利率适用的最长期限（月）")
    first_short: Sourced[Decimal] = Field(title="首套 五年以下（含五年）")
    first_long: Sourced[Decimal] = Field(title="首套 五年以上")
    second_short: Sourced[Decimal] = Field(title="二套 五年以下（含五年）")
    second_long: Sourced[Decimal] = Field(title="二套 五年以上")


class Caps(_PolicyPart):
    """贷款最高限额: single or couple, and the absolute ceilings that top-ups may not pass."""

    single: Sourced[Decimal]
    couple: Sourced[Decimal]
    single_with_top_ups: Sourced[Decimal]
    couple_with_top_ups: Sourced[Decimal]


class TopUp(_PolicyPart):
    """A named increase of the cap (上浮/加额): a fixed amount or a ratio of the base cap, never both."""

    label: str
    amount: Sourced[Decimal] | None = None
    ratio: Sourced[Decimal] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TopUp:
        if (self.amount is None) == (self.ratio is None):
            raise ValueError(f"加额项目“{self.label}”须且只能填写 amount（金额）或 ratio（比例）之一")
        return self


class BalanceRule(_PolicyPart):
    """账户余额倍数: limit = multiple × Σ max(balance, min_counted_balance)."""

    multiple: Sourced[Decimal]
    min_counted_balance: Sourced[Decimal]


class CapacityRule(_PolicyPart):
    """还款能力: Σ monthly contribution base × share × 12 × years (years to retirement + N, at most max)."""

    contribution_share: Sourced[Decimal]
    years_after_retirement: Sourced[int]
    max_years: Sourced[int]


class DownPaymentRule(_PolicyPart):
    """最低首付款比例: the loan may not exceed price × (1 − ratio)."""

    first_home_ratio: Sourced[Decimal]
    second_home_ratio: Sourced[Decimal]


class AmountRule(_PolicyPart):
    """最低贷款额 and the multiple the granted amount is rounded down to."""

    minimum: Sourced[Decimal]
    multiple: Sourced[Decimal]


class TermRule(_PolicyPart):
    """贷款期限: at most max_years; age + term ≤ retirement + N; resale: house age + term ≤ limit."""

    max_years: Sourced[int]
    years_after_retirement: Sourced[int]
    resale_age_plus_term_max_years: Sourced[int]


class RetirementRule(_PolicyPart):
    """One sex's statutory retirement age and its staged rise (渐进式延迟退休).

    People born before ``first_affected_birth`` retire at ``base_age``. From that birth month on, every
    ``birth_months_per_step`` months of birth add one month, up to ``target_age``.
    """

    base_age: Sourced[int]
    target_age: Sourced[int]
    first_affected_birth: Sourced[date]
    birth_months_per_step: Sourced[int]


class RetirementAges(_PolicyPart):
    """Statutory retirement ages as data, because they rise in stages from 2025."""

    male: RetirementRule
    female: RetirementRule
    note: str = ""


class EligibilityRule(_PolicyPart):
    """申请条件: how long the fund account must have been paid into."""

    min_account_months: Sourced[int]


class HistoryRule(_PolicyPart):
    """贷款次数, counted over the household (借款人家庭): how many fund loans it may have had, and whether one still
    outstanding refuses a new one."""

    max_prior_loans: Sourced[int] = Field(title="家庭已使用公积金贷款的最多次数（达到即不予再贷）")
    refuse_while_outstanding: Sourced[bool] = Field(title="有未结清公积金贷款的不予再贷")


class CreditRule(_PolicyPart):
    """征信: a current overdue refuses; repeated overdues in the window (连三累六) go to manual review."""

    refuse_current_overdue: Sourced[bool]
    window_months: Sourced[int]
    review_consecutive_months: Sourced[int] = Field(title="连续逾期月数达到即转人工")
    review_cumulative_months: Sourced[int] = Field(title="累计逾期月数达到即转人工")


class HouseholdRule(_PolicyPart):
    """Who counts towards the limit, and when the couple cap applies."""

    spouse_counts: Sourced[bool] = Field(title="配偶的缴存基数和余额计入额度")
    co_borrowers_count: Sourced[bool] = Field(title="共同借款人的缴存基数和余额计入额度")
    couple_cap_needs_both_contributing: Sourced[bool] = Field(title="夫妻双方均正常缴存才适用双方限额")


SEVERITIES = ("refuse", "manual", "note")


class OverdueRule(_PolicyPart):
    """逾期罚息: overdue interest = contract rate × multiplier."""

    rate_multiplier: Sourced[Decimal]


class LoanPolicy(_PolicyPart):
    """The loan rules of one jurisdiction, as read from its policy pack's ``loan.toml``."""

    region: str
    effective_date: Sourced[date]
    rates: list[RateTable] = Field(min_length=1)
    caps: Caps
    top_ups: dict[str, TopUp] = Field(default_factory=dict)
    balance: BalanceRule
    capacity: CapacityRule
    down_payment: DownPaymentRule
    amount: AmountRule
    term: TermRule
    retirement: RetirementAges
    eligibility: EligibilityRule
    overdue: OverdueRule
    # The household's judgement (issue 12); a pack without them judges nothing of the kind.
    history: HistoryRule | None = None
    credit: CreditRule | None = None
    household: HouseholdRule | None = None
    flags: dict[str, Sourced[str]] = Field(default_factory=dict, title="风险提示的处理级别（refuse / manual / note）")

    @model_validator(mode="after")
    def _coherent(self) -> LoanPolicy:
        problems: list[str] = []
        for name, ratio in (
            ("capacity.contribution_share", self.capacity.contribution_share.value),
            ("down_payment.first_home_ratio", self.down_payment.first_home_ratio.value),
            ("down_payment.second_home_ratio", self.down_payment.second_home_ratio.value),
        ):
            if not Decimal(0) <= ratio <= Decimal(1):
                problems.append(f"{name} 须在 0 至 1 之间（收到 {ratio}）")
        if self.amount.multiple.value <= 0:
            problems.append("amount.multiple（取整倍数）须大于 0")
        if self.amount.minimum.value < 0:
            problems.append("amount.minimum（最低贷款额）不能为负数")
        if not 1 <= self.term.max_years.value <= 30:
            problems.append("term.max_years（最长期限）须在 1 至 30 年之间")
        if self.caps.single_with_top_ups.value < self.caps.single.value:
            problems.append("caps.single_with_top_ups 不能低于 caps.single")
        if self.caps.couple_with_top_ups.value < self.caps.couple.value:
            problems.append("caps.couple_with_top_ups 不能低于 caps.couple")
        for table in self.rates:
            for rate in (table.first_short, table.first_long, table.second_short, table.second_long):
                if rate.value < 0:
                    problems.append(f"{table.effective_date.value} 利率表含负利率 {rate.value}")
        for name, top_up in self.top_ups.items():
            part = top_up.amount or top_up.ratio
            if part is not None and part.value < 0:
                problems.append(f"加额项目 {name} 不能为负数")
        for code, severity in self.flags.items():
            if severity.value not in SEVERITIES:
                problems.append(f"风险提示 {code} 的级别须为 refuse、manual 或 note（收到 {severity.value}）")
        dates = [table.effective_date.value for table in self.rates]
        if len(set(dates)) != len(dates):
            problems.append("利率表的生效日期不能重复")
        if problems:
            raise ValueError("贷款政策参数有误：" + "；".join(problems))
        return self

    @classmethod
    def from_toml_text(cls, text: str) -> LoanPolicy:
        """Parse a ``loan.toml`` text (tests and tools; the pack loader reads files)."""
        return cls.model_validate(tomllib.loads(text))

    def top_up_label(self, name: str) -> str:
        top_up = self.top_ups.get(name)
        return top_up.label if top_up else name


# --------------------------------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------------------------------


def rate_table_for(policy: LoanPolicy, on: date | None = None) -> RateTable:
    """The rate table in force on ``on`` (the latest one when ``on`` is None)."""
    tables = sorted(policy.rates, key=lambda table: table.effective_date.value)
    if on is None:
        return tables[-1]
    in_force = [table for table in tables if table.effective_date.value <= on]
    if not in_force:
        raise ValueError(
            f"利率日期 {on.isoformat()} 早于本政策包最早的利率表（{tables[0].effective_date.value.isoformat()} 起），"
            "请选择之后的日期"
        )
    return in_force[-1]


def rate_for(policy: LoanPolicy, home: HomeOrdinal, months: int, on: date | None = None) -> Decimal:
    """The annual rate in percent (e.g. ``Decimal("2.6")``) for a first or second home and a term in months."""
    if months < 1:
        raise ValueError(f"贷款期限（月）须为正整数，收到 {months}")
    table = rate_table_for(policy, on)
    short = months <= table.short_term_max_months.value
    if HomeOrdinal(home) is HomeOrdinal.FIRST:
        return (table.first_short if short else table.first_long).value
    return (table.second_short if short else table.second_long).value


def overdue_rate(policy: LoanPolicy, annual_rate_percent: Decimal) -> Decimal:
    """逾期罚息利率: the contract rate × the policy's multiplier (percent a year)."""
    return annual_rate_percent * policy.overdue.rate_multiplier.value
