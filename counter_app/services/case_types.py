"""Small types shared by the case services (and the screens): who is working, what went wrong, China time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from forms.china_time import CHINA_TZ as CHINA_TZ  # re-exported: the screens and services take it from here
from forms.vocabulary import CaseStatus

if TYPE_CHECKING:
    from forms.case import Assessment
    from printouts.kinds import DocKind


class LoginError(Exception):
    """Login refused; the message says why (wrong password with attempts left, or locked until when)."""


class IntakeError(Exception):
    """A step the clerk cannot take now; the message is Chinese and says what to do instead."""


@dataclass(frozen=True)
class OperatorRef:
    """Who is working the case (no password, no store types: safe to hand to screens)."""

    id: int
    login: str
    name: str
    role: str

    @property
    def actor(self) -> str:
        return self.login


@dataclass(frozen=True)
class DecisionMade:
    """What acceptance or decline produced: the assessment it was made on and the documents it needs printed."""

    status: CaseStatus
    case_number: str
    assessment: Assessment
    documents: tuple[DocKind, ...]


@dataclass(frozen=True)
class PrintSetup:
    """Where documents go: from the settings, resolved once by the workstation."""

    spool_dir: Path
    printer: str | None
    font_path: Path | None
    window: str
    follow_seconds: float = 20.0  # how long a queued job is followed with lpstat (print_follow_seconds)


def utc_now() -> datetime:
    return datetime.now(UTC)
