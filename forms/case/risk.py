"""Risk flags (cross-checks at intake) and the machine pre-check verdict (机审), as the back office would judge.

Each flag has a code, a severity (``refuse`` / ``manual`` / ``note``, pack data: ``loan.toml`` ``[flags]``) and its
evidence: which lookup, about whom, when. The verdict is ``refuse`` when any flag refuses, ``manual`` when any flag
asks for review, else ``auto`` (eligible for machine approval). A clerk cannot waive a flag; a supervisor may
annotate one (kept in the case, audited).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from forms.case import household
from forms.case.household import Member
from forms.case.record import CaseFile, LookupRecord
from forms.china_time import CHINA_TZ
from forms.loan import LoanLimit
from forms.materials import Whose
from forms.policy import PolicyPack
from forms.vocabulary import (
    HomeOrdinal,
    LoanKind,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)

Severity = Literal["refuse", "manual", "note"]
Verdict = Literal["auto", "manual", "refuse"]

VERDICT_LABELS: dict[str, str] = {"auto": "可机审（自动审批）", "manual": "转人工审核", "refuse": "不符合条件"}
SEVERITY_LABELS: dict[str, str] = {"refuse": "拒绝", "manual": "人工审核", "note": "提示"}

# Used only where a pack lists no severity for a code (a pack written before the code existed).
FALLBACK_SEVERITY: dict[str, Severity] = {"lookups_incomplete": "manual", "verified_value_overridden": "manual"}


class RiskFlag(BaseModel):
    """One cross-check that did not pass, with the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    kind: VerificationKind | None = None
    person: Whose | None = None
    position: int = 0
    checked_at: datetime | None = None

    @property
    def evidence(self) -> str:
        """Which lookup, about whom, when — in Chinese, for the review step and the form."""
        if self.kind is None:
            return "据申请表填报内容"
        from forms.vocabulary import VERIFICATION_LABELS

        who = household.member_label(self.person or Whose.APPLICANT, self.position)
        when = self.checked_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if self.checked_at else ""
        return f"{who}·{VERIFICATION_LABELS[self.kind]} {when}".strip()


def _severity(policy: PolicyPack, code: str) -> Severity | None:
    sourced = policy.loan.flags.get(code)
    if sourced is None:
        return FALLBACK_SEVERITY.get(code)
    value = sourced.value
    return value if value in ("refuse", "manual", "note") else None  # type: ignore[return-value]


class _Flags:
    def __init__(self, policy: PolicyPack) -> None:
        self.policy = policy
        self.found: list[RiskFlag] = []

    def add(self, code: str, message: str, record: LookupRecord | None = None, member: Member | None = None) -> None:
        severity = _severity(self.policy, code)
        if severity is None:
            return  # the pack does not judge this
        self.found.append(
            RiskFlag(
                code=code,
                severity=severity,
                message=message,
                kind=record.kind if record is not None else None,
                person=record.person if record is not None else (member.who if member else None),
                position=record.position if record is not None else (member.position if member else 0),
                checked_at=record.checked_at if record is not None else None,
            )
        )


def _reason(record: LookupRecord) -> str:
    reason = record.data.get("reason")
    return f"（{reason}）" if isinstance(reason, str) and reason else ""


def _people_checks(case: CaseFile, flags: _Flags) -> None:
    for member in household.members(case):
        identity = household.answer(case, member, VerificationKind.IDENTITY)
        if identity is not None and identity.outcome is VerificationOutcome.MISMATCH:
            flags.add("identity_mismatch", f"{member.label}姓名与身份证号不一致{_reason(identity)}", identity)
        elif identity is not None and identity.outcome is VerificationOutcome.NOT_FOUND:
            if identity.data.get("household_status") == "cancelled":
                flags.add("household_cancelled", f"{member.label}户籍已注销", identity)
            else:
                flags.add("identity_mismatch", f"{member.label}身份信息未查到{_reason(identity)}", identity)
        credit = household.answer(case, member, VerificationKind.CREDIT)
        rule = flags.policy.loan.credit
        if credit is not None and credit.outcome is VerificationOutcome.MATCH and rule is not None:
            if credit.data.get("current_overdue") is True and rule.refuse_current_overdue.value:
                flags.add("credit_current_overdue", f"{member.label}征信存在当前逾期", credit)
            else:
                consecutive = household.number(credit, "overdue_max_consecutive_24")
                cumulative = household.number(credit, "overdue_months_24")
                if consecutive is None:  # a registry without the 24-month figures: its lifetime ones
                    consecutive = household.number(credit, "max_overdue_months")
                if cumulative is None:
                    cumulative = household.number(credit, "overdue_count")
                window = rule.window_months.value
                if (consecutive or 0) >= rule.review_consecutive_months.value or (
                    cumulative or 0
                ) >= rule.review_cumulative_months.value:
                    flags.add(
                        "credit_repeated_overdue",
                        f"{member.label}征信近 {window} 个月逾期：连续 {consecutive or 0} 期、累计 {cumulative or 0} 期"
                        f"（达到“连{rule.review_consecutive_months.value}累{rule.review_cumulative_months.value}”）",
                        credit,
                    )


def _loan_checks(case: CaseFile, flags: _Flags) -> None:
    rule = flags.policy.loan.history
    if rule is None:
        return
    total, outstanding = household.household_loans(case)
    evidence = next(
        (
            household.answer(case, m, VerificationKind.LOAN_HISTORY)
            for m in household.members(case)
            if household.number(household.answer(case, m, VerificationKind.LOAN_HISTORY), "fund_loans_total")
        ),
        None,
    )
    if outstanding and rule.refuse_while_outstanding.value:
        flags.add("loans_outstanding", f"家庭有 {outstanding} 笔公积金贷款尚未结清", evidence)
    if total >= rule.max_prior_loans.value:
        flags.add(
            "too_many_loans",
            f"家庭已使用公积金贷款 {total} 次，达到上限 {rule.max_prior_loans.value} 次，不予再贷",
            evidence,
        )


