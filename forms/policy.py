"""Policy packs (政策包): one folder of TOML data per jurisdiction, validated on load.

A pack is ``forms/policies/<code>/`` with ``pack.toml`` (who, when, promised working days, service contacts),
``loan.toml`` (rates, limits, terms: :class:`forms.loan.LoanPolicy`) and ``materials.toml`` (the material catalog:
:class:`forms.materials.MaterialCatalog`). Every number carries its source or is marked as an assumption.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forms.loan import LoanPolicy
from forms.materials import MaterialCatalog
from forms.policy_names import POLICY_CODE, available_policies, policies_root
from forms.sourced import Sourced


class PolicyError(ValueError):
    """A policy pack that does not exist or does not validate; the message is Chinese and names the file."""


class PackMeta(BaseModel):
    """Who issued the rules and since when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    authority: str
    effective: date
    sources: list[str]
    # The master-data edition (forms.master_data): 0 is the pack packaged with the program; a bundle published by
    # the platform sets it from its signed manifest, so a case, a form and a receipt can name the rules they used.
    version: int = Field(0, ge=0)

    @property
    def version_label(self) -> str:
        return f"{self.code} 第{self.version}版" if self.version else f"{self.code} 内置版"


class ServiceInfo(BaseModel):
    """Contacts printed on receipts and notices."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hotline: str
    supervision_phone: str
    progress_query: str
    office: str


class PolicyPack(BaseModel):
    """One jurisdiction's rules as data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: PackMeta
    promised_working_days: Sourced[int]
    # 审批到放款 (approval to disbursement), where a pack publishes it (Shanxi, seed 004); read by nothing yet.
    disbursement_working_days: Sourced[int] | None = None
    agents_may_accept: Sourced[bool]
    service: ServiceInfo
    loan: LoanPolicy
    materials: MaterialCatalog

    @property
    def code(self) -> str:
        return self.meta.code


def _read(folder: Any, name: str, code: str) -> dict[str, Any]:
    entry = folder.joinpath(name)
    try:
        text = entry.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"政策包“{code}”缺少文件 {name}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"政策包“{code}”的 {name} 不是有效的 TOML：{exc}") from exc


def _build(folder: Any, code: str) -> PolicyPack:
    pack = _read(folder, "pack.toml", code)
    data = {
        **pack,
        "loan": _read(folder, "loan.toml", code),
        "materials": _read(folder, "materials.toml", code),
    }
    try:
        policy = PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"政策包“{code}”校验失败：\n{exc}") from exc
    if policy.meta.code != code:
        raise PolicyError(f"政策包文件夹“{code}”中的 meta.code 为“{policy.meta.code}”，两者应一致")
    return policy


@cache
def load_policy(code: str = "qingdao") -> PolicyPack:
    """Load and validate a packaged policy pack by its code (no paths: codes only)."""
    if not POLICY_CODE.match(code) or code not in available_policies():
        known = "、".join(available_policies())
        raise PolicyError(f"政策包“{code}”不存在，可选：{known}")
    return _build(policies_root().joinpath(code), code)


def load_policy_dir(path: Path) -> PolicyPack:
    """Load a pack from a folder outside the package (a jurisdiction's own rules under review)."""
    return _build(Path(path), Path(path).name)


class _Texts:
    """A pack's files held in memory (a master-data bundle), read as :func:`_build` reads a folder."""

    def __init__(self, texts: Mapping[str, str], name: str = "") -> None:
        self._texts = texts
        self._name = name

    def joinpath(self, name: str) -> _Texts:
        return _Texts(self._texts, name)

    def read_text(self, encoding: str = "utf-8") -> str:
        if self._name not in self._texts:
            raise FileNotFoundError(self._name)
        return self._texts[self._name]


def policy_from_texts(code: str, texts: Mapping[str, str], version: int) -> PolicyPack:
    """A pack from its files' texts (a verified master-data bundle), validated as a packaged one, at ``version``."""
    pack = _build(_Texts(texts), code)
    return pack.model_copy(update={"meta": pack.meta.model_copy(update={"version": version})})
