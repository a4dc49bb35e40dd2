"""The case repository: the one adapter between the case aggregate and the local store.

It reads a :class:`~forms.case.CaseFile` (any saved version, migrated on load), saves it encrypted as the single
source of truth, and writes the store's projections (status, people index, checklist lines, shortfalls, outbox,
print log, audit) — always inside the transaction of the command that caused them (:meth:`transaction`). No
Textual here; screens never see this class.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from forms.case import Assessment, CaseFile, load_case
from forms.vocabulary import CaseStatus, MaterialStatus, ShortfallStatus

if TYPE_CHECKING:
    from local_cache import Store


@dataclass(frozen=True)
class Loaded:
    """A case as read from the store: its aggregate, status, revision and where the clerk was."""

    case_id: str
    case_number: str
    status: CaseStatus
    revision: int
    file: CaseFile
    ui_state: dict[str, Any]


def platform_payload(file: CaseFile, assessment: Assessment | None = None) -> dict[str, Any]:
    """What the platform receives: the whole aggregate, without the counter's half-typed text, and the counter's
    judgement of it (the 机审 verdict and the risk flags with their evidence) for the back office."""
    body = file.model_dump(mode="json", exclude={"drafts"})
    if assessment is not None:
        body["assessment"] = {
            "verdict": assessment.verdict,
            "reasons": list(assessment.verdict_reasons),
            "flags": [flag.model_dump(mode="json") for flag in assessment.flags],
        }
    return body


class CaseRepository:
    """Load and save cases and their projections; every method joins the caller's :meth:`transaction`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._store.transaction():
            yield

    # -- the aggregate -----------------------------------------------------------------------------------------

    def create(self, file: CaseFile, *, actor: str, operator_id: int) -> Loaded:
        """A new case with its number, saved whole in one transaction (audited)."""
        record = self._store.cases.create(actor=actor, operator_id=operator_id, payload=file.model_dump(mode="json"))
        return self.load(record.summary.id)

    def load(self, case_id: str, *, today: date | None = None) -> Loaded:
        record = self._store.cases.get(case_id)
        return Loaded(
            case_id=case_id,
            case_number=record.summary.case_number,
            status=record.summary.status,
            revision=record.summary.revision,
            file=load_case(record.payload, today=today),
            ui_state=dict(record.ui_state),
        )

    def head(self, case_id: str) -> tuple[int, CaseStatus]:
        """Revision and status only: enough to tell whether the copy in memory is still the latest."""
        return self._store.cases.head(case_id)

    def save(self, case_id: str, file: CaseFile, *, ui_state: Mapping[str, Any] | None, expected_revision: int) -> int:
        """Save the whole aggregate (and the people index from it); returns the new revision."""
        from local_cache.people import people_from_payload

        application = file.application.model_dump(mode="json")
        return self._store.cases.autosave(
            case_id,
            file.model_dump(mode="json"),
            ui_state=ui_state,
            people=people_from_payload(application),
            expected_revision=expected_revision,
        )

    def update(self, case_id: str, change: Callable[[CaseFile], CaseFile]) -> CaseFile:
        """Load, change and save one case in the caller's transaction (for services other than a session)."""
        with self.transaction():
            loaded = self.load(case_id)
            file = change(loaded.file)
            self.save(case_id, file, ui_state=None, expected_revision=loaded.revision)
        return file

    # -- projections and side effects (inside the command's transaction) ----------------------------------------

    def move_status(
        self, case_id: str, status: CaseStatus, *, actor: str, reason: str | None = None, supervisor: bool = False
    ) -> None:
        self._store.cases.move_status(case_id, status, actor=actor, reason=reason, override_by_supervisor=supervisor)

    def project_checklist(self, case_id: str, file: CaseFile) -> None:
        for line in file.checklist:
            self._store.records.set_checklist_line(case_id, line.code, MaterialStatus(line.status))

    def open_shortfall(self, case_id: str, code: str, due: date, commitment_ref: str) -> None:
        self._store.records.add_shortfall(case_id, code, due, commitment_ref=commitment_ref)

    def open_shortfall_codes(self, case_id: str) -> set[str]:
        return {
            s.material_code
            for s in self._store.records.shortfalls(case_id)
            if s.status is not ShortfallStatus.FULFILLED
        }

    def fulfil_shortfall(self, case_id: str, code: str) -> None:
        self._store.records.fulfil_shortfall(case_id, code)

    def raise_review(
        self,
        case_id: str,
        kind: str,
        *,
        before: str,
        after: str,
        message: str,
        action: str,
        request_id: str,
        actor: str,
    ) -> None:
        """A line on the review list (home, sync and follow-up screens) until someone records how it was handled
        (idempotent per request id; audited by the store)."""
        self._store.flags.raise_flag(
            case_id,
            kind,
            before=before,
            after=after,
            message=message,
            action=action,
            request_id=request_id,
            actor=actor,
        )

    def queue_for_platform(
        self, case_id: str, file: CaseFile, *, actor: str, assessment: Assessment | None = None
    ) -> int:
        """One new version for the platform, sent in order, exactly once; returns the version."""
        from local_cache.sync_ledger import SyncLedger

        version = SyncLedger.of(self._store).next_version(case_id)
        # The case number travels with the case: another window of the hall finds the case by it.
        body = {**platform_payload(file, assessment), "case_number": self._store.cases.case_number_of(case_id)}
        self._store.outbox.enqueue(case_id, version, body, actor=actor)
        return version

    def log_print(
        self,
        case_id: str,
        document: str,
        *,
        actor: str,
        reason: str | None,
        job_id: str | None = None,
        printer_state: str | None = None,
        printer_message: str | None = None,
    ) -> None:
        self._store.prints.record(
            case_id,
            document,
            actor=actor,
            reason=reason,
            job_id=job_id,
            printer_state=printer_state,
            printer_message=printer_message,
        )

    def settle_print(self, case_id: str, job_id: str, *, printer_state: str, printer_message: str | None) -> None:
        self._store.prints.settle(case_id, job_id, printer_state=printer_state, printer_message=printer_message)

    def audit(self, action: str, *, actor: str, case_number: str, **detail: Any) -> None:
        self._store.audit.append(action, actor=actor, case_number=case_number, **detail)