def _house_checks(case: CaseFile, flags: _Flags) -> None:
    contract = case.lookup(VerificationKind.CONTRACT)
    if contract is not None and contract.outcome is VerificationOutcome.NOT_FOUND:
        flags.add("contract_unfiled", "购房合同未查到网签备案", contract)
    if contract is not None and contract.outcome is VerificationOutcome.MISMATCH:
        flags.add("buyer_not_on_contract", f"申请人不是备案合同的买受人{_reason(contract)}", contract)
    if contract is not None and contract.outcome in (VerificationOutcome.MATCH, VerificationOutcome.MISMATCH):
        sellers = contract.data.get("seller_ids")
        ours = {m.id_number for m in household.members(case) if m.id_number}
        if isinstance(sellers, list) and ours & {str(s) for s in sellers}:
            flags.add("seller_in_household", "卖方与买方属同一家庭（卖方为申请人或其配偶、共同借款人）", contract)
    if case.application.scenario.property_kind is PropertyKind.RESALE:
        tax = case.lookup(VerificationKind.TAX)
        if tax is not None and tax.outcome is VerificationOutcome.MISMATCH and tax.data.get("deed_tax_paid") is False:
            flags.add("deed_tax_unpaid", "二手房交易契税已申报但尚未缴纳", tax)
    card = case.lookup(VerificationKind.BANK_CARD)
    if card is not None and card.outcome is VerificationOutcome.MISMATCH:
        flags.add("card_not_borrower", f"还款银行卡不在借款人名下{_reason(card)}", card)
    marriage = case.lookup(VerificationKind.MARRIAGE)
    if marriage is not None and marriage.outcome is VerificationOutcome.MISMATCH:
        flags.add("marital_contradicted", f"申报婚姻状况与婚姻登记不一致{_reason(marriage)}", marriage)


def _account_checks(case: CaseFile, flags: _Flags, cap: LoanLimit | None) -> None:
    account = case.lookup(VerificationKind.FUND_ACCOUNT)
    status = household.fund_status(account)
    labels = {"sealed": "已封存", "frozen": "已冻结", "closed": "已销户"}
    if status is not None and status != "normal":
        flags.add("account_ineligible", f"申请人公积金账户{labels.get(status, status)}，不符合申请条件", account)
    elif cap is not None and not cap.eligible:
        flags.add("account_ineligible", "；".join(cap.reasons) or "申请人不符合申请条件", account)


def _combined_check(case: CaseFile, flags: _Flags, home: HomeOrdinal) -> None:
    app = case.application
    if app.scenario.loan_kind is not LoanKind.COMBINED or app.property is None:
        return
    price = app.property.total_price or app.property.contract_amount
    fund = app.fund_loan.amount if app.fund_loan is not None else None
    bank = app.bank_loan.amount if app.bank_loan is not None else None
    if not price or fund is None or bank is None:
        return
    rule = flags.policy.loan.down_payment
    ratio = rule.first_home_ratio.value if home is HomeOrdinal.FIRST else rule.second_home_ratio.value
    most = (price * (Decimal(1) - ratio)).quantize(Decimal("0.01"))
    if fund + bank > most:
        flags.add(
            "combined_over_down_payment",
            f"组合贷款合计 {fund + bank:,.2f} 元超过房价 × (1 − 首付 {ratio:.0%}) = {most:,.2f} 元",
        )


def _override_checks(case: CaseFile, flags: _Flags) -> None:
    """A registry's value the clerk changed (人工修改) is the clerk's word, not the registry's: a person looks."""
    from forms.application import label_for
    from forms.vocabulary import FieldSource

    latest = {o.path: o for o in case.field_overrides}
    for path, override in latest.items():
        if case.application.source_of(path) is FieldSource.OVERRIDDEN:
            label = label_for(path)
            flags.add("verified_value_overridden", f"核验回填的“{label}”经人工修改（理由：{override.reason}）")


def risk_flags(
    case: CaseFile, policy: PolicyPack, cap: LoanLimit | None, home: HomeOrdinal, today: date
) -> list[RiskFlag]:
    """Every cross-check that did not pass on ``today``, in a stable order."""
    flags = _Flags(policy)
    _people_checks(case, flags)
    _loan_checks(case, flags)
    _house_checks(case, flags)
    _account_checks(case, flags, cap)
    _combined_check(case, flags, home)
    _override_checks(case, flags)
    waiting = [
        r
        for r in case.lookups
        if r.outcome in (VerificationOutcome.PENDING, VerificationOutcome.UNAVAILABLE, VerificationOutcome.REFUSED)
        and case.lookup(r.kind, r.person, r.position) is r
    ]
    never = [k for k in case.application.scenario.verifications() if case.lookup(k) is None]
    if never and not waiting:
        flags.add("lookups_incomplete", f"{len(never)} 项核验尚未进行（须先录入所需信息）")
    if waiting:
        flags.add(
            "lookups_incomplete",
            f"{len(waiting)} 项核验未完成（离线排队、暂不可用或未取得本人授权）",
            waiting[0],
        )
    return flags.found


def verdict_of(flags: list[RiskFlag]) -> tuple[Verdict, tuple[str, ...]]:
    """机审: refuse on any refusing flag, manual on any flag asking for review, else auto."""
    refusing = tuple(f.message for f in flags if f.severity == "refuse")
    if refusing:
        return "refuse", refusing
    review = tuple(f.message for f in flags if f.severity == "manual")
    if review:
        return "manual", review
    return "auto", ()
