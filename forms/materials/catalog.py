"""The material catalog (申请材料目录) of a policy pack: what a process may ask for, and when.

A policy pack owns a ``materials.toml`` that lists every material its process has ever asked for, with when it
applies (:class:`AppliesWhen`), whether a matching registry lookup replaces it (``exempt_by``: 数据共享核验 ->
免提交), and whether it may be waived (容缺) and until when (:class:`ShortfallRule`). This module validates that
list on load and answers which materials apply to a scenario; it decides nothing about a case
(:mod:`forms.materials.checklist` and :mod:`forms.materials.evaluation` do).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forms.scenario import Scenario
from forms.sourced import Sourced
from forms.vocabulary import (
    LoanKind,
    MaritalStatus,
    MaterialClass,
    Presence,
    PropertyKind,
    VerificationKind,
)

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
    # 告知承诺: a signed commitment may replace this material (pack data, with its source).
    commitment: Sourced[bool] | None = None

    @property
    def committable(self) -> bool:
        return self.commitment is not None and self.commitment.value

    @property
    def expected_paper(self) -> tuple[str, int]:
        """What the window keeps, read from the pack's ``copies`` text: ("copy", n) where it keeps n copies
        ("原件核验，复印件1份": the original is shown and handed back), else ("original", n) ("原件1份")."""
        copy = re.search(r"复印件各?(\d+)份", self.copies)
        if copy:
            return ("copy", int(copy.group(1)))
        original = re.search(r"原件各?(\d+)份", self.copies)
        return ("original", int(original.group(1)) if original else 1)

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
