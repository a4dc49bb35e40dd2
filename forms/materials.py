"""The material catalog (申请材料), the checklist and the shortfall-tolerant acceptance evaluation (容缺受理).

A policy pack owns a ``materials.toml`` that lists every material its process has ever asked for, with when it
applies, whether a matching registry lookup replaces it (数据共享核验 -> 免提交), and whether it may be waived
(容缺) and until when. This module turns that list, a scenario and the lookup outcomes into the one answer the
window needs: can the case be accepted now, what does the applicant hand in, what was exempted, what was waived
until when, and — for the one-time notice (一次性告知) — everything that is still missing and why.

Exemption is decided from the lookup outcomes, never from a checklist line alone: a line saying ``verified``
whose lookup has since come back ``mismatch`` needs the paper again.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forms.scenario import Scenario
from forms.sourced import Sourced
from forms.vocabulary import (
    OUTCOME_LABELS,
    VERIFICATION_LABELS,
    LoanKind,
    MaritalStatus,
    MaterialClass,
    MaterialStatus,
    Presence,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar, add_working_days

BEFORE_DISBURSEMENT_TEXT = "放款前"


_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Whose(StrEnum):
    """Whose document a material is: it decides where the checklist and the notice place it."""

    APPLICANT = "applicant"
    SPOUSE = "spouse"
    CO_BORROWER = "co_borrower"
    SELLER = "seller"
    AGENT = "agent"
    CASE = "case"


WHOSE_LABELS: dict[Whose, str] = {
    Whose.APPLICANT: "借款申请人",
    Whose.SPOUSE: "配偶",
    Whose.CO_BORROWER: "共同借款人",
    Whose.SELLER: "售房人",
    Whose.AGENT: "代办人",
    Whose.CASE: "本件",
}


class PaperForm(StrEnum):
    """A received material is an original (原件) or a copy (复印件)."""

    ORIGINAL = "original"
    COPY = "copy"


PAPER_FORM_LABELS: dict[PaperForm, str] = {PaperForm.ORIGINAL: "原件", PaperForm.COPY: "复印件"}


class ShortfallRule(BaseModel):
    """Whether a material may be waived (容缺) and when it is then due.

    Due is either ``working_days`` after acceptance (a Sourced number) or ``before_disbursement`` (放款前).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    waivable: bool = False
    working_days: Sourced[int] | None = None
    before_disbursement: bool = False

    @model_validator(mode="after")
    def _due_matches_waivable(self) -> ShortfallRule:
        has_days = self.working_days is not None
        if self.waivable and has_days == self.before_disbursement:
            raise ValueError(
                "容缺规则（shortfall）：可容缺的材料须且只能指定一种补交期限——"
                "working_days（受理后N个工作日）或 before_disbursement = true（放款前）"
            )
        if not self.waivable and (has_days or self.before_disbursement):
            raise ValueError("容缺规则（shortfall）：不可容缺的材料不应设置补交期限，请删除期限或设置 waivable = true")
        if self.working_days is not None and self.working_days.value < 1:
            raise ValueError(f"容缺规则（shortfall）：补交期限应至少为1个工作日，当前为 {self.working_days.value}")
        return self

    def due_label(self) -> str:
        """The deadline in words, for guides and the commitment form."""
        if not self.waivable:
            return "不可容缺"
        if self.working_days is not None:
            return f"受理后{self.working_days.value}个工作日内"
        return BEFORE_DISBURSEMENT_TEXT


