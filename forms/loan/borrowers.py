"""The inputs of the limit and term rules: borrowers and the maximum-loan question, with Chinese validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from forms.identifiers import Sex
from forms.money import money_validator
from forms.vocabulary import HomeOrdinal, PropertyKind

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
    label: str = Field("", max_length=16, title="称谓（如“配偶”；空则按位置称主借款人、共同借款人）")


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


def _borrower_name(index: int, borrower: Borrower | None = None) -> str:
    if borrower is not None and borrower.label:
        return borrower.label
    return "主借款人" if index == 0 else f"共同借款人{index}"
