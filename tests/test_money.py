"""Money parsing and Chinese financial capitals (大写金额)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from forms.money import Money, money_validator, to_chinese_capital, to_money

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def parse_capital(text: str) -> Decimal:
    """Read a capital amount back (test oracle, independent of the writer's algorithm)."""
    text = text.removeprefix("人民币").removesuffix("整")
    integer_text, _, fraction_text = text.rpartition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for char in integer_text:
        if char in _DIGITS:
            digit = _DIGITS.index(char)
        elif char in _UNITS:
            section += digit * _UNITS[char]
            digit = 0
        elif char == "亿":
            total += (section + digit) * 10**8
            section = digit = 0
        elif char == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {text!r}")
    total += section + digit
    jiao = fen = 0
    digit = 0
    for char in fraction_text:
        if char in _DIGITS:
            digit = _DIGITS.index(char)
        elif char == "角":
            jiao, digit = digit, 0
        elif char == "分":
            fen, digit = digit, 0
        else:
            raise AssertionError(f"unexpected {char!r} in {text!r}")
    return Decimal(total) + Decimal(jiao) / 10 + Decimal(fen) / 100


class TestToMoney:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("1,234.50", "1234.50"),
            ("1，234.5", "1234.50"),
            (" ¥1234 ", "1234.00"),
            ("600000元", "600000.00"),
            (1234, "1234.00"),
            (Decimal("2.005"), "2.01"),  # ROUND_HALF_UP, not banker's rounding
            (Decimal("2.015"), "2.02"),
            (Decimal("2.0049"), "2.00"),
            (0.1, "0.10"),
            ("-3.456", "-3.46"),
        ],
    )
    def test_normalises(self, raw: object, expected: str) -> None:
        result = to_money(raw)  # type: ignore[arg-type]
        assert result == Decimal(expected)
        assert result.as_tuple().exponent == -2

    @pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "NaN", "Infinity", True, None])
    def test_rejects_with_chinese_message(self, raw: object) -> None:
        with pytest.raises(ValueError, match="金额"):
            to_money(raw)  # type: ignore[arg-type]

    def test_label_in_message(self) -> None:
        with pytest.raises(ValueError, match="月缴存基数"):
            to_money("x", "月缴存基数")


class Form(BaseModel):
    amount: Money


class TestMoneyType:
    @pytest.mark.parametrize(("raw", "expected"), [("1,234.50", "1234.50"), (5, "5.00"), (Decimal("7.1"), "7.10")])
    def test_accepts(self, raw: object, expected: str) -> None:
        value = Form(amount=raw).amount
        assert value == Decimal(expected)
        assert str(value) == expected

    @pytest.mark.parametrize(
        ("raw", "fragment"),
        [("-1", "不能为负数"), ("1.234", "两位小数"), ("abc", "不是有效的金额"), (True, "是/否"), ("", "不能为空")],
    )
    def test_rejects(self, raw: object, fragment: str) -> None:
        with pytest.raises(ValidationError) as info:
            Form(amount=raw)
        assert fragment in str(info.value)

    def test_labelled_validator(self) -> None:
        from typing import Annotated

        class Labelled(BaseModel):
            base: Annotated[Decimal, money_validator("月缴存基数")]

        with pytest.raises(ValidationError) as info:
            Labelled(base="-5")
        assert "月缴存基数不能为负数" in str(info.value)


class TestCapitals:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            (600000, "人民币陆拾万元整"),
            (Decimal("1234.56"), "人民币壹仟贰佰叁拾肆元伍角陆分"),
            (1000000, "人民币壹佰万元整"),
            (Decimal("100010.05"), "人民币壹拾万零壹拾元零伍分"),
            (0, "人民币零元整"),
            (Decimal("0.5"), "人民币伍角"),
            (Decimal("0.05"), "人民币伍分"),
            (10, "人民币壹拾元整"),
            (1010, "人民币壹仟零壹拾元整"),
            (Decimal("1680.32"), "人民币壹仟陆佰捌拾元零叁角贰分"),
            (100005000, "人民币壹亿零伍仟元整"),
            (1000500000, "人民币壹拾亿零伍拾万元整"),
            (Decimal("20000000.01"), "人民币贰仟万元零壹分"),
            (Decimal("1300000"), "人民币壹佰叁拾万元整"),
            (Decimal("999999999999.99"), "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
            ("1,234.50", "人民币壹仟贰佰叁拾肆元伍角"),
        ],
    )
    def test_examples(self, amount: Decimal | int | str, expected: str) -> None:
        assert to_chinese_capital(amount) == expected

    def test_without_prefix(self) -> None:
        assert to_chinese_capital(600000, prefix=False) == "陆拾万元整"
        assert to_chinese_capital(0, prefix=False) == "零元整"

    def test_rounds_to_fen_first(self) -> None:
        assert to_chinese_capital(Decimal("0.005")) == "人民币壹分"

    def test_negative_rejected(self) -> None:
        with pytest.raises(ValueError, match="不能为负数"):
            to_chinese_capital(Decimal("-0.01"))

    def test_too_large_rejected(self) -> None:
        with pytest.raises(ValueError, match="一万亿"):
            to_chinese_capital(Decimal("1000000000000"))

    @settings(max_examples=200)
    @given(st.integers(min_value=0, max_value=10**14 - 1))
    def test_round_trip_and_form(self, fen: int) -> None:
        amount = Decimal(fen) / 100
        text = to_chinese_capital(amount)
        assert text.startswith("人民币")
        assert parse_capital(text) == amount
        assert "零零" not in text
        body = text.removeprefix("人民币")
        assert not body.startswith("零") or body == "零元整"
        assert not body.endswith("零")
        # 整 exactly when the amount stops at 元.
        assert body.endswith("整") == (fen % 100 == 0)
        assert "零元" not in body or body == "零元整"
