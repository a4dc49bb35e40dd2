"""What the workstation hands to the screens: plain rows and views, masked, with no store types in them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from forms.identifiers import normalise
from forms.vocabulary import CaseStatus


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list: masked personal data only."""

    case_id: str
    case_number: str
    status: CaseStatus
    applicant: str
    applicant_id: str
    updated_at: datetime


@dataclass(frozen=True)
class ShortfallRow:
    """A waived material still owed (补件), for the home screen's follow-up list."""

    case_id: str
    case_number: str
    material: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class FlagRow:
    """A review flag on the home screen: what changed after acceptance and what to do."""

    id: int
    case_id: str
    case_number: str
    message: str
    action: str


@dataclass(frozen=True)
class SyncCounts:
    """The sync screen's status line: outbox entries per state and lookups still queued."""

    outbox_states: dict[str, int]
    pending_lookups: int


@dataclass(frozen=True)
class ConflictRow:
    """A version conflict with both sides, so that the screen can show them without reaching the outbox."""

    case_id: str
    case_number: str
    local_version: int
    platform_version: int | None
    platform_view: dict[str, Any]
    local_payload: dict[str, Any]
    message: str


@dataclass(frozen=True)
class HomeData:
    """What the home screen shows."""

    today: list[CaseRow]
    drafts: list[CaseRow]
    shortfalls: list[ShortfallRow]
    online: bool
    # Not named after the store's repositories (outbox, flags): screens never touch those names (test_layers.py).
    outbox_states: dict[str, int] = field(default_factory=dict)
    review_flags: list[FlagRow] = field(default_factory=list)
    pending_lookups: int = 0


def case_row(summary: Any) -> CaseRow:
    return CaseRow(
        case_id=summary.id,
        case_number=summary.case_number,
        status=summary.status,
        applicant=summary.applicant_name,
        applicant_id=summary.applicant_id,
        updated_at=summary.updated_at,
    )


_CASE_NO = re.compile(r"^[A-Z0-9]{1,16}-\d{8}-\d{4}$")


def query_kind(query: str) -> tuple[str, str]:
    """What the clerk searched for: ("number", case number), ("id", normalised ID number of 15 or 18 characters) or
    ("name", the text as typed)."""
    text = query.strip()
    if _CASE_NO.match(text.upper()):
        return "number", text.upper()
    id_like = normalise(text)
    if len(id_like) in (15, 18) and id_like[:-1].isdigit():
        return "id", id_like
    return "name", text
