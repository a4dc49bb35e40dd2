"""The data contract of the registries: what ``data`` a ``match`` or ``mismatch`` answer carries, per lookup kind.

The gateway's answer envelope (request id, kind, outcome, source) is checked by the client; until this module the
``data`` inside was an untyped dict, so a renamed field (``prior_loans`` read, ``fund_loans_total`` sent) passed
every test and silently read as "no loans". One frozen pydantic model per :class:`VerificationKind` now says which
fields a registry must send, with which types:

- ``extra="ignore"``: a registry may add fields without breaking the counter; the required ones must be there.
- Counts and flags are strict (``"2"`` is not a count, ``1`` is not a flag): a registry that changes a type has
  changed the contract.
- Money and areas travel as decimal text (``"1520000.00"``) and become :class:`~decimal.Decimal`; a float is refused
  because binary floats cannot carry fen exactly. Dates travel as ISO text and become :class:`~datetime.date`.
- A ``mismatch`` answer carries the same facts plus ``reason`` (and sometimes masked names); the identity registry
  alone withholds the registered name on a mismatch, so its ``name`` is required on a match only.
- ``not_found`` and ``refused`` answers carry no contract beyond a free ``reason``: they are not parsed here.

:func:`parse_data` validates one answer's data and raises :class:`RegistryDataError` (a ``ValueError`` with a Chinese
message naming the kind and the missing or bad fields). docs/protocol.md ("Registry data by kind") documents every
field; tests/test_registry_contract.py keeps the sandbox, this module and that page in step. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from forms.vocabulary import VERIFICATION_LABELS, MaritalStatus, PropertyKind, VerificationKind, VerificationOutcome

__all__ = [
    "DATA_MODELS",
    "BankCardData",
    "ChildrenData",
    "ContractData",
    "CreditData",
    "FundAccountData",
    "FundLoan",
    "IdentityData",
    "LoanHistoryData",
    "MarriageData",
    "PropertyData",
    "RegistryData",
    "RegistryDataError",
    "TaxData",
    "parse_data",
]

_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _decimal_text(value: object) -> object:
    """Decimal text (or an int, or a Decimal) to Decimal; a float or bool is left for pydantic to refuse."""
    if isinstance(value, bool | float):
        raise ValueError('须为十进制数字文本（如 "1520000.00"），不接受浮点数或是/否')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        if not _DECIMAL_TEXT.match(value.strip()):
            raise ValueError(f"不是十进制数字文本：{value[:32]!r}")
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            raise ValueError(f"不是十进制数字文本：{value[:32]!r}") from None
    return value


def _date_text(value: object) -> object:
    """ISO date text (YYYY-MM-DD) to date; anything but text or a date is refused (no Unix timestamps)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_TEXT.match(value.strip()):
        return date.fromisoformat(value.strip())
    raise ValueError("须为 YYYY-MM-DD 格式的日期文本")


# Amounts and areas: decimal text on the wire, Decimal here, never negative.
Amount = Annotated[Decimal, BeforeValidator(_decimal_text), Field(ge=0)]
IsoDate = Annotated[date, BeforeValidator(_date_text)]
Count = Annotated[StrictInt, Field(ge=0)]
Months24 = Annotated[StrictInt, Field(ge=0, le=24)]


