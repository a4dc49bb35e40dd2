"""Tests for forms.application: drafts, per-field validation and messages, field labels and sources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from forms.application import (
    Agent,
    Applicant,
    Application,
    BankLoan,
    CoBorrower,
    CreditAuthorization,
    Employer,
    FundAccount,
    FundLoan,
    NewHouse,
    Person,
    RepaymentAccount,
    ResaleHouse,
    Spouse,
    field_label,
    field_source,
    frozen_today,
    label_for,
)
from forms.identifiers import Sex, make_id_number
from forms.scenario import Scenario
from forms.vocabulary import (
    FieldSource,
    LinkedItem,
    PropertyKind,
)
from tests.application_helpers import (
    APPLICANT_ID,
    CJK,
    SPOUSE_ID,
    TODAY,
    complete,
    errors,
    field_issues,
)

# -- the complete case and drafts ----------------------------------------------------------------------------------


def test_complete_case_has_no_issues() -> None:
    assert complete().check(TODAY) == []


def test_empty_draft_loads_and_lists_what_is_missing() -> None:
    draft = Application()
    assert draft.applicant.name is None
    found = errors(draft.check(TODAY))
    for path in (
        "applicant.name",
        "applicant.id_number",
        "applicant.phone",
        "fund_loan",
        "property",
        "repayment_account.card_number",
        "credit_authorization.recorded",
        "employer.name",
    ):
        assert path in found, path
    assert found["applicant.id_number"] == ["申请人身份证号码：未填写，请输入 18 位公民身份号码"]


def test_partial_draft_with_blank_strings_loads() -> None:
    draft = Application.model_validate(
        {"applicant": {"name": "李四", "id_number": "", "phone": "  "}, "fund_loan": {"amount": ""}}
    )
    assert draft.applicant.id_number is None
    assert draft.applicant.phone is None
    assert draft.fund_loan is not None and draft.fund_loan.amount is None


def test_linked_items_default_from_the_scenario() -> None:
    assert Application().linked_items == [LinkedItem.LOAN, LinkedItem.CREDIT_INQUIRY, LinkedItem.MORTGAGE_REGISTRATION]
    resale = Application(scenario=Scenario(property_kind=PropertyKind.RESALE))
    assert resale.linked_items is not None
    assert LinkedItem.TRANSFER_REGISTRATION in resale.linked_items


# -- per-field validation ------------------------------------------------------------------------------------------


def test_id_number_derives_birth_date_and_sex_and_normalises() -> None:
    person = Person(id_number="11010519491231002x")
    assert person.id_number == "11010519491231002X"
    assert person.birth_date == dt.date(1949, 12, 31)
    assert person.sex is Sex.FEMALE
    assert person.age_on(TODAY) == 76


def test_derived_fields_follow_the_id_on_assignment_and_cannot_be_typed() -> None:
    person = Person(id_number=APPLICANT_ID, birth_date="2000-01-01", sex="女")
    assert person.birth_date == dt.date(1990, 3, 15)
    assert person.sex is Sex.MALE
    person.id_number = SPOUSE_ID
    assert (person.birth_date, person.sex) == (dt.date(1991, 7, 2), Sex.FEMALE)
    person.id_number = None
    assert person.birth_date is None and person.sex is None


def test_wrong_check_character_message_names_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        Application.model_validate({"applicant": {"id_number": "110105194912310021"}})
    assert field_issues(exc) == {
        "applicant.id_number": "申请人身份证号码：校验位错误，应为 X（输入为 1），请核对证件后重新输入"
    }
    # pydantic's own message carries the field label too.
    assert "身份证号码：校验位错误" in str(exc.value)


def test_assignment_is_validated_and_leaves_the_old_value() -> None:
    app = complete()
    with pytest.raises(ValidationError) as exc:
        app.applicant.phone = "1381234567"
    assert app.applicant.phone == "13812345678"
    assert field_issues(exc, "applicant") == {"applicant.phone": "申请人手机号码：长度为 10 位，应为 11 位手机号码"}


def test_nested_errors_each_keep_their_path_and_label() -> None:
    with pytest.raises(ValidationError) as exc:
        Application.model_validate(
            {
                "co_borrowers": [{"id_number": APPLICANT_ID}, {"phone": "12345678901"}],
                "property": {"property_kind": "resale", "seller_id_number": "12"},
                "fund_loan": {"months": 400, "amount": "-5"},
                "scenario": {"co_borrower_count": 5},
            }
        )
    found = field_issues(exc)
    assert found["co_borrowers.1.phone"].startswith("共同借款人2手机号码：格式不正确")
    assert found["property.seller_id_number"].startswith("房屋卖方身份证号码：长度为 2 位")
    assert found["fund_loan.months"] == "公积金贷款期限（月）：应不大于 360"
    assert found["fund_loan.amount"] == "公积金贷款金额（元）：不能为负数，请输入 0 或正数金额"
    assert found["scenario.co_borrower_count"] == "办理情形共同借款人人数：应不大于 3"
    for message in found.values():
        assert CJK.search(message)


def test_more_than_three_co_borrowers_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        Application(co_borrowers=[CoBorrower(), CoBorrower(), CoBorrower(), CoBorrower()])
    assert field_issues(exc) == {"co_borrowers": "共同借款人：最多 3 项"}


def test_unknown_fields_are_refused_in_chinese() -> None:
    with pytest.raises(ValidationError) as exc:
        Applicant.model_validate({"nmae": "张三"})
    assert "不是本表的字段" in str(exc.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.565", Decimal("1234.57")),
        (0.1, Decimal("0.10")),
        (100, Decimal("100.00")),
        ("2.005元", Decimal("2.01")),
        (Decimal("-0.00"), Decimal("0.00")),
        ("¥ 1,234.5", Decimal("1234.50")),
        ("999999999999.99", Decimal("999999999999.99")),
    ],
)
def test_money_is_decimal_two_places_half_up(raw: object, expected: Decimal) -> None:
    loan = FundLoan(amount=raw)
    assert loan.amount == expected
    assert loan.amount is not None and loan.amount.as_tuple().exponent == -2
    assert not loan.amount.is_signed()


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-0.01", "不能为负数"),
        ("-0.001", "不能为负数"),
        ("abc", "不是有效的金额"),
        (True, "不能填写是/否"),
        ("NaN", "有限"),
        ("1e15", "金额过大"),
        ("1000000000000", "金额过大"),
        ([1], "数字金额"),
    ],
)
def test_bad_money_is_refused(raw: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        FundLoan(amount=raw)
    message = exc.value.errors()[0]["msg"]
    assert message.startswith("金额（元）：")
    assert fragment in message


@pytest.mark.parametrize("raw", ["2.6", "2.6%", " 2.6 % ", 2.6, Decimal("2.6")])
def test_rates_are_percent_with_or_without_the_sign(raw: object) -> None:
    # One convention across the domain: forms.loan and the CLI take 2.6 for 2.6 %.
    assert FundLoan(rate=raw).rate == Decimal("2.6")
    assert BankLoan(rate=raw).rate == Decimal("2.6")


def test_rate_bounds() -> None:
    assert FundLoan(rate="0").rate == Decimal(0)
    assert FundLoan(rate="23.99%").rate == Decimal("23.99")
    assert FundLoan(rate="").rate is None


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-0.1", "年利率：不能为负数"),
        ("24", "年利率：24 过大"),
        ("30%", "年利率：30% 过大"),
        ("abc", "年利率："),
        ("NaN", "年利率："),
        (True, "年利率："),
    ],
)
def test_bad_rates_are_refused_in_chinese(raw: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        FundLoan(rate=raw)
    message = exc.value.errors()[0]["msg"]
    assert message.startswith(fragment)
    assert message.endswith("应为年利率（百分数），如 2.6 或 2.6%")


def test_dates_in_the_future_use_the_injected_today() -> None:
    data = {"property_kind": "new", "contract_date": "2026-05-02"}
    with pytest.raises(ValidationError) as exc:
        NewHouse.model_validate(data, context={"today": TODAY})
    assert "合同签订日期：2026-05-02 晚于今天（2026-05-01）" in str(exc.value)
    assert NewHouse.model_validate(data, context={"today": dt.date(2026, 5, 2)}).contract_date == dt.date(2026, 5, 2)
    house = NewHouse()
    with frozen_today(TODAY), pytest.raises(ValidationError):
        house.contract_date = dt.date(2026, 5, 2)
    with frozen_today(dt.date(2026, 6, 1)):
        house.contract_date = dt.date(2026, 5, 2)
    assert house.contract_date == dt.date(2026, 5, 2)


def test_future_birth_date_in_an_id_uses_the_injected_today() -> None:
    baby = make_id_number("370202", dt.date(2026, 5, 2), 1)
    with pytest.raises(ValidationError) as exc:
        Person.model_validate({"id_number": baby}, context={"today": TODAY})
    assert "出生日期 2026-05-02 晚于今天" in str(exc.value)


def test_year_month_and_other_formats() -> None:
    with frozen_today(TODAY):
        assert FundAccount(paid_up_to="202604").paid_up_to == "2026-04"
        with pytest.raises(ValidationError):
            FundAccount(paid_up_to="2026-06")
        with pytest.raises(ValidationError):
            FundAccount(paid_up_to="2026-13")
        with pytest.raises(ValidationError):
            ResaleHouse(completion_year=2027)
    assert Employer(phone="0532-12345678").phone == "0532-12345678"
    with pytest.raises(ValidationError):
        Employer(uscc="91110000101623741I")
    with pytest.raises(ValidationError):
        RepaymentAccount(card_number="1234")
    with pytest.raises(ValidationError):
        CreditAuthorization(recorded_at="2026-05-01T09:00:00")  # naive timestamps are refused


def test_control_characters_from_registries_are_stripped() -> None:
    person = Person(name="张\x1b[31m三\u202e", address="  青岛市\n市南区  ")
    assert person.name == "张三"
    assert Person(name="李\x1b]0;title\x07四").name == "李四"
    assert person.address == "青岛市 市南区"
    with pytest.raises(ValidationError) as exc:
        Person(name="张3")
    assert "姓名：不应包含数字" in str(exc.value)


# -- labels and sources --------------------------------------------------------------------------------------------

FORM_MODELS: list[type[BaseModel]] = [
    Person,
    Applicant,
    Spouse,
    CoBorrower,
    Agent,
    Employer,
    FundAccount,
    NewHouse,
    ResaleHouse,
    FundLoan,
    BankLoan,
    RepaymentAccount,
    CreditAuthorization,
    Application,
]


@pytest.mark.parametrize("model", FORM_MODELS)
def test_every_field_has_a_chinese_label_and_a_source(model: type[BaseModel]) -> None:
    for name in model.model_fields:
        assert CJK.search(field_label(model, name)), f"{model.__name__}.{name}"
        assert isinstance(field_source(model, name), FieldSource)


def test_label_and_source_accessors() -> None:
    assert field_label(Person, "name") == "姓名"
    assert field_source(Person, "name") is FieldSource.TYPED
    assert field_source(Person, "birth_date") is FieldSource.DERIVED
    assert field_source(Person, "sex") is FieldSource.DERIVED
    assert label_for("co_borrowers.1.id_number") == "共同借款人2身份证号码"
    assert label_for("property.seller_name") == "房屋卖方姓名"
    assert label_for("fund_loan.amount") == "公积金贷款金额（元）"
