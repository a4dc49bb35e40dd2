"""Commands on a draft's form, lookups and checklist: each one change, one transaction, one write."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import IntakeError, OperatorRef
from counter_app.services.gateway import (
    LookupRequest,
    Subject,
    VerificationResult,
    backfill_application,
    inputs_from_application,
    plan_lookups,
)
from forms.application import Issue, Severity, issues_from_error
from forms.case import Assessment, Authorization, CaseFile, LookupRecord, Override, fresh_checklist, household
from forms.case import loan as loan_rules
from forms.loan import LoanLimit, TermLimit
from forms.materials import MaterialState, Receipt, Waiver, Whose
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, HomeOrdinal, MaterialStatus, RepaymentMethod, Role, VerificationKind

DEFAULT_WAIVER_REASON = "申请人承诺按期补交"


def _record(result: VerificationResult, request: LookupRequest | None, who: tuple[Whose, int]) -> LookupRecord:
    """A gateway result as the case keeps it: with the person it is about and what it was asked with."""
    return LookupRecord(
        person=who[0],
        position=who[1],
        kind=result.kind,
        params={k: v for k, v in (request.params if request is not None else {}).items() if k != "role"},
        request_id=result.request_id,
        outcome=result.outcome,
        data=result.data,
        source=result.source,
        checked_at=result.checked_at,
        subject_hash=result.subject_hash,
        authorization_ref=result.authorization_ref,
        actor=result.actor,
        attempts=result.attempts,
        cached=result.cached,
        problem_code=result.problem.code if result.problem else None,
        problem=result.problem.message if result.problem else "",
    )


class FormCommands(CaseCore):
    """The form, the lookups and the checklist of a draft."""

    # -- the form --------------------------------------------------------------------------------------------------

    def set_scenario(self, scenario: Scenario) -> None:
        self._require_draft()
        today = self.today()

        def change(file: CaseFile) -> CaseFile:
            updated = file.model_copy(update={"application": file.application.with_scenario(scenario, today=today)})
            return updated.with_checklist(fresh_checklist(updated, self.policy))

        self._run(change)

    def set_field(self, path: str, value: Any, ui_state: Mapping[str, Any] | None = None) -> list[Issue]:
        """Set one form value typed by the clerk; returns the problems (Chinese), empty when it was taken.

        A blank value clears the field. A refused value leaves the form unchanged (its typed text stays a draft).
        """
        self._require_draft()
        if isinstance(value, str):
            value = value.strip() or None
        today, now = self.today(), self.now()
        try:
            updated = self.application.backfill(path, value, FieldSource.TYPED, today=today)
        except ValidationError as exc:
            return issues_from_error(exc)
        except ValueError as exc:
            return [Issue(path=path, label=path, message=str(exc), severity=Severity.ERROR)]

        def change(file: CaseFile) -> CaseFile:
            # Applied to the case as loaded in the transaction (another window may have changed another field).
            application = (
                updated if file is self.file else file.application.backfill(path, value, FieldSource.TYPED, today=today)
            )
            taken = file.model_copy(update={"application": application}).with_draft(path, None).with_first_input(now)
            return self._derive(taken)

        self._run(change, ui=ui_state)
        return []

    def record_authorization(
        self, reference: str | None = None, *, person: Whose = Whose.APPLICANT, position: int = 0
    ) -> None:
        """A person signed the credit-inquiry authorization (征信查询授权书): their own credit lookup may run.

        The applicant's goes on the application form; the spouse's and each co-borrower's are kept in the case."""
        self._require_draft()
        suffix = "" if person is Whose.APPLICANT else f"-{'P' if person is Whose.SPOUSE else 'G'}{position + 1}"
        ref = reference or f"SQ-{self.case_number}{suffix}"
        today, now, actor = self.today(), self.now(), self.operator.actor

        def change(file: CaseFile) -> CaseFile:
            if person is not Whose.APPLICANT:
                kept = tuple(a for a in file.authorizations if (a.person, a.position) != (person, position))
                signed = Authorization(person=person, position=position, reference=ref, recorded_at=now, by=actor)
                return file.model_copy(update={"authorizations": (*kept, signed)})
            app = file.application
            for path, value in (
                ("credit_authorization.recorded", True),
                ("credit_authorization.reference", ref),
                ("credit_authorization.recorded_at", now),
            ):
                app = app.backfill(path, value, FieldSource.TYPED, today=today)
            return file.model_copy(update={"application": app})

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit(
                "authorization", actor=actor, case_number=self.case_number, reference=ref, person=person.value
            )

        self._run(change, effects)

    def _derive(self, file: CaseFile) -> CaseFile:
        """Values the form can work out itself, so nobody types them: house count, default method, policy rate.

        Only empty fields are filled, marked as derived; whatever the clerk typed stands.
        """
        loan = file.application.fund_loan
        if loan is None or loan.amount is None:
            return file
        today = self.today()
        derived: list[tuple[str, Any]] = []
        if loan.home_ordinal is None:
            derived.append(("fund_loan.home_ordinal", loan_rules.home_ordinal(file)))
        if loan.repayment_method is None:
            derived.append(("fund_loan.repayment_method", RepaymentMethod.ANNUITY))
        if loan.rate is None and loan.months is not None:
            derived.append(("fund_loan.rate", loan_rules.suggested_rate(file, self.policy, loan.months, today)))
        app = file.application
        for path, value in derived:
            with contextlib.suppress(ValueError):
                app = app.backfill(path, value, FieldSource.DERIVED, today=today)
        return file.model_copy(update={"application": app})

    # -- loan figures (from the assessment) ------------------------------------------------------------------------

    def home_ordinal(self) -> HomeOrdinal:
        return self.assessment().home_ordinal

    def loan_limit(self) -> LoanLimit | None:
        return self.assessment().loan_limit

    def term_limit(self) -> TermLimit | None:
        return self.assessment().term_limit

    def suggested_rate(self, months: int) -> Any:
        return loan_rules.suggested_rate(self.file, self.policy, months, self.today())

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
            requests.append(
                LookupRequest(
                    case_id=self.case_id,
                    kind=VerificationKind.IDENTITY,
                    subject=Subject(name=agent.name, id_number=agent.id_number),
                    params={"role": "agent"},
                )
            )
        for request in requests:
            by_agent = request.params.get("role") == "agent"
            self._who[request.request_id] = (Whose.AGENT, 0) if by_agent else (Whose.APPLICANT, 0)
        requests += self._member_requests(wanted)
        self._requests.update((r.request_id, r) for r in requests)
        return requests

    def _member_requests(self, wanted: set[VerificationKind] | None) -> list[LookupRequest]:
        """The spouse's and each co-borrower's own lookups: identity, fund account, loan history and credit (with
        that person's own authorization; without it the client refuses the credit lookup locally)."""
        requests: list[LookupRequest] = []
        needed = set(self.application.scenario.verifications())
        for member in household.members(self.file)[1:]:
            if not member.name or not member.id_number or len(member.id_number) != 18:
                continue
            subject = Subject(name=member.name, id_number=member.id_number)
            auth = self.file.authorization(member.who, member.position)
            for kind in household.MEMBER_KINDS:
                if kind not in needed or (wanted is not None and kind not in wanted):
                    continue
                params: dict[str, Any] = {}
                if kind is VerificationKind.FUND_ACCOUNT and member.who is Whose.CO_BORROWER:
                    co = (self.application.co_borrowers or [])[member.position]
                    if co.fund_account_number:
                        params = {"account_no": co.fund_account_number}
                request = LookupRequest(
                    case_id=self.case_id,
                    kind=kind,
                    subject=subject,
                    params=params,
                    authorization_id=auth.reference if auth is not None and kind is VerificationKind.CREDIT else None,
                )
                self._who[request.request_id] = (member.who, member.position)
                requests.append(request)
        return requests

    async def run_lookups(self, kinds: Iterable[VerificationKind] | None = None) -> list[VerificationResult]:
        """Run the lookups concurrently and take their results in (never raises for a registry's failure)."""
        requests = self.lookup_requests(kinds)
        results = await self._gateway().lookup_all(requests)
        self.apply_results(results)
        return results

    async def run_each(
        self, kinds: Iterable[VerificationKind] | None, on_result: Callable[[VerificationResult], None]
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
        """Results in: kept with the person they are about; a draft's form is backfilled and exemptions refreshed.

        An accepted case keeps the answers for the record but is never changed by them."""
        results = list(results)
        records = [
            _record(r, self._requests.get(r.request_id), self._who.get(r.request_id, (Whose.APPLICANT, 0)))
            for r in results
        ]
        applicant = [r for r, rec in zip(results, records, strict=True) if rec.person is Whose.APPLICANT]
        today = self.today()
        editable = self.editable

        def change(file: CaseFile) -> CaseFile:
            file = file.with_lookups(records)
            if not editable:
                return file
            app, notes = backfill_application(file.application, applicant, today=today)
            self.notes.extend(notes)
            file = self._derive(file.model_copy(update={"application": app}))
            return file.with_checklist(fresh_checklist(file, self.policy))

        self._run(change)

    # -- checklist ---------------------------------------------------------------------------------------------------

    def _known_line(self, file: CaseFile, code: str) -> None:
        if file.line(code) is None:
            raise IntakeError(f"材料 {code} 不在本案件的材料清单中")

    def mark_received(self, code: str, *, copies: int = 1, original: bool = False) -> None:
        self._require_draft()
        line = MaterialState(
            code=code,
            status=MaterialStatus.RECEIVED,
            received=Receipt(form="original" if original else "copy", count=copies),
        )

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            return file.with_line(line)

        self._run(change)

    def mark_missing(self, code: str) -> None:
        self._require_draft()

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            return file.with_line(MaterialState(code=code, status=MaterialStatus.MISSING))

        self._run(change)

    def commit_material(self, code: str, *, reason: str = "申请人签署告知承诺书，以承诺代替提交") -> None:
        """告知承诺: where the pack allows, a signed commitment replaces the material (nothing is owed later)."""
        self._require_draft()
        material = self.policy.materials.get(code)
        if not material.committable:
            raise IntakeError(f"按{self.policy.meta.name}政策，“{material.name}”不适用告知承诺：请收取材料或容缺受理")
        line = MaterialState(
            code=code, status=MaterialStatus.COMMITTED, waived=Waiver(commitment_signed=True, reason=reason)
        )

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            return file.with_line(line)

        self._run(change)

    def waive(self, code: str, *, reason: str = DEFAULT_WAIVER_REASON, approved_by: OperatorRef | None = None) -> None:
        """容缺: a non-core material whose rule allows it, due as the pack says.

        A core or non-waivable material only with a supervisor's approval and a reason (负责人批准的例外), due
        before disbursement; the approval is audited in the same transaction.
        """
        self._require_draft()
        material = self.policy.materials.get(code)
        override: Override | None = None
        if material.core or not material.shortfall.waivable:
            if approved_by is None:
                raise IntakeError(
                    f"“{material.name}”为核心要件或不可容缺材料，不能容缺受理；请收取原件、通过核验免提交，或报负责人批准"
                )
            if approved_by.role != Role.SUPERVISOR.value:
                raise IntakeError("只有负责人可以批准核心要件容缺")
            if not reason.strip() or reason == DEFAULT_WAIVER_REASON:
                raise IntakeError("负责人批准核心要件容缺须写明理由")
            override = Override(code=code, by=approved_by.actor, reason=reason.strip(), at=self.now())
        line = MaterialState(
            code=code, status=MaterialStatus.WAIVED, waived=Waiver(commitment_signed=True, reason=reason)
        )

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            file = file.with_line(line)
            if override is not None:
                kept = tuple(o for o in file.overrides if o.code != code)
                file = file.model_copy(update={"overrides": (*kept, override)})
            return file

        def effects(file: CaseFile, assessment: Assessment) -> None:
            if override is not None and approved_by is not None:
                self._repo.audit(
                    "supervisor_override",
                    actor=approved_by.actor,
                    case_number=self.case_number,
                    what="waive_core_material",
                    material=code,
                    clerk=self.operator.actor,
                )

        self._run(change, effects)
