"""Identifiers typed at the counter: resident ID, mobile, bank card, unified social credit code.

Pure functions over strings (python-stdnum underneath). Each ``parse_*`` function normalises what the clerk
typed (or pasted: full-width digits, spaces, hyphens) and either returns the normalised value or raises
:class:`FieldError`, whose message is Simplified Chinese, names the field and says what is expected.

Errors versus warnings (DOMAIN.md, "Identifiers"):

- Resident ID: every defect blocks (length, characters, birth date, future birth date, check character,
  unknown region code). The region code is checked against python-stdnum's table of administrative division
  codes, but *not* against the years in which the code was in use: stdnum rejects an ID whose county code was
  created after the birth year, yet ID numbers carry the code in force when the number was issued (first cards
  1984 onward), not at birth — 440524188001010014 (DOMAIN.md check value, county code of 1983–1993, born 1880)
  and every Qingdao 市南区 (370202, created 1983) resident born before 1983 would be refused. So: a code the
  table never knew is an error; a code known in other years is accepted.
- Bank card: 16–19 digits is a format rule (error); a Luhn failure is only a warning, because some Chinese
  account numbers fail Luhn and the bank-card lookup has the last word.
- Unified social credit code: shape is an error, a failing check character is a warning (real codes
  occasionally fail). The first two characters may be letters (GB 32100 authority codes such as ``Y``), which
  stdnum's ``validate`` would refuse; we only insist on the alphabet and on digits in the region part.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from stdnum import luhn, numdb
from stdnum.cn import uscc as _uscc

__all__ = [
    "FieldError",
    "IdCheck",
    "IdentifierKind",
    "ResidentId",
    "Sex",
    "age_on",
    "id_check_character",
    "make_id_number",
    "mask_card",
    "mask_id",
    "mask_name",
    "mask_phone",
    "normalise",
    "parse_bank_card",
    "parse_id_number",
    "parse_mobile",
    "parse_uscc",
]


class IdentifierKind(StrEnum):
    """Why an identifier was refused; lets screens and tests tell the defects apart."""

    EMPTY = "empty"
    LENGTH = "length"
    CHARACTERS = "characters"
    BIRTH_DATE = "birth_date"
    FUTURE_BIRTH_DATE = "future_birth_date"
    CHECKSUM = "checksum"
    REGION = "region"
    FORMAT = "format"


class FieldError(ValueError):
    """A value the clerk must correct: carries the field label, the kind of defect and a Chinese reason.

    ``str(error)`` is the full sentence shown to the clerk: ``"<label>：<reason>"``.
    """

    def __init__(self, label: str, kind: IdentifierKind, reason: str, *, expected: str | None = None) -> None:
        self.label = label
        self.kind = kind
        self.reason = reason
        # For a wrong check character: the character the first 17 (or 17) characters call for.
        self.expected = expected
        super().__init__(f"{label}：{reason}")


class Sex(StrEnum):
    """性别 as encoded in the ID sequence number (odd male, even female)."""

    MALE = "男"
    FEMALE = "女"


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A checked 18-character resident ID number and what it encodes."""

    number: str
    region_code: str
    region_name: str
    birth_date: dt.date
    sequence: int
    sex: Sex
    age: int


@dataclass(frozen=True, slots=True)
class IdCheck:
    """A normalised identifier that passed its format rules, with warnings that must not block the case."""

    value: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.warnings


# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Separators people type or paste inside numbers; stripped before checking.
_SEPARATORS = re.compile(r"[\s\-_./·]")


