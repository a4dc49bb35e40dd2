"""Chinese labels for enum values that the printouts show (those not already in forms.vocabulary)."""

from __future__ import annotations

from forms.scenario import Scenario
from forms.vocabulary import (
    HomeOrdinal,
    LoanKind,
    MaritalStatus,
    MaterialClass,
    Presence,
    PropertyKind,
    RepaymentMethod,
)

PROPERTY_KIND_LABELS: dict[PropertyKind, str] = {
    PropertyKind.NEW: "新建商品房",
    PropertyKind.RESALE: "再交易住房（二手房）",
}
LOAN_KIND_LABELS: dict[LoanKind, str] = {LoanKind.FUND: "纯公积金贷款", LoanKind.COMBINED: "组合贷款"}
PRESENCE_LABELS: dict[Presence, str] = {Presence.SELF: "本人办理", Presence.AGENT: "委托代办"}
MARITAL_LABELS: dict[MaritalStatus, str] = {
    MaritalStatus.UNMARRIED: "未婚",
    MaritalStatus.MARRIED: "已婚",
    MaritalStatus.DIVORCED: "离异",
    MaritalStatus.WIDOWED: "丧偶",
}
REPAYMENT_LABELS: dict[RepaymentMethod, str] = {
    RepaymentMethod.ANNUITY: "等额本息",
    RepaymentMethod.EQUAL_PRINCIPAL: "等额本金",
}
HOME_LABELS: dict[HomeOrdinal, str] = {HomeOrdinal.FIRST: "首套", HomeOrdinal.SECOND: "二套"}
CLASS_LABELS: dict[MaterialClass, str] = {MaterialClass.CORE: "核心", MaterialClass.NON_CORE: "非核心"}


def scenario_text(scenario: Scenario) -> str:
    """新建商品房 · 纯公积金贷款 · 本人办理 · 已婚 · 共同借款人1人."""
    parts = [
        PROPERTY_KIND_LABELS[scenario.property_kind],
        LOAN_KIND_LABELS[scenario.loan_kind],
        PRESENCE_LABELS[scenario.presence],
        MARITAL_LABELS[scenario.marital_status],
    ]
    if scenario.co_borrower_count:
        parts.append(f"共同借款人{scenario.co_borrower_count}人")
    return " · ".join(parts)
