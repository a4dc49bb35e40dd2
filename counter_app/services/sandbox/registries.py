"""The sandbox registries: how each of the ten lookups is answered from the roster.

Rules (documented for trainers in docs/sandbox.md):

- identity: unknown ID -> not_found; cancelled household registration -> not_found (data says why); name differs
  from the registered one -> mismatch; else match.
- marriage: declared status (and spouse ID, when given) compared with the registry -> match / mismatch.
- children: match with the count; a declared multi-child family the registry does not confirm -> mismatch.
- fund_account: no account -> not_found; a given account number that differs -> mismatch; else match with the
  account's facts (status, months open ...). Eligibility (suspended, < 6 months) is the domain's to judge.
- loan_history: match with the counts of prior fund loans (open / total).
- credit: match with the report summary (overdue records included, and the last 24 months' overdue months and
  longest run); the authorization is checked at the HTTP layer.
- contract: unknown or not filed -> not_found; the subject is not a buyer -> mismatch; else match.
- property: by certificate number, else the pre-registration of the contract; unknown -> not_found; the subject is
  neither owner nor buyer -> mismatch; else match.
- tax: no declaration -> not_found; declared but deed tax unpaid -> mismatch; else match.
- bank_card: unknown card -> not_found; holder is someone else -> mismatch; else match.

Other registries than identity match people by ID number only: a wrong name is the identity check's to catch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from counter_app.services.sandbox.roster import PersonRecord, RosterIndex
from forms.identifiers import mask_card, mask_id, mask_name
from forms.vocabulary import VerificationKind, VerificationOutcome

SOURCES: dict[VerificationKind, str] = {
    VerificationKind.IDENTITY: "公安人口信息库（沙箱）",
    VerificationKind.MARRIAGE: "民政婚姻登记库（沙箱）",
    VerificationKind.CHILDREN: "卫健出生医学证明与户籍库（沙箱）",
    VerificationKind.FUND_ACCOUNT: "住房公积金业务系统（沙箱）",
    VerificationKind.LOAN_HISTORY: "住房公积金贷款系统（沙箱）",
    VerificationKind.CREDIT: "人民银行征信中心（沙箱）",
    VerificationKind.CONTRACT: "住建网签备案系统（沙箱）",
    VerificationKind.PROPERTY: "不动产登记系统（沙箱）",
    VerificationKind.TAX: "税务征管系统（沙箱）",
    VerificationKind.BANK_CARD: "银联银行卡核验（沙箱）",
}

Answer = tuple[VerificationOutcome, dict[str, Any]]


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def _months_ago(today: date, months: int) -> date:
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    # Clamp the day: 31 March minus one month is 28/29 February.
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Registries:
    """Answers ``(kind, subject, params)`` from a roster index; ``today`` anchors relative dates."""

    def __init__(self, index: RosterIndex, today: Callable[[], date]) -> None:
        self.index = index
        self.today = today

    def answer(self, kind: VerificationKind, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        person = self.index.people.get(id_number.strip().upper())
        handler = getattr(self, f"_{kind.value}")
        result: Answer = handler(person, name.strip(), id_number.strip().upper(), params)
        return result

    # -- people ----------------------------------------------------------------------------------------------
    def _identity(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        if person is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "公安人口信息库中无此身份证号"}
        if person.household_status == "cancelled":
            return VerificationOutcome.NOT_FOUND, {"household_status": "cancelled", "reason": "户籍已注销"}
        data = {
            "name": person.name,
            "household_status": person.household_status,
            "id_number_masked": mask_id(person.id_number),
        }
        if person.name != name:
            return VerificationOutcome.MISMATCH, {
                "household_status": person.household_status,
                "reason": "姓名与身份证号登记信息不一致",
                "registered_name_masked": mask_name(person.name),
            }
        return VerificationOutcome.MATCH, data

    def _marriage(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        if person is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "婚姻登记库中无此人记录"}
        data: dict[str, Any] = {
            "marital_status": person.marital_status.value,
            "registered_on": person.marriage_registered_on.isoformat() if person.marriage_registered_on else None,
        }
        spouse = self.index.people.get(person.spouse_id_number or "")
        if spouse is not None:
            data["spouse_name"] = spouse.name
            data["spouse_id_number_masked"] = mask_id(spouse.id_number)
        declared = params.get("declared_status")
        declared_spouse = str(params.get("spouse_id_number") or "").strip().upper()
        if declared is not None and declared != person.marital_status.value:
            return VerificationOutcome.MISMATCH, {**data, "reason": "申报婚姻状况与登记不一致"}
        if declared_spouse and declared_spouse != (person.spouse_id_number or ""):
            return VerificationOutcome.MISMATCH, {**data, "reason": "申报配偶与婚姻登记不一致"}
        return VerificationOutcome.MATCH, data

    def _children(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        if person is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到该人员的子女登记信息"}
        data = {"children_count": person.children_count, "multi_child": person.children_count >= 2}
        if params.get("declared_multi_child") is True and not data["multi_child"]:
            return VerificationOutcome.MISMATCH, {**data, "reason": "申报多子女家庭，登记子女数不足2个"}
        return VerificationOutcome.MATCH, data

    def _fund_account(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        account = person.fund_account if person else None
        if account is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到该人员的住房公积金个人账户"}
        today = self.today()
        opened = _months_ago(today, account.opened_months_ago)
        data = {
            "account_no": account.account_no,
            "status": account.status,
            "unit_name": account.unit_name,
            "opened_on": opened.isoformat(),
            "months_open": _months_between(opened, today),
            "balance": str(account.balance),
            "contribution_base": str(account.contribution_base),
            "monthly_deposit": str(account.monthly_deposit),
            "consecutive_months": 0 if account.status != "normal" else _months_between(opened, today),
        }
        wanted = str(params.get("account_no") or "").strip()
        if wanted and wanted != account.account_no:
            return VerificationOutcome.MISMATCH, {**data, "reason": "所填公积金账号与登记不一致"}
        return VerificationOutcome.MATCH, data

    def _loan_history(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        if person is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "贷款系统中无此人记录"}
        loans = person.fund_loans
        return VerificationOutcome.MATCH, {
            "fund_loans_total": len(loans),
            "fund_loans_open": sum(1 for loan in loans if loan.status == "open"),
            "loans": [{"loan_no": loan.loan_no, "status": loan.status, "amount": str(loan.amount)} for loan in loans],
        }

    def _credit(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        if person is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "征信系统中无此人信用记录"}
        credit = person.credit
        return VerificationOutcome.MATCH, {
            "overdue_count": credit.overdue_count,
            "current_overdue": credit.current_overdue,
            "max_overdue_months": credit.max_overdue_months,
            "open_loans": credit.open_loans,
            "summary": credit.summary,
            "overdue_months_24": credit.overdue_months_24,
            "overdue_max_consecutive_24": credit.overdue_max_consecutive_24,
        }

    # -- property --------------------------------------------------------------------------------------------
    def _contract(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        number = str(params.get("contract_no") or "").strip()
        contract = self.index.contracts.get(number)
        if contract is None or not contract.filed:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到该合同的网签备案记录"}
        buyers = [self.index.people[b].name for b in contract.buyer_ids if b in self.index.people]
        data = {
            "contract_no": contract.contract_no,
            "property_kind": contract.property_kind.value,
            "filed_on": contract.filed_on.isoformat() if contract.filed_on else None,
            "buyers": buyers,
            "seller_name": contract.seller_name
            or "、".join(self.index.people[s].name for s in contract.seller_ids if s in self.index.people),
            # The filing names both parties: a resale's seller comes back with the ID on the contract.
            "seller_ids": list(contract.seller_ids),
            "address": contract.address,
            "area_m2": str(contract.area_m2),
            "total_price": str(contract.total_price),
            "pre_sale_permit": contract.pre_sale_permit,
        }
        if id_number not in contract.buyer_ids:
            return VerificationOutcome.MISMATCH, {**data, "reason": "申请人不是该备案合同的买受人"}
        return VerificationOutcome.MATCH, data

    def _property(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        cert = str(params.get("cert_no") or "").strip()
        contract_no = str(params.get("contract_no") or "").strip()
        record = self.index.properties.get(cert) if cert else None
        if record is None and not cert and contract_no:
            record = self.index.property_for_contract(contract_no)
        if record is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到不动产登记（预告登记或产权）记录"}
        data = {
            "cert_no": record.cert_no,
            "kind": record.kind,
            "address": record.address,
            "area_m2": str(record.area_m2),
            "registered_on": record.registered_on.isoformat(),
            "built_year": record.built_year,
            "owners": [self.index.people[o].name for o in record.owner_ids if o in self.index.people],
        }
        contract = self.index.contracts.get(record.contract_no or "")
        related = set(record.owner_ids) | set(contract.buyer_ids if contract else [])
        if id_number not in related:
            return VerificationOutcome.MISMATCH, {**data, "reason": "申请人与该不动产登记无关"}
        return VerificationOutcome.MATCH, data

    def _tax(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        contract_no = str(params.get("contract_no") or "").strip()
        tax = self.index.taxes.get(contract_no)
        if tax is None or not tax.declared:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到该交易的税费申报记录"}
        data = {
            "contract_no": tax.contract_no,
            "declared": tax.declared,
            "deed_tax_paid": tax.deed_tax_paid,
            "deed_tax_amount": str(tax.deed_tax_amount),
            "paid_on": tax.paid_on.isoformat() if tax.paid_on else None,
        }
        if not tax.deed_tax_paid:
            return VerificationOutcome.MISMATCH, {**data, "reason": "契税已申报但尚未缴纳"}
        return VerificationOutcome.MATCH, data

    def _bank_card(self, person: PersonRecord | None, name: str, id_number: str, params: dict[str, Any]) -> Answer:
        number = str(params.get("card_no") or "").strip()
        card = self.index.cards.get(number)
        if card is None:
            return VerificationOutcome.NOT_FOUND, {"reason": "未查到该银行卡"}
        data = {"card_no_masked": mask_card(card.card_no), "bank": card.bank}
        if card.holder_id_number != id_number:
            holder = self.index.people.get(card.holder_id_number)
            return VerificationOutcome.MISMATCH, {
                **data,
                "reason": "银行卡户名与申请人不一致",
                "holder_name_masked": mask_name(holder.name) if holder else "*",
            }
        return VerificationOutcome.MATCH, data