def normalise(raw: str) -> str:
    """Full-width to half-width (NFKC), drop separators and spaces, upper-case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def id_check_character(first17: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def age_on(birth: dt.date, today: dt.date) -> int:
    """Full years of age on ``today`` (a 29 February birthday counts from 1 March in common years)."""
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - (1 if before_birthday else 0)


def _region_name(code: str, birth_year: int) -> str | None:
    """The region name for a 6-digit code, or None when stdnum's table never knew the county code."""
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    province = info.get("province")
    county = info.get("county")
    if not province or not county:
        return None
    # County entries look like "[1983-1993]潮阳县" or "[1997-1997]万县区,[1998-]万州区": prefer the name in use in
    # the birth year, else the latest one (the code is valid; see the module docstring for why years don't block).
    names: list[str] = []
    for entry in county.split(","):
        if not entry.startswith("["):
            names.append(entry)
            continue
        span, name = entry[1:].split("]", 1)
        start, end = span.split("-")
        if (not start or birth_year >= int(start)) and (not end or birth_year <= int(end)):
            return f"{province} {name}"
        names.append(name)
    return f"{province} {names[-1]}"


def parse_id_number(raw: str, today: dt.date, label: str = "身份证号码") -> ResidentId:
    """Check an 18-character resident ID number and derive birth date, sex, age on ``today`` and region.

    Accepts lower-case ``x``, spaces and full-width digits; the returned number is upper-case and compact.
    Checks in the order a clerk can act on: length, characters, birth date, not in the future, check character,
    region code. Raises :class:`FieldError` with a Chinese message naming ``label``.
    """
    number = normalise(raw)
    if not number:
        raise FieldError(label, IdentifierKind.EMPTY, "未填写，请输入 18 位公民身份号码")
    if len(number) != 18:
        if len(number) == 15 and number.isdigit():
            reason = "为 15 位旧号码，应为 18 位公民身份号码，请按居民身份证上的 18 位号码输入"
        else:
            reason = f"长度为 {len(number)} 位，应为 18 位，请核对证件后重新输入"
        raise FieldError(label, IdentifierKind.LENGTH, reason)
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        bad = next(
            (i + 1 for i, c in enumerate(number) if not (c.isascii() and c.isdigit()) and not (i == 17 and c == "X")),
            18,
        )
        raise FieldError(
            label,
            IdentifierKind.CHARACTERS,
            f"第 {bad} 位含有非法字符，应为前 17 位数字、最后一位为数字或 X",
        )
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise FieldError(
            label,
            IdentifierKind.BIRTH_DATE,
            f"第 7–14 位出生日期 {body[6:14]} 不是有效日期，应为 YYYYMMDD 格式的真实日期，请核对证件后重新输入",
        ) from None
    if birth > today:
        raise FieldError(
            label,
            IdentifierKind.FUTURE_BIRTH_DATE,
            f"出生日期 {birth.isoformat()} 晚于今天（{today.isoformat()}），应为过去的日期，请核对证件后重新输入",
        )
    expected = id_check_character(body)
    if check != expected:
        raise FieldError(
            label,
            IdentifierKind.CHECKSUM,
            f"校验位错误，应为 {expected}（输入为 {check}），请核对证件后重新输入",
            expected=expected,
        )
    region = _region_name(body[:6], birth.year)
    if region is None:
        raise FieldError(
            label,
            IdentifierKind.REGION,
            f"前 6 位地址码 {body[:6]} 不是有效的行政区划代码，应为签发地的县级行政区划代码，请核对证件后重新输入",
        )
    sequence = int(body[14:17])
    return ResidentId(
        number=number,
        region_code=body[:6],
        region_name=region,
        birth_date=birth,
        sequence=sequence,
        sex=Sex.MALE if sequence % 2 else Sex.FEMALE,
        age=age_on(birth, today),
    )


