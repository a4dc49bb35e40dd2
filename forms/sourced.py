"""Numbers in policy packs carry where they came from.

A policy pack value is written in TOML as ``{ value = 0.026, source = "..." }`` or
``{ value = 6, assumption = "why we assume it" }``. A value with neither is rejected
on load, so that no figure enters the product without provenance.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

T = TypeVar("T")


class Sourced(BaseModel, Generic[T]):
    """A policy value with its source (a document, a date) or the assumption behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: T
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _needs_provenance(self) -> Sourced[T]:
        if not (self.source or self.assumption):
            raise ValueError("每个政策数值都须注明来源（source）或标明为假设（assumption）")
        return self
