"""Walk-in limit estimate (可贷额度估算): the maximum loan and term for a citizen's own figures, no case made.

The counter is asked "how much can I borrow?" before anyone opens a case. ``estimate_limit`` answers it from a
handful of figures (age or birth date, sex, contribution base, balance, optionally the spouse's, the house and its
price) with the same rules a case uses (``max_loan``, ``max_term_months``, ``rate_for``, ``summary``): this module
adds no rule of its own, only the defaults a walk-in question needs, each one said in ``notes``. ``counter calc
--limit`` and the calculator screen both call it, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forms.identifiers import Sex
from forms.loan.borrowers import (
    AccountBalance,
    AccountMonths,
    Age,
    Borrower,
    ContributionBase,
    HomeField,
    HouseAge,
    HousePrice,
    LoanLimitInput,
    PropertyField,
    SexField,
    TermMonths,
)
from forms.loan.limits import LoanLimit, max_loan
from forms.loan.policy import LoanPolicy, rate_for
from forms.loan.repayment import summary
from forms.loan.term import TermLimit, max_term_months
from forms.vocabulary import HomeOrdinal, PropertyKind, RepaymentMethod


class EstimateError(ValueError):
    """Figures an estimate cannot be made from; the message is Chinese and names the field."""


class EstimateInput(BaseModel):
    """A walk-in's figures. Blank optional fields take the defaults named in ``Estimate.notes``.

    ``age`` or ``birth_date`` is required (the birth date wins: it gives the staged retirement age). Any spouse
    figure means a married buyer; what the spouse then counts for is the pack's (``LoanPolicy.household``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    age: Age | None = Field(None, title="年龄")
    birth_date: date | None = Field(None, title="出生日期")
    sex: SexField = Field(title="性别")
    monthly_base: ContributionBase = Field(title="月缴存基数")
    balance: AccountBalance = Field(title="公积金账户余额")
    account_months: AccountMonths | None = Field(None, title="连续缴存月数")
    spouse_age: Age | None = Field(None, title="配偶年龄")
    spouse_sex: SexField | None = Field(None, title="配偶性别")
    spouse_base: ContributionBase | None = Field(None, title="配偶月缴存基数")
    spouse_balance: AccountBalance | None = Field(None, title="配偶公积金账户余额")
    spouse_account_months: AccountMonths | None = Field(None, title="配偶连续缴存月数")
    property_kind: PropertyField = Field(PropertyKind.NEW, title="房屋类型")
    house_age_years: HouseAge | None = Field(None, title="房龄（年）")
    house_price: HousePrice = Field(title="购房总价")
    term_months: TermMonths | None = Field(None, title="贷款期限（月）")
    home: HomeField = Field(HomeOrdinal.FIRST, title="住房套数")
    method: RepaymentMethod = Field(RepaymentMethod.ANNUITY, title="还款方式")

    @model_validator(mode="after")
    def _complete(self) -> EstimateInput:
        if self.age is None and self.birth_date is None:
            raise ValueError("须填写年龄或出生日期")
        if self.house_price <= 0:
            raise ValueError("购房总价须大于 0 元")
        return self

    @property
    def has_spouse(self) -> bool:
        """Any spouse figure given: the buyer is married."""
        return any(
            value is not None for value in (self.spouse_age, self.spouse_sex, self.spouse_base, self.spouse_balance)
        )

    @property
    def spouse_contributes(self) -> bool:
        """A base or a balance above 0: the walk-in's word for "both spouses contribute" (夫妻双方缴存)."""
        return bool(self.spouse_base or self.spouse_balance)


def _message(exc: ValidationError) -> str:
    """The Chinese messages of a validation error, one per field, without pydantic's English framing."""
    titles = {name: field.title or name for name, field in EstimateInput.model_fields.items()}
    parts: list[str] = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "missing":
            parts.append(f"须填写{titles.get(field, field)}")
        elif error["type"] in {"enum", "literal_error"}:
            parts.append(f"{titles.get(field, field)}“{error.get('input')}”无效")
        else:
            # Our validators already write Chinese that names the field; "Value error, " is pydantic's prefix.
            parts.append(str(error["msg"]).removeprefix("Value error, "))
    return "；".join(parts)


def make_input(values: Mapping[str, Any]) -> EstimateInput:
    """Validate a walk-in's figures (text or typed); raises ``EstimateError`` with a Chinese message."""
    try:
        return EstimateInput.model_validate(dict(values))
    except ValidationError as exc:
        raise EstimateError(_message(exc)) from None


@dataclass(frozen=True, slots=True)
class Estimate:
    """The answer: the maximum loan and term with every bound, and what it costs a month.

    ``amount`` is ``loan.amount``, or 0 when no term is possible. ``term_months`` is the term the estimate used:
    the one asked for (when within the maximum) or the maximum. ``problems`` say why the answer is not what was
    asked; ``notes`` name every default taken for a blank field.
    """

    amount: Decimal
    loan: LoanLimit
    term: TermLimit
    term_months: int
    requested_term_months: int | None
    annual_rate: Decimal | None
    method: RepaymentMethod
    monthly_payment: Decimal | None
    couple: bool
    problems: tuple[str, ...]
    notes: tuple[str, ...]


