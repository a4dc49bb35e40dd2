"""The merged application form (一表申请) as a pydantic model, with its acceptance checks.

Three layers of checking, kept apart on purpose:

1. Per-field format (pydantic, on creation *and* on assignment — ``validate_assignment=True``): ID numbers
   (length, characters, birth date, check character, region), mobiles, bank-card and USCC shape, money (Decimal,
   2 places ROUND_HALF_UP, never negative), dates not in the future. Every message is Chinese and starts with the
   field's label (``"身份证号码：校验位错误，应为 X（输入为 1），请核对证件后重新输入"``); ``issues_from_error``
   turns a ``ValidationError`` into :class:`Issue` rows with the full label (``"申请人身份证号码"``).
2. Drafts: almost every field is optional, so a half-filled form loads and saves (JSON round trip is lossless).
3. Acceptance: :meth:`Application.check` runs completeness and cross-field rules for a given ``today`` and
   returns errors and warnings (Luhn and USCC check characters are warnings only, DOMAIN.md).

"Today" is injectable everywhere: ``Application.model_validate(data, context={"today": d})``, the
:func:`frozen_today` context manager (the only way to reach validators run by attribute assignment), or the
``check(today)`` parameter. Only when neither is given does a validator fall back to the wall clock.

Where values come from: every field declares its label and its static source (``typed`` or ``derived``) in
``json_schema_extra`` (see :func:`field`, :func:`field_label`, :func:`field_source`). Values a registry returned
are recorded per application in ``sources`` (dotted path -> :class:`FieldSource`), always through
:meth:`Application.backfill`, which returns a *new*, fully re-validated application and leaves the old one
untouched (atomic: a registry answer that fails validation changes nothing).

The money type here is private (``_Money``) until forms/money.py lands; the lead will dedupe.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import types
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal, NoReturn, Self, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from forms.identifiers import FieldError, Sex, age_on, parse_bank_card, parse_id_number, parse_mobile, parse_uscc
from forms.scenario import Scenario
from forms.vocabulary import (
    LINKED_ITEM_LABELS,
    FieldSource,
    HomeOrdinal,
    LinkedItem,
    LoanKind,
    MaritalStatus,
    PropertyKind,
    RepaymentMethod,
)

__all__ = [
    "CO_BORROWER_RELATION_LABELS",
    "FUND_ACCOUNT_STATUS_LABELS",
    "Agent",
    "Applicant",
    "Application",
    "BankLoan",
    "CoBorrower",
    "CoBorrowerRelation",
    "CreditAuthorization",
    "Employer",
    "FundAccount",
    "FundAccountStatus",
    "FundLoan",
    "Issue",
    "NewHouse",
    "Person",
    "PropertyDetails",
    "RepaymentAccount",
    "ResaleHouse",
    "Severity",
    "Spouse",
    "field",
    "field_label",
    "field_source",
    "frozen_today",
    "issues_from_error",
    "label_for",
]

# ---------------------------------------------------------------------------------------------------------------
# Vocabulary local to the form
# ---------------------------------------------------------------------------------------------------------------


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

_MARITAL_LABELS: dict[MaritalStatus, str] = {
    MaritalStatus.UNMARRIED: "未婚",
    MaritalStatus.MARRIED: "已婚",
    MaritalStatus.DIVORCED: "离异",
    MaritalStatus.WIDOWED: "丧偶",
}


class Severity(StrEnum):
    """An error blocks acceptance; a warning is shown and may be overridden by the clerk."""

    ERROR = "error"
    WARNING = "warning"


class Issue(BaseModel):
    """One finding about the form: where (dotted path), the field's full label, the sentence to show."""

    model_config = ConfigDict(frozen=True)

    path: str
    label: str
    message: str
    severity: Severity = Severity.ERROR


# ---------------------------------------------------------------------------------------------------------------
# Today, injectable
# ---------------------------------------------------------------------------------------------------------------

_TODAY: ContextVar[dt.date | None] = ContextVar("forms_application_today", default=None)


@contextmanager
def frozen_today(today: dt.date) -> Iterator[None]:
    """Validators run inside this block (including by attribute assignment) take ``today`` as the date."""
    token = _TODAY.set(today)
    try:
        yield
    finally:
        _TODAY.reset(token)


def _today(info: ValidationInfo | None) -> dt.date:
    context = info.context if info is not None else None
    if isinstance(context, Mapping):
        value = context.get("today")
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
    frozen = _TODAY.get()
    return frozen if frozen is not None else dt.date.today()


# ---------------------------------------------------------------------------------------------------------------
# Field types (each Optional: a draft may leave any of them empty; a blank string clears the field)
# ---------------------------------------------------------------------------------------------------------------


def _fail(reason: str) -> NoReturn:
    # The wrap validator of _FormModel prefixes the field label; "{reason}" keeps braces in reasons harmless.
    raise PydanticCustomError("form_value", "{reason}", {"reason": reason})


