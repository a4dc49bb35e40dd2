"""The shortfall-tolerant acceptance evaluation (容缺受理): can this case be accepted now, and what is printed.

:func:`evaluate` turns the catalog, the scenario, the checklist and the lookup outcomes into the one answer the
window needs: can the case be accepted now, what does the applicant hand in, what was exempted, what was waived
until when, and — for the one-time notice (一次性告知) — everything that is still missing and why.

Exemption is decided from the lookup outcomes, never from a checklist line alone: a line saying ``verified``
whose lookup has since come back ``mismatch`` needs the paper again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from forms.materials.catalog import BEFORE_DISBURSEMENT_TEXT, Material, MaterialCatalog, materials_for
from forms.materials.checklist import MaterialState, OutcomesByWhose, Waiver, deciding_outcome
from forms.scenario import Scenario
from forms.vocabulary import (
    OUTCOME_LABELS,
    VERIFICATION_LABELS,
    MaterialStatus,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar, add_working_days


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
    # 告知承诺: replaced by a signed commitment (the commitment printout lists them; nothing is owed later).
    committed: list[Material] = []


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
    committed: list[Material] = []

    for code in lines:
        if code not in known_codes:
            notes.append(f"清单中的材料代码“{code}”不在当前材料目录中，已忽略")
        elif code not in applicable_codes and lines[code].status in (MaterialStatus.RECEIVED, MaterialStatus.WAIVED):
            notes.append(f"“{catalog.get(code).name}”不适用于本办理情形，不计入受理材料")

    for material in applicable:
        outcome = deciding_outcome(material, outcomes, by_whose)
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

        if status is MaterialStatus.COMMITTED:
            signed = line.waived is not None and line.waived.commitment_signed
            if material.committable and signed:
                committed.append(material)
            elif not material.committable:
                missing.append(MissingItem(material=material, reason=_join("该材料不适用告知承诺，须提交", lookup)))
            else:
                missing.append(MissingItem(material=material, reason="告知承诺须由申请人签署承诺书"))
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
        committed=committed,
    )