def _years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _borrowers(policy: LoanPolicy, inputs: EstimateInput, as_of: date) -> tuple[list[Borrower], list[str]]:
    enough = policy.eligibility.min_account_months.value
    notes: list[str] = []
    age = _years_between(inputs.birth_date, as_of) if inputs.birth_date is not None else inputs.age
    assert age is not None  # EstimateInput._complete
    months = inputs.account_months
    if months is None:
        # A walk-in rarely knows the count; the question is usually "if I qualify, how much?".
        months = enough
        notes.append(f"连续缴存月数未填，按已满 {enough} 个月估算")
    people = [
        dict(
            age=age,
            sex=inputs.sex,
            birth_date=inputs.birth_date,
            monthly_base=inputs.monthly_base,
            balance=inputs.balance,
            account_months=months,
        )
    ]
    household = policy.household
    if inputs.has_spouse and (household is None or not household.spouse_counts.value):
        # As a case does (forms.case.household.borrowers): without the pack's word the spouse does not count.
        notes.append("本地政策不计入配偶的缴存基数和余额，按主借款人一人估算")
    elif inputs.has_spouse:
        spouse_sex = inputs.spouse_sex
        if spouse_sex is None:
            spouse_sex = Sex.FEMALE if inputs.sex is Sex.MALE else Sex.MALE
            notes.append(f"配偶性别未填，按{spouse_sex.value}估算")
        spouse_age = inputs.spouse_age
        if spouse_age is None:
            # The spouse's age bounds the term too; the borrower's own is the nearest guess the counter has.
            spouse_age = age
            notes.append(f"配偶年龄未填，按与主借款人同为 {age} 岁估算")
        spouse_months = inputs.spouse_account_months
        if spouse_months is None:
            spouse_months = enough
            notes.append(f"配偶连续缴存月数未填，按已满 {enough} 个月估算")
        people.append(
            dict(
                label="配偶",
                age=spouse_age,
                sex=spouse_sex,
                monthly_base=inputs.spouse_base or Decimal("0.00"),
                balance=inputs.spouse_balance or Decimal("0.00"),
                account_months=spouse_months,
            )
        )
    try:
        return [Borrower.model_validate(person) for person in people], notes
    except ValidationError as exc:
        # Only the age computed from a birth date can fail here (the rest was validated as input).
        raise EstimateError("；".join(str(error["msg"]) for error in exc.errors())) from None


def _couple(policy: LoanPolicy, inputs: EstimateInput) -> bool:
    """The couple cap, as a case decides it (forms.case.household.couple_cap): married, and both contributing
    where the pack requires it."""
    if not inputs.has_spouse:
        return False
    household = policy.household
    if household is None or not household.couple_cap_needs_both_contributing.value:
        return True
    return inputs.spouse_contributes


def estimate_limit(policy: LoanPolicy, inputs: EstimateInput, as_of: date) -> Estimate:
    """The maximum fund loan and term for a walk-in under ``policy`` on ``as_of`` (ages, rate table).

    The term is decided first, because the repayment-capacity bound counts only the months of the loan: the term
    asked for when it is within the maximum, else the maximum. Raises ``EstimateError`` for figures that cannot
    make borrowers (an age out of range from the birth date).
    """
    people, notes = _borrowers(policy, inputs, as_of)
    term = max_term_months(policy, people, inputs.property_kind, inputs.house_age_years, as_of=as_of)
    problems: list[str] = []
    requested = inputs.term_months
    used = term.months
    if requested is not None:
        if requested > term.months:
            problems.append(f"所填贷款期限 {requested} 个月超过最长可贷期限 {term.months} 个月，按最长期限估算")
        else:
            used = requested
    couple = _couple(policy, inputs)
    if inputs.has_spouse and not couple:
        notes.append("配偶未缴存（缴存基数和余额均为 0），按单方缴存限额估算")
    if inputs.property_kind is PropertyKind.RESALE and inputs.house_age_years is None:
        notes.append("再交易住房未填房龄，期限未按房龄规则核定")
    limit = max_loan(
        policy,
        LoanLimitInput(
            borrowers=people,
            couple=couple,
            house_price=inputs.house_price,
            home=inputs.home,
            property_kind=inputs.property_kind,
            house_age_years=inputs.house_age_years,
            term_months=used if used >= 1 else None,
        ),
        as_of=as_of,
    )
    amount = limit.amount
    if used < 1:
        problems.append(term.reason)
        amount = Decimal("0.00")
    rate = rate_for(policy, inputs.home, used, on=as_of) if used >= 1 else None
    payment = None
    if rate is not None and amount > 0:
        payment = summary(amount, rate, used, inputs.method).monthly_payment
    return Estimate(
        amount=amount,
        loan=limit,
        term=term,
        term_months=used,
        requested_term_months=requested,
        annual_rate=rate,
        method=inputs.method,
        monthly_payment=payment,
        couple=couple,
        problems=tuple(problems),
        notes=tuple(notes),
    )
