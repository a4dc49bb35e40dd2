"""Tests for forms.identifiers: resident ID, mobile, bank card, USCC, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from forms.identifiers import (
    FieldError,
    IdentifierKind,
    Sex,
    age_on,
    id_check_character,
    make_id_number,
    mask_card,
    mask_id,
    mask_name,
    mask_phone,
    parse_bank_card,
    parse_id_number,
    parse_mobile,
    parse_uscc,
)

TODAY = dt.date(2026, 5, 1)
# Region codes stdnum knows: Qingdao 市南区/市北区/崂山区, Beijing 朝阳区/东城区, Chengdu 锦江区.
REGIONS = ["370202", "370203", "370212", "110105", "110101", "510104"]


def _kind(raw: str, today: dt.date = TODAY) -> IdentifierKind:
    with pytest.raises(FieldError) as info:
        parse_id_number(raw, today)
    return info.value.kind


# -- resident ID: check values and derived data -------------------------------------------------------------------


def test_domain_check_values_are_valid() -> None:
    a = parse_id_number("11010519491231002X", TODAY)
    assert a.number == "11010519491231002X"
    assert a.birth_date == dt.date(1949, 12, 31)
    assert a.sex is Sex.FEMALE  # sequence 002 is even
    assert a.age == 76
    assert a.region_code == "110105"
    assert a.region_name == "北京市 朝阳区"

    b = parse_id_number("440524188001010014", TODAY)
    assert b.birth_date == dt.date(1880, 1, 1)
    assert b.sex is Sex.MALE  # sequence 001 is odd
    assert str(b.sex) == "男"


def test_lower_case_x_spaces_and_full_width_are_normalised() -> None:
    assert parse_id_number("11010519491231002x", TODAY).number == "11010519491231002X"
    assert parse_id_number(" 110105 19491231 002x ", TODAY).number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ", TODAY).number == "11010519491231002X"


def test_age_counts_full_years() -> None:
    number = make_id_number("370202", dt.date(1990, 5, 2), 123)
    assert parse_id_number(number, dt.date(2026, 5, 1)).age == 35
    assert parse_id_number(number, dt.date(2026, 5, 2)).age == 36
    assert age_on(dt.date(2000, 2, 29), dt.date(2023, 2, 28)) == 22
    assert age_on(dt.date(2000, 2, 29), dt.date(2023, 3, 1)) == 23


def test_region_code_is_checked_but_not_against_the_birth_year() -> None:
    # 370202 (市南区) exists in stdnum's table only from 1983; residents born earlier carry it all the same.
    number = make_id_number("370202", dt.date(1970, 6, 1), 17)
    assert not ric.is_valid(number)  # documents why we do not use ric.validate()
    assert parse_id_number(number, TODAY).region_name == "山东省 市南区"


# -- resident ID: every error kind ---------------------------------------------------------------------------------


def test_empty() -> None:
    assert _kind("  ") is IdentifierKind.EMPTY


@pytest.mark.parametrize("raw", ["1101051949123100", "11010519491231002X1", "123"])
def test_wrong_length(raw: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_id_number(raw, TODAY)
    assert info.value.kind is IdentifierKind.LENGTH
    assert f"长度为 {len(raw)} 位，应为 18 位" in info.value.reason


def test_fifteen_digit_old_number_gets_its_own_message() -> None:
    with pytest.raises(FieldError) as info:
        parse_id_number("110105491231002", TODAY)
    assert info.value.kind is IdentifierKind.LENGTH
    assert "15 位旧号码" in info.value.reason


@pytest.mark.parametrize(("raw", "position"), [("1101051949A231002X", 11), ("11010519491231002Y", 18)])
def test_bad_characters_name_the_position(raw: str, position: int) -> None:
    with pytest.raises(FieldError) as info:
        parse_id_number(raw, TODAY)
    assert info.value.kind is IdentifierKind.CHARACTERS
    assert f"第 {position} 位含有非法字符" in info.value.reason


def test_bad_birth_date() -> None:
    body = "11010519490230002"  # 30 February
    with pytest.raises(FieldError) as info:
        parse_id_number(body + id_check_character(body), TODAY)
    assert info.value.kind is IdentifierKind.BIRTH_DATE
    assert "19490230" in info.value.reason


def test_birth_date_in_the_future() -> None:
    number = make_id_number("110105", dt.date(2026, 5, 2), 11)
    assert _kind(number, TODAY) is IdentifierKind.FUTURE_BIRTH_DATE
    assert parse_id_number(number, dt.date(2026, 5, 2)).age == 0


def test_wrong_check_character_says_which_one_is_expected() -> None:
    with pytest.raises(FieldError) as info:
        parse_id_number("110105194912310021", TODAY, label="申请人身份证号码")
    error = info.value
    assert error.kind is IdentifierKind.CHECKSUM
    assert error.expected == "X"
    assert str(error) == "申请人身份证号码：校验位错误，应为 X（输入为 1），请核对证件后重新输入"


def test_unknown_region_with_valid_checksum_is_an_error() -> None:
    body = "99999919800101001"
    with pytest.raises(FieldError) as info:
        parse_id_number(body + id_check_character(body), TODAY)
    assert info.value.kind is IdentifierKind.REGION
    assert "999999" in info.value.reason


def test_make_id_number_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        make_id_number("999999", dt.date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("37020", dt.date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("370202", dt.date(1990, 1, 1), 1000)


# -- resident ID: properties ---------------------------------------------------------------------------------------

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@settings(max_examples=200)
@given(region=st.sampled_from(REGIONS), birth=births, seq=st.integers(0, 999))
def test_valid_ids_parse_and_round_trip(region: str, birth: dt.date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    parsed = parse_id_number(number.lower(), TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sequence == seq
    assert parsed.sex is (Sex.MALE if seq % 2 else Sex.FEMALE)
    assert parsed.age == age_on(birth, TODAY)
    # Our MOD 11-2 agrees with stdnum's.
    assert number[-1] == ric.calc_check_digit(number)


@settings(max_examples=200)
@given(
    region=st.sampled_from(REGIONS),
    birth=births,
    seq=st.integers(0, 999),
    wrong=st.sampled_from("0123456789Xx"),
)
def test_no_id_with_a_wrong_check_character_passes(region: str, birth: dt.date, seq: int, wrong: str) -> None:
    number = make_id_number(region, birth, seq)
    if wrong.upper() == number[-1]:
        return
    with pytest.raises(FieldError) as info:
        parse_id_number(number[:-1] + wrong, TODAY)
    assert info.value.kind is IdentifierKind.CHECKSUM
    assert info.value.expected == number[-1]


@settings(max_examples=200)
@given(st.text(max_size=25))
def test_arbitrary_input_either_parses_or_raises_field_error(raw: str) -> None:
    try:
        parsed = parse_id_number(raw, TODAY)
    except FieldError as error:
        assert error.reason
        assert str(error).startswith("身份证号码：")
    else:
        assert len(parsed.number) == 18


# -- mobile --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 13812345678", "19912345678"])
def test_valid_mobiles(raw: str) -> None:
    assert parse_mobile(raw) in {"13812345678", "19912345678"}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("", IdentifierKind.EMPTY),
        ("1381234567", IdentifierKind.LENGTH),
        ("138123456789", IdentifierKind.LENGTH),
        ("12812345678", IdentifierKind.FORMAT),
        ("23812345678", IdentifierKind.FORMAT),
        ("1381234567a", IdentifierKind.CHARACTERS),
    ],
)
def test_invalid_mobiles(raw: str, kind: IdentifierKind) -> None:
    with pytest.raises(FieldError) as info:
        parse_mobile(raw, label="申请人手机号码")
    assert info.value.kind is kind
    assert str(info.value).startswith("申请人手机号码：")


# -- bank card -----------------------------------------------------------------------------------------------------


def test_luhn_valid_card_has_no_warning() -> None:
    card = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
    result = parse_bank_card(card[:4] + " " + card[4:])
    assert result.value == card
    assert result.warnings == ()
    assert result.ok


def test_luhn_failure_is_a_warning_not_an_error() -> None:
    good = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    result = parse_bank_card(bad)
    assert result.value == bad
    assert len(result.warnings) == 1
    assert "Luhn" in result.warnings[0]
    assert result.warnings[0].startswith("银行卡号：")


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("", IdentifierKind.EMPTY),
        ("6" * 15, IdentifierKind.LENGTH),
        ("6" * 20, IdentifierKind.LENGTH),
        ("62220212345678901A", IdentifierKind.CHARACTERS),
    ],
)
def test_bank_card_format_errors(raw: str, kind: IdentifierKind) -> None:
    with pytest.raises(FieldError) as info:
        parse_bank_card(raw)
    assert info.value.kind is kind


@settings(max_examples=100)
@given(st.text(alphabet="0123456789", min_size=16, max_size=19))
def test_any_16_to_19_digits_is_accepted(digits: str) -> None:
    result = parse_bank_card(digits)
    assert result.value == digits
    assert bool(result.warnings) is not luhn.is_valid(digits)


# -- unified social credit code ------------------------------------------------------------------------------------


def test_uscc_check_value() -> None:
    result = parse_uscc("91110000101623741k")
    assert result.value == "91110000101623741K"
    assert result.warnings == ()


def test_uscc_checksum_failure_is_a_warning_naming_the_expected_character() -> None:
    result = parse_uscc("91110000101623741A")
    assert result.value == "91110000101623741A"
    assert len(result.warnings) == 1
    assert "应为 K" in result.warnings[0]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("", IdentifierKind.EMPTY),
        ("9111000010162374", IdentifierKind.LENGTH),
        ("91110000101623741I", IdentifierKind.CHARACTERS),
        ("91AB0000101623741K", IdentifierKind.FORMAT),
    ],
)
def test_uscc_format_errors(raw: str, kind: IdentifierKind) -> None:
    with pytest.raises(FieldError) as info:
        parse_uscc(raw)
    assert info.value.kind is kind


# -- masking -------------------------------------------------------------------------------------------------------


def test_masks_follow_design_conventions() -> None:
    assert mask_id("37020219900101123X") == "3702**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_card("6222021234567891234") == "****1234"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("张") == "*"
    assert mask_id("1234") == "****"


@settings(max_examples=100)
@given(region=st.sampled_from(REGIONS), birth=births, seq=st.integers(0, 999))
def test_masked_id_keeps_only_first_and_last_four(region: str, birth: dt.date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    masked = mask_id(number)
    assert len(masked) == 18
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert set(masked[4:14]) == {"*"}
