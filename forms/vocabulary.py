"""The shared vocabulary of the domain (DESIGN.md, "Core vocabulary").

Every layer uses these names; they are string enums so that they serialise to
stable JSON values and read well in TOML policy packs.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands, from the first keystroke to hand-out."""

    DRAFT = "draft"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    # 已放款: reported by the platform where the pack gives approval-to-disbursement a deadline (Shanxi).
    DISBURSED = "disbursed"
    REJECTED = "rejected"
    COMPLETED = "completed"


class PropertyKind(StrEnum):
    """新建商品房 (new commercial housing) or 再交易住房 (resale)."""

    NEW = "new"
    RESALE = "resale"


class LoanKind(StrEnum):
    """纯公积金贷款 or 组合贷款 (fund part + commercial bank part)."""

    FUND = "fund"
    COMBINED = "combined"


class Presence(StrEnum):
    """The applicant at the window in person, or through a help-and-act agent (代办)."""

    SELF = "self"
    AGENT = "agent"


class MaritalStatus(StrEnum):
    """婚姻状况 as the marriage registry knows it."""

    UNMARRIED = "unmarried"
    MARRIED = "married"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


class VerificationKind(StrEnum):
    """The registries a case is checked against (数据共享核验)."""

    IDENTITY = "identity"
    MARRIAGE = "marriage"
    CHILDREN = "children"
    FUND_ACCOUNT = "fund_account"
    LOAN_HISTORY = "loan_history"
    CREDIT = "credit"
    CONTRACT = "contract"
    PROPERTY = "property"
    TAX = "tax"
    BANK_CARD = "bank_card"


class VerificationOutcome(StrEnum):
    """What a lookup answered; `pending` means queued while offline."""

    MATCH = "match"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"
    PENDING = "pending"


class MaterialClass(StrEnum):
    """核心要件 (never waivable) or 非核心 (may be waived under 容缺受理)."""

    CORE = "core"
    NON_CORE = "non_core"


class MaterialStatus(StrEnum):
    """The state of one checklist line."""

    VERIFIED = "verified"
    RECEIVED = "received"
    WAIVED = "waived"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"
    # 告知承诺: a signed commitment replaces the material (where the pack allows); unlike 容缺 nothing is owed later.
    COMMITTED = "committed"


