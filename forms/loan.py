"""Loan rules: rates, repayment schedules, the maximum loan and the maximum term (贷款额度、期限、还款计算).

Every figure comes from the active policy pack's ``loan.toml`` (``LoanPolicy``), each number a ``Sourced`` value;
this module holds only the arithmetic. Money is Decimal yuan rounded to the fen; rates are annual percentages as
Decimal (``Decimal("2.6")`` means 2.6 % a year); the monthly rate is annual / 12.

Rounding, decided once here so that the screen, the printed form and the CLI agree:

* Repayment tables: every row is rounded to the fen (ROUND_HALF_UP). For equal instalments (等额本息) the monthly
  payment is the formula's M rounded to the fen, each month's interest is the remaining principal × monthly rate
  rounded to the fen, and the last row takes whatever principal remains, so the principal column sums to the loan
  exactly. For equal principal (等额本金) every month repays P/n rounded to the fen, interest is the remaining
  principal × monthly rate rounded to the fen, and the last row again takes the principal that remains.
* Summaries report the formulas' nominal figures, each rounded once to the fen — the figures fund centres'
  calculators publish: the payment M, or the first and last payments P/n + (P − (k−1)·P/n)·r and the monthly fall
  P/n·r; ``total_interest`` M·n − P or P·r·(n+1)/2. Beside them, the ``scheduled_`` figures of the rounded table,
  which is what is actually paid. For 600,000 over 360 months at 2.6 %: equal instalments 2,402.04 a month and
  264,733.78 nominal interest (264,733.47 scheduled); equal principal 2,966.67 first, 1,670.28 last (1,669.08 in
  the table), falling 3.61, 234,650.00 nominal interest and 234,649.55 scheduled.
* Loan limits: every bound is rounded down to the fen, the final amount down to the policy's multiple, so the
  amount is never above any bound.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from forms.identifiers import Sex
from forms.money import CENT, money_validator, to_money
from forms.sourced import Sourced
from forms.vocabulary import HomeOrdinal, PropertyKind, RepaymentMethod

# Decimal precision for the annuity factor (1 + r)^n: 40 digits keeps 360 compounding steps exact to far below
# a fen for any loan this product can see.
_PRECISION = 40

MONTHS_PER_YEAR = 12


# The statutory retirement age depends on the sex derived from the ID number (forms.identifiers.Sex).
SEX_LABELS: dict[Sex, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}

REPAYMENT_METHOD_LABELS: dict[RepaymentMethod, str] = {
    RepaymentMethod.ANNUITY: "等额本息",
    RepaymentMethod.EQUAL_PRINCIPAL: "等额本金",
}


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


# --------------------------------------------------------------------------------------------------------------
# Repayment
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepaymentRow:
    """One month of a repayment table; every figure in yuan, rounded to the fen."""

    month: int
    payment: Decimal
    principal: Decimal
    interest: Decimal
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class RepaymentSchedule:
    """A full repayment table; ``total_interest`` is the sum of the rounded rows (what is actually paid)."""

    principal: Decimal
    annual_rate: Decimal
    months: int
    method: RepaymentMethod
    rows: tuple[RepaymentRow, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.rows), Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((row.payment for row in self.rows), Decimal("0.00"))

    @property
    def total_principal(self) -> Decimal:
        return sum((row.principal for row in self.rows), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class RepaymentSummary:
    """The figures a clerk quotes without the table.

    The plain fields are the formulas' nominal figures rounded once to the fen (what calculators publish and
    what the CLI prints): ``monthly_payment`` is the fixed instalment (等额本息) or the first month's payment
    (等额本金); ``first_payment``/``last_payment`` the first and last months' payments; ``monthly_decrease`` the
    fall per month for equal principal (P/n × r), zero for equal instalments; ``total_interest`` M·n − P or
    P·r·(n+1)/2. The ``scheduled_`` fields come from the table rounded to the fen, which is what is paid.
    """

    principal: Decimal
    annual_rate: Decimal
    months: int
    method: RepaymentMethod
    monthly_payment: Decimal
    first_payment: Decimal
    last_payment: Decimal
    monthly_decrease: Decimal
    total_interest: Decimal
    total_repaid: Decimal
    scheduled_first_payment: Decimal
    scheduled_last_payment: Decimal
    scheduled_total_interest: Decimal
    scheduled_total_repaid: Decimal


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cent_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _loan_terms(
    principal: Decimal | int | str, annual_rate_percent: Decimal | int | str, months: int, max_months: int
) -> tuple[Decimal, Decimal, int]:
    amount = to_money(principal, "贷款本金")
    if amount <= 0:
        raise ValueError(f"贷款本金须大于 0 元，收到 {amount}")
    if isinstance(annual_rate_percent, bool):
        raise ValueError("贷款年利率须为数字（百分数），例如 2.6")
    try:
        rate = Decimal(str(annual_rate_percent).strip().removesuffix("%"))
    except InvalidOperation:
        raise ValueError(f"贷款年利率“{annual_rate_percent}”不是有效的数字，请输入百分数，例如 2.6") from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValueError(f"贷款年利率须在 0 至 100（百分数）之间，收到 {annual_rate_percent}")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= max_months:
        raise ValueError(f"贷款期限（月）须为 1 至 {max_months} 之间的整数，收到 {months}")
    return amount, rate, months


def _annuity_payment_exact(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    if monthly_rate == 0:
        return principal / months
    factor = (1 + monthly_rate) ** months
    return principal * monthly_rate * factor / (factor - 1)


def _iter_rows(principal: Decimal, rate: Decimal, months: int, method: RepaymentMethod) -> Iterator[RepaymentRow]:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        monthly_rate = rate / 100 / MONTHS_PER_YEAR
        remaining = principal
        if method is RepaymentMethod.ANNUITY:
            payment = _cent(_annuity_payment_exact(principal, monthly_rate, months))
            for month in range(1, months + 1):
                interest = _cent(remaining * monthly_rate)
                # The last row takes what is left; before that, never repay more than is owed (tiny loans with a
                # rounded-up instalment could otherwise overshoot).
                part = remaining if month == months else min(payment - interest, remaining)
                remaining -= part
                yield RepaymentRow(month, part + interest, part, interest, remaining)
        else:
            # The same principal part P/n (rounded to the fen) every month, the last month taking what is left;
            # interest on the actual remaining balance. This gives the published 234,649.55 for 600,000 / 360 /
            # 2.6 %. With a tiny loan, n rounded-up parts could exceed P: never repay more than is owed.
            part_each = _cent(principal / months)
            for month in range(1, months + 1):
                interest = _cent(remaining * monthly_rate)
                part = remaining if month == months else min(part_each, remaining)
                remaining -= part
                yield RepaymentRow(month, part + interest, part, interest, remaining)


def schedule(
    principal: Decimal | int | str,
    annual_rate_percent: Decimal | int | str,
    months: int,
    method: RepaymentMethod,
    *,
    max_months: int = 360,
) -> RepaymentSchedule:
    """The month-by-month table for a loan; raises ValueError (Chinese) for out-of-range inputs.

    ``annual_rate_percent`` is a percentage (2.6 means 2.6 % a year); 0 is allowed (the payment is then P/n).
    """
    amount, rate, n = _loan_terms(principal, annual_rate_percent, months, max_months)
    rows = tuple(_iter_rows(amount, rate, n, method))
    return RepaymentSchedule(amount, rate, n, method, rows)


def summary(
    principal: Decimal | int | str,
    annual_rate_percent: Decimal | int | str,
    months: int,
    method: RepaymentMethod,
    *,
    max_months: int = 360,
) -> RepaymentSummary:
    """Monthly payment(s) and totals: nominal formula figures and the rounded table's sums (see module doc)."""
    amount, rate, n = _loan_terms(principal, annual_rate_percent, months, max_months)
    first: RepaymentRow | None = None
    last: RepaymentRow | None = None
    scheduled_interest = Decimal("0.00")
    for row in _iter_rows(amount, rate, n, method):
        first = first or row
        last = row
        scheduled_interest += row.interest
    assert first is not None and last is not None  # n >= 1 was checked
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        monthly_rate = rate / 100 / MONTHS_PER_YEAR
        if method is RepaymentMethod.ANNUITY:
            exact = _annuity_payment_exact(amount, monthly_rate, n)
            monthly = _cent(exact)
            last_nominal = monthly
            decrease = Decimal("0.00")
            nominal_interest = _cent(exact * n - amount)
        else:
            monthly = _cent(amount / n + amount * monthly_rate)
            last_nominal = _cent(amount / n * (1 + monthly_rate))
            decrease = _cent(amount / n * monthly_rate)
            nominal_interest = _cent(amount * monthly_rate * (n + 1) / 2)
    return RepaymentSummary(
        principal=amount,
        annual_rate=rate,
        months=n,
        method=method,
        monthly_payment=monthly,
        first_payment=monthly,
        last_payment=last_nominal,
        monthly_decrease=decrease,
        total_interest=nominal_interest,
        total_repaid=amount + nominal_interest,
        scheduled_first_payment=first.payment,
        scheduled_last_payment=last.payment,
        scheduled_total_interest=scheduled_interest,
        scheduled_total_repaid=amount + scheduled_interest,
    )


