"""The small document models the renderers take.

Pydantic models so that the app can store the exact data a document was printed from (``model_dump_json``) and
a reprint (补打) renders the same content later (``model_validate_json``) without consulting registries again.
Times are aware datetimes; they are printed in China Standard Time (UTC+8, no daylight saving).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from forms.application import Application
from forms.china_time import CHINA_TZ
from forms.materials import Evaluation, MaterialState
from forms.policy import PolicyPack, ServiceInfo
from forms.scenario import Scenario
from forms.vocabulary import VerificationKind, VerificationOutcome
from forms.workdays import WorkdayResult


def local(value: datetime) -> datetime:
    """An aware time in China Standard Time (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TZ)


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=False)


class Office(_Doc):
    """Who issues the document and how the applicant reaches them (from the policy pack and settings)."""

    authority: str = Field(title="办理机构")
    service: ServiceInfo
    window: str = Field("", title="受理窗口")
    # The pack version the case was assessed under ("qingdao 第2版"); empty in a document frozen before versions.
    policy_version: str = Field("", title="政策包版本")

    @classmethod
    def from_policy(cls, policy: PolicyPack, window: str = "") -> Office:
        return cls(
            authority=policy.meta.authority,
            service=policy.service,
            window=window or policy.service.office,
            policy_version=policy.meta.version_label,
        )


class VerificationRow(_Doc):
    """One line of the verification summary: which fact, what the registry answered, who and when."""

    kind: VerificationKind
    outcome: VerificationOutcome
    source: str = Field("", title="核验单位")
    checked_at: AwareDatetime | None = None
    detail: str = Field("", title="说明")


class FlagNoteRow(_Doc):
    """A supervisor's note on a risk flag, as printed: who, when, what."""

    by: str = Field(title="负责人")
    at: AwareDatetime
    note: str = Field(title="批注")


class FlagRow(_Doc):
    """One risk flag of the 机审, as printed for the back office: severity label, message, evidence, notes.

    Plain text made by the app from the case's assessment; the printout judges nothing."""

    severity: str = Field(title="级别")
    message: str = Field(title="风险提示")
    evidence: str = Field("", title="依据")
    notes: Sequence[FlagNoteRow] = ()


class FormData(_Doc):
    """The merged application form (一表): full identifiers, every section, signature lines, and the back office's
    机审 section (verdict and risk flags; empty in a form frozen before it existed)."""

    case_no: str
    application: Application
    office: Office
    printed_at: AwareDatetime
    verifications: Sequence[VerificationRow] = ()
    clerk: str = ""
    verdict: str = Field("", title="机审结论")
    flags: Sequence[FlagRow] = ()


class ReceiptData(_Doc):
    """The acceptance receipt (受理回执)."""

    case_no: str
    document_no: str = Field("", title="文书编号")
    accepted_at: AwareDatetime
    clerk: str
    office: Office
    application: Application
    evaluation: Evaluation
    promised_days: int = Field(ge=0)
    promised: WorkdayResult
    verifications: Sequence[VerificationRow] = ()
    checklist: Sequence[MaterialState] = ()


class NoticeData(_Doc):
    """The one-time notice (一次性告知书) for a declined case: everything missing, at once."""

    case_no: str
    document_no: str = ""
    issued_at: AwareDatetime
    clerk: str
    office: Office
    application: Application
    evaluation: Evaluation
    form_issues: Sequence[str] = Field((), title="申请表需补正的信息")
    # The reasons the clerk confirmed when declining (pre-filled with what blocked acceptance), as decided.
    reasons: Sequence[str] = Field((), title="不予受理的原因")


class CommitmentData(_Doc):
    """The shortfall commitment (容缺受理承诺书) signed for the waived materials."""

    case_no: str
    accepted_at: AwareDatetime
    clerk: str
    office: Office
    application: Application
    evaluation: Evaluation


class AuthorizationData(_Doc):
    """The credit inquiry authorization (征信查询授权书), one signature per borrower."""

    case_no: str
    printed_at: AwareDatetime
    office: Office
    application: Application
    reference: str = Field("", title="授权书编号")
    valid_until: date | None = None


class GuideData(_Doc):
    """The material list and service guide of a scenario, for walk-in questions (no case)."""

    scenario: Scenario
    policy: PolicyPack
    printed_on: date
    window: str = ""


class OverdueRow(_Doc):
    """One overdue shortfall: case number, material, due date (no personal data: the list goes to the supervisor)."""

    case_no: str
    material: str
    due: date


class OverdueListData(_Doc):
    """The window's list of waived materials past their due date (逾期未补件清单), for follow-up calls."""

    printed_at: AwareDatetime
    office: Office
    clerk: str
    rows: Sequence[OverdueRow] = ()
