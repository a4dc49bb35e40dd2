"""Reading saved cases of every schema version: version 1 (the untyped payload) becomes a :class:`CaseFile`.

Version 1 was a dict with ``application``, ``checklist``, ``results`` (the applicant's lookups), ``agent_result``,
``decision`` (with ``voided``, ``supplements`` and ``handout`` folded in), ``overrides`` (by material code),
``handoff``, ``snapshots``, ``draft_prints`` and ``timing``. A store upgraded from schema v5 may also carry
``drafts`` (half-typed text moved out of the clear screen state).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from forms.case.record import SCHEMA_VERSION, CaseFile
from forms.materials import Whose


class CaseFileError(ValueError):
    """A saved case this version cannot read (newer than it knows, or not a case)."""


def load_case(raw: Mapping[str, Any], *, today: date | None = None) -> CaseFile:
    """The current :class:`CaseFile` from any saved version (validated; ``today`` for the form's date rules)."""
    version = raw.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
        raise CaseFileError(f"案件数据版本 {version!r} 无法识别（本程序支持至第 {SCHEMA_VERSION} 版），请升级程序")
    data = dict(raw) if version == SCHEMA_VERSION else _from_v1(raw)
    context = {"today": today} if today is not None else None
    return CaseFile.model_validate(data, context=context)


def _lookup_v1(raw: Mapping[str, Any], person: Whose) -> dict[str, Any]:
    problem = raw.get("problem") or {}
    return {
        "person": person.value,
        "kind": raw["kind"],
        "request_id": raw["request_id"],
        "outcome": raw["outcome"],
        "data": raw.get("data") or {},
        "source": raw.get("source") or "",
        "checked_at": raw["checked_at"],
        "subject_hash": raw.get("subject_hash") or "",
        "authorization_ref": raw.get("authorization_ref"),
        "actor": raw.get("actor") or "",
        "attempts": raw.get("attempts") or 0,
        "cached": bool(raw.get("cached")),
        "problem_code": problem.get("code") if problem else None,
        "problem": problem.get("message", "") if problem else "",
    }


def _from_v1(raw: Mapping[str, Any]) -> dict[str, Any]:
    lookups = [_lookup_v1(r, Whose.APPLICANT) for r in raw.get("results") or []]
    if raw.get("agent_result"):
        lookups.append(_lookup_v1(raw["agent_result"], Whose.AGENT))
    old = dict(raw.get("decision") or {})
    decision = None
    if old.get("status") in ("accepted", "declined") and old.get("at"):
        decision = {
            "outcome": old["status"],
            "at": old["at"],
            "by": old.get("by") or "",
            "promised": old.get("promised"),
            "estimate": bool(old.get("estimate")),
            "pending_lookups": old.get("pending_lookups") or [],
        }
    voided = old.get("voided")
    handoff = raw.get("handoff") or None
    return {
        "schema_version": SCHEMA_VERSION,
        "application": raw.get("application") or {},
        "lookups": lookups,
        "checklist": raw.get("checklist") or [],
        "decision": decision,
        "void": {"by": voided["by"], "at": voided["at"], "reason": ""} if voided else None,
        "supplements": old.get("supplements") or [],
        "handout": old.get("handout") or None,
        "overrides": [{"code": code, **o} for code, o in (raw.get("overrides") or {}).items()],
        "handoff": {"by": handoff["by"], "at": handoff["at"]} if handoff else None,
        "prints": {"frozen": raw.get("snapshots") or {}, "drafts": sorted(raw.get("draft_prints") or [])},
        "timing": {"first_input_at": (raw.get("timing") or {}).get("first_input_at")},
        "drafts": dict(raw.get("drafts") or {}),
    }