class RegistryData(BaseModel):
    """What every registry's match/mismatch data shares: the mismatch's reason."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # Fields a registry sends on a match but may withhold on a mismatch (checked by parse_data with the outcome).
    match_only: ClassVar[tuple[str, ...]] = ()

    reason: StrictStr | None = Field(None, description="不一致的原因（中文）；mismatch 必有，match 没有")


class IdentityData(RegistryData):
    """公安人口信息库: the registered person. A mismatch withholds the name and gives it masked instead."""

    match_only: ClassVar[tuple[str, ...]] = ("name", "id_number_masked")

    name: StrictStr | None = Field(None, min_length=1, description="登记姓名（match 必有）")
    household_status: Literal["normal", "cancelled"] = Field(description="户籍状态：normal 正常，cancelled 已注销")
    id_number_masked: StrictStr | None = Field(None, description="脱敏身份证号（match 必有）")
    registered_name_masked: StrictStr | None = Field(None, description="脱敏登记姓名（仅 mismatch：姓名不一致时）")


class MarriageData(RegistryData):
    """民政婚姻登记库: the registered marital status and spouse."""

    marital_status: MaritalStatus = Field(description="登记婚姻状况：unmarried/married/divorced/widowed")
    registered_on: IsoDate | None = Field(None, description="最近一次婚姻登记（结婚或离婚）日期")
    spouse_name: StrictStr | None = Field(None, description="配偶姓名（已婚且配偶在库时）")
    spouse_id_number_masked: StrictStr | None = Field(None, description="配偶脱敏身份证号（已婚且配偶在库时）")


class ChildrenData(RegistryData):
    """出生医学证明与户籍库: the registered children, for the multi-child family policy."""

    children_count: Count = Field(description="登记子女数")
    multi_child: StrictBool = Field(description="是否多子女家庭（子女数 ≥ 2）")


class FundAccountData(RegistryData):
    """住房公积金业务系统: the personal account. Eligibility (status, months open) is the domain's to judge."""

    account_no: StrictStr = Field(min_length=1, description="公积金个人账号")
    status: Literal["normal", "sealed", "frozen", "closed"] = Field(
        description="账户状态：normal 正常，sealed 封存，frozen 冻结，closed 销户"
    )
    unit_name: StrictStr = Field(description="缴存单位名称")
    opened_on: IsoDate = Field(description="开户日期")
    months_open: Count = Field(description="开户至今的整月数")
    balance: Amount = Field(description="账户余额（元）")
    contribution_base: Amount = Field(description="缴存基数（元）")
    monthly_deposit: Amount = Field(description="月缴存额（元，单位与个人合计）")
    consecutive_months: Count = Field(description="连续正常缴存月数（非正常状态为 0）")


class FundLoan(BaseModel):
    """One fund loan in the loan history."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    loan_no: StrictStr = Field(min_length=1, description="贷款编号")
    status: Literal["open", "closed"] = Field(description="open 未结清，closed 已结清")
    amount: Amount = Field(description="贷款金额（元）")


class LoanHistoryData(RegistryData):
    """住房公积金贷款系统: the person's fund loans, counted (policy limits count them)."""

    fund_loans_total: Count = Field(description="公积金贷款笔数（含已结清）")
    fund_loans_open: Count = Field(description="未结清的公积金贷款笔数")
    loans: list[FundLoan] = Field(description="每笔贷款：loan_no 编号，status 状态，amount 金额")

    @model_validator(mode="after")
    def _open_within_total(self) -> LoanHistoryData:
        # Two counts swapped or mislabelled would read as "no open loan": refuse an impossible pair.
        if self.fund_loans_open > self.fund_loans_total:
            raise ValueError("fund_loans_open 大于 fund_loans_total")
        return self


class CreditData(RegistryData):
    """人民银行征信中心: the report's summary (the authorization is checked by the gateway)."""

    overdue_count: Count = Field(description="逾期次数")
    current_overdue: StrictBool = Field(description="当前是否有逾期")
    max_overdue_months: Count = Field(description="单次最长逾期月数")
    open_loans: Count = Field(description="未结清贷款笔数（各类贷款）")
    summary: StrictStr = Field(description="报告摘要（中文）")
    overdue_months_24: Months24 | None = Field(None, description="近24个月内有逾期的月份数（可选）")
    overdue_max_consecutive_24: Months24 | None = Field(None, description="近24个月内最长连续逾期月数（可选）")


class ContractData(RegistryData):
    """住建网签备案系统: the filed purchase contract."""

    contract_no: StrictStr = Field(min_length=1, description="网签合同编号")
    property_kind: PropertyKind = Field(description="房屋类型：new 新建商品房，resale 再交易住房")
    filed_on: IsoDate | None = Field(None, description="备案日期")
    buyers: list[StrictStr] = Field(description="买受人姓名")
    seller_name: StrictStr = Field(description="出卖人名称（开发企业或卖方姓名）")
    seller_ids: list[StrictStr] = Field(default_factory=list, description="卖方身份证号（再交易住房；新房为空）")
    address: StrictStr = Field(description="房屋坐落")
    area_m2: Amount = Field(description="建筑面积（平方米）")
    total_price: Amount = Field(description="合同总价（元）")
    pre_sale_permit: StrictStr | None = Field(None, description="预售许可证号（新建商品房）")


