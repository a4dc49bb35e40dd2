"""The case aggregate: everything one case is, typed, in one object that the store saves encrypted as a whole.

A :class:`CaseFile` is pure data: no I/O, no clock. The services load it, apply one command to it, assess it
(:func:`forms.case.assess.assess`) and save it in one transaction; nothing about a case lives anywhere else as
truth (the store's other tables are projections written in the same transaction).

The saved form is versioned (``schema_version``); :func:`forms.case.migrate.load_case` reads every version that
was ever saved and returns the current one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from forms.application import Application
from forms.case.rating import Rating
from forms.materials import MaterialState, Whose
from forms.vocabulary import MaterialStatus, VerificationKind, VerificationOutcome

SCHEMA_VERSION = 2
"""The version :class:`CaseFile` saves; version 1 is the untyped payload before the aggregate (no field)."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LookupRecord(_Record):
    """One lookup of one person's registry entry: what it was asked with and what came back."""

    person: Whose = Whose.APPLICANT
    position: int = Field(0, ge=0, description="Which one, where a case has several (co-borrowers).")
    kind: VerificationKind
    params: dict[str, JsonValue] = Field(default_factory=dict)
    request_id: str
    outcome: VerificationOutcome
    data: dict[str, JsonValue] = Field(default_factory=dict)
    source: str = ""
    checked_at: AwareDatetime
    subject_hash: str = ""
    authorization_ref: str | None = None
    actor: str = ""
    attempts: int = 0
    cached: bool = False
    problem_code: str | None = None
    problem: str = ""


class Decision(_Record):
    """受理 or 不予受理: made once, by whom and when; an acceptance carries its promised completion date."""

    outcome: Literal["accepted", "declined"]
    at: AwareDatetime
    by: str
    promised: date | None = None
    estimate: bool = False
    pending_lookups: tuple[VerificationKind, ...] = ()
    reasons: tuple[str, ...] = ()
    verdict: Literal["auto", "manual", "refuse"] | None = Field(None, description="机审 verdict it was made on")


class Void(_Record):
    """作废 by a supervisor, with the reason."""

    by: str
    at: AwareDatetime
    reason: str = ""


class Supplement(_Record):
    """补件: a waived material handed in after acceptance."""

    code: str
    at: AwareDatetime
    by: str


class Handout(_Record):
    """出件: who collected what, when (no ID number: the collector's name as said at the window)."""

    by: str
    at: AwareDatetime
    collected_by: str
    items: str


class Override(_Record):
    """A supervisor's approved exception (负责人批准): a core material waived, with the reason."""

    code: str
    by: str
    reason: str
    at: AwareDatetime


class FieldOverride(_Record):
    """A verified (backfilled) value the clerk changed on purpose (人工修改): what the registry said, and why."""

    path: str
    verified_value: str | None
    reason: str
    by: str
    at: AwareDatetime


class Handoff(_Record):
    """An agent's pre-verified case (预审) handed to the window."""

    by: str
    at: AwareDatetime
    state: Literal["ready"] = "ready"


class Prints(_Record):
    """Documents printed: frozen after the decision (their data, so a reprint is the same content) and the
    working copies printed for signature before it."""

    frozen: dict[str, str] = Field(default_factory=dict, description="document kind -> the data it printed (JSON)")
    drafts: tuple[str, ...] = ()
    reprints: dict[str, int] = Field(default_factory=dict, description="document kind -> authorised reprints (补打)")


class ReviewFlag(_Record):
    """A late lookup answer that disagrees with what the case was accepted on, and how the window settled it."""

    kind: VerificationKind
    before: VerificationOutcome | None = None
    after: VerificationOutcome
    message: str
    action: str
    request_id: str
    raised_at: AwareDatetime
    resolved_at: AwareDatetime | None = None
    resolved_by: str = ""
    resolution: str = ""


class Authorization(_Record):
    """A signed credit-inquiry authorization (征信查询授权书) of the spouse or a co-borrower: each person's own.

    The applicant's is part of the application form (``credit_authorization``), printed with it."""

    person: Whose
    position: int = 0
    reference: str
    recorded_at: AwareDatetime
    by: str


class FlagNote(_Record):
    """A supervisor's note on a risk flag (the flag itself stands: nobody waives it)."""

    code: str
    by: str
    at: AwareDatetime
    note: str


class Timing(_Record):
    """KPI: intake time runs from the first keystroke to the decision (Fujian's "time used" measure)."""

    first_input_at: AwareDatetime | None = None


