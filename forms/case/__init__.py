"""The case aggregate (:mod:`forms.case.record`), reading saved versions (:mod:`forms.case.migrate`) and the one
assessment every layer renders (:mod:`forms.case.assess`). Pure: no I/O, no clock."""

from __future__ import annotations

from forms.case.assess import AGENT_MISMATCH, Assessment, MaterialRow, assess, fresh_checklist, people_outcomes
from forms.case.migrate import CaseFileError, load_case
from forms.case.rating import Rating, RatingError
from forms.case.record import (
    SCHEMA_VERSION,
    Authorization,
    CaseFile,
    Decision,
    FieldOverride,
    FlagNote,
    Handoff,
    Handout,
    LookupRecord,
    Override,
    Prints,
    ReviewFlag,
    Supplement,
    Timing,
    Void,
)

__all__ = [
    "AGENT_MISMATCH",
    "SCHEMA_VERSION",
    "Assessment",
    "Authorization",
    "CaseFile",
    "CaseFileError",
    "Decision",
    "FieldOverride",
    "FlagNote",
    "Handoff",
    "Handout",
    "LookupRecord",
    "MaterialRow",
    "Override",
    "Prints",
    "Rating",
    "RatingError",
    "ReviewFlag",
    "Supplement",
    "Timing",
    "Void",
    "assess",
    "fresh_checklist",
    "load_case",
    "people_outcomes",
]
