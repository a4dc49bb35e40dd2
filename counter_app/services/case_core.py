"""The core of a case session: its state, the command runner and the read side.

Every change to a case is a *command*: :meth:`CaseCore._run` opens ONE store transaction, makes sure the copy in
memory is the latest (re-loading it when another window or a sync changed it), applies the change to the
immutable :class:`~forms.case.CaseFile`, assesses the result (:func:`forms.case.assess`), lets the command write its
side effects (status, shortfalls, outbox, audit) and saves the aggregate. A crash at any instant leaves the case
wholly before or wholly after; a refused command (``IntakeError``) changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from counter_app.services.case_repo import CaseRepository, Loaded
from counter_app.services.case_types import IntakeError, OperatorRef, PrintSetup
from forms.application import Application, Issue
from forms.case import Assessment, CaseFile, Decision, Handoff, LookupRecord, assess
from forms.case import loan as loan_rules
from forms.china_time import CHINA_TZ
from forms.materials import Evaluation, MaterialState, Whose
from forms.policy import PolicyPack
from forms.vocabulary import (
    CASE_STATUS_LABELS,
    CaseStatus,
    FieldSource,
    RepaymentMethod,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar

if TYPE_CHECKING:
    from counter_app.services.gateway import GatewayClient, LookupRequest

Change = Callable[[CaseFile], CaseFile]
Effects = Callable[[CaseFile, Assessment], "CaseStatus | None"]


def _same(file: CaseFile) -> CaseFile:
    return file


class CaseCore:
    """One case open at a window: read it here, change it only through commands."""

    def __init__(
        self,
        *,
        repo: CaseRepository,
        loaded: Loaded,
        policy: PolicyPack,
        calendar: WorkingDayCalendar,
        operator: OperatorRef,
        clock: Callable[[], datetime],
        gateway: Callable[[], GatewayClient],
        printing: PrintSetup,
        create: Callable[[CaseFile], Loaded] | None = None,
    ) -> None:
        self._repo = repo
        # A new case is not in the store until its first change: it gets its number then (Esc on an untouched new
        # case leaves no empty draft and uses up no number).
        self._create = create
        self.policy = policy
        self._calendar = calendar
        self.operator = operator
        self._clock = clock
        self._gateway = gateway
        self._printing = printing
        self.case_id = loaded.case_id
        self.case_number = loaded.case_number
        self.status = loaded.status
        self._revision = loaded.revision
        self._file = loaded.file
        self.ui_state: dict[str, Any] = dict(loaded.ui_state)
        self._assessment: Assessment | None = None
        # Notes of the session (a backfilled value the form refused): shown on the lookup step, not saved.
        self.notes: list[str] = []
        # Requests sent in this session, by id: a result is filed under the person its request was about.
        self._requests: dict[str, LookupRequest] = {}
        self._who: dict[str, tuple[Whose, int]] = {}

    # -- time ----------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().astimezone(CHINA_TZ).date()

    # -- the command runner ----------------------------------------------------------------------------------------

    def _run(
        self, change: Change = _same, effects: Effects | None = None, *, ui: Mapping[str, Any] | None = None
    ) -> None:
        """Load, apply, assess, write side effects and save, in one transaction (see the module docstring)."""
        today = self.today()
        if self._create is not None and change is _same and effects is None:
            # Nothing typed yet: where the clerk is stays in memory until the case exists.
            self.ui_state = dict(ui) if ui is not None else self.ui_state
            return
        with self._repo.transaction():
            if self._create is not None:
                # The first change: the case is inserted (numbered) in the same transaction as the change.
                created = self._create(self._file)
                self.case_id, self.case_number, self._revision = (
                    created.case_id,
                    created.case_number,
                    created.revision,
                )
            revision, status = self._repo.head(self.case_id)
            if revision != self._revision:
                self._file = self._repo.load(self.case_id, today=today).file
                self._revision = revision
            self.status = status
            file = change(self._file)
            assessment = assess(file, self.policy, self._calendar, today)
            moved = effects(file, assessment) if effects is not None else None
            state = dict(ui) if ui is not None else self.ui_state
            self._revision = self._repo.save(self.case_id, file, ui_state=state, expected_revision=revision)
        self._file, self._assessment, self.ui_state = file, assessment, state
        self._create = None
        if moved is not None:
            self.status = moved

    def save(self, ui_state: Mapping[str, Any] | None = None) -> None:
        """Save where the clerk is (step, focus): one write, the case itself unchanged."""
        self._run(ui=ui_state)

    def set_draft(self, path: str, text: str | None, ui_state: Mapping[str, Any] | None = None) -> None:
        """Keep half-typed text with the case (encrypted), so a crash or a lock loses no keystroke."""
        if not self.editable:
            return
        now = self.now()
        self._run(lambda f: f.with_draft(path, text).with_first_input(now), ui=ui_state)

    def _require_draft(self) -> None:
        if not self.editable:
            label = CASE_STATUS_LABELS.get(self.status, self.status.value)
            raise IntakeError(f"案件 {self.case_number} 已{label}，不能再修改")

    def _derive(self, file: CaseFile) -> CaseFile:
        """Values the form can work out itself, so nobody types them: house count, default method, policy rate.

        Only empty fields are filled, marked as derived; whatever the clerk typed stands.
        """
        loan = file.application.fund_loan
        if loan is None or loan.amount is None:
            return file
        today = self.today()
        app = file.application

        def open_to(path: str, current: object) -> bool:
            # Empty, or derived before (a loan history or a term that arrived since changes it): worked out again.
            return current is None or app.source_of(path) is FieldSource.DERIVED

        derived: list[tuple[str, Any]] = []
        if open_to("fund_loan.home_ordinal", loan.home_ordinal):
            derived.append(("fund_loan.home_ordinal", loan_rules.home_ordinal(file)))
        if open_to("fund_loan.repayment_method", loan.repayment_method):
            derived.append(("fund_loan.repayment_method", RepaymentMethod.ANNUITY))
        for path, value in derived:
            with contextlib.suppress(ValueError):
                app = app.backfill(path, value, FieldSource.DERIVED, today=today)
        file = file.model_copy(update={"application": app})
        # The rate follows the house count just worked out.
        if loan.months is not None and open_to("fund_loan.rate", loan.rate):
            rate = loan_rules.suggested_rate(file, self.policy, loan.months, today)
            with contextlib.suppress(ValueError):
                app = app.backfill("fund_loan.rate", rate, FieldSource.DERIVED, today=today)
        return file.model_copy(update={"application": app})

    # -- the read side -------------------------------------------------------------------------------------------

    @property
    def file(self) -> CaseFile:
        return self._file

    @property
    def numbered(self) -> bool:
        """False for a new case nobody has typed into yet (it is not in the store and has no number)."""
        return self._create is None

    @property
    def editable(self) -> bool:
        return self.status is CaseStatus.DRAFT

    @property
    def application(self) -> Application:
        return self._file.application

    @property
    def drafts(self) -> dict[str, str]:
        return dict(self._file.drafts)

    @property
    def checklist(self) -> dict[str, MaterialState]:
        return {line.code: line for line in self._file.checklist}

    @property
    def results(self) -> dict[VerificationKind, LookupRecord]:
        """The applicant's latest answer per kind."""
        out: dict[VerificationKind, LookupRecord] = {}
        for record in sorted(self._file.lookups, key=lambda r: r.checked_at):
            if record.person is Whose.APPLICANT:
                out[record.kind] = record
        return out

    @property
    def agent_result(self) -> LookupRecord | None:
        return self._file.lookup(VerificationKind.IDENTITY, Whose.AGENT)

    @property
    def handoff(self) -> Handoff | None:
        return self._file.handoff

    @property
    def decision(self) -> Decision | None:
        return self._file.decision

    def assessment_of(self, file: CaseFile) -> Assessment:
        return assess(file, self.policy, self._calendar, self.today())

    def assessment(self) -> Assessment:
        if self._assessment is None:
            self._assessment = assess(self._file, self.policy, self._calendar, self.today())
        return self._assessment

    def evaluation(self) -> Evaluation:
        return self.assessment().evaluation

    def outcomes(self) -> dict[VerificationKind, VerificationOutcome]:
        return self._file.outcomes()

    def issues(self) -> list[Issue]:
        return list(self.assessment().form_issues)

    def blocking_problems(self) -> list[str]:
        return list(self.assessment().blocking)

    def loan_problems(self) -> list[str]:
        return list(self.assessment().loan_problems)

    def value_at(self, path: str) -> str:
        """The form's value at a dotted path as the clerk would type it ("" when empty)."""
        node: Any = self._file.application
        for part in path.split("."):
            if node is None:
                return ""
            if part.isdigit():
                index = int(part)
                node = node[index] if index < len(node) else None
            else:
                node = getattr(node, part, None)
        if node is None:
            return ""
        if isinstance(node, Enum):
            return str(node.value)
        if isinstance(node, bool):
            return "是" if node else "否"
        return str(node)

    def source_of(self, path: str) -> FieldSource:
        return self._file.application.source_of(path)
