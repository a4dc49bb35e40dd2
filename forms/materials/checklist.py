"""The checklist of a case (材料清单): one line per applicable material, as the window records it.

A line says whether the material was received (原件/复印件, how many), waived (容缺, with the signed commitment) or
is still missing; :func:`initial_checklist` starts one from the catalog, the scenario and the lookup outcomes,
marking ``verified`` what a matching lookup replaces. :func:`deciding_outcome` is the one place that says which
lookup outcome decides a material's exemption (the applicant's, or the material's own person's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forms.materials.catalog import Material, MaterialCatalog, Whose, materials_for
from forms.scenario import Scenario
from forms.vocabulary import (
    MaterialStatus,
    VerificationKind,
    VerificationOutcome,
)


class PaperForm(StrEnum):
    """A received material is an original (原件) or a copy (复印件)."""

    ORIGINAL = "original"
    COPY = "copy"


PAPER_FORM_LABELS: dict[PaperForm, str] = {PaperForm.ORIGINAL: "原件", PaperForm.COPY: "复印件"}


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
        promised = (MaterialStatus.WAIVED, MaterialStatus.COMMITTED)
        if self.status in promised and self.waived is None:
            raise ValueError(f"材料 {self.code}：状态为“容缺”或“告知承诺”时须登记承诺书签署情况和原因")
        if self.status not in promised and self.waived is not None:
            raise ValueError(f"材料 {self.code}：只有“容缺”或“告知承诺”的材料才能登记承诺信息")
        return self


OutcomesByWhose = Mapping[Whose, Mapping[VerificationKind, VerificationOutcome]]


def deciding_outcome(
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
        exempt = deciding_outcome(material, outcomes, by_whose) is VerificationOutcome.MATCH
        lines.append(
            MaterialState(code=material.code, status=MaterialStatus.VERIFIED if exempt else MaterialStatus.MISSING)
        )
    return lines
