"""Fictitious sample cases for tests, the benchmark and demo printouts (``counter print --sample``).

Every person is invented; ID numbers are checksum-valid but generated (forms.identifiers.make_id_number), phones
are in the 13800000xxx block, bank cards are generated Luhn-valid numbers. No real person's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from stdnum import luhn
from stdnum.cn import uscc

from forms.application import Application
from forms.identifiers import make_id_number
from forms.materials import (
    Evaluation,
    MaterialState,
    PaperForm,
    Receipt,
    Waiver,
    evaluate,
    initial_checklist,
)
from forms.policy import PolicyPack, load_policy
from forms.scenario import Scenario
from forms.vocabulary import (
    LoanKind,
    MaritalStatus,
    MaterialStatus,
    Presence,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkdayResult, add_working_days
from printouts.models import (
    AuthorizationData,
    CommitmentData,
    FormData,
    GuideData,
    NoticeData,
    Office,
    ReceiptData,
    VerificationRow,
)

SAMPLE_ACCEPTED_AT = datetime(2026, 9, 30, 1, 35, tzinfo=UTC)  # 09:35 in Qingdao
SAMPLE_TODAY = date(2026, 9, 30)

SOURCES: dict[VerificationKind, str] = {
    VerificationKind.IDENTITY: "市公安局",
    VerificationKind.MARRIAGE: "市民政局",
    VerificationKind.CHILDREN: "市卫生健康委",
    VerificationKind.FUND_ACCOUNT: "市住房公积金管理中心",
    VerificationKind.LOAN_HISTORY: "市住房公积金管理中心",
    VerificationKind.CREDIT: "人民银行征信中心",
    VerificationKind.CONTRACT: "市住房和城乡建设局",
    VerificationKind.PROPERTY: "市不动产登记中心",
    VerificationKind.TAX: "市税务局",
    VerificationKind.BANK_CARD: "银联核验服务",
}


class SampleKind(StrEnum):
    """The sample cases the tests and the benchmark print."""

    NEW_MARRIED = "new_married"
    RESALE_WAIVED = "resale_waived"
    DECLINED = "declined"
    AGENT = "agent"
    COMBINED = "combined"
    CROWDED = "crowded"  # three co-borrowers, very long names and addresses, hostile characters


@dataclass(frozen=True)
class SampleCase:
    """Everything one sample case prints from."""

    case_no: str
    policy: PolicyPack
    office: Office
    application: Application
    checklist: list[MaterialState]
    outcomes: dict[VerificationKind, VerificationOutcome]
    verifications: list[VerificationRow]
    evaluation: Evaluation
    promised: WorkdayResult
    accepted_at: datetime
    clerk: str

    def form(self) -> FormData:
        return FormData(
            case_no=self.case_no,
            application=self.application,
            office=self.office,
            printed_at=self.accepted_at,
            verifications=self.verifications,
            clerk=self.clerk,
        )

    def receipt(self) -> ReceiptData:
        return ReceiptData(
            case_no=self.case_no,
            document_no=f"青公积受〔{self.accepted_at.year}〕第{self.case_no[-4:]}号",
            accepted_at=self.accepted_at,
            clerk=self.clerk,
            office=self.office,
            application=self.application,
            evaluation=self.evaluation,
            promised_days=self.policy.promised_working_days.value,
            promised=self.promised,
            verifications=self.verifications,
            checklist=self.checklist,
        )

    def notice(self) -> NoticeData:
        return NoticeData(
            case_no=self.case_no,
            document_no=f"青公积告〔{self.accepted_at.year}〕第{self.case_no[-4:]}号",
            issued_at=self.accepted_at,
            clerk=self.clerk,
            office=self.office,
            application=self.application,
            evaluation=self.evaluation,
            form_issues=[i.message for i in self.application.check(self.accepted_at.date())],
        )

    def commitment(self) -> CommitmentData:
        return CommitmentData(
            case_no=self.case_no,
            accepted_at=self.accepted_at,
            clerk=self.clerk,
            office=self.office,
            application=self.application,
            evaluation=self.evaluation,
        )

    def authorization(self) -> AuthorizationData:
        auth = self.application.credit_authorization
        return AuthorizationData(
            case_no=self.case_no,
            printed_at=self.accepted_at,
            office=self.office,
            application=self.application,
            reference=auth.reference if auth and auth.reference else "",
        )

    def guide(self) -> GuideData:
        return GuideData(
            scenario=self.application.scenario,
            policy=self.policy,
            printed_on=self.accepted_at.date(),
            window=self.office.window,
        )


def _card(prefix: str) -> str:
    body = prefix.ljust(18, "0")
    return body + luhn.calc_check_digit(body)


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def _person(name: str, region: str, birth: date, seq: int, phone: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": make_id_number(region, birth, seq),
        "phone": phone,
        "household_place": "山东省青岛市市南区",
        "address": "山东省青岛市市南区示例路 1 号 2 单元 301 户",
        "education": "本科",
        "occupation": "职员",
        "monthly_income": "12000.00",
        **extra,
    }


def _application(kind: SampleKind) -> Application:
    scenario: dict[str, Any] = {
        "property_kind": PropertyKind.NEW,
        "loan_kind": LoanKind.FUND,
        "presence": Presence.SELF,
        "marital_status": MaritalStatus.MARRIED,
        "co_borrower_count": 0,
    }
    applicant = _person("林晓舟", "370202", date(1990, 3, 14), 131, "13800000001", family_monthly_income="21000.00")
    spouse: dict[str, Any] | None = _person("苏映雪", "370203", date(1991, 8, 2), 242, "13800000002")
    co_borrowers: list[dict[str, Any]] = []
    agent: dict[str, Any] | None = None
    bank_loan: dict[str, Any] | None = None
    house: dict[str, Any] = {
        "property_kind": PropertyKind.NEW,
        "project": "海岸示例花园",
        "location": "青岛市崂山区示例大道 88 号 5 号楼 1 单元 1202 户",
        "area": "89.56",
        "unit_price": "25000.00",
        "total_price": "2239000.00",
        "contract_number": "QDWQ2026-000123",
        "contract_date": date(2026, 9, 20),
        "contract_amount": "2239000.00",
        "down_payment": "700000.00",
        "developer": "青岛示例置业有限公司",
        "presale_permit": "青房注字（2026）第 0001 号",
        "ready_built": False,
    }
    loan_amount = "600000.00"
    if kind is SampleKind.RESALE_WAIVED or kind is SampleKind.DECLINED:
        scenario["property_kind"] = PropertyKind.RESALE
        house = {
            "property_kind": PropertyKind.RESALE,
            "project": "示例小区",
            "location": "青岛市市北区示例路 12 号 3 号楼 2 单元 502 户",
            "area": "76.20",
            "unit_price": "21000.00",
            "total_price": "1600200.00",
            "contract_number": "QDCL2026-004567",
            "contract_date": date(2026, 9, 18),
            "contract_amount": "1600200.00",
            "down_payment": "500200.00",
            "seller_name": "周启航",
            "seller_id_number": make_id_number("370212", date(1975, 6, 9), 173),
            "seller_bank": "示例银行青岛分行",
            "seller_account": "6200000000001234567",
            "title_certificate": "鲁（2015）青岛市不动产权第 0012345 号",
            "completion_year": 2008,
            "appraised_value": "1580000.00",
        }
        scenario["marital_status"] = MaritalStatus.UNMARRIED
        spouse = None
    if kind is SampleKind.AGENT:
        scenario["presence"] = Presence.AGENT
        agent = {
            "name": "陈可欣",
            "id_number": make_id_number("370211", date(1988, 11, 30), 82),
            "phone": "13800000009",
            "relation": "朋友",
            "power_of_attorney": True,
            "power_of_attorney_ref": "WT-2026-0930-01",
        }
    if kind is SampleKind.COMBINED:
        scenario["loan_kind"] = LoanKind.COMBINED
        bank_loan = {"bank": "示例银行青岛分行", "amount": "800000.00", "months": 360, "rate": "3.05"}
    if kind is SampleKind.CROWDED:
        scenario["co_borrower_count"] = 3
        long_place = "新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县" * 2
        applicant["name"] = "阿卜杜热西提·买买提依明·艾则孜江·库尔班尼亚孜"
        applicant["address"] = long_place + "示例镇示例村示例组 999 号院内东侧第二排平房"
        applicant["household_place"] = long_place
        applicant["occupation"] = "A" * 60
        house["location"] = ("../../etc/passwd 青岛市西海岸新区示例街道" * 5)[:200]
        house["project"] = "<b>未闭合标签 & 特殊字符 \x1b[31m红色\x1b[0m" + "很长的项目名称" * 20
        names = ["苏映雪", "欧阳青山远·长名字测试人员", "司马示例"]
        relations = ["spouse", "parent", "child"]
        births = [date(1991, 8, 2), date(1962, 2, 5), date(2001, 3, 5)]
        seqs = [242, 13, 15]
        regions = ["370203", "370202", "370202"]
        for index in range(3):
            co = _person(
                names[index],
                regions[index],
                births[index],
                seqs[index],
                f"1380000001{index}",
                relation=relations[index],
                fund_account_number=f"10000000{index}",
                fund_account_place="青岛市",
            )
            co["address"] = long_place + f"第 {index + 1} 号"
            co_borrowers.append(co)
    data: dict[str, Any] = {
        "scenario": scenario,
        "applicant": applicant,
        "spouse": spouse,
        "co_borrowers": co_borrowers,
        "agent": agent,
        "employer": {
            "name": "青岛示例科技有限公司",
            "unit_account": "370200123456",
            "uscc": _uscc("91370202MA0000000"),
            "address": "青岛市市南区示例路 100 号",
            "phone": "0532-80000000",
        },
        "fund_account": {
            "account_number": "3702001234567",
            "status": "normal",
            "balance": "85320.50",
            "contribution_base": "12000.00",
            "monthly_deposit": "2880.00",
            "paid_up_to": "2026-08",
            "consecutive_months": 64,
            "opened_on": date(2018, 7, 1),
        },
        "property": house,
        "fund_loan": {
            "amount": loan_amount,
            "months": 360,
            "rate": "2.6",
            "repayment_method": "annuity",
            "home_ordinal": "first",
            "fund_account_deduction": True,
        },
        "bank_loan": bank_loan,
        "repayment_account": {"bank": "示例银行青岛分行", "card_number": _card("621700000000012345")[:19]},
        "credit_authorization": {
            "recorded": True,
            "reference": "ZX-2026-0930-0001",
            "recorded_at": SAMPLE_ACCEPTED_AT,
        },
    }
    return Application.model_validate(data, context={"today": SAMPLE_TODAY})


def sample_case(kind: SampleKind | str, policy_code: str = "qingdao") -> SampleCase:
    """A complete fictitious case of the given kind, evaluated against the policy pack."""
    kind = SampleKind(kind)
    policy = load_policy(policy_code)
    app = _application(kind)
    scenario: Scenario = app.scenario
    outcomes = {k: VerificationOutcome.MATCH for k in scenario.verifications()}
    if kind is SampleKind.DECLINED:
        outcomes[VerificationKind.CONTRACT] = VerificationOutcome.NOT_FOUND
        outcomes[VerificationKind.TAX] = VerificationOutcome.UNAVAILABLE
    lines = initial_checklist(policy.materials, scenario, outcomes)
    waive = {"appraisal_report"} if kind is SampleKind.RESALE_WAIVED else set()
    if kind is SampleKind.CROWDED:
        waive = {"income_proof", "co_borrower_income"}
    leave_missing = {"purchase_contract", "co_owner_consent", "income_proof"} if kind is SampleKind.DECLINED else set()
    checklist: list[MaterialState] = []
    for line in lines:
        if line.status is MaterialStatus.VERIFIED or line.code in leave_missing:
            checklist.append(line)
        elif line.code in waive:
            checklist.append(
                MaterialState(
                    code=line.code,
                    status=MaterialStatus.WAIVED,
                    waived=Waiver(commitment_signed=True, reason="评估机构尚未出具报告，申请人承诺补交"),
                )
            )
        else:
            form = PaperForm.COPY if "licence" in line.code or "permit" in line.code else PaperForm.ORIGINAL
            checklist.append(
                MaterialState(code=line.code, status=MaterialStatus.RECEIVED, received=Receipt(form=form, count=1))
            )
    accepted_on = SAMPLE_ACCEPTED_AT.date()
    evaluation = evaluate(policy.materials, scenario, checklist, outcomes, accepted_on)
    checked = SAMPLE_ACCEPTED_AT.replace(minute=20)
    verifications = [
        VerificationRow(kind=k, outcome=o, source=SOURCES[k], checked_at=checked) for k, o in outcomes.items()
    ]
    serial = {k: n for n, k in enumerate(SampleKind, 1)}[kind]
    return SampleCase(
        case_no=f"QD01-20260930-{serial:04d}",
        policy=policy,
        office=Office.from_policy(policy, "公积金贷款购房“一件事”专窗 3 号窗口"),
        application=app,
        checklist=checklist,
        outcomes=outcomes,
        verifications=verifications,
        evaluation=evaluation,
        promised=add_working_days(accepted_on, policy.promised_working_days.value),
        accepted_at=SAMPLE_ACCEPTED_AT,
        clerk="王窗口（QD01-07）",
    )