# Terminal escape sequences as a whole (CSI "ESC [ ... m", OSC "ESC ] ... BEL/ST", two-character escapes), so that
# their printable tail ("[31m") does not survive once the ESC itself is dropped.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")


def _clean_text(value: Any) -> Any:
    # Registry data is untrusted (DESIGN.md): drop control and format characters (escape sequences, bidi
    # overrides) so nothing reaches a screen or a PDF that could rewrite it.
    if not isinstance(value, str):
        return value
    cleaned = _ESCAPES.sub("", value)
    # Line breaks and tabs become spaces (then collapsed); other control and format characters are dropped.
    cleaned = "".join(
        " " if c.isspace() else c for c in cleaned if c.isspace() or unicodedata.category(c) not in {"Cc", "Cf"}
    )
    return " ".join(cleaned.split())


def _blank_to_none(value: Any) -> Any:
    # A cleared input box arrives as "" (or only spaces / control characters): that empties the field.
    if isinstance(value, str) and not _clean_text(value):
        return None
    return value


_BLANK = BeforeValidator(_blank_to_none)


def _text_max(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            _fail(f"长度为 {len(value)} 个字，应不超过 {limit} 个字")
        return value

    return AfterValidator(check)


def _check_name(value: str) -> str:
    if len(value) > 50:
        _fail(f"长度为 {len(value)} 个字，应不超过 50 个字")
    if any(c.isdigit() for c in value):
        _fail("不应包含数字，应与身份证件上的姓名一致")
    return value


def _check_id(value: str, info: ValidationInfo) -> str:
    try:
        return parse_id_number(value, _today(info)).number
    except FieldError as error:
        _fail(error.reason)


def _check_mobile(value: str) -> str:
    try:
        return parse_mobile(value)
    except FieldError as error:
        _fail(error.reason)


def _check_card(value: str) -> str:
    # Shape only; a Luhn failure is a warning reported by Application.check().
    try:
        return parse_bank_card(value).value
    except FieldError as error:
        _fail(error.reason)


def _check_uscc(value: str) -> str:
    # Shape only; a failing check character is a warning reported by Application.check().
    try:
        return parse_uscc(value).value
    except FieldError as error:
        _fail(error.reason)


def _check_account(value: str) -> str:
    # Receiving accounts and fund account numbers: bank and fund centres use many layouts; digits only.
    compact = "".join(value.split()).replace("-", "")
    if not (compact.isascii() and compact.isdigit()):
        _fail("应只包含数字")
    if not 6 <= len(compact) <= 32:
        _fail(f"长度为 {len(compact)} 位，应为 6–32 位数字")
    return compact


def _check_landline(value: str) -> str:
    compact = "".join(value.split())
    allowed = set("0123456789-()（）+转")
    if any(c not in allowed for c in compact) or not 7 <= sum(c.isdigit() for c in compact) <= 20:
        _fail("格式不正确，应为 7–20 位数字的电话号码，可含区号和连字符，如 0532-12345678")
    return compact


_MONEY_MAX = Decimal("999999999999.99")
_CENT = Decimal("0.01")


def _to_money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        _fail("应为金额数字（元），如 1234.56")
    if isinstance(value, float):
        # Through str() so that 0.1 stays 0.1 rather than its binary expansion.
        value = str(value)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        _fail("应为金额数字（元），如 1234.56")
    if not amount.is_finite():
        _fail("应为金额数字（元），如 1234.56")
    if amount < 0:
        _fail("不能为负数，应为不小于 0 的金额（元）")
    if amount > _MONEY_MAX:
        _fail("金额过大，应不超过 999,999,999,999.99 元")
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else Decimal("0.00")


def _check_rate(value: Any) -> Decimal:
    # Stored as a fraction (0.026), as policy packs write it; "2.6%" typed at the counter is converted.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        _fail("应为年利率，如 2.6% 填 0.026 或 2.6%")
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        rate = Decimal(text.removesuffix("%"))
    except InvalidOperation:
        _fail("应为年利率，如 2.6% 填 0.026 或 2.6%")
    if not rate.is_finite() or rate < 0:
        _fail("应为不小于 0 的年利率，如 2.6% 填 0.026 或 2.6%")
    if percent:
        rate = rate / 100
    if rate >= Decimal("0.24"):
        _fail(f"{text} 过大，应为年利率小数形式（2.6% 填 0.026 或 2.6%）")
    return rate


def _check_area(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        _fail("应为面积数字（平方米），如 89.56")
    try:
        area = Decimal(str(value).strip())
    except InvalidOperation:
        _fail("应为面积数字（平方米），如 89.56")
    if not area.is_finite() or area <= 0 or area > 100000:
        _fail("应为大于 0、不超过 100000 的面积（平方米）")
    return area.quantize(_CENT, rounding=ROUND_HALF_UP)


def _not_future(value: dt.date, info: ValidationInfo) -> dt.date:
    today = _today(info)
    if value > today:
        _fail(f"{value.isoformat()} 晚于今天（{today.isoformat()}），应为今天或之前的日期")
    return value


def _check_year_month(value: Any, info: ValidationInfo) -> str:
    text = str(value).strip().replace("/", "-").replace(".", "-")
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4 or not 1 <= int(parts[1]) <= 12:
        _fail("格式不正确，应为年月 YYYY-MM，如 2026-03")
    year, month = int(parts[0]), int(parts[1])
    today = _today(info)
    if (year, month) > (today.year, today.month):
        _fail(f"{year:04d}-{month:02d} 晚于本月，应为本月或之前的年月")
    return f"{year:04d}-{month:02d}"


def _check_year(value: int, info: ValidationInfo) -> int:
    today = _today(info)
    if not 1900 <= value <= today.year:
        _fail(f"{value} 不合理，应为 1900 至 {today.year} 之间的年份")
    return value


_Text = Annotated[Annotated[str, BeforeValidator(_clean_text), _text_max(200)] | None, _BLANK]
_ShortText = Annotated[Annotated[str, BeforeValidator(_clean_text), _text_max(60)] | None, _BLANK]
_Name = Annotated[Annotated[str, BeforeValidator(_clean_text), AfterValidator(_check_name)] | None, _BLANK]
_IdNumber = Annotated[Annotated[str, AfterValidator(_check_id)] | None, _BLANK]
_Mobile = Annotated[Annotated[str, AfterValidator(_check_mobile)] | None, _BLANK]
_Landline = Annotated[Annotated[str, AfterValidator(_check_landline)] | None, _BLANK]
_BankCard = Annotated[Annotated[str, AfterValidator(_check_card)] | None, _BLANK]
_Account = Annotated[Annotated[str, AfterValidator(_check_account)] | None, _BLANK]
_Uscc = Annotated[Annotated[str, AfterValidator(_check_uscc)] | None, _BLANK]
_Money = Annotated[Annotated[Decimal, BeforeValidator(_to_money)] | None, _BLANK]
_Rate = Annotated[Annotated[Decimal, BeforeValidator(_check_rate)] | None, _BLANK]
_Area = Annotated[Annotated[Decimal, BeforeValidator(_check_area)] | None, _BLANK]
_PastDate = Annotated[Annotated[dt.date, AfterValidator(_not_future)] | None, _BLANK]
_YearMonth = Annotated[Annotated[str, BeforeValidator(_check_year_month)] | None, _BLANK]
_Year = Annotated[Annotated[int, AfterValidator(_check_year)] | None, _BLANK]
_Months = Annotated[Annotated[int, Field(ge=1, le=360)] | None, _BLANK]
_Count = Annotated[Annotated[int, Field(ge=0, le=1200)] | None, _BLANK]
_Bool = Annotated[bool | None, _BLANK]


# ---------------------------------------------------------------------------------------------------------------
# Labels and sources
# ---------------------------------------------------------------------------------------------------------------


def field(label: str, source: FieldSource = FieldSource.TYPED, **kwargs: Any) -> Any:
    """A form field: Chinese label (``title``), static source, default None unless a default is given."""
    if "default" not in kwargs and "default_factory" not in kwargs:
        kwargs["default"] = None
    return Field(title=label, json_schema_extra={"source": source.value}, **kwargs)


def field_label(model_cls: type[BaseModel], name: str) -> str:
    """The Chinese label of one field of a form model (its ``title``)."""
    info = model_cls.model_fields[name]
    return info.title or name


def field_source(model_cls: type[BaseModel], name: str) -> FieldSource:
    """The static source of a field: ``derived`` for values computed from others, else ``typed``."""
    extra = model_cls.model_fields[name].json_schema_extra
    source = extra.get("source") if isinstance(extra, dict) else None
    if isinstance(source, str):
        return FieldSource(source)
    return FieldSource.TYPED


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """The model classes inside an annotation (through Optional, unions, list and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is Annotated:
        return _model_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list):
        found: list[type[BaseModel]] = []
        for arg in get_args(annotation):
            found += _model_types(arg)
        return found
    return []


def _tag(model_cls: type[BaseModel]) -> str | None:
    info = model_cls.model_fields.get("property_kind")
    return str(info.default) if info is not None else None


def _walk(root: type[BaseModel], loc: tuple[str | int, ...] | list[str | int]) -> tuple[list[str], list[str | int]]:
    """Labels along a location and the location without discriminator tags (``property.resale.x``)."""
    candidates: list[type[BaseModel]] = [root]
    titles: list[str] = []
    path: list[str | int] = []
    for segment in loc:
        if isinstance(segment, int):
            titles.append(str(segment + 1))
            path.append(segment)
            continue
        owner = next((c for c in candidates if segment in c.model_fields), None)
        if owner is None:
            tagged = [c for c in candidates if _tag(c) == segment]
            if tagged:
                candidates = tagged
                continue
            titles.append(segment)
            path.append(segment)
            candidates = []
            continue
        info = owner.model_fields[segment]
        titles.append(info.title or segment)
        path.append(segment)
        candidates = _model_types(info.annotation)
    return titles, path


def _split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".") if p]


def _join(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path)


def label_for(path: str) -> str:
    """Full label of a dotted path in an Application: ``co_borrowers.1.id_number`` -> ``共同借款人2身份证号码``."""
    titles, _ = _walk(Application, _split(path))
    return "".join(titles)


# ---------------------------------------------------------------------------------------------------------------
# Chinese messages for pydantic's own errors
# ---------------------------------------------------------------------------------------------------------------


def _expected(ctx: Mapping[str, Any] | None) -> str:
    raw = str((ctx or {}).get("expected", ""))
    return raw.replace("'", "").replace(" or ", "、").replace(", ", "、")


def _reason(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in {"form_value", "form"}:
        return str(ctx.get("reason", error["msg"]))
    if kind == "missing":
        return "必须填写"
    if kind == "extra_forbidden":
        return "不是本表的字段，请删除"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日期格式不正确，应为 YYYY-MM-DD，如 2026-03-01"
    if kind == "timezone_aware":
        return "时间须带时区，应为 UTC 时间"
    if kind.startswith("int"):
        return "应为整数"
    if kind.startswith("bool"):
        return "应为“是”或“否”"
    if kind.startswith("decimal") or kind.startswith("float"):
        return "应为数字"
    if kind in {"enum", "literal_error"}:
        return f"取值无效，应为以下之一：{_expected(ctx)}"
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        return "房屋类型无效，应为 new（新建商品房）或 resale（再交易住房）"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "less_than":
        return f"应小于 {ctx.get('lt')}"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind in {"string_type", "string_too_long", "string_too_short"}:
        return "应为文字"
    if kind in {"model_type", "model_attributes_type", "dict_type", "list_type"}:
        return "结构不正确，请重新填写"
    return "取值无效，请核对后重新输入"


class _FormModel(BaseModel):
    """Base of every form section: validated on assignment, no unknown fields, Chinese labelled errors."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _label_errors(cls, value: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo) -> Self:
        # Errors of this model's own fields get "<label>：<reason>"; errors of nested form models arrive already
        # labelled (type "form") and keep their location so that each one still points at its field.
        try:
            return handler(value)
        except ValidationError as exc:
            details: list[InitErrorDetails] = []
            for error in exc.errors():
                if error["type"] == "form":
                    ctx = error.get("ctx") or {}
                    label, reason = str(ctx.get("label", "")), str(ctx.get("reason", error["msg"]))
                else:
                    titles, _ = _walk(cls, error["loc"])
                    label = titles[-1] if titles else (cls.model_config.get("title") or "表单")
                    reason = _reason(error)
                details.append(
                    InitErrorDetails(
                        type=PydanticCustomError("form", "{label}：{reason}", {"label": label, "reason": reason}),
                        loc=error["loc"],
                        input=error["input"],
                    )
                )
            raise ValidationError.from_exception_data(cls.__name__, details) from None


def issues_from_error(exc: ValidationError, prefix: str = "") -> list[Issue]:
    """Turn a validation error into Issues with full labels; ``prefix`` is the dotted path of the model that was
    validated inside an Application (e.g. ``"applicant"`` after ``app.applicant.phone = ...`` failed)."""
    issues: list[Issue] = []
    base = _split(prefix)
    for error in exc.errors():
        titles, path = _walk(Application, [*base, *error["loc"]])
        ctx = error.get("ctx") or {}
        reason = str(ctx["reason"]) if error["type"] == "form" and "reason" in ctx else _reason(error)
        label = "".join(titles) or "申请表"
        issues.append(Issue(path=_join(path), label=label, message=f"{label}：{reason}"))
    return issues


# ---------------------------------------------------------------------------------------------------------------
# The sections of the form
# ---------------------------------------------------------------------------------------------------------------


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


class _HouseBase(_FormModel):
    project: _Text = field("项目名称")
    location: _Text = field("坐落")
    area: _Area = field("建筑面积（平方米）")
    unit_price: _Money = field("单价（元/平方米）")
    total_price: _Money = field("总价（元）")
    contract_number: _ShortText = field("合同编号")
    contract_date: _PastDate = field("合同签订日期")
    contract_amount: _Money = field("合同金额（元）")
    down_payment: _Money = field("首付款（元）")


class NewHouse(_HouseBase):
    """新建商品房 (期房 or 现房)."""

    property_kind: Literal[PropertyKind.NEW] = field("类型", default=PropertyKind.NEW)
    developer: _Text = field("开发企业")
    presale_permit: _ShortText = field("预售许可证号")
    ready_built: _Bool = field("是否现房")


class ResaleHouse(_HouseBase):
    """再交易住房 (二手房): the seller is a person; the title and the appraisal matter."""

    property_kind: Literal[PropertyKind.RESALE] = field("类型", default=PropertyKind.RESALE)
    seller_name: _Name = field("卖方姓名")
    seller_id_number: _IdNumber = field("卖方身份证号码")
    seller_bank: _ShortText = field("卖方收款银行")
    seller_account: _Account = field("卖方收款账号")
    title_certificate: _ShortText = field("不动产权证书号")
    completion_year: _Year = field("建成年份")
    appraised_value: _Money = field("评估价值（元）")

    def house_age_on(self, today: dt.date) -> int | None:
        """房龄 in years on ``today`` (term + house age is limited by policy)."""
        return today.year - self.completion_year if self.completion_year is not None else None


PropertyDetails = Annotated[NewHouse | ResaleHouse, Field(discriminator="property_kind")]


class FundLoan(_FormModel):
    """公积金贷款部分."""

    amount: _Money = field("金额（元）")
    months: _Months = field("期限（月）")
    rate: _Rate = field("年利率")
    repayment_method: Annotated[RepaymentMethod | None, _BLANK] = field("还款方式")
    home_ordinal: Annotated[HomeOrdinal | None, _BLANK] = field("购房套数")
    fund_account_deduction: _Bool = field("公积金账户按月冲还")


class BankLoan(_FormModel):
    """组合贷款的商业贷款部分."""

    bank: _ShortText = field("承贷银行")
    amount: _Money = field("金额（元）")
    months: _Months = field("期限（月）")
    rate: _Rate = field("年利率")


class RepaymentAccount(_FormModel):
    """还款账户: the card the monthly instalment is debited from."""

    bank: _ShortText = field("开户银行")
    card_number: _BankCard = field("银行卡号")


class CreditAuthorization(_FormModel):
    """征信查询授权: recorded before any credit lookup (DESIGN.md step 4)."""

    recorded: _Bool = field("已签署")
    reference: _ShortText = field("授权书编号")
    recorded_at: Annotated[AwareDatetime | None, _BLANK] = field("签署时间")


# ---------------------------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------------------------


class _Findings:
    """Collects issues for check(); labels come from the path."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, reason: str, severity: Severity = Severity.ERROR) -> None:
        label = label_for(path)
        self.issues.append(Issue(path=path, label=label, message=f"{label}：{reason}", severity=severity))

    def warn(self, path: str, reason: str) -> None:
        self.add(path, reason, Severity.WARNING)

    def require(self, path: str, value: object, what: str = "请填写") -> bool:
        if value is None or value == "":
            self.add(path, f"未填写，{what}")
            return False
        return True


class Application(_FormModel):
    """一表申请: everything the clerk fills for one case, as a draft or ready for acceptance."""

    scenario: Scenario = field("办理情形", default_factory=Scenario)
    applicant: Applicant = field("申请人", default_factory=Applicant)
    spouse: Spouse | None = field("配偶")
    co_borrowers: list[CoBorrower] = field("共同借款人", default_factory=list, max_length=3)
    agent: Agent | None = field("代办人")
    employer: Employer | None = field("工作单位")
    fund_account: FundAccount | None = field("公积金账户")
    property: PropertyDetails | None = field("房屋")
    fund_loan: FundLoan | None = field("公积金贷款")
    bank_loan: BankLoan | None = field("商业贷款")
    repayment_account: RepaymentAccount | None = field("还款账户")
    linked_items: list[LinkedItem] | None = field("联办事项")
    credit_authorization: CreditAuthorization | None = field("征信查询授权")
    sources: dict[str, FieldSource] = field("字段来源", default_factory=dict)

    @model_validator(mode="after")
    def _default_linked_items(self) -> Self:
        # Filled from the scenario when absent; check() flags a list that no longer fits a changed scenario.
        if self.linked_items is None:
            self.__dict__["linked_items"] = self.scenario.linked_items()
        return self

    # -- sources and backfill -----------------------------------------------------------------------------------

    def source_of(self, path: str) -> FieldSource:
        """Where the value at ``path`` came from: recorded by backfill, else the field's static source."""
        if path in self.sources:
            return self.sources[path]
        _, clean = _walk(Application, _split(path))
        if clean and isinstance(clean[-1], str):
            owner = self._owner_class(clean)
            if owner is not None:
                return field_source(owner, clean[-1])
        return FieldSource.TYPED

    def _owner_class(self, path: list[str | int]) -> type[BaseModel] | None:
        candidates: list[type[BaseModel]] = [Application]
        for segment in path[:-1]:
            if isinstance(segment, int):
                continue
            owner = next((c for c in candidates if segment in c.model_fields), None)
            if owner is None:
                return None
            candidates = _model_types(owner.model_fields[segment].annotation)
            if segment == "property":
                # The variant in place, or the one a new property section would get (the scenario's kind).
                kind = self.property.property_kind if self.property is not None else self.scenario.property_kind
                candidates = [NewHouse if kind is PropertyKind.NEW else ResaleHouse]
        last = path[-1]
        return next((c for c in candidates if isinstance(last, str) and last in c.model_fields), None)

    def backfill(
        self,
        path: str,
        value: Any,
        source: FieldSource = FieldSource.VERIFIED,
        *,
        today: dt.date | None = None,
    ) -> Application:
        """A new Application with ``value`` at dotted ``path`` and ``sources[path] = source``.

        The whole form is re-validated (registry data is untrusted), so on a ValidationError nothing changes.
        Missing sections are created on the way (``property`` takes the scenario's property kind); a list index
        may address an existing co-borrower or the next one. Use ``source=FieldSource.TYPED`` when the clerk
        overrides a value a registry returned. ``today`` freezes the date for date checks.
        """
        segments = _split(path)
        if not segments or segments[0] == "sources" or self._owner_class(segments) is None:
            raise ValueError(f"未知的字段路径：{path}")
        data = self.model_dump(mode="python")
        container: Any = data
        for segment, following in itertools.pairwise(segments):
            if isinstance(container, list):
                assert isinstance(segment, int)
                if segment == len(container):
                    container.append({})
                elif segment > len(container):
                    raise ValueError(f"共同借款人序号 {segment + 1} 超出已填写人数，请按顺序添加")
                child = container[segment]
            else:
                child = container.get(segment)
                if child is None:
                    child = [] if isinstance(following, int) else {}
                    if segment == "property":
                        child = {"property_kind": self.scenario.property_kind}
                    container[segment] = child
            container = child
        last = segments[-1]
        if isinstance(container, list):
            assert isinstance(last, int)
            if last == len(container):
                container.append(value)
            else:
                container[last] = value
        else:
            container[last] = value
        data["sources"] = {**self.sources, path: source}
        context = {"today": today} if today is not None else None
        return Application.model_validate(data, context=context)

    def with_scenario(self, scenario: Scenario, *, today: dt.date | None = None) -> Application:
        """A new Application for a changed scenario; the linked items are reset to the new scenario's."""
        data = self.model_dump(mode="python")
        data["scenario"] = scenario
        data["linked_items"] = None
        context = {"today": today} if today is not None else None
        return Application.model_validate(data, context=context)

    # -- acceptance checks --------------------------------------------------------------------------------------

    def check(self, today: dt.date) -> list[Issue]:
        """Completeness and cross-field rules for acceptance on ``today``; errors block, warnings inform."""
        found = _Findings()
        self._check_people(found, today)
        self._check_agent(found, today)
        self._check_fund(found, today)
        self._check_property(found, today)
        self._check_loans(found)
        self._check_authorization(found, today)
        return found.issues

    def _check_id_today(self, found: _Findings, path: str, number: str | None, today: dt.date) -> None:
        # Field validation may have run on another day (or the wall clock); re-run the time-dependent part.
        if number is None:
            return
        try:
            parse_id_number(number, today)
        except FieldError as error:
            found.add(path, error.reason)

    def _check_person(self, found: _Findings, prefix: str, person: Person, today: dt.date, adult: bool) -> None:
        found.require(f"{prefix}.name", person.name, "请按身份证件填写姓名")
        if found.require(f"{prefix}.id_number", person.id_number, "请输入 18 位公民身份号码"):
            self._check_id_today(found, f"{prefix}.id_number", person.id_number, today)
        age = person.age_on(today)
        if adult and age is not None and 0 <= age < 18:
            found.add(f"{prefix}.id_number", f"按出生日期计算年龄为 {age} 周岁，借款人应年满 18 周岁")

    def _check_people(self, found: _Findings, today: dt.date) -> None:
        scenario = self.scenario
        applicant_id = self.applicant.id_number
        self._check_person(found, "applicant", self.applicant, today, adult=True)
        found.require("applicant.phone", self.applicant.phone, "请输入 11 位手机号码")

        spouse = self.spouse if self.spouse is not None and not self.spouse.is_empty() else None
        spouse_id = spouse.id_number if spouse else None
        if scenario.married:
            if spouse is None:
                found.add("spouse", "婚姻状况为已婚，应填写配偶的姓名和身份证号码")
            else:
                self._check_person(found, "spouse", spouse, today, adult=False)
                if spouse_id and spouse_id == applicant_id:
                    found.add("spouse.id_number", "与申请人身份证号码相同，应填写配偶本人的身份证号码")
        elif spouse is not None:
            status = _MARITAL_LABELS[scenario.marital_status]
            found.add("spouse", f"婚姻状况为{status}，不应填写配偶信息，请删除配偶信息或更正婚姻状况")

        if len(self.co_borrowers) != scenario.co_borrower_count:
            found.add(
                "co_borrowers",
                f"办理情形为 {scenario.co_borrower_count} 人，已填写 {len(self.co_borrowers)} 人，应一致",
            )
        seen: dict[str, int] = {}
        for index, co in enumerate(self.co_borrowers):
            prefix = f"co_borrowers.{index}"
            self._check_person(found, prefix, co, today, adult=True)
            found.require(f"{prefix}.relation", co.relation, "请选择与申请人关系")
            number = co.id_number
            if co.relation is CoBorrowerRelation.SPOUSE:
                if not scenario.married:
                    found.add(f"{prefix}.relation", "申请人婚姻状况不是已婚，关系不能为配偶")
                elif spouse_id and number and number != spouse_id:
                    found.add(f"{prefix}.id_number", "关系为配偶，应与配偶身份证号码一致")
            elif number and spouse_id and number == spouse_id:
                found.add(f"{prefix}.relation", "该身份证号码与配偶相同，与申请人关系应为配偶")
            if not number:
                continue
            if number == applicant_id:
                found.add(f"{prefix}.id_number", "与申请人身份证号码相同，申请人不能同时作为共同借款人")
            if number in seen:
                found.add(f"{prefix}.id_number", f"与共同借款人{seen[number] + 1}身份证号码重复，每人只能填写一次")
            else:
                seen[number] = index

    def _check_agent(self, found: _Findings, today: dt.date) -> None:
        agent = self.agent
        if not self.scenario.by_agent:
            if agent is not None and any(v is not None for v in agent.model_dump().values()):
                found.warn("agent", "办理方式为本人办理，代办人信息不会使用；如由他人代办请更正办理方式")
            return
        if agent is None:
            found.add("agent", "办理方式为代办，应填写代办人姓名、身份证号码、手机号码并提交授权委托书")
            return
        found.require("agent.name", agent.name, "请按身份证件填写代办人姓名")
        if found.require("agent.id_number", agent.id_number, "请输入代办人 18 位公民身份号码"):
            self._check_id_today(found, "agent.id_number", agent.id_number, today)
            if agent.id_number == self.applicant.id_number:
                found.add("agent.id_number", "与申请人身份证号码相同；本人到场办理请将办理方式改为本人办理")
        found.require("agent.phone", agent.phone, "请输入代办人 11 位手机号码")
        if agent.power_of_attorney is not True:
            found.add("agent.power_of_attorney", "代办须提交申请人签署的授权委托书，请收取后勾选")

    def _check_fund(self, found: _Findings, today: dt.date) -> None:
        if self.employer is None or not self.employer.name:
            found.add("employer.name", "未填写，请填写工作单位名称（可由公积金账户核验回填）")
        if self.employer is not None and self.employer.uscc:
            for warning in parse_uscc(self.employer.uscc, label_for("employer.uscc")).warnings:
                found.issues.append(
                    Issue(
                        path="employer.uscc",
                        label=label_for("employer.uscc"),
                        message=warning,
                        severity=Severity.WARNING,
                    )
                )
        account = self.fund_account
        if account is None or not account.account_number:
            found.add("fund_account.account_number", "未填写，请填写个人公积金账号（可由公积金账户核验回填）")
            return
        if account.status is not None and account.status is not FundAccountStatus.NORMAL:
            status = FUND_ACCOUNT_STATUS_LABELS[account.status]
            found.warn("fund_account.status", f"账户状态为{status}，申请公积金贷款通常须正常缴存，请核实")
        if account.opened_on is not None and account.opened_on > today:
            found.add("fund_account.opened_on", f"{account.opened_on.isoformat()} 晚于今天，应为今天或之前的日期")

    def _check_property(self, found: _Findings, today: dt.date) -> None:
        house = self.property
        kind = self.scenario.property_kind
        if house is None:
            found.add("property", "未填写，请填写所购房屋及购房合同信息（可由网签备案核验回填）")
            return
        if house.property_kind is not kind:
            expected = "新建商品房" if kind is PropertyKind.NEW else "再交易住房"
            found.add("property.property_kind", f"与办理情形不一致，应为{expected}")
        found.require("property.location", house.location, "请填写房屋坐落")
        found.require("property.contract_number", house.contract_number, "请填写购房合同编号")
        found.require("property.total_price", house.total_price, "请填写房屋总价")
        if house.contract_date is not None and house.contract_date > today:
            found.add("property.contract_date", f"{house.contract_date.isoformat()} 晚于今天，应为今天或之前的日期")
        if house.total_price is not None and house.down_payment is not None and house.down_payment > house.total_price:
            found.add(
                "property.down_payment",
                f"首付款 {house.down_payment} 元超过房屋总价 {house.total_price} 元，应不超过总价",
            )
        if (
            house.total_price is not None
            and house.contract_amount is not None
            and house.contract_amount != house.total_price
        ):
            found.warn(
                "property.contract_amount",
                f"合同金额 {house.contract_amount} 元与房屋总价 {house.total_price} 元不一致，请核对",
            )
        if isinstance(house, ResaleHouse):
            found.require("property.seller_name", house.seller_name, "请按卖方身份证件填写")
            if found.require("property.seller_id_number", house.seller_id_number, "请输入卖方 18 位公民身份号码"):
                self._check_id_today(found, "property.seller_id_number", house.seller_id_number, today)
                if house.seller_id_number == self.applicant.id_number:
                    found.add("property.seller_id_number", "与申请人身份证号码相同，卖方不能是申请人本人")
            found.require("property.title_certificate", house.title_certificate, "请填写卖方不动产权证书号")
            if house.completion_year is not None and house.completion_year > today.year:
                found.add("property.completion_year", f"{house.completion_year} 晚于今年，应为已建成的年份")
        elif house.ready_built is not True and not house.presale_permit:
            found.warn("property.presale_permit", "期房应填写预售许可证号，请核对")

    def _check_loans(self, found: _Findings) -> None:
        loan = self.fund_loan
        if loan is None:
            found.add("fund_loan", "未填写，请填写公积金贷款金额、期限、还款方式和购房套数")
        else:
            if found.require("fund_loan.amount", loan.amount, "请填写公积金贷款金额") and loan.amount == 0:
                found.add("fund_loan.amount", "应大于 0 元")
            found.require("fund_loan.months", loan.months, "请填写贷款期限（月）")
            found.require("fund_loan.repayment_method", loan.repayment_method, "请选择等额本息或等额本金")
            found.require("fund_loan.home_ordinal", loan.home_ordinal, "请选择首套或二套")

        bank = self.bank_loan
        combined = self.scenario.loan_kind is LoanKind.COMBINED
        if combined:
            if bank is None:
                found.add("bank_loan", "贷款类型为组合贷款，应填写商业贷款部分的承贷银行、金额和期限")
            else:
                found.require("bank_loan.bank", bank.bank, "请填写承贷银行")
                if found.require("bank_loan.amount", bank.amount, "请填写商业贷款金额") and bank.amount == 0:
                    found.add("bank_loan.amount", "应大于 0 元")
                found.require("bank_loan.months", bank.months, "请填写商业贷款期限（月）")
        elif bank is not None and bank.amount:
            found.add("bank_loan", "贷款类型为纯公积金贷款，不应填写商业贷款部分；组合贷款请更正贷款类型")

        total = (loan.amount if loan and loan.amount else Decimal(0)) + (
            bank.amount if combined and bank and bank.amount else Decimal(0)
        )
        house = self.property
        if house is not None and house.total_price is not None and total > house.total_price:
            found.add(
                "fund_loan.amount",
                f"贷款金额合计 {total} 元超过房屋总价 {house.total_price} 元，应不超过房屋总价",
            )

        account = self.repayment_account
        if account is None or not account.card_number:
            found.add("repayment_account.card_number", "未填写，请输入 16–19 位还款银行卡号")
        else:
            found.require("repayment_account.bank", account.bank, "请填写开户银行")
            for warning in parse_bank_card(account.card_number, label_for("repayment_account.card_number")).warnings:
                found.issues.append(
                    Issue(
                        path="repayment_account.card_number",
                        label=label_for("repayment_account.card_number"),
                        message=warning,
                        severity=Severity.WARNING,
                    )
                )

    def _check_authorization(self, found: _Findings, today: dt.date) -> None:
        items = self.linked_items or []
        expected = self.scenario.linked_items()
        for item in expected:
            if item not in items:
                found.add("linked_items", f"缺少“{LINKED_ITEM_LABELS[item]}”，当前办理情形须包含此事项")
        for item in items:
            if item not in expected:
                found.add("linked_items", f"“{LINKED_ITEM_LABELS[item]}”不适用于当前办理情形，请删除")
        if LinkedItem.CREDIT_INQUIRY not in items:
            return
        auth = self.credit_authorization
        if auth is None or auth.recorded is not True:
            found.add("credit_authorization.recorded", "征信查询前须由申请人签署征信查询授权书，请签署后登记")
            return
        found.require("credit_authorization.reference", auth.reference, "请填写授权书编号")
        if auth.recorded_at is not None and auth.recorded_at.astimezone(dt.UTC).date() > today:
            found.add("credit_authorization.recorded_at", "晚于今天，应为已签署的时间")
