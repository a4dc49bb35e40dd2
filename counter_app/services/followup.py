"""Follow-up at the window (issue 8): supplements (补件), hand-out of results (出件), progress queries, supervisors.

Each step changes an accepted case on purpose and in the open: it is audited, and a new case version goes to the
platform through the outbox, so the back office hears of it exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from counter_app.services.intake import CHINA_TZ, IntakeCase, IntakeError, OperatorRef
from forms.vocabulary import CASE_STATUS_LABELS, CaseStatus, Role, ShortfallStatus
from printouts.models import Office, OverdueListData, OverdueRow

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation
    from printouts.spool import PrintRecord


@dataclass(frozen=True)
class ShortfallLine:
    """One waived material of a case and where it stands."""

    code: str
    material: str
    due: date
    status: ShortfallStatus
    fulfilled_at: datetime | None


@dataclass(frozen=True)
class ProgressEvent:
    at: str
    text: str
    status: str


@dataclass(frozen=True)
class Progress:
    """What a progress query (进度查询) answers: masked, for reading out at the window or by phone."""

    case_id: str
    case_number: str
    status: CaseStatus
    status_label: str
    applicant: str
    accepted_at: str
    promised: str
    events: list[ProgressEvent]
    shortfalls: list[ShortfallLine]
    handout: dict[str, str]

    @property
    def ready_for_handout(self) -> bool:
        return self.status is CaseStatus.COMPLETED and not self.handout


def _require_supervisor(operator: OperatorRef, what: str) -> None:
    if operator.role != Role.SUPERVISOR.value:
        raise IntakeError(f"{what}须由负责人操作")


class FollowUp:
    """The counter's work on cases after acceptance."""

    def __init__(self, workstation: Workstation) -> None:
        self.ws = workstation
        self.store = workstation._store

    def shortfalls(self, case_id: str) -> list[ShortfallLine]:
        lines = []
        for item in self.store.records.shortfalls(case_id):
            lines.append(
                ShortfallLine(
                    code=item.material_code,
                    material=self._name(item.material_code),
                    due=item.due_date,
                    status=item.status,
                    fulfilled_at=item.fulfilled_at,
                )
            )
        return lines

    def _name(self, code: str) -> str:
        try:
            return self.ws.policy.materials.get(code).name
        except KeyError:
            return code

    def progress(self, case: IntakeCase) -> Progress:
        from local_cache.sync_ledger import SyncLedger

        self.store.records.mark_overdue(self.ws.today())
        record = self.store.cases.get(case.case_id)
        events = [ProgressEvent(e.at, e.text, e.status) for e in SyncLedger.of(self.store).events(case.case_id)]
        decision, handout = case.decision, case.file.handout
        return Progress(
            case_id=case.case_id,
            case_number=case.case_number,
            status=record.summary.status,
            status_label=CASE_STATUS_LABELS.get(record.summary.status, record.summary.status.value),
            applicant=record.summary.applicant_name,
            accepted_at=decision.at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if decision else "",
            promised=decision.promised.isoformat() if decision and decision.promised else "",
            events=events,
            shortfalls=self.shortfalls(case.case_id),
            handout=handout.model_dump(mode="json") if handout is not None else {},
        )

    def receive_supplement(self, case: IntakeCase, code: str, operator: OperatorRef) -> ShortfallLine:
        """补件: a waived material comes in; the shortfall closes and the platform is told (one transaction)."""
        case.receive_supplement(code, operator)
        return next(s for s in self.shortfalls(case.case_id) if s.code == code)

    def overdue(self) -> list[tuple[str, ShortfallLine]]:
        """Every overdue shortfall with its case number, oldest first (for the list and its printout)."""
        today = self.ws.today()
        self.store.records.mark_overdue(today)
        rows = []
        for item in self.store.records.shortfalls_due(today):
            if item.status is not ShortfallStatus.OVERDUE:
                continue
            line = ShortfallLine(item.material_code, self._name(item.material_code), item.due_date, item.status, None)
            rows.append((self.store.cases.case_number_of(item.case_id), line))
        return rows

    def disbursement_overdue(self) -> list[tuple[str, date]]:
        """Approved cases not yet disbursed past the pack's approval-to-disbursement deadline (Shanxi: 5 working
        days), oldest first: (case number, deadline). Empty where the pack sets no such deadline."""
        days = self.ws.policy.disbursement_working_days
        if days is None:
            return []
        today = self.ws.today()
        late = []
        for _, number, since in self.store.cases.in_status_since(CaseStatus.APPROVED):
            due = self.ws.calendar.add_working_days(since.astimezone(CHINA_TZ).date(), days.value).due
            if due < today:
                late.append((number, due))
        return late

    def print_overdue(self, operator: OperatorRef) -> PrintRecord:
        """The overdue list as a printout for the follow-up calls (case numbers and materials only)."""
        from printouts.api import print_document

        data = OverdueListData(
            printed_at=self.ws.clock(),
            office=Office.from_policy(self.ws.policy, self.ws.printing.window),
            clerk=operator.name,
            rows=[OverdueRow(case_no=number, material=line.material, due=line.due) for number, line in self.overdue()],
        )
        setup = self.ws.printing
        return print_document(
            data,
            spool_dir=setup.spool_dir,
            actor=operator.actor,
            printer=setup.printer,
            font_path=setup.font_path,
            now=self.ws.clock(),
        )

    def hand_out(self, case: IntakeCase, operator: OperatorRef, *, collected_by: str, items: str) -> None:
        """出件: the platform reported the case done; record who collected what (no ID number in clear)."""
        case.hand_out(operator, collected_by=collected_by, items=items)

    def unlock_operator(self, login: str, supervisor: OperatorRef) -> None:
        _require_supervisor(supervisor, "解锁操作员")
        self.store.operators.unlock(login, actor=supervisor.actor)  # the store audits the unlock