class AppliesWhen(BaseModel):
    """Conditions over the scenario; every given condition must hold (AND). Empty means always."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    property_kind: list[PropertyKind] | None = None
    loan_kind: list[LoanKind] | None = None
    presence: list[Presence] | None = None
    marital_status: list[MaritalStatus] | None = None
    married: bool | None = None
    has_co_borrowers: bool | None = None

    @field_validator("property_kind", "loan_kind", "presence", "marital_status")
    @classmethod
    def _not_empty(cls, value: list[StrEnum] | None) -> list[StrEnum] | None:
        # An empty list would silently make the material apply to nothing.
        if value is not None and not value:
            raise ValueError("适用条件（applies_when）中的列表不能为空；不限制时请省略该项")
        return value

    def matches(self, scenario: Scenario) -> bool:
        checks = (
            self.property_kind is None or scenario.property_kind in self.property_kind,
            self.loan_kind is None or scenario.loan_kind in self.loan_kind,
            self.presence is None or scenario.presence in self.presence,
            self.marital_status is None or scenario.marital_status in self.marital_status,
            self.married is None or scenario.married == self.married,
            self.has_co_borrowers is None or (scenario.co_borrower_count > 0) == self.has_co_borrowers,
        )
        return all(checks)


class Material(BaseModel):
    """One catalog entry: a document the process may ask for."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    code: str
    name: str = Field(min_length=1)
    material_class: MaterialClass = Field(alias="class")
    exempt_by: VerificationKind | None = None
    shortfall: ShortfallRule = ShortfallRule()
    applies_when: AppliesWhen = AppliesWhen()
    whose: Whose = Whose.APPLICANT
    copies: str = ""
    printed_by_us: bool = False
    note: str = ""

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not _CODE_RE.match(value):
            raise ValueError(f"材料代码（code）“{value}”格式不正确，应为小写字母开头，仅含小写字母、数字和下划线")
        return value

    @model_validator(mode="after")
    def _core_never_waivable(self) -> Material:
        if self.material_class is MaterialClass.CORE and self.shortfall.waivable:
            raise ValueError(f"材料“{self.name}”（{self.code}）是核心材料，核心材料不得容缺，请将 waivable 设为 false")
        if self.printed_by_us and self.exempt_by is not None:
            raise ValueError(f"材料“{self.name}”（{self.code}）由窗口打印签字，不能再设置免提交核验（exempt_by）")
        return self

    @property
    def core(self) -> bool:
        return self.material_class is MaterialClass.CORE


class MaterialCatalog(BaseModel):
    """A policy pack's material list, validated on load."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    sources: list[str] = Field(default_factory=list)
    # Materials handed in for a standard case as published (Qingdao: exactly; Sichuan: at most).
    published_counts: dict[PropertyKind, Sourced[int]] = Field(default_factory=dict)
    materials: list[Material]

    @model_validator(mode="after")
    def _unique_codes(self) -> MaterialCatalog:
        counts = Counter(m.code for m in self.materials)
        dupes = sorted(code for code, n in counts.items() if n > 1)
        if dupes:
            raise ValueError(f"材料目录中材料代码（code）重复：{'、'.join(dupes)}；每个代码只能出现一次")
        return self

    @classmethod
    def from_toml_text(cls, text: str) -> MaterialCatalog:
        return cls.model_validate(tomllib.loads(text))

    def get(self, code: str) -> Material:
        for material in self.materials:
            if material.code == code:
                return material
        raise KeyError(code)

    def codes(self) -> list[str]:
        return [m.code for m in self.materials]


def materials_for(catalog: MaterialCatalog, scenario: Scenario) -> list[Material]:
    """The catalog's materials that apply to this scenario, in catalog order."""
    return [m for m in catalog.materials if m.applies_when.matches(scenario)]


class Receipt(BaseModel):
    """What was received at the window for one material."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    form: PaperForm = PaperForm.ORIGINAL
    count: int = Field(1, ge=1, le=99, title="份数")


class Waiver(BaseModel):
    """A waived material (容缺): the commitment (承诺书) and why; `due` is filled from the evaluation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commitment_signed: bool = False
    reason: str = ""
    due: date | None = None