class ShortfallStatus(StrEnum):
    """A waived material's obligation: still open, handed in, or past its due date."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    OVERDUE = "overdue"


class Role(StrEnum):
    """Operator roles: window clerk, help-and-act agent, supervisor."""

    CLERK = "clerk"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class FieldSource(StrEnum):
    """Where a form value comes from: typed by the clerk, returned by a registry, or computed.

    OVERRIDDEN is a registry's value the clerk changed on purpose (人工修改), with a reason kept in the case: it
    goes to the back office as such, and a later lookup does not overwrite it."""

    TYPED = "typed"
    VERIFIED = "verified"
    DERIVED = "derived"
    OVERRIDDEN = "overridden"


class RepaymentMethod(StrEnum):
    """等额本息 (equal instalments, annuity) or 等额本金 (equal principal)."""

    ANNUITY = "annuity"
    EQUAL_PRINCIPAL = "equal-principal"


class HomeOrdinal(StrEnum):
    """首套 or 二套: the rate and the down payment depend on it."""

    FIRST = "first"
    SECOND = "second"


HOME_ORDINAL_LABELS: dict[HomeOrdinal, str] = {HomeOrdinal.FIRST: "首套", HomeOrdinal.SECOND: "二套"}


class LinkedItem(StrEnum):
    """联办事项: the separate matters merged into the one case."""

    LOAN = "loan"
    CREDIT_INQUIRY = "credit_inquiry"
    MORTGAGE_REGISTRATION = "mortgage_registration"
    TRANSFER_REGISTRATION = "transfer_registration"
    TAX_DECLARATION = "tax_declaration"


LINKED_ITEM_LABELS: dict[LinkedItem, str] = {
    LinkedItem.LOAN: "住房公积金贷款申请（含审批、借款合同面签）",
    LinkedItem.CREDIT_INQUIRY: "个人征信查询",
    LinkedItem.MORTGAGE_REGISTRATION: "不动产抵押登记",
    LinkedItem.TRANSFER_REGISTRATION: "不动产转移登记",
    LinkedItem.TAX_DECLARATION: "房地产交易税费申报（契税）",
}

VERIFICATION_LABELS: dict[VerificationKind, str] = {
    VerificationKind.IDENTITY: "身份信息（公安）",
    VerificationKind.MARRIAGE: "婚姻登记（民政）",
    VerificationKind.CHILDREN: "多子女家庭（卫健/公安）",
    VerificationKind.FUND_ACCOUNT: "公积金账户",
    VerificationKind.LOAN_HISTORY: "贷款次数",
    VerificationKind.CREDIT: "个人征信（人民银行）",
    VerificationKind.CONTRACT: "网签备案（住建）",
    VerificationKind.PROPERTY: "不动产登记",
    VerificationKind.TAX: "税费申报与契税（税务）",
    VerificationKind.BANK_CARD: "银行卡",
}

OUTCOME_LABELS: dict[VerificationOutcome, str] = {
    VerificationOutcome.MATCH: "一致",
    VerificationOutcome.MISMATCH: "不一致",
    VerificationOutcome.NOT_FOUND: "未查到",
    VerificationOutcome.REFUSED: "被拒绝",
    VerificationOutcome.UNAVAILABLE: "暂不可用",
    VerificationOutcome.PENDING: "排队待核验",
}

# The one table of what each status and outcome reads as on a screen or a printout (no layer keeps its own copy).
CASE_STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.DRAFT: "暂存",
    CaseStatus.ACCEPTED: "受理",
    CaseStatus.DECLINED: "不予受理",
    CaseStatus.SUBMITTED: "提交",
    CaseStatus.IN_REVIEW: "进入审批",
    CaseStatus.APPROVED: "审批通过",
    CaseStatus.DISBURSED: "已放款",
    CaseStatus.REJECTED: "审批不通过",
    CaseStatus.COMPLETED: "办结",
}

MATERIAL_STATUS_LABELS: dict[MaterialStatus, str] = {
    MaterialStatus.VERIFIED: "免提交（核验一致）",
    MaterialStatus.RECEIVED: "已收取",
    MaterialStatus.WAIVED: "容缺",
    MaterialStatus.MISSING: "未提交",
    MaterialStatus.NOT_APPLICABLE: "不适用",
    MaterialStatus.COMMITTED: "告知承诺代替",
}

# A lookup's outcome in a live table: a mark first, so the clerk's eye finds the rows that need work.
OUTCOME_MARKS: dict[VerificationOutcome, str] = {
    VerificationOutcome.MATCH: "✔ 一致",
    VerificationOutcome.MISMATCH: "✘ 不一致",
    VerificationOutcome.NOT_FOUND: "✘ 未查到",
    VerificationOutcome.REFUSED: "✘ 已拒绝",
    VerificationOutcome.UNAVAILABLE: "！不可用",
    VerificationOutcome.PENDING: "… 待核验（离线排队）",
}


class RatingLevel(StrEnum):
    """政务服务好差评: the applicant's rating of a service at the window, in the order the evaluation device numbers
    its keys (1 非常满意 … 5 非常不满意)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


class RatingStage(StrEnum):
    """Which service a rating is about: 受理 (the intake) or 出件 (the hand-out of the results)."""

    ACCEPTED = "accepted"
    HANDOUT = "handout"


RATING_LABELS: dict[RatingLevel, str] = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.FAIRLY_SATISFIED: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}

RATING_STAGE_LABELS: dict[RatingStage, str] = {RatingStage.ACCEPTED: "受理", RatingStage.HANDOUT: "出件"}

# 差评: the national rules (政务服务“好差评”制度) require each one to be followed up (核实、整改、回访).
BAD_RATINGS: frozenset[RatingLevel] = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})