def make_id_number(region: str, birth: dt.date, seq: int) -> str:
    """A checksum-valid fictitious ID number for tests and the sandbox (odd ``seq`` male, even female).

    ``region`` must be a 6-digit code stdnum knows (e.g. 370202 Qingdao 市南区, 110105 Beijing 朝阳区).
    """
    if not (len(region) == 6 and region.isascii() and region.isdigit()):
        raise ValueError(f"region must be 6 digits, got {region!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"seq must be 0..999, got {seq}")
    if not 1000 <= birth.year <= 9999:
        raise ValueError("birth year must have four digits")
    if _region_name(region, birth.year) is None:
        raise ValueError(f"unknown region code {region}")
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_character(body)


def parse_mobile(raw: str, label: str = "手机号码") -> str:
    """An 11-digit mainland mobile number ``^1[3-9]\\d{9}$`` (a leading +86/86 is dropped)."""
    number = normalise(raw).removeprefix("+86")
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not number:
        raise FieldError(label, IdentifierKind.EMPTY, "未填写，请输入 11 位手机号码")
    if not (number.isascii() and number.isdigit()):
        raise FieldError(label, IdentifierKind.CHARACTERS, "含有非数字字符，应为 11 位数字的手机号码")
    if len(number) != 11:
        raise FieldError(label, IdentifierKind.LENGTH, f"长度为 {len(number)} 位，应为 11 位手机号码")
    if not _MOBILE.fullmatch(number):
        raise FieldError(label, IdentifierKind.FORMAT, "格式不正确，应为以 1 开头、第二位为 3–9 的 11 位手机号码")
    return number


def parse_bank_card(raw: str, label: str = "银行卡号") -> IdCheck:
    """16–19 digits (error otherwise); a Luhn failure is returned as a warning, never raised."""
    number = normalise(raw)
    if not number:
        raise FieldError(label, IdentifierKind.EMPTY, "未填写，请输入 16–19 位银行卡号")
    if not (number.isascii() and number.isdigit()):
        raise FieldError(label, IdentifierKind.CHARACTERS, "含有非数字字符，应为 16–19 位数字")
    if not 16 <= len(number) <= 19:
        raise FieldError(label, IdentifierKind.LENGTH, f"长度为 {len(number)} 位，应为 16–19 位数字")
    warnings: tuple[str, ...] = ()
    if not luhn.is_valid(number):
        warnings = (f"{label}：校验位（Luhn）不符，请核对卡号；部分银行账号不适用该校验，以银行卡核验结果为准",)
    return IdCheck(number, warnings)


def parse_uscc(raw: str, label: str = "统一社会信用代码") -> IdCheck:
    """An 18-character unified social credit code; a failing check character is a warning, not an error."""
    code = normalise(raw)
    if not code:
        raise FieldError(label, IdentifierKind.EMPTY, "未填写，请输入 18 位统一社会信用代码")
    if len(code) != 18:
        raise FieldError(label, IdentifierKind.LENGTH, f"长度为 {len(code)} 位，应为 18 位")
    bad = next((i + 1 for i, c in enumerate(code) if c not in _USCC_ALPHABET), None)
    if bad is not None:
        raise FieldError(
            label,
            IdentifierKind.CHARACTERS,
            f"第 {bad} 位含有非法字符，应为数字或大写字母（不含 I、O、S、V、Z）",
        )
    if not code[2:8].isdigit():
        raise FieldError(label, IdentifierKind.FORMAT, "第 3–8 位应为登记管理机关行政区划码（6 位数字）")
    warnings: tuple[str, ...] = ()
    expected = _uscc.calc_check_digit(code)
    if code[-1] != expected:
        warnings = (f"{label}：校验位不符（按前 17 位应为 {expected}），请核对；如与营业执照一致可继续办理",)
    return IdCheck(code, warnings)


def mask_id(number: str) -> str:
    """Resident ID for lists, receipts and logs: first 4 and last 4 kept (3702**********123X)."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    """Mobile number: first 3 and last 4 kept (138****5678)."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_card(number: str) -> str:
    """Bank card: only the last 4 digits (****1234)."""
    return "****" + number[-4:] if len(number) > 4 else "*" * len(number)


def mask_name(name: str) -> str:
    """Name: keep the first character, and the last one for names of 3+ characters (张* / 张*三 / 欧**明)."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
