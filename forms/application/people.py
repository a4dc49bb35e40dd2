"""The people on the form: applicant, spouse, co-borrowers, agent, and the employer and fund account."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Self

from pydantic import model_validator

from forms.application._base import _FormModel, field
from forms.application._types import (
    _BLANK,
    _Account,
    _Bool,
    _Count,
    _IdNumber,
    _Landline,
    _Mobile,
    _Money,
    _Name,
    _PastDate,
    _ShortText,
    _Text,
    _Uscc,
    _YearMonth,
)
from forms.identifiers import Sex, age_on
from forms.vocabulary import FieldSource


class CoBorrowerRelation(StrEnum):
    """共同借款人与申请人关系."""

    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


CO_BORROWER_RELATION_LABELS: dict[CoBorrowerRelation, str] = {
    CoBorrowerRelation.SPOUSE: "配偶",
    CoBorrowerRelation.CHILD: "子女",
    CoBorrowerRelation.PARENT: "父母",
    CoBorrowerRelation.SIBLING: "兄弟姐妹",
    CoBorrowerRelation.OTHER: "其他",
}


class FundAccountStatus(StrEnum):
    """公积金个人账户状态."""

    NORMAL = "normal"
    SEALED = "sealed"
    FROZEN = "frozen"
    CLOSED = "closed"


FUND_ACCOUNT_STATUS_LABELS: dict[FundAccountStatus, str] = {
    FundAccountStatus.NORMAL: "正常缴存",
    FundAccountStatus.SEALED: "封存",
    FundAccountStatus.FROZEN: "冻结",
    FundAccountStatus.CLOSED: "销户",
}


def _decode_id(number: str) -> tuple[dt.date, Sex]:
    # The number has passed _check_id already: digits 7-14 are a real date, 15-17 the sequence.
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return birth, Sex.MALE if int(number[14:17]) % 2 else Sex.FEMALE


class Person(_FormModel):
    """A natural person on the form; birth date and sex are derived from the ID number, never typed."""

    name: _Name = field("姓名")
    id_number: _IdNumber = field("身份证号码")
    birth_date: dt.date | None = field("出生日期", FieldSource.DERIVED)
    sex: Sex | None = field("性别", FieldSource.DERIVED)
    phone: _Mobile = field("手机号码")
    household_place: _Text = field("户籍所在地")
    address: _Text = field("现居住地址")
    education: _ShortText = field("学历")
    occupation: _ShortText = field("职业")
    monthly_income: _Money = field("月收入（元）")

    @model_validator(mode="after")
    def _derive_from_id(self) -> Self:
        # Written through __dict__: a setattr would re-enter validate_assignment and this validator.
        birth, sex = _decode_id(self.id_number) if self.id_number else (None, None)
        self.__dict__["birth_date"] = birth
        self.__dict__["sex"] = sex
        return self

    def age_on(self, today: dt.date) -> int | None:
        """Full years of age on ``today`` (not stored: it changes while a draft waits)."""
        return age_on(self.birth_date, today) if self.birth_date else None

    def is_empty(self) -> bool:
        return not any(v is not None for v in self.model_dump().values())


class Applicant(Person):
    """借款申请人 (主借款人)."""

    family_monthly_income: _Money = field("家庭月收入（元）")


class Spouse(Person):
    """申请人配偶."""


class CoBorrower(Person):
    """共同借款人: up to three, each with a relation to the applicant."""

    relation: Annotated[CoBorrowerRelation | None, _BLANK] = field("与申请人关系")
    fund_account_number: _Account = field("公积金账号")
    fund_account_place: _ShortText = field("公积金缴存地")


class Agent(_FormModel):
    """代办人: acts for the applicant with a power of attorney (授权委托书)."""

    name: _Name = field("姓名")
    id_number: _IdNumber = field("身份证号码")
    phone: _Mobile = field("手机号码")
    relation: _ShortText = field("与申请人关系")
    power_of_attorney: _Bool = field("已提交授权委托书")
    power_of_attorney_ref: _ShortText = field("授权委托书编号")


class Employer(_FormModel):
    """工作单位 as the fund centre knows it."""

    name: _Text = field("名称")
    unit_account: _Account = field("单位公积金账号")
    uscc: _Uscc = field("统一社会信用代码")
    address: _Text = field("地址")
    phone: _Landline = field("电话")


class FundAccount(_FormModel):
    """个人公积金账户 (usually backfilled by the fund_account lookup)."""

    account_number: _Account = field("个人账号")
    status: Annotated[FundAccountStatus | None, _BLANK] = field("账户状态")
    balance: _Money = field("账户余额（元）")
    contribution_base: _Money = field("缴存基数（元）")
    monthly_deposit: _Money = field("月缴存额（元）")
    paid_up_to: _YearMonth = field("缴至年月")
    consecutive_months: _Count = field("连续正常缴存月数")
    opened_on: _PastDate = field("开户日期")
