"""Field types of the merged application form: annotated types with their validators, and the injectable today.

Every type here is Optional (a draft may leave any field empty) and turns a blank string into None. Validators
raise :func:`_fail` with a bare reason; ``_FormModel`` (forms.application._base) prefixes the field's label.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from forms.identifiers import FieldError, parse_bank_card, parse_id_number, parse_mobile, parse_uscc
from forms.money import CENT, MONEY_MAX, parse_money

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
# Text
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


# ---------------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------------

_MONEY_MAX = MONEY_MAX  # one bound for every amount (forms.money)


def _to_money(value: Any) -> Decimal:
    # forms.money parses and refuses negatives; the form rounds a third decimal half-up instead of refusing it.
    try:
        amount = parse_money(value, label="", round_places=True)
    except ValueError as error:
        _fail(str(error))
    if amount > _MONEY_MAX:
        _fail("金额过大，应不超过 999,999,999,999.99 元")
    # "-0.001" rounds to -0.00: store a plain zero.
    return amount if amount else Decimal("0.00")


_RATE_HINT = "应为年利率（百分数），如 2.6 或 2.6%"
# Rates are percent across the domain (forms.loan, the CLI): Decimal("2.6") is 2.6 % a year.
_RATE_LIMIT = Decimal(24)


def _check_rate(value: Any) -> Decimal:
    # The "%" sign is optional: "2.6", "2.6%" and 2.6 are the same rate.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        _fail(_RATE_HINT)
    text = str(value).strip()
    try:
        rate = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        _fail(_RATE_HINT)
    if not rate.is_finite():
        _fail(_RATE_HINT)
    if rate < 0:
        _fail(f"不能为负数，{_RATE_HINT}")
    if rate >= _RATE_LIMIT:
        _fail(f"{text} 过大，年利率应小于 24%，{_RATE_HINT}")
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
    return area.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------
# The types (each Optional: a draft may leave any of them empty; a blank string clears the field)
# ---------------------------------------------------------------------------------------------------------------

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
