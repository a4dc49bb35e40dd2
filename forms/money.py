"""Money: yuan amounts as Decimal with two places, and the Chinese capitals (大写) printed on loan forms.

Amounts are never floats in this product. ``to_money`` normalises what a clerk types or a registry returns
("1,234.50", 1234, Decimal) to a Decimal quantized to the fen with ROUND_HALF_UP, the rounding banks print.
``Money`` is the pydantic type for a non-negative amount with at most two decimal places.

``to_chinese_capital`` follows the rules for financial capitals in the PBOC 《支付结算办法》 (annex on writing
amounts): one 零 for any run of zeros inside the number, 万/亿 section units, 整 after an amount that ends at 元,
no 整 after 分 (and none after 角, which the rules allow to omit), and 零 after 元 when the 角 digit is zero but the
分 digit is not.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")

# Amounts from one 万亿 upwards have no place on a loan form; refuse rather than print a wrong unit.
CAPITAL_LIMIT = Decimal("1000000000000")
# The largest amount any field, calculator or command takes (the one bound: forms.application and the CLI use it).
# Checked before quantizing: Decimal("1e30").quantize(CENT) overflows the context and raises InvalidOperation.
MONEY_MAX = CAPITAL_LIMIT - CENT

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACE_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿")


def _parse_decimal(value: object, label: str) -> Decimal:
    """Read a number the way a clerk types it; raise a Chinese ValueError naming the field."""
    if isinstance(value, bool):
        # bool is an int subclass: True would silently become 1 yuan.
        raise ValueError(f"{label}须为数字金额，例如 1,234.50，不能填写是/否")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # str() gives the shortest repr, so 0.1 stays 0.1 instead of its binary expansion.
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").replace(" ", "")
        for prefix in ("¥", "￥", "RMB"):
            text = text.removeprefix(prefix)
        text = text.removesuffix("元")
        if not text:
            raise ValueError(f"{label}不能为空，请输入金额，例如 1,234.50")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{label}“{value}”不是有效的金额，请输入数字，例如 1,234.50") from None
    else:
        raise ValueError(f"{label}须为数字金额，例如 1,234.50")
    if not number.is_finite():
        raise ValueError(f"{label}须为有限的数字金额，例如 1,234.50")
    if abs(number) > MONEY_MAX:
        raise ValueError(f"{label or '金额'}过大，应小于一万亿元（不超过 {MONEY_MAX:,} 元）")
    return number


def to_money(value: Decimal | int | float | str, label: str = "金额") -> Decimal:
    """Normalise an amount to a Decimal in yuan with two places (ROUND_HALF_UP).

    Accepts ``"1,234.50"``, ``"¥1234.5"``, ints, floats and Decimals. Negative amounts are returned as they
    are (a difference may be negative); use ``Money`` where an amount must not be negative.
    """
    return _parse_decimal(value, label).quantize(CENT, rounding=ROUND_HALF_UP)


def _money_checker(label: str) -> Callable[[Any], Decimal]:
    def check(value: Any) -> Decimal:
        try:
            number = _parse_decimal(value, label)
        except ValueError as exc:
            raise PydanticCustomError("money_invalid", str(exc)) from None
        if number < 0:
            raise PydanticCustomError("money_negative", f"{label}不能为负数，请输入 0 或正数金额")
        quantized = number.quantize(CENT, rounding=ROUND_HALF_UP)
        if quantized != number:
            # A third decimal place is a typing error at the counter, not something to round away silently.
            raise PydanticCustomError("money_places", f"{label}最多保留两位小数（精确到分），例如 1,234.50")
        return quantized

    return check


def money_validator(label: str) -> BeforeValidator:
    """The validator behind ``Money``, with the field's Chinese label in its messages.

    Use it to declare a labelled money type: ``Annotated[Decimal, money_validator("月缴存基数")]``.
    """
    return BeforeValidator(_money_checker(label))


def parse_money(value: object, label: str = "金额", *, round_places: bool = False) -> Decimal:
    """A non-negative amount in yuan with two places; ValueError (Chinese, naming ``label``) otherwise.

    Same rules as ``Money``, as a plain function. A third decimal place is refused unless ``round_places`` is set:
    then it is rounded half-up to the fen, for forms whose fields have always rounded rather than refused.
    Pass ``label=""`` for the bare reason when the caller prefixes the label itself.
    """
    number = _parse_decimal(value, label)
    if number < 0:
        raise ValueError(f"{label}不能为负数，请输入 0 或正数金额")
    quantized = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if quantized != number and not round_places:
        raise ValueError(f"{label}最多保留两位小数（精确到分），例如 1,234.50")
    return quantized


Money = Annotated[Decimal, money_validator("金额")]
"""A non-negative yuan amount with two decimal places; accepts "1,234.50", int, str and Decimal."""


def _section_to_capital(section: int) -> tuple[str, bool, bool]:
    """Write a 0..9999 section; return (text, starts with a zero gap, ends with a zero gap)."""
    digits = [section // 1000 % 10, section // 100 % 10, section // 10 % 10, section % 10]
    parts: list[str] = []
    pending_zero = False
    for index, digit in enumerate(digits):
        unit = _PLACE_UNITS[3 - index]
        if digit == 0:
            pending_zero = bool(parts) or pending_zero
            continue
        if pending_zero and parts:
            parts.append("零")
        pending_zero = False
        parts.append(_DIGITS[digit] + unit)
    leading_gap = digits[0] == 0
    trailing_gap = digits[3] == 0
    return "".join(parts), leading_gap, trailing_gap


def _integer_to_capital(number: int) -> str:
    """Write whole yuan (0 < number < 10^12) with 万/亿 sections and one 零 per run of zeros."""
    sections = [number // 10**8, number // 10**4 % 10**4, number % 10**4]
    out: list[str] = []
    gap = False  # a zero run seen since the last digit written
    for index, section in enumerate(sections):
        unit = _SECTION_UNITS[2 - index]
        if section == 0:
            gap = gap or bool(out)
            continue
        text, leading_gap, trailing_gap = _section_to_capital(section)
        if out and (gap or leading_gap):
            out.append("零")
        out.append(text + unit)
        gap = trailing_gap
    return "".join(out)


def to_chinese_capital(amount: Decimal | int | str, *, prefix: bool = True) -> str:
    """Write an amount in Chinese financial capitals, e.g. 600000 -> "人民币陆拾万元整".

    The amount is first rounded to the fen (ROUND_HALF_UP). ``prefix=False`` drops the leading "人民币" for forms
    that print it in the field label. Raises ValueError (Chinese message) for negative amounts and for amounts of
    one 万亿 or more.
    """
    value = to_money(amount)
    if value < 0:
        raise ValueError(f"大写金额不能为负数：收到 {value}，请输入 0 或正数金额")
    if value >= CAPITAL_LIMIT:
        raise ValueError(f"大写金额须小于一万亿元：收到 {value}，请核对金额")
    fen_total = int(value * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)

    head = "人民币" if prefix else ""
    if yuan == 0 and rest == 0:
        return f"{head}零元整"

    parts: list[str] = []
    if yuan:
        parts.append(_integer_to_capital(yuan) + "元")
    if jiao:
        if yuan and yuan % 10 == 0:
            # 元位是 0 而角位不是 0: the rules allow either form; we write the 零 (e.g. 壹拾元零伍角).
            parts.append("零")
        parts.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            # 角位是 0 而分位不是 0: 元 must be followed by 零.
            parts.append("零")
        parts.append(_DIGITS[fen] + "分")
    elif not jiao:
        parts.append("整")
    return head + "".join(parts)
