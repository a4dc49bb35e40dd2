"""Argument types and the parser shared by the sub-commands: bad input is refused with exit 2 and one line.

Every value a command reads goes through one of these types, so the bounds live in one place: amounts use the
forms' range (``forms.money.MONEY_MAX``) and refuse a third decimal place instead of rounding it; rates are in
(0, ``RATE_MAX``] percent; dates are ``YYYY-MM-DD`` within stated years; free text is cleaned and capped at
``REASON_MAX`` (counter_app/services/sanitize.py). :class:`CounterParser` prints argparse's own complaints in
Chinese, on one line, with anything the user typed escaped (``shown``). Other commands' options reuse these
(docs/cli.md, "Bad input").
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from counter_app.services.sanitize import REASON_MAX, clean_reason, shown
from forms.money import MONEY_MAX, parse_money

# A loan's annual rate in percent: above 0 (an interest-free loan is not a fund loan) and at most 20 % (four
# times the highest LPR ever published, far above any fund or commercial mortgage rate); four decimals at most.
RATE_MAX = Decimal(20)
RATE_PLACES = 4
# Dates a counter command can mean: nothing before the fund's loans began or after the century's calendar.
EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def port_type(example: int) -> Callable[[str], int]:
    """An argparse type for a TCP port (1-65535) whose message names ``example`` as a valid one."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"端口“{text}”无效，应为 1 到 65535 之间的整数，例如 {example}") from None
        if not 1 <= value <= 65535:
            raise argparse.ArgumentTypeError(f"端口 {value} 超出范围，应为 1 到 65535 之间的整数，例如 {example}")
        return value

    return parse


def money_type(label: str, *, example: str = "600000", positive: bool = True) -> Callable[[str], Decimal]:
    """An amount in yuan: the forms' rules (``parse_money``: at most two decimals, at most ``MONEY_MAX``)."""

    def parse(text: str) -> Decimal:
        try:
            value = parse_money(text, label)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{exc}（收到“{text}”）") from None
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{label}应大于 0 元，不超过 {MONEY_MAX:,} 元，例如 {example}")
        return value

    return parse


def rate_type(label: str = "年利率") -> Callable[[str], Decimal]:
    """An annual rate in percent, in (0, ``RATE_MAX``], at most ``RATE_PLACES`` decimals; "2.6%" is 2.6."""

    def parse(text: str) -> Decimal:
        hint = f"应为大于 0、不超过 {RATE_MAX}% 的年利率（百分数），最多 {RATE_PLACES} 位小数，例如 2.6"
        try:
            value = Decimal(text.strip().removesuffix("%"))
        except InvalidOperation:
            raise argparse.ArgumentTypeError(f"{label}“{text}”不是数字，{hint}") from None
        if not value.is_finite() or not 0 < value <= RATE_MAX:
            raise argparse.ArgumentTypeError(f"{label}“{text}”超出范围，{hint}")
        if value != value.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            raise argparse.ArgumentTypeError(f"{label}“{text}”小数位过多，{hint}")
        return value

    return parse


def int_type(label: str, low: int, high: int) -> Callable[[str], int]:
    """A whole number in [low, high], ASCII digits only (``int()`` would also take "１２" and "1_000")."""

    def parse(text: str) -> int:
        stripped = text.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", stripped):
            raise argparse.ArgumentTypeError(f"{label}“{text}”不是整数，应为 {low} 到 {high} 之间的整数")
        value = int(stripped)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{label}为 {value}，应为 {low} 到 {high} 之间的整数")
        return value

    return parse


def date_type(
    label: str, *, example: str = "2026-09-30", earliest: date = EARLIEST, latest: date = LATEST
) -> Callable[[str], date]:
    """A calendar date written ``YYYY-MM-DD`` between ``earliest`` and ``latest`` (impossible days refused)."""

    def parse(text: str) -> date:
        try:
            # fromisoformat alone would also take "20260930" and "2026-W40-1"; one spelling only.
            if not _ISO_DATE.fullmatch(text.strip()):
                raise ValueError
            value = date.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{label}“{text}”无效，应为 YYYY-MM-DD 的实际日期，例如 {example}"
            ) from None
        if not earliest <= value <= latest:
            raise argparse.ArgumentTypeError(
                f"{label} {value.isoformat()} 超出范围，应在 {earliest.isoformat()} 至 {latest.isoformat()} 之间"
            )
        return value

    return parse


def reason_type(label: str, *, limit: int = REASON_MAX) -> Callable[[str], str]:
    """Free text to be stored (a reason): control and escape characters stripped, at most ``limit`` characters
    after that, and not empty; longer is refused rather than cut, so nobody's sentence is silently shortened."""

    def parse(text: str) -> str:
        value = clean_reason(text, limit=len(text) + 1)
        if not value:
            raise argparse.ArgumentTypeError(f"{label}不能为空")
        if len(value) > limit:
            raise argparse.ArgumentTypeError(f"{label}为 {len(value)} 个字符，最多 {limit} 个字符")
        return value

    return parse


def path_type(label: str) -> Callable[[str], Path]:
    """A file path as typed (not checked here: the reader checks kind and size); an empty one is refused."""

    def parse(text: str) -> Path:
        if not text.strip() or "\x00" in text:
            raise argparse.ArgumentTypeError(f"{label}“{text}”不是有效的文件路径")
        return Path(text)

    return parse


# argparse's own messages (Python 3.11-3.13), in Chinese; the English stays out of a clerk's terminal.
_ARGPARSE_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), text)
    for pattern, text in (
        (r"^argument (?P<a>[^:]+): (?P<m>.*)$", "参数 {a}：{m}"),
        (r"^the following arguments are required: (?P<a>.*)$", "缺少必填参数：{a}"),
        (r"^one of the arguments (?P<a>.*) is required$", "须填写以下参数之一：{a}"),
        (r"^unrecognized arguments: (?P<a>.*)$", "无法识别的参数：{a}"),
        (r"^ambiguous option: (?P<a>\S+) could match (?P<b>.*)$", "选项 {a} 不明确，可能是：{b}"),
        (r"^invalid choice: (?P<a>.*) \(choose from (?P<b>.*)\)$", "无效的取值 {a}，可选：{b}"),
        (r"^invalid (?P<t>\S+) value: (?P<a>.*)$", "取值 {a} 无效"),
        (r"^expected one argument$", "需要一个值"),
        (r"^expected at least one argument$", "至少需要一个值"),
        (r"^expected at most one argument$", "最多一个值"),
        (r"^expected (?P<a>\d+) arguments?$", "需要 {a} 个值"),
        (r"^not allowed with argument (?P<a>.*)$", "不能与参数 {a} 同用"),
        (r"^ignored explicit argument (?P<a>.*)$", "参数不接受取值 {a}"),
    )
)


def argparse_zh(message: str) -> str:
    """An argparse message in Chinese (nested: "argument X: invalid choice: ..." translates both parts)."""
    for pattern, text in _ARGPARSE_ZH:
        match = pattern.match(message)
        if match:
            parts = match.groupdict()
            if "m" in parts:
                parts["m"] = argparse_zh(parts["m"])
            return text.format(**parts)
    return message


class CounterParser(argparse.ArgumentParser):
    """argparse with one Chinese line on stderr for bad input, exit 2, and no usage block (``--help`` has it).

    Sub-parsers inherit the class (``add_subparsers`` uses the parent's type), so every command gets it."""

    def error(self, message: str) -> NoReturn:
        line = shown(argparse_zh(message))
        self.exit(2, f"{self.prog}: 错误 error: {line}（用法见 {self.prog} --help）\n")