# --------------------------------------------------------------------------------------------------------------
# Inputs: borrowers and the limit question
# --------------------------------------------------------------------------------------------------------------


def _int_field(label: str, low: int, high: int) -> BeforeValidator:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise PydanticCustomError("int_invalid", f"{label}须为整数，不能填写是/否")
        number: int
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        else:
            raise PydanticCustomError("int_invalid", f"{label}须为整数，收到“{value}”")
        if not low <= number <= high:
            raise PydanticCustomError("int_range", f"{label}须在 {low} 至 {high} 之间，收到 {number}")
        return number

    return BeforeValidator(check)


def _enum_field(label: str, enum: type[StrEnum], aliases: dict[str, str]) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        text = str(value).strip()
        text = aliases.get(text, text)
        try:
            return enum(text)
        except ValueError:
            allowed = "、".join(member.value for member in enum)
            raise PydanticCustomError("enum_invalid", f"{label}“{value}”无效，应为：{allowed}") from None

    return BeforeValidator(check)


Age = Annotated[int, _int_field("年龄", 16, 100)]
AccountMonths = Annotated[int, _int_field("连续缴存月数", 0, 1200)]
HouseAge = Annotated[int, _int_field("房龄（年）", 0, 100)]
TermMonths = Annotated[int, _int_field("贷款期限（月）", 1, 360)]
SexField = Annotated[Sex, _enum_field("性别", Sex, {"male": "男", "female": "女", "M": "男", "F": "女"})]
HomeField = Annotated[HomeOrdinal, _enum_field("住房套数", HomeOrdinal, {"首套": "first", "二套": "second"})]
_PROPERTY_ALIASES = {"新建商品房": "new", "再交易住房": "resale", "二手房": "resale"}
PropertyField = Annotated[PropertyKind, _enum_field("房屋类型", PropertyKind, _PROPERTY_ALIASES)]
ContributionBase = Annotated[Decimal, money_validator("月缴存基数")]
AccountBalance = Annotated[Decimal, money_validator("公积金账户余额")]
HousePrice = Annotated[Decimal, money_validator("购房总价")]
AppraisedValue = Annotated[Decimal, money_validator("评估价值")]


