"""The merged application (一表申请): the :class:`Application` model with backfill and its acceptance checks.

:func:`label_for` and :func:`issues_from_error` are here because labels are resolved from the Application model.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, ValidationError, model_validator

from forms.application._base import _FormModel, _join, _model_types, _reason, _split, _walk, field, field_source
from forms.application.issues import Issue, _Findings
from forms.application.loan_parts import BankLoan, CreditAuthorization, FundLoan, RepaymentAccount
from forms.application.people import (
    FUND_ACCOUNT_STATUS_LABELS,
    Agent,
    Applicant,
    CoBorrower,
    CoBorrowerRelation,
    Employer,
    FundAccount,
    FundAccountStatus,
    Person,
    Spouse,
)
from forms.application.property import NewHouse, PropertyDetails, ResaleHouse
from forms.identifiers import FieldError, parse_bank_card, parse_id_number, parse_uscc
from forms.scenario import Scenario
from forms.vocabulary import LINKED_ITEM_LABELS, FieldSource, LinkedItem, LoanKind, MaritalStatus, PropertyKind

_MARITAL_LABELS: dict[MaritalStatus, str] = {
    MaritalStatus.UNMARRIED: "未婚",
    MaritalStatus.MARRIED: "已婚",
    MaritalStatus.DIVORCED: "离异",
    MaritalStatus.WIDOWED: "丧偶",
}


def label_for(path: str) -> str:
    """Full label of a dotted path in an Application: ``co_borrowers.1.id_number`` -> ``共同借款人2身份证号码``."""
    titles, _ = _walk(Application, _split(path))
    return "".join(titles)


def issues_from_error(exc: ValidationError, prefix: str = "") -> list[Issue]:
    """Turn a validation error into Issues with full labels; ``prefix`` is the dotted path of the model that was
    validated inside an Application (e.g. ``"applicant"`` after ``app.applicant.phone = ...`` failed)."""
    issues: list[Issue] = []
    base = _split(prefix)
    for error in exc.errors():
        titles, path = _walk(Application, [*base, *error["loc"]])
        ctx = error.get("ctx") or {}
        reason = str(ctx["reason"]) if error["type"] == "form" and "reason" in ctx else _reason(error)
        label = "".join(titles) or "申请表"
        issues.append(Issue(path=_join(path), label=label, message=f"{label}：{reason}"))
    return issues


class Application(_FormModel):
    """一表申请: everything the clerk fills for one case, as a draft or ready for acceptance."""

    scenario: Scenario = field("办理情形", default_factory=Scenario)
    applicant: Applicant = field("申请人", default_factory=Applicant)
    spouse: Spouse | None = field("配偶")
    co_borrowers: list[CoBorrower] = field("共同借款人", default_factory=list, max_length=3)
    agent: Agent | None = field("代办人")
    employer: Employer | None = field("工作单位")
    fund_account: FundAccount | None = field("公积金账户")
    property: PropertyDetails | None = field("房屋")
    fund_loan: FundLoan | None = field("公积金贷款")
    bank_loan: BankLoan | None = field("商业贷款")
    repayment_account: RepaymentAccount | None = field("还款账户")
    linked_items: list[LinkedItem] | None = field("联办事项")
    credit_authorization: CreditAuthorization | None = field("征信查询授权")
    sources: dict[str, FieldSource] = field("字段来源", default_factory=dict)

    @model_validator(mode="after")
    def _default_linked_items(self) -> Self:
        # Filled from the scenario when absent; check() flags a list that no longer fits a changed scenario.
        if self.linked_items is None:
            self.__dict__["linked_items"] = self.scenario.linked_items()
        return self

    # -- sources and backfill -----------------------------------------------------------------------------------

    def source_of(self, path: str) -> FieldSource:
        """Where the value at ``path`` came from: recorded by backfill, else the field's static source."""
        if path in self.sources:
            return self.sources[path]
        _, clean = _walk(Application, _split(path))
        if clean and isinstance(clean[-1], str):
            owner = self._owner_class(clean)
            if owner is not None:
                return field_source(owner, clean[-1])
        return FieldSource.TYPED

    def _owner_class(self, path: list[str | int]) -> type[BaseModel] | None:
        candidates: list[type[BaseModel]] = [Application]
        for segment in path[:-1]:
            if isinstance(segment, int):
                continue
            owner = next((c for c in candidates if segment in c.model_fields), None)
            if owner is None:
                return None
            candidates = _model_types(owner.model_fields[segment].annotation)
            if segment == "property":
                # The variant in place, or the one a new property section would get (the scenario's kind).
                kind = self.property.property_kind if self.property is not None else self.scenario.property_kind
                candidates = [NewHouse if kind is PropertyKind.NEW else ResaleHouse]
        last = path[-1]
        return next((c for c in candidates if isinstance(last, str) and last in c.model_fields), None)

    def backfill(
        self,
        path: str,
        value: Any,
        source: FieldSource = FieldSource.VERIFIED,
        *,
        today: dt.date | None = None,
    ) -> Application:
        """A new Application with ``value`` at dotted ``path`` and ``sources[path] = source``.

        The whole form is re-validated (registry data is untrusted), so on a ValidationError nothing changes.
        Missing sections are created on the way (``property`` takes the scenario's property kind); a list index
        may address an existing co-borrower or the next one. Use ``source=FieldSource.TYPED`` when the clerk
        overrides a value a registry returned. ``today`` freezes the date for date checks.
        """
        segments = _split(path)
        if not segments or segments[0] == "sources" or self._owner_class(segments) is None:
            raise ValueError(f"未知的字段路径：{path}")
        data = self.model_dump(mode="python")
        container: Any = data
        for segment, following in itertools.pairwise(segments):
            if isinstance(container, list):
                assert isinstance(segment, int)
                if segment == len(container):
                    container.append({})
                elif segment > len(container):
                    raise ValueError(f"共同借款人序号 {segment + 1} 超出已填写人数，请按顺序添加")
                child = container[segment]
            else:
                child = container.get(segment)
                if child is None:
                    child = [] if isinstance(following, int) else {}
                    if segment == "property":
                        child = {"property_kind": self.scenario.property_kind}
                    container[segment] = child
            container = child
        last = segments[-1]
        if isinstance(container, list):
            assert isinstance(last, int)
            if last == len(container):
                container.append(value)
            else:
                container[last] = value
        else:
            container[last] = value
        data["sources"] = {**self.sources, path: source}
        context = {"today": today} if today is not None else None
        return Application.model_validate(data, context=context)

    def with_scenario(self, scenario: Scenario, *, today: dt.date | None = None) -> Application:
        """A new Application for a changed scenario; the linked items are reset to the new scenario's."""
        data = self.model_dump(mode="python")
        data["scenario"] = scenario
        data["linked_items"] = None
        context = {"today": today} if today is not None else None
        return Application.model_validate(data, context=context)

    # -- acceptance checks --------------------------------------------------------------------------------------

    def check(self, today: dt.date) -> list[Issue]:
        """Completeness and cross-field rules for acceptance on ``today``; errors block, warnings inform."""
        found = _Findings(label_for)
        self._check_people(found, today)
        self._check_agent(found, today)
        self._check_fund(found, today)
        self._check_property(found, today)
        self._check_loans(found)
        self._check_authorization(found, today)
        return found.issues

    def _check_id_today(self, found: _Findings, path: str, number: str | None, today: dt.date) -> None:
        # Field validation may have run on another day (or the wall clock); re-run the time-dependent part.
        if number is None:
            return
        try:
            parse_id_number(number, today)
        except FieldError as error:
            found.add(path, error.reason)

    def _check_person(self, found: _Findings, prefix: str, person: Person, today: dt.date, adult: bool) -> None:
        found.require(f"{prefix}.name", person.name, "请按身份证件填写姓名")
        if found.require(f"{prefix}.id_number", person.id_number, "请输入 18 位公民身份号码"):
            self._check_id_today(found, f"{prefix}.id_number", person.id_number, today)
        age = person.age_on(today)
        if adult and age is not None and 0 <= age < 18:
            found.add(f"{prefix}.id_number", f"按出生日期计算年龄为 {age} 周岁，借款人应年满 18 周岁")

    def _check_people(self, found: _Findings, today: dt.date) -> None:
        scenario = self.scenario
        applicant_id = self.applicant.id_number
        self._check_person(found, "applicant", self.applicant, today, adult=True)
        found.require("applicant.phone", self.applicant.phone, "请输入 11 位手机号码")

        spouse = self.spouse if self.spouse is not None and not self.spouse.is_empty() else None
        spouse_id = spouse.id_number if spouse else None
        if scenario.married:
            if spouse is None:
                found.add_missing("spouse", "婚姻状况为已婚，应填写配偶的姓名和身份证号码")
            else:
                self._check_person(found, "spouse", spouse, today, adult=False)
                if spouse_id and spouse_id == applicant_id:
                    found.add("spouse.id_number", "与申请人身份证号码相同，应填写配偶本人的身份证号码")
        elif spouse is not None:
            status = _MARITAL_LABELS[scenario.marital_status]
            found.add("spouse", f"婚姻状况为{status}，不应填写配偶信息，请删除配偶信息或更正婚姻状况")

        if len(self.co_borrowers) != scenario.co_borrower_count:
            # Fewer than the scenario says: the next ones are still to be typed.
            add = found.add_missing if len(self.co_borrowers) < scenario.co_borrower_count else found.add
            count = len(self.co_borrowers)
            add("co_borrowers", f"办理情形为 {scenario.co_borrower_count} 人，已填写 {count} 人，应一致")
        seen: dict[str, int] = {}
        for index, co in enumerate(self.co_borrowers):
            prefix = f"co_borrowers.{index}"
            self._check_person(found, prefix, co, today, adult=True)
            found.require(f"{prefix}.relation", co.relation, "请选择与申请人关系")
            number = co.id_number
            if co.relation is CoBorrowerRelation.SPOUSE:
                if not scenario.married:
                    found.add(f"{prefix}.relation", "申请人婚姻状况不是已婚，关系不能为配偶")
                elif spouse_id and number and number != spouse_id:
                    found.add(f"{prefix}.id_number", "关系为配偶，应与配偶身份证号码一致")
            elif number and spouse_id and number == spouse_id:
                found.add(f"{prefix}.relation", "该身份证号码与配偶相同，与申请人关系应为配偶")
            if not number:
                continue
            if number == applicant_id:
                found.add(f"{prefix}.id_number", "与申请人身份证号码相同，申请人不能同时作为共同借款人")
            if number in seen:
                found.add(f"{prefix}.id_number", f"与共同借款人{seen[number] + 1}身份证号码重复，每人只能填写一次")
            else:
                seen[number] = index

    def _check_agent(self, found: _Findings, today: dt.date) -> None:
        agent = self.agent
        if not self.scenario.by_agent:
            if agent is not None and any(v is not None for v in agent.model_dump().values()):
                found.warn("agent", "办理方式为本人办理，代办人信息不会使用；如由他人代办请更正办理方式")
            return
        if agent is None:
            found.add_missing("agent", "办理方式为代办，应填写代办人姓名、身份证号码、手机号码并提交授权委托书")
            return
        found.require("agent.name", agent.name, "请按身份证件填写代办人姓名")
        if found.require("agent.id_number", agent.id_number, "请输入代办人 18 位公民身份号码"):
            self._check_id_today(found, "agent.id_number", agent.id_number, today)
            if agent.id_number == self.applicant.id_number:
                found.add("agent.id_number", "与申请人身份证号码相同；本人到场办理请将办理方式改为本人办理")
        found.require("agent.phone", agent.phone, "请输入代办人 11 位手机号码")
        if agent.power_of_attorney is not True:
            found.add("agent.power_of_attorney", "代办须提交申请人签署的授权委托书，请收取后勾选")

    def _check_fund(self, found: _Findings, today: dt.date) -> None:
        if self.employer is None or not self.employer.name:
            found.add("employer.name", "未填写，请填写工作单位名称（可由公积金账户核验回填）")
        if self.employer is not None and self.employer.uscc:
            for warning in parse_uscc(self.employer.uscc, label_for("employer.uscc")).warnings:
                found.warn_as_is("employer.uscc", warning)
        account = self.fund_account
        if account is None or not account.account_number:
            found.add("fund_account.account_number", "未填写，请填写个人公积金账号（可由公积金账户核验回填）")
            return
        if account.status is not None and account.status is not FundAccountStatus.NORMAL:
            status = FUND_ACCOUNT_STATUS_LABELS[account.status]
            found.warn("fund_account.status", f"账户状态为{status}，申请公积金贷款通常须正常缴存，请核实")
        if account.opened_on is not None and account.opened_on > today:
            found.add("fund_account.opened_on", f"{account.opened_on.isoformat()} 晚于今天，应为今天或之前的日期")

    def _check_property(self, found: _Findings, today: dt.date) -> None:
        house = self.property
        kind = self.scenario.property_kind
        if house is None:
            found.add_missing("property", "未填写，请填写所购房屋及购房合同信息（可由网签备案核验回填）")
            return
        if house.property_kind is not kind:
            expected = "新建商品房" if kind is PropertyKind.NEW else "再交易住房"
            found.add("property.property_kind", f"与办理情形不一致，应为{expected}")
        found.require("property.location", house.location, "请填写房屋坐落")
        found.require("property.contract_number", house.contract_number, "请填写购房合同编号")
        found.require("property.total_price", house.total_price, "请填写房屋总价")
        if house.contract_date is not None and house.contract_date > today:
            found.add("property.contract_date", f"{house.contract_date.isoformat()} 晚于今天，应为今天或之前的日期")
        if house.total_price is not None and house.down_payment is not None and house.down_payment > house.total_price:
            found.add(
                "property.down_payment",
                f"首付款 {house.down_payment} 元超过房屋总价 {house.total_price} 元，应不超过总价",
            )
        if (
            house.total_price is not None
            and house.contract_amount is not None
            and house.contract_amount != house.total_price
        ):
            found.warn(
                "property.contract_amount",
                f"合同金额 {house.contract_amount} 元与房屋总价 {house.total_price} 元不一致，请核对",
            )
        if isinstance(house, ResaleHouse):
            found.require("property.seller_name", house.seller_name, "请按卖方身份证件填写")
            if found.require("property.seller_id_number", house.seller_id_number, "请输入卖方 18 位公民身份号码"):
                self._check_id_today(found, "property.seller_id_number", house.seller_id_number, today)
                if house.seller_id_number == self.applicant.id_number:
                    found.add("property.seller_id_number", "与申请人身份证号码相同，卖方不能是申请人本人")
            found.require("property.title_certificate", house.title_certificate, "请填写卖方不动产权证书号")
            if house.completion_year is not None and house.completion_year > today.year:
                found.add("property.completion_year", f"{house.completion_year} 晚于今年，应为已建成的年份")
        elif house.ready_built is not True and not house.presale_permit:
            found.warn("property.presale_permit", "期房应填写预售许可证号，请核对")

    def _check_loans(self, found: _Findings) -> None:
        loan = self.fund_loan
        if loan is None:
            found.add_missing("fund_loan", "未填写，请填写公积金贷款金额、期限、还款方式和购房套数")
        else:
            if found.require("fund_loan.amount", loan.amount, "请填写公积金贷款金额") and loan.amount == 0:
                found.add("fund_loan.amount", "应大于 0 元")
            found.require("fund_loan.months", loan.months, "请填写贷款期限（月）")
            found.require("fund_loan.repayment_method", loan.repayment_method, "请选择等额本息或等额本金")
            found.require("fund_loan.home_ordinal", loan.home_ordinal, "请选择首套或二套")

        bank = self.bank_loan
        combined = self.scenario.loan_kind is LoanKind.COMBINED
        if combined:
            if bank is None:
                found.add_missing("bank_loan", "贷款类型为组合贷款，应填写商业贷款部分的承贷银行、金额和期限")
            else:
                found.require("bank_loan.bank", bank.bank, "请填写承贷银行")
                if found.require("bank_loan.amount", bank.amount, "请填写商业贷款金额") and bank.amount == 0:
                    found.add("bank_loan.amount", "应大于 0 元")
                found.require("bank_loan.months", bank.months, "请填写商业贷款期限（月）")
        elif bank is not None and bank.amount:
            found.add("bank_loan", "贷款类型为纯公积金贷款，不应填写商业贷款部分；组合贷款请更正贷款类型")

        total = (loan.amount if loan and loan.amount else Decimal(0)) + (
            bank.amount if combined and bank and bank.amount else Decimal(0)
        )
        house = self.property
        if house is not None and house.total_price is not None and total > house.total_price:
            found.add(
                "fund_loan.amount",
                f"贷款金额合计 {total} 元超过房屋总价 {house.total_price} 元，应不超过房屋总价",
            )

        account = self.repayment_account
        if account is None or not account.card_number:
            found.add_missing("repayment_account.card_number", "未填写，请输入 16–19 位还款银行卡号")
        else:
            found.require("repayment_account.bank", account.bank, "请填写开户银行")
            for warning in parse_bank_card(account.card_number, label_for("repayment_account.card_number")).warnings:
                found.warn_as_is("repayment_account.card_number", warning)

    def _check_authorization(self, found: _Findings, today: dt.date) -> None:
        items = self.linked_items or []
        expected = self.scenario.linked_items()
        for item in expected:
            if item not in items:
                found.add("linked_items", f"缺少“{LINKED_ITEM_LABELS[item]}”，当前办理情形须包含此事项")
        for item in items:
            if item not in expected:
                found.add("linked_items", f"“{LINKED_ITEM_LABELS[item]}”不适用于当前办理情形，请删除")
        if LinkedItem.CREDIT_INQUIRY not in items:
            return
        auth = self.credit_authorization
        if auth is None or auth.recorded is not True:
            found.add("credit_authorization.recorded", "征信查询前须由申请人签署征信查询授权书，请签署后登记")
            return
        found.require("credit_authorization.reference", auth.reference, "请填写授权书编号")
        if auth.recorded_at is not None and auth.recorded_at.astimezone(dt.UTC).date() > today:
            found.add("credit_authorization.recorded_at", "晚于今天，应为已签署的时间")