class PropertyData(RegistryData):
    """不动产登记系统: a title (resale) or a pre-registration (new house)."""

    cert_no: StrictStr = Field(min_length=1, description="不动产权证书号或不动产登记证明号")
    kind: Literal["pre_registration", "title"] = Field(description="pre_registration 预告登记，title 产权登记")
    address: StrictStr = Field(description="不动产坐落")
    area_m2: Amount = Field(description="建筑面积（平方米）")
    registered_on: IsoDate = Field(description="登记日期")
    built_year: Annotated[StrictInt, Field(ge=1800, le=2200)] | None = Field(None, description="建成年份（产权登记）")
    owners: list[StrictStr] = Field(description="权利人（或预告登记权利人）姓名")


class TaxData(RegistryData):
    """税务征管系统: the transaction's tax declaration and deed tax."""

    contract_no: StrictStr = Field(min_length=1, description="交易合同编号")
    declared: StrictBool = Field(description="是否已申报")
    deed_tax_paid: StrictBool = Field(description="契税是否已缴纳")
    deed_tax_amount: Amount = Field(description="契税金额（元）")
    paid_on: IsoDate | None = Field(None, description="契税缴纳日期")


class BankCardData(RegistryData):
    """银联银行卡核验: the card and its bank; a mismatch names the real holder masked."""

    card_no_masked: StrictStr = Field(description="脱敏卡号")
    bank: StrictStr = Field(description="开户行")
    holder_name_masked: StrictStr | None = Field(None, description="脱敏持卡人姓名（仅 mismatch：户名不一致时）")


DATA_MODELS: dict[VerificationKind, type[RegistryData]] = {
    VerificationKind.IDENTITY: IdentityData,
    VerificationKind.MARRIAGE: MarriageData,
    VerificationKind.CHILDREN: ChildrenData,
    VerificationKind.FUND_ACCOUNT: FundAccountData,
    VerificationKind.LOAN_HISTORY: LoanHistoryData,
    VerificationKind.CREDIT: CreditData,
    VerificationKind.CONTRACT: ContractData,
    VerificationKind.PROPERTY: PropertyData,
    VerificationKind.TAX: TaxData,
    VerificationKind.BANK_CARD: BankCardData,
}


class RegistryDataError(ValueError):
    """A registry's data breaks its kind's contract; the message (Chinese) names the kind and the fields."""

    def __init__(self, kind: VerificationKind, missing: tuple[str, ...], invalid: tuple[str, ...]) -> None:
        self.kind = kind
        self.missing = missing
        self.invalid = invalid
        parts = []
        if missing:
            parts.append("缺少 " + "、".join(missing))
        if invalid:
            parts.append("类型或取值不对：" + "、".join(invalid))
        super().__init__(f"{VERIFICATION_LABELS[kind]}核验返回的数据不符合约定（{'；'.join(parts)}）")


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as the field's path: ``loans[0].amount``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_data(
    kind: VerificationKind, data: Mapping[str, Any], *, outcome: VerificationOutcome | None = None
) -> RegistryData:
    """Validate the ``data`` of a match/mismatch answer for ``kind``; raise :class:`RegistryDataError` if it breaks
    the contract. With ``outcome``, also the fields only a match must carry and the reason a mismatch must give
    (without it, e.g. reading back a stored result whose outcome the caller did not pass, those are not checked).
    """
    if outcome is not None and outcome not in (VerificationOutcome.MATCH, VerificationOutcome.MISMATCH):
        raise ValueError(f"parse_data: only match and mismatch answers carry {kind.value} data, not {outcome.value}")
    model = DATA_MODELS[kind]
    try:
        parsed = model.model_validate(dict(data))
    except ValidationError as exc:
        missing: list[str] = []
        invalid: list[str] = []
        for error in exc.errors():
            where = _where(tuple(error["loc"]))
            if error["type"] == "missing":
                missing.append(where)
            elif where:
                invalid.append(where)
            else:  # a cross-field check: its own message names the fields
                invalid.append(str(error.get("ctx", {}).get("error", error["msg"])))
        raise RegistryDataError(kind, tuple(dict.fromkeys(missing)), tuple(dict.fromkeys(invalid))) from None
    if outcome is VerificationOutcome.MATCH:
        absent = tuple(name for name in model.match_only if getattr(parsed, name) is None)
        if absent:
            raise RegistryDataError(kind, absent, ())
    if outcome is VerificationOutcome.MISMATCH and not parsed.reason:
        raise RegistryDataError(kind, ("reason",), ())
    return parsed