class Borrower(BaseModel):
    """A borrower or co-borrower as the limit and term rules see them (no names: only what the rules need)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    age: Age = Field(title="年龄")
    sex: SexField = Field(title="性别")
    birth_date: date | None = Field(None, title="出生日期")
    monthly_base: ContributionBase = Field(Decimal("0.00"), title="月缴存基数")
    balance: AccountBalance = Field(Decimal("0.00"), title="公积金账户余额")
    account_months: AccountMonths = Field(0, title="连续缴存月数")


class LoanLimitInput(BaseModel):
    """Everything the maximum-loan rules read. ``borrowers[0]`` is the main borrower (主借款人).

    ``couple`` selects the couple cap (夫妻双方均缴存); top-ups are named as in the policy pack's ``top_ups``;
    ``multi_child`` requests the ``multi_child`` top-up when the pack has one. ``term_months``, when known, limits
    the years counted by the repayment-capacity rule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    borrowers: list[Borrower] = Field(min_length=1, max_length=4, title="借款人")
    couple: bool = Field(False, title="夫妻双方缴存")
    house_price: HousePrice = Field(title="购房总价")
    appraised_value: AppraisedValue | None = Field(None, title="评估价值")
    home: HomeField = Field(HomeOrdinal.FIRST, title="住房套数")
    property_kind: PropertyField = Field(PropertyKind.NEW, title="房屋类型")
    house_age_years: HouseAge | None = Field(None, title="房龄（年）")
    top_ups: frozenset[str] = Field(frozenset(), title="申请加额项目")
    multi_child: bool = Field(False, title="多子女家庭")
    term_months: TermMonths | None = Field(None, title="贷款期限（月）")


