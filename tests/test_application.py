"""Tests for forms.application: field validation, drafts, sources/backfill, acceptance checks, JSON round trip."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from stdnum import luhn

from forms.application import (
    Agent,
    Applicant,
    Application,
    BankLoan,
    CoBorrower,
    CoBorrowerRelation,
    CreditAuthorization,
    Employer,
    FundAccount,
    FundLoan,
    Issue,
    NewHouse,
    Person,
    RepaymentAccount,
    ResaleHouse,
    Severity,
    Spouse,
    field_label,
    field_source,
    frozen_today,
    issues_from_error,
    label_for,
)
from forms.identifiers import Sex, make_id_number
from forms.scenario import Scenario
from forms.vocabulary import (
    FieldSource,
    HomeOrdinal,
    LinkedItem,
    LoanKind,
    MaritalStatus,
    Presence,
    PropertyKind,
    RepaymentMethod,
)

TODAY = dt.date(2026, 5, 1)
APPLICANT_ID = make_id_number("370202", dt.date(1990, 3, 15), 123)
SPOUSE_ID = make_id_number("370203", dt.date(1991, 7, 2), 246)
CHILD_ID = make_id_number("370212", dt.date(2000, 1, 9), 35)
PARENT_ID = make_id_number("110105", dt.date(1962, 11, 30), 17)
AGENT_ID = make_id_number("510104", dt.date(1985, 4, 4), 88)
SELLER_ID = make_id_number("110101", dt.date(1970, 2, 2), 51)
CARD = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
CJK = re.compile(r"[\u4e00-\u9fff]")


def complete(**scenario: Any) -> Application:
    """A fund-only, new-house, in-person, unmarried case with everything acceptance needs."""
    return Application.model_validate(
        {
            "scenario": scenario,
            "applicant": {"name": "张三", "id_number": APPLICANT_ID, "phone": "13812345678", "monthly_income": "12000"},
            "employer": {"name": "青岛某某科技有限公司", "uscc": "91110000101623741K", "unit_account": "12345678"},
            "fund_account": {
                "account_number": "110012345678",
                "status": "normal",
                "balance": "56000.00",
                "contribution_base": "10000",
                "monthly_deposit": "2400",
                "paid_up_to": "2026-04",
                "consecutive_months": 48,
                "opened_on": "2018-03-01",
            },
            "property": {
                "property_kind": "new",
                "project": "海景花园",
                "location": "青岛市市南区某路 1 号 2-301",
                "area": "89.5",
                "total_price": "1500000",
                "contract_number": "YS2026-000123",
                "contract_date": "2026-04-20",
                "contract_amount": "1500000",
                "down_payment": "500000",
                "presale_permit": "青房预字 2025 第 12 号",
            },
            "fund_loan": {
                "amount": "800000",
                "months": 360,
                "rate": "2.6",
                "repayment_method": "annuity",
                "home_ordinal": "first",
            },
            "repayment_account": {"bank": "中国工商银行", "card_number": CARD},
            "credit_authorization": {
                "recorded": True,
                "reference": "ZX-2026-0001",
                "recorded_at": "2026-05-01T01:00:00Z",
            },
        },
        context={"today": TODAY},
    )


def errors(issues: list[Issue]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity is Severity.ERROR:
            found.setdefault(issue.path, []).append(issue.message)
    return found


def warnings(issues: list[Issue]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity is Severity.WARNING:
            found.setdefault(issue.path, []).append(issue.message)
    return found


def field_issues(exc: pytest.ExceptionInfo[ValidationError], prefix: str = "") -> dict[str, str]:
    return {issue.path: issue.message for issue in issues_from_error(exc.value, prefix)}


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


def test_backfill_returns_a_new_application_and_records_the_source() -> None:
    app = Application()
    filled = app.backfill("fund_account.balance", "56000", today=TODAY)
    assert app.fund_account is None  # the original is untouched
    assert filled.fund_account is not None and filled.fund_account.balance == Decimal("56000.00")
    assert filled.source_of("fund_account.balance") is FieldSource.VERIFIED
    assert filled.source_of("applicant.name") is FieldSource.TYPED
    assert filled.source_of("applicant.birth_date") is FieldSource.DERIVED

    overridden = filled.backfill("fund_account.balance", "56001", FieldSource.TYPED)
    assert overridden.source_of("fund_account.balance") is FieldSource.TYPED


def test_backfilled_id_derives_birth_date_and_sex() -> None:
    app = Application().backfill("applicant.id_number", APPLICANT_ID)
    assert app.applicant.birth_date == dt.date(1990, 3, 15)
    assert app.applicant.sex is Sex.MALE
    assert app.sources == {"applicant.id_number": FieldSource.VERIFIED}


def test_backfill_creates_property_of_the_scenario_kind_and_appends_co_borrowers() -> None:
    app = Application(scenario=Scenario(property_kind=PropertyKind.RESALE))
    app = app.backfill("property.title_certificate", "鲁(2020)青岛市不动产权第0001234号")
    assert isinstance(app.property, ResaleHouse)
    app = app.backfill("co_borrowers.0.name", "王五", FieldSource.TYPED)
    assert [c.name for c in app.co_borrowers] == ["王五"]
    with pytest.raises(ValueError):
        app.backfill("co_borrowers.5.name", "赵六")


def test_backfill_is_atomic_and_refuses_unknown_paths() -> None:
    app = complete()
    with pytest.raises(ValidationError):
        app.backfill("applicant.phone", "not a phone")
    assert app.applicant.phone == "13812345678"
    assert app.sources == {}
    with pytest.raises(ValueError):
        app.backfill("applicant.shoe_size", 42)
    with pytest.raises(ValueError):
        app.backfill("property.seller_name", "李四")  # a new-house case has no seller


# -- cross-field rules ---------------------------------------------------------------------------------------------


def married(**extra: Any) -> Application:
    app = complete().with_scenario(Scenario(marital_status=MaritalStatus.MARRIED, **extra))
    app.spouse = Spouse(name="李梅", id_number=SPOUSE_ID)
    return app


def test_married_needs_a_spouse() -> None:
    app = complete().with_scenario(Scenario(marital_status=MaritalStatus.MARRIED))
    assert errors(app.check(TODAY)) == {"spouse": ["配偶：婚姻状况为已婚，应填写配偶的姓名和身份证号码"]}
    assert married().check(TODAY) == []


def test_spouse_cannot_be_the_applicant() -> None:
    app = married()
    app.spouse = Spouse(name="张三", id_number=APPLICANT_ID)
    assert "spouse.id_number" in errors(app.check(TODAY))


def test_unmarried_applicant_must_not_have_a_spouse() -> None:
    app = complete()
    app.spouse = Spouse(name="李梅", id_number=SPOUSE_ID)
    assert errors(app.check(TODAY)) == {
        "spouse": ["配偶：婚姻状况为未婚，不应填写配偶信息，请删除配偶信息或更正婚姻状况"]
    }


def test_combined_loan_needs_its_bank_part() -> None:
    app = complete().with_scenario(Scenario(loan_kind=LoanKind.COMBINED))
    assert set(errors(app.check(TODAY))) == {"bank_loan"}
    app.bank_loan = BankLoan(bank="中国建设银行", amount="300000", months=360, rate="3.1")
    assert app.check(TODAY) == []
    app.bank_loan = BankLoan(bank="中国建设银行", amount="0", months=360)
    assert set(errors(app.check(TODAY))) == {"bank_loan.amount"}


def test_fund_only_loan_must_not_carry_a_bank_part() -> None:
    app = complete()
    app.bank_loan = BankLoan(bank="中国建设银行", amount="300000", months=360)
    assert set(errors(app.check(TODAY))) == {"bank_loan"}


def test_loans_cannot_exceed_the_price_and_the_fund_loan_must_be_positive() -> None:
    app = complete()
    assert app.fund_loan is not None
    app.fund_loan.amount = Decimal("0")
    assert errors(app.check(TODAY)) == {"fund_loan.amount": ["公积金贷款金额（元）：应大于 0 元"]}
    app.fund_loan.amount = Decimal("1600000")
    assert "超过房屋总价" in errors(app.check(TODAY))["fund_loan.amount"][0]


def test_down_payment_cannot_exceed_the_price() -> None:
    app = complete()
    assert app.property is not None
    app.property.down_payment = Decimal("1600000")
    assert set(errors(app.check(TODAY))) == {"property.down_payment"}


def test_agent_case_needs_the_agent_and_the_power_of_attorney() -> None:
    app = complete().with_scenario(Scenario(presence=Presence.AGENT))
    assert set(errors(app.check(TODAY))) == {"agent"}
    app.agent = Agent(name="赵代办", id_number=AGENT_ID, phone="13900001111")
    assert errors(app.check(TODAY)) == {
        "agent.power_of_attorney": ["代办人已提交授权委托书：代办须提交申请人签署的授权委托书，请收取后勾选"]
    }
    app.agent.power_of_attorney = True
    assert app.check(TODAY) == []
    app.agent.id_number = APPLICANT_ID
    assert set(errors(app.check(TODAY))) == {"agent.id_number"}


def test_agent_data_in_a_self_case_is_only_a_warning() -> None:
    app = complete()
    app.agent = Agent(name="赵代办")
    issues = app.check(TODAY)
    assert errors(issues) == {}
    assert set(warnings(issues)) == {"agent"}


def test_co_borrower_count_must_match_the_scenario() -> None:
    app = complete().with_scenario(Scenario(co_borrower_count=1))
    assert set(errors(app.check(TODAY))) == {"co_borrowers"}
    app.co_borrowers = [CoBorrower(name="张父", id_number=PARENT_ID, relation=CoBorrowerRelation.PARENT)]
    assert app.check(TODAY) == []


def test_co_borrower_cannot_be_the_applicant_or_appear_twice() -> None:
    app = complete().with_scenario(Scenario(co_borrower_count=3))
    app.co_borrowers = [
        CoBorrower(name="张三", id_number=APPLICANT_ID, relation=CoBorrowerRelation.OTHER),
        CoBorrower(name="张父", id_number=PARENT_ID, relation=CoBorrowerRelation.PARENT),
        CoBorrower(name="张父", id_number=PARENT_ID, relation=CoBorrowerRelation.PARENT),
    ]
    found = errors(app.check(TODAY))
    assert set(found) == {"co_borrowers.0.id_number", "co_borrowers.2.id_number"}
    assert "与共同借款人2身份证号码重复" in found["co_borrowers.2.id_number"][0]


def test_co_borrower_relation_spouse_only_when_married_and_matching() -> None:
    unmarried = complete().with_scenario(Scenario(co_borrower_count=1))
    unmarried.co_borrowers = [CoBorrower(name="李梅", id_number=SPOUSE_ID, relation=CoBorrowerRelation.SPOUSE)]
    assert set(errors(unmarried.check(TODAY))) == {"co_borrowers.0.relation"}

    app = married(co_borrower_count=1)
    app.co_borrowers = [CoBorrower(name="李梅", id_number=SPOUSE_ID, relation=CoBorrowerRelation.SPOUSE)]
    assert app.check(TODAY) == []
    app.co_borrowers = [CoBorrower(name="张父", id_number=PARENT_ID, relation=CoBorrowerRelation.SPOUSE)]
    assert set(errors(app.check(TODAY))) == {"co_borrowers.0.id_number"}
    app.co_borrowers = [CoBorrower(name="李梅", id_number=SPOUSE_ID, relation=CoBorrowerRelation.CHILD)]
    assert set(errors(app.check(TODAY))) == {"co_borrowers.0.relation"}


def test_borrowers_must_be_adults_on_the_day_of_the_check() -> None:
    app = complete().with_scenario(Scenario(co_borrower_count=1))
    minor = make_id_number("370202", dt.date(2010, 6, 1), 2)
    app.co_borrowers = [CoBorrower(name="张小妹", id_number=minor, relation=CoBorrowerRelation.SIBLING)]
    assert errors(app.check(TODAY)) == {
        "co_borrowers.0.id_number": ["共同借款人1身份证号码：按出生日期计算年龄为 15 周岁，借款人应年满 18 周岁"]
    }
    assert app.check(dt.date(2028, 6, 1)) == []


def test_check_rechecks_birth_dates_against_its_own_today() -> None:
    app = complete()
    # Validated against today, but checked "in the past" the applicant would not be born yet.
    found = errors(app.check(dt.date(1989, 1, 1)))
    assert "晚于今天" in found["applicant.id_number"][0]


def test_property_kind_must_match_the_scenario_and_resale_needs_the_seller() -> None:
    app = complete().with_scenario(Scenario(property_kind=PropertyKind.RESALE))
    found = errors(app.check(TODAY))
    assert "property.property_kind" in found
    app.property = ResaleHouse(
        location="青岛市市北区某路 3 号",
        contract_number="ZY-1",
        total_price="900000",
        seller_name="钱卖",
        seller_id_number=SELLER_ID,
        title_certificate="鲁(2019)0001",
    )
    assert app.check(TODAY) == []
    assert app.property.house_age_on(TODAY) is None
    app.property.seller_id_number = APPLICANT_ID
    assert set(errors(app.check(TODAY))) == {"property.seller_id_number"}


def test_linked_items_must_fit_the_scenario() -> None:
    app = complete()
    app.scenario = Scenario(property_kind=PropertyKind.RESALE)  # changed without with_scenario()
    app.property = ResaleHouse(
        location="x 路",
        contract_number="ZY-1",
        total_price="900000",
        seller_name="钱卖",
        seller_id_number=SELLER_ID,
        title_certificate="鲁0001",
    )
    found = errors(app.check(TODAY))
    assert set(found) == {"linked_items"}
    assert len(found["linked_items"]) == 2
    assert app.with_scenario(app.scenario).check(TODAY) == []


def test_credit_authorization_must_be_recorded() -> None:
    app = complete()
    app.credit_authorization = None
    assert set(errors(app.check(TODAY))) == {"credit_authorization.recorded"}
    app.credit_authorization = CreditAuthorization(recorded=True)
    assert set(errors(app.check(TODAY))) == {"credit_authorization.reference"}


def test_luhn_and_uscc_failures_are_warnings_only() -> None:
    app = complete()
    assert app.repayment_account is not None and app.employer is not None
    app.repayment_account.card_number = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    app.employer.uscc = "91110000101623741A"
    issues = app.check(TODAY)
    assert errors(issues) == {}
    assert set(warnings(issues)) == {"repayment_account.card_number", "employer.uscc"}
    assert warnings(issues)["employer.uscc"][0].startswith("工作单位统一社会信用代码：")


def test_every_check_message_is_chinese_and_starts_with_its_label() -> None:
    app = Application(
        scenario=Scenario(
            marital_status=MaritalStatus.MARRIED,
            presence=Presence.AGENT,
            loan_kind=LoanKind.COMBINED,
            co_borrower_count=2,
            property_kind=PropertyKind.RESALE,
        ),
        co_borrowers=[CoBorrower(relation=CoBorrowerRelation.SPOUSE)],
        property=NewHouse(),
        fund_loan=FundLoan(amount="0"),
    )
    issues = app.check(TODAY)
    assert len(issues) > 15
    for issue in issues:
        assert issue.message.startswith(f"{issue.label}：")
        assert CJK.search(issue.message.split("：", 1)[1])


# -- JSON round trip -----------------------------------------------------------------------------------------------


def _round_trip(app: Application) -> Application:
    text = json.dumps(app.model_dump(mode="json"), ensure_ascii=False)
    return Application.model_validate(json.loads(text), context={"today": TODAY})


def test_json_round_trip_is_lossless() -> None:
    app = married(co_borrower_count=1, loan_kind=LoanKind.COMBINED, property_kind=PropertyKind.RESALE)
    app.co_borrowers = [
        CoBorrower(name="李梅", id_number=SPOUSE_ID, relation=CoBorrowerRelation.SPOUSE, monthly_income="8000.5")
    ]
    app.bank_loan = BankLoan(bank="中国建设银行", amount="100000", months=240, rate="3.1")
    app.agent = Agent(name="赵代办", id_number=AGENT_ID, power_of_attorney=True)
    app.property = ResaleHouse(
        location="x 路", total_price="900000", seller_id_number=SELLER_ID, completion_year=2005, area="70.456"
    )
    app = app.backfill("fund_account.balance", "60000", today=TODAY)
    assert app.fund_loan is not None
    app.fund_loan.repayment_method = RepaymentMethod.EQUAL_PRINCIPAL
    app.fund_loan.home_ordinal = HomeOrdinal.SECOND
    again = _round_trip(app)
    assert again == app
    assert again.model_dump(mode="json") == app.model_dump(mode="json")
    assert isinstance(again.property, ResaleHouse)
    assert again.sources == {"fund_account.balance": FieldSource.VERIFIED}
    assert again.co_borrowers[0].monthly_income == Decimal("8000.50")


def test_draft_round_trip_is_lossless() -> None:
    draft = Application.model_validate({"applicant": {"name": "王五"}, "property": {"property_kind": "new"}})
    assert _round_trip(draft) == draft


@settings(max_examples=50)
@given(
    amount=st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False),
    months=st.integers(1, 360),
    birth=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 1, 1)),
    seq=st.integers(0, 999),
)
def test_valid_input_never_raises_and_round_trips(amount: Decimal, months: int, birth: dt.date, seq: int) -> None:
    app = Application.model_validate(
        {
            "applicant": {"id_number": make_id_number("370202", birth, seq)},
            "fund_loan": {"amount": str(amount), "months": months},
        },
        context={"today": TODAY},
    )
    assert app.fund_loan is not None and app.fund_loan.amount == amount
    assert app.applicant.birth_date == birth
    assert _round_trip(app) == app
