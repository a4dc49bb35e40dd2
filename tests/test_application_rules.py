"""Tests for forms.application: backfill, cross-field check() rules, JSON round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from forms.application import (
    Agent,
    Application,
    BankLoan,
    CoBorrower,
    CoBorrowerRelation,
    CreditAuthorization,
    FundLoan,
    NewHouse,
    ResaleHouse,
    Spouse,
)
from forms.identifiers import Sex, make_id_number
from forms.scenario import Scenario
from forms.vocabulary import (
    FieldSource,
    HomeOrdinal,
    LoanKind,
    MaritalStatus,
    Presence,
    PropertyKind,
    RepaymentMethod,
)
from tests.application_helpers import (
    AGENT_ID,
    APPLICANT_ID,
    CARD,
    CJK,
    PARENT_ID,
    SELLER_ID,
    SPOUSE_ID,
    TODAY,
    complete,
    errors,
    warnings,
)

# -- backfill ------------------------------------------------------------------------------------------------------


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