# --------------------------------------------------------------------------------------------------------------
# Ages, retirement, eligibility
# --------------------------------------------------------------------------------------------------------------


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def retirement_age_months(policy: LoanPolicy, sex: Sex, birth_date: date | None = None) -> int:
    """Statutory retirement age in months, with the staged rise when the birth date is known.

    Without a birth date the base age is used: it is the lower age, so the term and the capacity it gives are
    never longer than the real ones.
    """
    rule = policy.retirement.male if Sex(sex) is Sex.MALE else policy.retirement.female
    base = rule.base_age.value * MONTHS_PER_YEAR
    if birth_date is None:
        return base
    first = rule.first_affected_birth.value
    if (birth_date.year, birth_date.month) < (first.year, first.month):
        return base
    born_after = (birth_date.year - first.year) * 12 + (birth_date.month - first.month)
    max_delay = (rule.target_age.value - rule.base_age.value) * MONTHS_PER_YEAR
    delay = min(max_delay, born_after // max(rule.birth_months_per_step.value, 1) + 1)
    return base + delay


def age_months(borrower: Borrower, as_of: date | None = None) -> int:
    """The borrower's age in months: exact from the birth date when both it and ``as_of`` are known."""
    if borrower.birth_date is not None and as_of is not None:
        return _months_between(borrower.birth_date, as_of)
    return borrower.age * MONTHS_PER_YEAR


def _months_until_retirement_plus(policy: LoanPolicy, borrower: Borrower, extra_years: int, as_of: date | None) -> int:
    limit = retirement_age_months(policy, borrower.sex, borrower.birth_date) + extra_years * MONTHS_PER_YEAR
    return max(0, limit - age_months(borrower, as_of))


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
                f"{_borrower_name(index)}连续缴存 {borrower.account_months} 个月，不足 {minimum} 个月，"
                f"须连续缴存满 {minimum} 个月方可申请（计入额度）"
            )
    return problems


def _borrower_name(index: int) -> str:
    return "主借款人" if index == 0 else f"共同借款人{index}"


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


# --------------------------------------------------------------------------------------------------------------
# Maximum term
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermBound:
    """One upper bound of the term in months: ``key`` is stable (max_term, age, house_age)."""

    key: str
    label: str
    months: int
    detail: str


@dataclass(frozen=True, slots=True)
class TermLimit:
    """The longest term allowed, every bound shown, the binding one named, and the reason in Chinese."""

    months: int
    bounds: tuple[TermBound, ...]
    binding: TermBound
    reason: str

    @property
    def years(self) -> int:
        """Whole years, for forms that ask for the term in years."""
        return self.months // MONTHS_PER_YEAR