class MaterialState(BaseModel):
    """One checklist line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    status: MaterialStatus = MaterialStatus.MISSING
    received: Receipt | None = None
    waived: Waiver | None = None
    note: str = ""

    @model_validator(mode="after")
    def _details_match_status(self) -> MaterialState:
        if self.status is MaterialStatus.RECEIVED and self.received is None:
            raise ValueError(f"材料 {self.code}：状态为“已收取”时须登记原件/复印件及份数")
        if self.status is not MaterialStatus.RECEIVED and self.received is not None:
            raise ValueError(f"材料 {self.code}：只有“已收取”的材料才能登记收取信息")
        if self.status is MaterialStatus.WAIVED and self.waived is None:
            raise ValueError(f"材料 {self.code}：状态为“容缺”时须登记承诺书签署情况和容缺原因")
        if self.status is not MaterialStatus.WAIVED and self.waived is not None:
            raise ValueError(f"材料 {self.code}：只有“容缺”的材料才能登记容缺信息")
        return self


OutcomesByWhose = Mapping[Whose, Mapping[VerificationKind, VerificationOutcome]]


def _outcome(
    material: Material,
    outcomes: Mapping[VerificationKind, VerificationOutcome],
    by_whose: OutcomesByWhose | None,
) -> VerificationOutcome | None:
    """The outcome that decides a material's exemption.

    Lookups are about the applicant unless ``by_whose`` has an entry for the material's person: the agent's own
    ID card is exempt only by a lookup of the agent, never by the applicant's.
    """
    if material.exempt_by is None:
        return None
    if by_whose is not None and material.whose in by_whose:
        return by_whose[material.whose].get(material.exempt_by)
    return outcomes.get(material.exempt_by)


def initial_checklist(
    catalog: MaterialCatalog,
    scenario: Scenario,
    outcomes: Mapping[VerificationKind, VerificationOutcome],
    by_whose: OutcomesByWhose | None = None,
) -> list[MaterialState]:
    """One line per applicable material: ``verified`` where its lookup matched, otherwise ``missing``."""
    lines: list[MaterialState] = []
    for material in materials_for(catalog, scenario):
        exempt = _outcome(material, outcomes, by_whose) is VerificationOutcome.MATCH
        lines.append(
            MaterialState(code=material.code, status=MaterialStatus.VERIFIED if exempt else MaterialStatus.MISSING)
        )
    return lines


class ExemptedItem(BaseModel):
    """A material not handed in because a lookup matched (免提交)."""

    model_config = ConfigDict(frozen=True)

    material: Material
    kind: VerificationKind


class WaivedItem(BaseModel):
    """A material waived at acceptance and when it is due."""

    model_config = ConfigDict(frozen=True)

    material: Material
    due: date | None
    due_text: str
    estimate: bool
    reason: str


class MissingItem(BaseModel):
    """A material still needed, with why — one line of the one-time notice (一次性告知书)."""

    model_config = ConfigDict(frozen=True)

    material: Material
    reason: str


class Evaluation(BaseModel):
    """The answer to "can this case be accepted now?" with everything the receipt and notice print."""

    model_config = ConfigDict(frozen=True)

    acceptable: bool
    reasons: list[str]
    exempted: list[ExemptedItem]
    waived: list[WaivedItem]
    to_hand_in: list[Material]
    received: list[Material]
    missing: list[MissingItem]
    notes: list[str]


def _lookup_reason(material: Material, outcome: VerificationOutcome | None) -> str:
    """Why a material that a lookup could have replaced is needed on paper after all."""
    kind = material.exempt_by
    if kind is None:
        return ""
    label = VERIFICATION_LABELS[kind]
    if outcome is None:
        return f"未进行{label}核验，不能免提交"
    if outcome is VerificationOutcome.MISMATCH:
        text = f"{label}核验结果不一致，不能免提交"
        if kind is VerificationKind.IDENTITY:
            text += "；所填姓名、身份证号与公安登记不符，须核对所填信息并提交身份证原件"
        elif kind is VerificationKind.CONTRACT:
            text += "；所填合同与网签备案信息不符，须核对合同编号并提交网签备案的购房合同原件"
        return text
    if outcome is VerificationOutcome.NOT_FOUND:
        text = f"{label}核验未查到记录，不能免提交"
        if kind is VerificationKind.IDENTITY:
            text += "；公安未查到该身份信息（可能户籍已注销或证号有误），须核对证号并提交身份证原件"
        elif kind is VerificationKind.CONTRACT:
            text += "；该购房合同未查到网签备案，须完成网签备案后提交备案合同原件"
        return text
    if outcome is VerificationOutcome.REFUSED:
        return f"{label}核验被拒绝（如未取得授权），不能免提交"
    if outcome is VerificationOutcome.UNAVAILABLE:
        return f"{label}核验暂不可用，不能免提交；须提交纸质材料，或待核验恢复且结果一致后再受理"
    if outcome is VerificationOutcome.PENDING:
        return f"{label}核验已排队（离线）尚无结果，不能免提交；须提交纸质材料，或待核验结果一致后再受理"
    return ""


def _paper_note(material: Material, kind: VerificationKind, outcome: VerificationOutcome) -> str:
    """A follow-up for the clerk when paper was taken because the lookup did not match (yet)."""
    label = VERIFICATION_LABELS[kind]
    if outcome in (VerificationOutcome.PENDING, VerificationOutcome.UNAVAILABLE):
        return f"“{material.name}”已收取纸质材料；{label}核验完成后应复核"
    return f"“{material.name}”已收取纸质材料，但{label}核验结果为“{OUTCOME_LABELS[outcome]}”，请人工核对原件"


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _waiver_due(
    material: Material, accepted_on: date, calendar: WorkingDayCalendar | None
) -> tuple[date | None, str, bool]:
    rule = material.shortfall
    if rule.working_days is not None:
        result = add_working_days(accepted_on, rule.working_days.value, calendar)
        text = f"{result.due.year}年{result.due.month:02d}月{result.due.day:02d}日前"
        if result.estimate:
            text += "（预计，节假日安排未公布）"
        return result.due, text, result.estimate
    return None, BEFORE_DISBURSEMENT_TEXT, False


def _index(checklist: Iterable[MaterialState]) -> dict[str, MaterialState]:
    # Later lines win: the screen appends a corrected line rather than editing in place.
    return {line.code: line for line in checklist}


def evaluate(
    catalog: MaterialCatalog,
    scenario: Scenario,
    checklist: Sequence[MaterialState],
    outcomes: Mapping[VerificationKind, VerificationOutcome],
    accepted_on: date,
    calendar: WorkingDayCalendar | None = None,
    by_whose: OutcomesByWhose | None = None,
    approved_waivers: Collection[str] = (),
) -> Evaluation:
    """Decide whether the case can be accepted on ``accepted_on`` and list what the documents print.

    Rules: a material whose lookup matched is exempt whatever its line says; otherwise core materials must be
    received; a non-core material may be waived only if its rule allows and the commitment is signed; a waived
    core material makes the case unacceptable. Every blocking material lands in ``missing`` with its reason.
    """
    lines = _index(checklist)
    applicable = materials_for(catalog, scenario)
    applicable_codes = {m.code for m in applicable}
    known_codes = set(catalog.codes())

    exempted: list[ExemptedItem] = []
    waived: list[WaivedItem] = []
    to_hand_in: list[Material] = []
    received: list[Material] = []
    missing: list[MissingItem] = []
    notes: list[str] = []

    for code in lines:
        if code not in known_codes:
            notes.append(f"清单中的材料代码“{code}”不在当前材料目录中，已忽略")
        elif code not in applicable_codes and lines[code].status in (MaterialStatus.RECEIVED, MaterialStatus.WAIVED):
            notes.append(f"“{catalog.get(code).name}”不适用于本办理情形，不计入受理材料")

    for material in applicable:
        outcome = _outcome(material, outcomes, by_whose)
        if material.exempt_by is not None and outcome is VerificationOutcome.MATCH:
            exempted.append(ExemptedItem(material=material, kind=material.exempt_by))
            continue

        to_hand_in.append(material)
        lookup = _lookup_reason(material, outcome)
        line = lines.get(material.code) or MaterialState(code=material.code)
        status = line.status

        if status is MaterialStatus.RECEIVED:
            received.append(material)
            if material.exempt_by is not None and outcome is not None:
                notes.append(_paper_note(material, material.exempt_by, outcome))
            continue

        if status is MaterialStatus.WAIVED:
            waiver = line.waived or Waiver()
            if material.code in approved_waivers and waiver.commitment_signed:
                # An exception a supervisor approved with a reason (负责人批准): due before disbursement.
                waived.append(
                    WaivedItem(
                        material=material,
                        due=None,
                        due_text=f"{BEFORE_DISBURSEMENT_TEXT}（负责人批准容缺）",
                        estimate=False,
                        reason=waiver.reason,
                    )
                )
                continue
            if material.core:
                missing.append(MissingItem(material=material, reason=_join("核心材料不得容缺，须当场提交", lookup)))
            elif not material.shortfall.waivable:
                missing.append(MissingItem(material=material, reason=_join("该材料不适用容缺受理，须当场提交", lookup)))
            elif not waiver.commitment_signed:
                missing.append(
                    MissingItem(
                        material=material,
                        reason=_join("容缺受理须由申请人签署容缺受理承诺书；未签署前须当场提交", lookup),
                    )
                )
            else:
                due, due_text, estimate = _waiver_due(material, accepted_on, calendar)
                waived.append(
                    WaivedItem(material=material, due=due, due_text=due_text, estimate=estimate, reason=waiver.reason)
                )
            continue

        if status is MaterialStatus.NOT_APPLICABLE:
            if material.core:
                missing.append(MissingItem(material=material, reason=_join("核心材料不能标记为不适用，须提交", lookup)))
            else:
                notes.append(f"“{material.name}”经窗口确认不适用于本件")
            continue

        # missing, or verified without a matching lookup behind it
        if material.core:
            base = "核心材料，须提交"
        elif material.shortfall.waivable:
            base = f"尚未提交；可当场提交，或签署容缺受理承诺书后于{material.shortfall.due_label()}补交"
        else:
            base = "尚未提交，该材料不适用容缺受理，须提交"
        if material.printed_by_us:
            base = "核心材料，须由申请人在窗口打印件上签字确认"
        missing.append(MissingItem(material=material, reason=_join(base, lookup)))

    reasons = [f"{item.material.name}：{item.reason}" for item in missing]
    return Evaluation(
        acceptable=not missing,
        reasons=reasons,
        exempted=exempted,
        waived=waived,
        to_hand_in=to_hand_in,
        received=received,
        missing=missing,
        notes=notes,
    )


class Guide(BaseModel):
    """A scenario's material list for walk-in questions (服务指南): what is handed in when every lookup matches."""

    model_config = ConfigDict(frozen=True)

    to_hand_in: list[Material]
    exempted: list[ExemptedItem]


def guide(catalog: MaterialCatalog, scenario: Scenario) -> Guide:
    """The material list of a scenario in the standard case: every lookup it needs answers ``match``.

    Answered by :func:`evaluate` itself so that the guide, the receipt and the notice can never disagree.
    """
    outcomes = dict.fromkeys(scenario.verifications(), VerificationOutcome.MATCH)
    checklist = initial_checklist(catalog, scenario, outcomes)
    # The date only matters for waived materials' due dates; a guide waives nothing.
    result = evaluate(catalog, scenario, checklist, outcomes, accepted_on=date(2026, 1, 5))
    return Guide(to_hand_in=result.to_hand_in, exempted=result.exempted)
