"""Lookups of a case: who is asked what, which are due, and taking the answers in (one command each)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import IntakeError
from counter_app.services.gateway import (
    LookupRequest,
    Subject,
    VerificationResult,
    backfill_application,
    inputs_from_application,
    plan_lookups,
)
from forms.case import CaseFile, LookupRecord, fresh_checklist, household
from forms.materials import Whose
from forms.vocabulary import FieldSource, VerificationKind, VerificationOutcome


def _record(result: VerificationResult, request: LookupRequest | None, who: tuple[Whose, int]) -> LookupRecord:
    """A gateway result as the case keeps it: with the person it is about and what it was asked with."""
    return LookupRecord(
        person=who[0],
        position=who[1],
        kind=result.kind,
        params={k: v for k, v in (request.params if request is not None else {}).items() if k != "role"},
        # The request's own id: an answer from the gateway's cache carries the earlier lookup's id (``cached``).
        request_id=request.request_id if request is not None else result.request_id,
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


# The form field each applicant lookup parameter is taken from.
_PARAM_FIELDS = {
    "account_no": "fund_account.account_number",
    "contract_no": "property.contract_number",
    "cert_no": "property.title_certificate",
    "card_no": "repayment_account.card_number",
}


class LookupCommands(CaseCore):
    """The lookups of the applicant, the household and the agent."""

    def waiting_for_input(self) -> dict[VerificationKind, str]:
        """Lookups that cannot ask anything yet, with what the clerk must type first (shown as 待录入, never sent:
        a registry asked about an empty contract number only answers 未查到)."""
        app = self.application
        needed = set(app.scenario.verifications())
        waiting: dict[VerificationKind, str] = {}
        if not app.applicant.name or not app.applicant.id_number:
            return dict.fromkeys(needed, "申请人姓名和身份证号码")
        house = app.property
        contract = house.contract_number if house is not None else None
        cert = getattr(house, "title_certificate", None) if house is not None else None
        card = app.repayment_account.card_number if app.repayment_account is not None else None
        for kind in (VerificationKind.CONTRACT, VerificationKind.TAX):
            if kind in needed and not contract:
                waiting[kind] = "合同编号"
        if VerificationKind.PROPERTY in needed and not contract and not cert:
            waiting[VerificationKind.PROPERTY] = "合同编号或不动产权证号"
        if VerificationKind.BANK_CARD in needed and not card:
            waiting[VerificationKind.BANK_CARD] = "还款银行卡号"
        return waiting

    def due_lookups(self) -> list[VerificationKind]:
        """Kinds with a lookup to run now: never asked, or asked with other parameters than the form now gives (a
        contract number typed since, a spouse added). Every way of moving between steps runs them."""
        try:
            planned = self._plan(None)
        except IntakeError:
            return []
        due: list[VerificationKind] = []
        for request, who in planned:
            record = self.file.lookup(request.kind, *who)
            if (record is None or not self._asked_with(record, request)) and request.kind not in due:
                due.append(request.kind)
        return due

    def _asked_with(self, record: LookupRecord, request: LookupRequest) -> bool:
        """Whether ``record`` was asked with the parameters ``request`` carries now. A parameter the registry itself
        filled in (a backfilled account number) does not count: it makes no lookup due again."""
        verified = {
            param for param, path in _PARAM_FIELDS.items() if self.application.source_of(path) is FieldSource.VERIFIED
        }
        asked = {k: v for k, v in request.params.items() if k != "role" and k not in verified}
        return {k: v for k, v in record.params.items() if k not in verified} == asked

    def replay_request(self, queued: LookupRequest) -> LookupRequest | None:
        """What to send now for a lookup queued while the gateway was unreachable (补查), or None to drop it.

        The request is planned again from the case as it is now, for the same kind and person (same ID number, same
        role): a contract number or card typed since the lookup was queued is what the registry is asked about. It
        keeps the queued request's id when nothing changed (the gateway answers a repeated id idempotently) and gets
        a new one otherwise (a reused id with another body is refused). Dropped when nobody in the case is asked
        that any more, or when a newer lookup of the same kind and person superseded it: one still queued, or one
        answered for what the case holds now (a replay of stale inputs would contradict it: a false review flag)."""
        try:
            plan = self._plan({queued.kind})
        except IntakeError:
            return None
        role = queued.params.get("role")
        for request, who in plan:
            if request.subject.id_number != queued.subject.id_number or request.params.get("role") != role:
                continue
            latest = self.file.lookup(request.kind, *who)
            if latest is not None and latest.request_id != queued.request_id:
                if latest.outcome is VerificationOutcome.PENDING:
                    return None  # queued again since: that newer entry is the one to send
                if latest.outcome is not VerificationOutcome.UNAVAILABLE and self._asked_with(latest, request):
                    return None  # answered since, for the case's current inputs
            same = (request.subject, request.params, request.authorization_id) == (
                queued.subject,
                queued.params,
                queued.authorization_id,
            )
            current = queued if same else request
            self._who[current.request_id] = who
            self._requests[current.request_id] = current
            return current
        return None

    def _plan(self, wanted: set[VerificationKind] | None) -> list[tuple[LookupRequest, tuple[Whose, int]]]:
        """Every request the form allows now, with whom it is about; raises IntakeError without an applicant."""
        try:
            inputs = inputs_from_application(self.application)
        except ValueError as exc:
            raise IntakeError(str(exc)) from exc
        waiting = self.waiting_for_input()
        plan: list[tuple[LookupRequest, tuple[Whose, int]]] = [
            (r, (Whose.APPLICANT, 0))
            for r in plan_lookups(self.case_id, self.application.scenario, inputs)
            if (wanted is None or r.kind in wanted) and r.kind not in waiting
        ]
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
            plan.append((request, (Whose.AGENT, 0)))
        return plan + self._member_requests(wanted)

    def person_of(self, request: LookupRequest) -> tuple[Whose, int]:
        """Whom a request of this session is about (the applicant for one it did not plan)."""
        return self._who.get(request.request_id, (Whose.APPLICANT, 0))

    def lookup_requests(self, kinds: Iterable[VerificationKind] | None = None) -> list[LookupRequest]:
        """The requests to send now (those still waiting for input are left out); raises IntakeError when the
        applicant is not filled in yet."""
        plan = self._plan(set(kinds) if kinds is not None else None)
        for request, who in plan:
            self._who[request.request_id] = who
            self._requests[request.request_id] = request
        return [request for request, _ in plan]

    def _member_requests(self, wanted: set[VerificationKind] | None) -> list[tuple[LookupRequest, tuple[Whose, int]]]:
        """The spouse's and each co-borrower's own lookups: identity, fund account, loan history and credit (with
        that person's own authorization; without it the client refuses the credit lookup locally)."""
        requests: list[tuple[LookupRequest, tuple[Whose, int]]] = []
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
                requests.append((request, (member.who, member.position)))
        return requests

    async def run_lookups(self, kinds: Iterable[VerificationKind] | None = None) -> list[VerificationResult]:
        """Run the lookups concurrently and take their results in (never raises for a registry's failure)."""
        requests = self.lookup_requests(kinds)
        results = await self._gateway().lookup_all(requests)  # in the order of the requests
        self.apply_results(results, requests)
        return results

    async def run_each(
        self, kinds: Iterable[VerificationKind] | None, on_result: Callable[[VerificationResult], None]
    ) -> None:
        """Like :meth:`run_lookups`, but each result is taken in (and reported) as soon as it arrives."""
        requests = self.lookup_requests(kinds)
        client = self._gateway()
        arrived: list[tuple[VerificationResult, LookupRequest]] = []

        async def one(request: LookupRequest) -> None:
            arrived.append((await client.lookup(request), request))
            # Answers come in bursts (a step change asks a dozen at once): those in by the next turn of the loop
            # are taken in together, one assessment and one write, instead of one each with the clerk's keys
            # waiting behind them. The first task to wake takes the burst; the others find it taken.
            await asyncio.sleep(0)
            if arrived:
                burst = arrived[:]
                arrived.clear()
                self.apply_results([r for r, _ in burst], [q for _, q in burst])
                for result, _ in burst:
                    on_result(result)

        await asyncio.gather(*(one(r) for r in requests))

    def apply_results(
        self, results: Iterable[VerificationResult], requests: Iterable[LookupRequest] | None = None
    ) -> None:
        """Results in: kept with the person they are about; a draft's form is backfilled and exemptions refreshed.

        Each result is filed under its *request's* person: a result the gateway answered from its cache carries the
        request id of the earlier lookup, so its own id cannot say whom it is about. An accepted case keeps the
        answers for the record but is never changed by them."""
        results = list(results)
        asked = list(requests) if requests is not None else [self._requests.get(r.request_id) for r in results]
        records = [
            _record(r, q, self._who.get(q.request_id if q is not None else r.request_id, (Whose.APPLICANT, 0)))
            for r, q in zip(results, asked, strict=True)
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
