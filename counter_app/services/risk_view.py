"""The 机审 as the review step and the merged form show it: the verdict's label, then each risk flag with its
severity label, message, evidence and the supervisors' notes on it.

Read from the case's assessment (:attr:`forms.case.Assessment.flags`, ``verdict``) and the case's flag notes;
nothing is judged here. One place joins the notes to their flags, so the screen and the printout say the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forms.case import Assessment, FlagNote
from forms.case.risk import SEVERITY_LABELS, VERDICT_LABELS, Severity, Verdict


@dataclass(frozen=True)
class FlagEntry:
    """One risk flag as shown: a supervisor's note is kept by flag code, so it shows under every flag of that code."""

    code: str
    severity: Severity
    severity_label: str
    message: str
    evidence: str
    notes: tuple[FlagNote, ...]


@dataclass(frozen=True)
class RiskView:
    """The verdict and the flags, in the assessment's order."""

    verdict: Verdict
    verdict_label: str
    entries: tuple[FlagEntry, ...]


def risk_view(assessment: Assessment, notes: Sequence[FlagNote]) -> RiskView:
    """The verdict and every flag of ``assessment`` with the notes on it (oldest first)."""
    entries = tuple(
        FlagEntry(
            code=flag.code,
            severity=flag.severity,
            severity_label=SEVERITY_LABELS[flag.severity],
            message=flag.message,
            evidence=flag.evidence,
            notes=tuple(n for n in notes if n.code == flag.code),
        )
        for flag in assessment.flags
    )
    return RiskView(assessment.verdict, VERDICT_LABELS[assessment.verdict], entries)