def max_term_months(
    policy: LoanPolicy,
    borrowers: Sequence[Borrower],
    property_kind: PropertyKind = PropertyKind.NEW,
    house_age_years: int | None = None,
    *,
    as_of: date | None = None,
) -> TermLimit:
    """The longest term: ≤ max years; age + term ≤ retirement + N for every borrower; resale: age + term ≤ 50.

    The age rule is applied to every borrower and the shortest result kept: that is the oldest borrower's limit,
    or a younger borrower's where an earlier retirement age makes it shorter.
    """
    if not borrowers:
        raise ValueError("借款人不能为空：至少须有主借款人一人")
    property_kind = PropertyKind(property_kind)
    rule = policy.term
    cap = rule.max_years.value * MONTHS_PER_YEAR
    bounds: list[TermBound] = [TermBound("max_term", "最长贷款期限", cap, f"贷款期限最长 {rule.max_years.value} 年")]

    extra = rule.years_after_retirement.value
    age_limits = [
        (_months_until_retirement_plus(policy, borrower, extra, as_of), index, borrower)
        for index, borrower in enumerate(borrowers)
    ]
    months_left, index, borrower = min(age_limits, key=lambda item: (item[0], item[1]))
    retire = retirement_age_months(policy, borrower.sex, borrower.birth_date)
    retire_text = f"{retire // 12} 岁" + (f" {retire % 12} 个月" if retire % 12 else "")
    bounds.append(
        TermBound(
            "age",
            "借款人年龄",
            months_left,
            f"{_borrower_name(index)}（{SEX_LABELS[borrower.sex]}，{borrower.age} 岁）年龄 + 贷款期限"
            f" ≤ 法定退休年龄 {retire_text} + {extra} 年",
        )
    )
    if property_kind is PropertyKind.RESALE and house_age_years is not None:
        limit = rule.resale_age_plus_term_max_years.value
        house_months = max(0, (limit - house_age_years) * MONTHS_PER_YEAR)
        bounds.append(
            TermBound("house_age", "房龄", house_months, f"房龄 {house_age_years} 年 + 贷款期限 ≤ {limit} 年")
        )
    binding = min(bounds, key=lambda bound: bound.months)
    months = max(0, min(binding.months, cap))
    if months == 0:
        reason = f"受“{binding.label}”限制，可贷期限为 0，不能办理：{binding.detail}"
    else:
        reason = (
            f"最长可贷 {months} 个月（{months // 12} 年"
            + (f" {months % 12} 个月）" if months % 12 else "）")
            + f"，受“{binding.label}”限制：{binding.detail}"
        )
    if property_kind is PropertyKind.RESALE and house_age_years is None:
        reason += "；再交易住房未填写房龄，尚未按房龄规则核定"
    return TermLimit(months, tuple(bounds), binding, reason)


__all__ = [
    "MONTHS_PER_YEAR",
    "REPAYMENT_METHOD_LABELS",
    "SEX_LABELS",
    "AmountRule",
    "BalanceRule",
    "Borrower",
    "CapacityRule",
    "Caps",
    "DownPaymentRule",
    "EligibilityRule",
    "LoanBound",
    "LoanLimit",
    "LoanLimitInput",
    "LoanPolicy",
    "OverdueRule",
    "RateTable",
    "RepaymentRow",
    "RepaymentSchedule",
    "RepaymentSummary",
    "RetirementAges",
    "RetirementRule",
    "Sex",
    "TermBound",
    "TermLimit",
    "TermRule",
    "TopUp",
    "age_months",
    "eligibility_problems",
    "is_eligible",
    "max_loan",
    "max_term_months",
    "overdue_rate",
    "rate_for",
    "rate_table_for",
    "retirement_age_months",
    "schedule",
    "summary",
]
