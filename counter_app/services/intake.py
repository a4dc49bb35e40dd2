"""The intake use case: one case from the first keystroke to the printed receipt (DESIGN.md, "the intended walk").

An :class:`IntakeCase` holds the application, the checklist and the lookup results of one case, and saves all of
it in one transaction after every change (autosave), so a crash, a power cut or the lock screen loses nothing.
The rules themselves live in ``forms`` (validation, materials, loan limits, working days); this module only
orchestrates them with the store, the gateway and the printouts. Screens talk to this class, never to SQL or HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from counter_app.services import case_documents, case_loan
from counter_app.services.case_types import CHINA_TZ, Decision, IntakeError, OperatorRef, PrintSetup
from counter_app.services.gateway import (
    GatewayClient,
    LookupRequest,
    Subject,
    VerificationResult,
    backfill_application,
    inputs_from_application,
    outcomes_by_kind,
    plan_lookups,
)
from forms.application import Application, Issue, Severity, issues_from_error
from forms.loan import LoanLimit, TermLimit
from forms.materials import Evaluation, MaterialState, Receipt, Waiver, Whose, evaluate, initial_checklist
from forms.policy import PolicyPack
from forms.scenario import Scenario
from forms.vocabulary import (
    CaseStatus,
    FieldSource,
    HomeOrdinal,
    MaterialStatus,
    RepaymentMethod,
    Role,
    VerificationKind,
    VerificationOutcome,
)
from forms.workdays import WorkingDayCalendar
from local_cache.cases import people_from_payload
from printouts.kinds import DocKind
from printouts.models import VerificationRow

if TYPE_CHECKING:
    from local_cache import Store
    from printouts.api import DocumentData
    from printouts.spool import PrintRecord


class IntakeCase:
    """One case being taken at the window."""

    def __init__(
        self,
        *,
        store: Store,
        policy: PolicyPack,
        calendar: WorkingDayCalendar,
        operator: OperatorRef,
        case_id: str,
        case_number: str,
        status: CaseStatus,
        payload: Mapping[str, Any],
        ui_state: Mapping[str, Any],
        clock: Callable[[], datetime],
        gateway: Callable[[], GatewayClient],
        printing: PrintSetup,
    ) -> None:
        self._store = store
        self.policy = policy
        self._calendar = calendar
        self.operator = operator
        self.case_id = case_id
        self.case_number = case_number
        self.status = status
        self._clock = clock
        self._gateway = gateway
        self._printing = printing
        self.ui_state: dict[str, Any] = dict(ui_state)
        self.application = Application.model_validate(payload.get("application") or {}, context=self._context())
        self.results: dict[VerificationKind, VerificationResult] = {}
        for raw in payload.get("results", []):
            result = VerificationResult.model_validate(raw)
            self.results[result.kind] = result
        self.checklist: dict[str, MaterialState] = {
            line["code"]: MaterialState.model_validate(line) for line in payload.get("checklist", [])
        }
        self.decision: dict[str, Any] = dict(payload.get("decision") or {})
        self.snapshots: dict[str, str] = dict(payload.get("snapshots") or {})
        self.draft_prints: set[str] = set(payload.get("draft_prints") or [])
        raw_agent = payload.get("agent_result")
        self.agent_result: VerificationResult | None = (
            VerificationResult.model_validate(raw_agent) if raw_agent else None
        )
        self._agent_requests: set[str] = set()
        # Supervisor-approved exceptions (负责人批准): {material code: {"by", "reason", "at"}}.
        self.overrides: dict[str, dict[str, str]] = dict(payload.get("overrides") or {})
        self.handoff: dict[str, str] = dict(payload.get("handoff") or {})
        if not self.checklist:
            self._refresh_checklist()
        # KPI: intake time runs from the first keystroke to the decision (Fujian's "time used" measure).
        self.timing: dict[str, str] = dict(payload.get("timing") or {})
        self.notes: list[str] = []

    # -- time ----------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().astimezone(CHINA_TZ).date()

    def _context(self) -> dict[str, Any]:
        return {"today": self.today()}

    # -- persistence -----------------------------------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        """The whole case as saved locally and sent to the platform (application, checklist, lookups, prints)."""
        return {
            "application": self.application.model_dump(mode="json"),
            "checklist": [line.model_dump(mode="json") for line in self.checklist.values()],
            "results": [r.model_dump(mode="json") for r in self.results.values()],
            "decision": self.decision,
            "snapshots": self.snapshots,
            "draft_prints": sorted(self.draft_prints),
            "timing": self.timing,
            "agent_result": self.agent_result.model_dump(mode="json") if self.agent_result else None,
            "overrides": self.overrides,
            "handoff": self.handoff,
        }

    def save(self, ui_state: Mapping[str, Any] | None = None) -> int:
        """Autosave: application, checklist, results and the screen state in one transaction."""
        if ui_state is not None:
            self.ui_state = dict(ui_state)
        application = self.application.model_dump(mode="json")
        return self._store.cases.autosave(
            self.case_id, self.payload(), ui_state=self.ui_state, people=people_from_payload(application)
        )

    @property
    def editable(self) -> bool:
        return self.status is CaseStatus.DRAFT

    def _require_draft(self) -> None:
        if not self.editable:
            raise IntakeError(f"案件 {self.case_number} 已{_STATUS_ZH.get(self.status, self.status.value)}，不能再修改")

    # -- the form --------------------------------------------------------------------------------------------------

    def set_scenario(self, scenario: Scenario) -> None:
        self._require_draft()
        self.application = self.application.with_scenario(scenario, today=self.today())
        self._refresh_checklist()
        self.save()

    def set_field(self, path: str, value: Any) -> list[Issue]:
        """Set one form value typed by the clerk; returns the problems (Chinese), empty when it was taken.

        A blank value clears the field. A refused value leaves the form unchanged.
        """
        self._require_draft()
        if isinstance(value, str):
            value = value.strip() or None
        try:
            updated = self.application.backfill(path, value, FieldSource.TYPED, today=self.today())
        except ValidationError as exc:
            return issues_from_error(exc)
        except ValueError as exc:
            return [Issue(path=path, label=path, message=str(exc), severity=Severity.ERROR)]
        self.application = updated
        self.timing.setdefault("first_input_at", self.now().isoformat())
        self._derive()
        self.save()
        return []

    def record_authorization(self, reference: str | None = None) -> None:
        """The applicant signed the credit-inquiry authorization (征信查询授权书): credit lookups may run."""
        self._require_draft()
        ref = reference or f"SQ-{self.case_number}"
        app = self.application
        for path, value in (
            ("credit_authorization.recorded", True),
            ("credit_authorization.reference", ref),
            ("credit_authorization.recorded_at", self.now()),
        ):
            app = app.backfill(path, value, FieldSource.TYPED, today=self.today())
        self.application = app
        self._store.audit.append(
            "authorization", actor=self.operator.actor, case_number=self.case_number, reference=ref
        )
        self.save()

    def value_at(self, path: str) -> str:
        """The form's value at a dotted path as the clerk would type it ("" when empty)."""
        node: Any = self.application
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
        return self.application.source_of(path)

    def issues(self) -> list[Issue]:
        return self.application.check(self.today())

    # -- lookups ---------------------------------------------------------------------------------------------------

    def lookup_requests(self, kinds: Iterable[VerificationKind] | None = None) -> list[LookupRequest]:
        """The requests this case needs now; raises IntakeError when the applicant is not filled in yet."""
        try:
            inputs = inputs_from_application(self.application)
        except ValueError as exc:
            raise IntakeError(str(exc)) from exc
        plan = plan_lookups(self.case_id, self.application.scenario, inputs)
        wanted = set(kinds) if kinds is not None else None
        requests = [r for r in plan if wanted is None or r.kind in wanted]
        agent = self.application.agent
        if (
            self.application.scenario.by_agent
            and agent is not None
            and agent.name
            and agent.id_number
            and (wanted is None or VerificationKind.IDENTITY in wanted)
        ):
            # The agent is verified like any ID (帮办代办员身份核验); the answer is kept apart from the applicant's.
            request = LookupRequest(
                case_id=self.case_id,
                kind=VerificationKind.IDENTITY,
                subject=Subject(name=agent.name, id_number=agent.id_number),
                params={"role": "agent"},
            )
            self._agent_requests.add(request.request_id)
            requests.append(request)
        return requests

    async def run_lookups(self, kinds: Iterable[VerificationKind] | None = None) -> list[VerificationResult]:
        """Run the lookups concurrently and take their results in (never raises for a registry's failure)."""
        requests = self.lookup_requests(kinds)
        results = await self._gateway().lookup_all(requests)
        self.apply_results(results)
        return results

    async def run_each(
        self,
        kinds: Iterable[VerificationKind] | None,
        on_result: Callable[[VerificationResult], None],
    ) -> None:
        """Like :meth:`run_lookups`, but each result is taken in (and reported) as soon as it arrives."""
        requests = self.lookup_requests(kinds)
        client = self._gateway()

        async def one(request: LookupRequest) -> None:
            result = await client.lookup(request)
            self.apply_results([result])
            on_result(result)

        await asyncio.gather(*(one(r) for r in requests))

    def apply_results(self, results: Iterable[VerificationResult]) -> None:
        """Results in: backfill the form through forms, refresh exemptions, save. Accepted cases are never changed."""
        results = list(results)
        agent_results = [r for r in results if r.request_id in self._agent_requests]
        results = [r for r in results if r.request_id not in self._agent_requests]
        if agent_results:
            self.agent_result = agent_results[-1]
        for result in results:
            self.results[result.kind] = result
        if self.editable:
            self.application, notes = backfill_application(self.application, results, today=self.today())
            self.notes.extend(notes)
            self._derive()
            self._refresh_checklist()
        self.save()

    def _derive(self) -> None:
        """Values the form can work out itself, so nobody types them: house count, default method, policy rate.

        Only empty fields are filled, marked as derived; whatever the clerk typed stands.
        """
        loan = self.application.fund_loan
        if loan is None or loan.amount is None:
            return
        derived: list[tuple[str, Any]] = []
        if loan.home_ordinal is None:
            derived.append(("fund_loan.home_ordinal", self.home_ordinal()))
        if loan.repayment_method is None:
            derived.append(("fund_loan.repayment_method", RepaymentMethod.ANNUITY))
        if loan.rate is None and loan.months is not None:
            derived.append(("fund_loan.rate", self.suggested_rate(loan.months)))
        for path, value in derived:
            with contextlib.suppress(ValueError):
                self.application = self.application.backfill(path, value, FieldSource.DERIVED, today=self.today())

    def outcomes(self) -> dict[VerificationKind, VerificationOutcome]:
        return outcomes_by_kind(self.results.values())

    def verification_rows(self) -> list[VerificationRow]:
        rows = []
        for kind in self.application.scenario.verifications():
            result = self.results.get(kind)
            if result is None:
                continue
            detail = result.problem.message if result.problem else ""
            rows.append(
                VerificationRow(
                    kind=kind, outcome=result.outcome, source=result.source, checked_at=result.checked_at, detail=detail
                )
            )
        return rows

    # -- checklist ---------------------------------------------------------------------------------------------------

    def _refresh_checklist(self) -> None:
        """Lines for the scenario's materials; the clerk's own marks (received, waived) are kept."""
        fresh = initial_checklist(
            self.policy.materials, self.application.scenario, self.outcomes(), by_whose=self.outcomes_by_person()
        )
        kept = {
            code: line
            for code, line in self.checklist.items()
            if line.status in (MaterialStatus.RECEIVED, MaterialStatus.WAIVED, MaterialStatus.NOT_APPLICABLE)
        }
        self.checklist = {line.code: kept.get(line.code, line) for line in fresh}

    def mark_received(self, code: str, *, copies: int = 1, original: bool = False) -> None:
        self._require_draft()
        self._line(code)
        form = "original" if original else "copy"
        self.checklist[code] = MaterialState(
            code=code, status=MaterialStatus.RECEIVED, received=Receipt(form=form, count=copies)
        )
        self.save()

    def mark_missing(self, code: str) -> None:
        self._require_draft()
        self._line(code)
        self.checklist[code] = MaterialState(code=code, status=MaterialStatus.MISSING)
        self.save()

    def waive(self, code: str, *, reason: str = "申请人承诺按期补交", approved_by: OperatorRef | None = None) -> None:
        """容缺: a non-core material whose rule allows it, due as the pack says.

        A core or non-waivable material only with a supervisor's approval and a reason (负责人批准的例外), due
        before disbursement; the approval is audited.
        """
        self._require_draft()
        material = self.policy.materials.get(code)
        if material.core or not material.shortfall.waivable:
            if approved_by is None:
                raise IntakeError(
                    f"“{material.name}”为核心要件或不可容缺材料，不能容缺受理；请收取原件、通过核验免提交，或报负责人批准"
                )
            if approved_by.role != Role.SUPERVISOR.value:
                raise IntakeError("只有负责人可以批准核心要件容缺")
            if not reason.strip() or reason == "申请人承诺按期补交":
                raise IntakeError("负责人批准核心要件容缺须写明理由")
            self.overrides[code] = {"by": approved_by.actor, "reason": reason.strip(), "at": self.now().isoformat()}
            self._store.audit.append(
                "supervisor_override",
                actor=approved_by.actor,
                case_number=self.case_number,
                what="waive_core_material",
                material=code,
                clerk=self.operator.actor,
            )
        self.checklist[code] = MaterialState(
            code=code,
            status=MaterialStatus.WAIVED,
            waived=Waiver(commitment_signed=True, reason=reason),
        )
        self.save()

    def _line(self, code: str) -> MaterialState:
        try:
            return self.checklist[code]
        except KeyError:
            raise IntakeError(f"材料 {code} 不在本案件的材料清单中") from None

    def evaluation(self) -> Evaluation:
        return evaluate(
            self.policy.materials,
            self.application.scenario,
            list(self.checklist.values()),
            self.outcomes(),
            accepted_on=self.today(),
            calendar=self._calendar,
            by_whose=self.outcomes_by_person(),
            approved_waivers=set(self.overrides),
        )

    def outcomes_by_person(self) -> dict[Whose, dict[VerificationKind, VerificationOutcome]]:
        """Lookups about someone other than the applicant: the agent's own identity check."""
        if not self.application.scenario.by_agent:
            return {}
        agent = self.agent_result
        return {Whose.AGENT: {VerificationKind.IDENTITY: agent.outcome} if agent is not None else {}}

    # -- loan (counter_app/services/case_loan.py) ------------------------------------------------------------

    def home_ordinal(self) -> HomeOrdinal:
        return case_loan.home_ordinal(self)

    def loan_limit(self) -> LoanLimit | None:
        return case_loan.loan_limit(self)

    def term_limit(self) -> TermLimit | None:
        return case_loan.term_limit(self)

    def suggested_rate(self, months: int) -> Decimal:
        return case_loan.suggested_rate(self, months)

    def loan_problems(self) -> list[str]:
        return case_loan.loan_problems(self)

    # -- decision ----------------------------------------------------------------------------------------------------

    def blocking_problems(self) -> list[str]:
        """Everything that stops acceptance now: form errors, loan beyond limits, materials."""
        problems = [
            f"{i.label}：{i.message}" if i.label not in i.message else i.message
            for i in self.issues()
            if i.severity is Severity.ERROR
        ]
        problems += self.loan_problems()
        agent = self.agent_result
        if (
            self.application.scenario.by_agent
            and agent is not None
            and agent.outcome
            in (
                VerificationOutcome.MISMATCH,
                VerificationOutcome.NOT_FOUND,
            )
        ):
            problems.append("代办人身份核验不一致：请核对代办人身份证原件，不一致的不能代办")
        evaluation = self.evaluation()
        if not evaluation.acceptable:
            problems += evaluation.reasons
        return problems

    def accept(self) -> Decision:
        """受理: case number kept, promised date computed, shortfalls opened, outbox entry queued."""
        self._require_draft()
        if self.operator.role == Role.AGENT.value and not self.policy.agents_may_accept.value:
            raise IntakeError(
                f"按{self.policy.meta.name}政策，帮办代办员完成预审后由窗口工作人员受理："
                f"请按 H 交窗口，并把案件编号 {self.case_number} 告知窗口"
            )
        problems = self.blocking_problems()
        if problems:
            raise IntakeError("尚不能受理：\n" + "\n".join(f"· {p}" for p in problems))
        evaluation = self.evaluation()
        promised = self._calendar.add_working_days(self.today(), self.policy.promised_working_days.value)
        pending = tuple(k for k, o in self.outcomes().items() if o is VerificationOutcome.PENDING)
        self.status = CaseStatus.ACCEPTED
        self.decision = {
            "status": "accepted",
            "at": self.now().isoformat(),
            "by": self.operator.actor,
            "promised": promised.due.isoformat(),
            "estimate": promised.estimate,
            "pending_lookups": [k.value for k in pending],
        }
        for item in evaluation.waived:
            # "Before disbursement" has no date of its own: it is tracked against the promised completion date.
            due = item.due if item.due is not None else promised.due
            self._store.records.add_shortfall(self.case_id, item.material.code, due, commitment_ref=self.case_number)
        for line in self.checklist.values():
            self._store.records.set_checklist_line(self.case_id, line.code, line.status)
        self._store.cases.set_status(self.case_id, CaseStatus.ACCEPTED, actor=self.operator.actor)
        self.save()
        self.queue_sync()
        docs: list[DocKind] = [DocKind.RECEIPT, DocKind.FORM, DocKind.AUTHORIZATION]
        if evaluation.waived:
            docs.append(DocKind.COMMITMENT)
        return Decision(CaseStatus.ACCEPTED, self.case_number, evaluation, promised, tuple(docs), pending)

    def queue_sync(self) -> None:
        """Queue the case for the platform: one new version per change, sent in order, exactly once."""
        from local_cache.sync_ledger import SyncLedger

        version = SyncLedger.of(self._store).next_version(self.case_id)
        self._store.outbox.enqueue(self.case_id, version, self.payload(), actor=self.operator.actor)

    def decline(self) -> Decision:
        """不予受理 for now: the one-time notice lists everything missing, at once."""
        self._require_draft()
        evaluation = self.evaluation()
        self.status = CaseStatus.DECLINED
        self.decision = {"status": "declined", "at": self.now().isoformat(), "by": self.operator.actor}
        self._store.cases.set_status(self.case_id, CaseStatus.DECLINED, actor=self.operator.actor)
        self.save()
        return Decision(CaseStatus.DECLINED, self.case_number, evaluation, None, (DocKind.NOTICE,))

    def hand_over(self) -> None:
        """An agent's pre-verified case (预审) goes to the window: a clerk there opens it by its number."""
        self._require_draft()
        self.handoff = {"by": self.operator.actor, "at": self.now().isoformat(), "state": "ready"}
        self._store.audit.append("handoff", actor=self.operator.actor, case_number=self.case_number)
        self.save()

    def void(self, supervisor: OperatorRef, reason: str) -> None:
        """作废: only a supervisor, with a reason; the case is closed and the platform told (audited)."""
        if supervisor.role != Role.SUPERVISOR.value:
            raise IntakeError("只有负责人可以作废案件")
        if not reason.strip():
            raise IntakeError("作废案件须写明原因")
        target = CaseStatus.REJECTED if self.status is not CaseStatus.DRAFT else CaseStatus.DECLINED
        self._store.cases.set_status(
            self.case_id, target, actor=supervisor.actor, reason=f"作废：{reason.strip()}", override_by_supervisor=True
        )
        self._store.audit.append(
            "supervisor_override", actor=supervisor.actor, case_number=self.case_number, what="void"
        )
        self.status = target
        self.decision = {**self.decision, "voided": {"by": supervisor.actor, "at": self.now().isoformat()}}
        self.save()
        if target is CaseStatus.REJECTED:
            self.queue_sync()

    def reopen(self) -> None:
        """A declined case comes back as a draft when the applicant returns with what was missing."""
        if self.status is not CaseStatus.DECLINED:
            raise IntakeError("只有不予受理的案件可以重新办理")
        self._store.cases.set_status(self.case_id, CaseStatus.DRAFT, actor=self.operator.actor)
        self.status = CaseStatus.DRAFT
        self.decision = {}
        self.save()

    # -- printing (counter_app/services/case_documents.py) ----------------------------------------------------

    def document_data(self, kind: DocKind) -> DocumentData:
        return case_documents.document_data(self, kind)

    def print(
        self, kind: DocKind, *, reason: str | None = None, authorized_by: OperatorRef | None = None
    ) -> PrintRecord:
        """Print a document (see :func:`case_documents.print_case_document`): logged and audited every time."""
        return case_documents.print_case_document(self, kind, reason=reason, authorized_by=authorized_by)

    def printed(self) -> set[str]:
        """Documents printed since the decision (frozen: printing them again is a reprint)."""
        return set(self.snapshots)

    def printed_any(self) -> set[str]:
        return set(self.snapshots) | self.draft_prints


_STATUS_ZH: dict[CaseStatus, str] = {
    CaseStatus.DRAFT: "暂存",
    CaseStatus.ACCEPTED: "受理",
    CaseStatus.DECLINED: "不予受理",
    CaseStatus.SUBMITTED: "提交",
    CaseStatus.IN_REVIEW: "进入审批",
    CaseStatus.APPROVED: "审批通过",
    CaseStatus.REJECTED: "审批不通过",
    CaseStatus.COMPLETED: "办结",
}
STATUS_LABELS = _STATUS_ZH