class CaseFile(BaseModel):
    """One case, whole: the application, every lookup, the checklist, the decision and what followed it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[2] = 2
    application: Application = Field(default_factory=Application)
    lookups: tuple[LookupRecord, ...] = ()
    checklist: tuple[MaterialState, ...] = ()
    decision: Decision | None = None
    void: Void | None = None
    supplements: tuple[Supplement, ...] = ()
    handout: Handout | None = None
    overrides: tuple[Override, ...] = ()
    field_overrides: tuple[FieldOverride, ...] = ()
    handoff: Handoff | None = None
    prints: Prints = Field(default_factory=Prints)
    timing: Timing = Field(default_factory=Timing)
    flags: tuple[ReviewFlag, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    flag_notes: tuple[FlagNote, ...] = ()
    ratings: tuple[Rating, ...] = Field((), description="好差评 of 受理 and 出件 (forms.case.rating)")
    policy_code: str = Field("", description="The policy pack it is assessed under; empty: the counter's own")
    policy_version: int = Field(
        0, ge=0, description="The pack's master-data version it started with (0: packaged); kept until re-assessed"
    )
    drafts: dict[str, str] = Field(
        default_factory=dict,
        description="Half-typed text by form path: saved with the case (encrypted), never in the screen state.",
    )

    # -- reading ------------------------------------------------------------------------------------------------

    def lookup(self, kind: VerificationKind, person: Whose = Whose.APPLICANT, position: int = 0) -> LookupRecord | None:
        """The latest answer of a kind about one person, or None."""
        found = [r for r in self.lookups if r.kind is kind and r.person is person and r.position == position]
        # Stable sort: of answers with the same time (a frozen clock, one second), the one taken in last wins.
        return sorted(found, key=lambda r: r.checked_at)[-1] if found else None

    def outcomes(self, person: Whose = Whose.APPLICANT) -> dict[VerificationKind, VerificationOutcome]:
        """The latest outcome per kind about one person."""
        ordered = sorted((r for r in self.lookups if r.person is person), key=lambda r: r.checked_at)
        return {r.kind: r.outcome for r in ordered}

    def lookup_outcomes(self, person: Whose, position: int) -> dict[VerificationKind, VerificationOutcome]:
        """The latest outcome per kind about one person among several (a co-borrower)."""
        ordered = sorted(
            (r for r in self.lookups if r.person is person and r.position == position), key=lambda r: r.checked_at
        )
        return {r.kind: r.outcome for r in ordered}

    def line(self, code: str) -> MaterialState | None:
        return next((line for line in self.checklist if line.code == code), None)

    def authorization(self, person: Whose, position: int = 0) -> Authorization | None:
        return next((a for a in self.authorizations if a.person is person and a.position == position), None)

    def override(self, code: str) -> Override | None:
        return next((o for o in self.overrides if o.code == code), None)

    # -- changing (each returns a new file) ----------------------------------------------------------------------

    def with_lookups(self, records: list[LookupRecord]) -> CaseFile:
        """Keep every answer: a newer one of the same kind and person supersedes, the old stays for the record.

        A queued lookup's answer comes back under the request id of its ``pending`` placeholder (the replay keeps
        the id, so the gateway answers it idempotently): it takes the placeholder's place, which was no answer."""
        answered = {r.request_id for r in records if r.outcome is not VerificationOutcome.PENDING}
        kept = tuple(
            r for r in self.lookups if r.outcome is not VerificationOutcome.PENDING or r.request_id not in answered
        )
        known = {r.request_id for r in kept}
        fresh = tuple(r for r in records if r.request_id not in known)
        return self.model_copy(update={"lookups": kept + fresh})

    def with_line(self, line: MaterialState) -> CaseFile:
        lines = [existing for existing in self.checklist if existing.code != line.code]
        index = next((i for i, existing in enumerate(self.checklist) if existing.code == line.code), len(lines))
        lines.insert(index, line)
        return self.model_copy(update={"checklist": tuple(lines)})

    def with_checklist(self, fresh: list[MaterialState]) -> CaseFile:
        """Lines for the scenario's materials; the clerk's own marks (received, waived, not applicable) are kept."""
        kept = {
            line.code: line
            for line in self.checklist
            if line.status
            in (MaterialStatus.RECEIVED, MaterialStatus.WAIVED, MaterialStatus.NOT_APPLICABLE, MaterialStatus.COMMITTED)
        }
        return self.model_copy(update={"checklist": tuple(kept.get(line.code, line) for line in fresh)})

    def with_draft(self, path: str, text: str | None) -> CaseFile:
        drafts = dict(self.drafts)
        if text is None:
            drafts.pop(path, None)
        else:
            drafts[path] = text
        return self.model_copy(update={"drafts": drafts})

    def with_flag(self, flag: ReviewFlag) -> CaseFile:
        """A flag raised (once per request) or settled (the same request id, now resolved)."""
        kept = tuple(f for f in self.flags if f.request_id != flag.request_id)
        return self.model_copy(update={"flags": (*kept, flag)})

    def with_first_input(self, at: datetime) -> CaseFile:
        if self.timing.first_input_at is not None:
            return self
        return self.model_copy(update={"timing": Timing(first_input_at=at)})
