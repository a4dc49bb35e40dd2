"""The gateway client's state and trail: offline and probe, the local credit refusal, concurrency, idempotency, the
cache, the audit trail and the construction from settings. Against the in-process sandbox."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from counter_app.services.gateway import (
    GatewayClient,
    LookupInputs,
    LookupRequest,
    MemorySink,
    RetryPolicy,
    plan_lookups,
)
from counter_app.services.sandbox import load_roster
from forms.scenario import Scenario
from forms.vocabulary import MaritalStatus, VerificationKind, VerificationOutcome
from local_cache.audit import guard_detail
from tests.gateway_helpers import T01, Clock, identity, make_client, make_sandbox

# -- offline and probe --------------------------------------------------------------------------------------------


async def test_run_of_failures_flips_offline_and_queues_pending() -> None:
    sandbox = make_sandbox()
    sink = MemorySink()
    policy = RetryPolicy(attempts=1, failure_threshold=2, probe_interval=3600)
    clock = Clock()
    async with make_client(sandbox, sink=sink, policy=policy, clock=clock) as client:
        sandbox.down = True
        first = await client.lookup(identity("C1"))
        assert client.online
        second = await client.lookup(identity("C2"))
        assert not client.online
        sent_before = sandbox.stats.verify_requests
        queued = await client.lookup(identity("C3"))
        assert queued.outcome is VerificationOutcome.PENDING
        assert queued.request_id in sink.pending
        assert sandbox.stats.verify_requests == sent_before  # nothing was sent while offline
        assert queued.request_id not in sink.results  # pending is queued, not recorded as a result

        assert await client.probe() is False  # still down
        sandbox.down = False
        assert await client.probe() is True
        assert client.online and client.consecutive_failures == 0

        replayed = await client.replay_pending(list(sink.pending.values()))
    # The failure that shows the gateway is down is queued too: it runs again by itself once the gateway is back.
    assert [r.outcome for r in (first, second)] == [VerificationOutcome.UNAVAILABLE, VerificationOutcome.PENDING]
    assert [r.outcome for r in replayed] == [VerificationOutcome.MATCH] * 2
    assert {r.request_id for r in replayed} == {second.request_id, queued.request_id}  # same ids: idempotent
    assert sink.pending == {}


async def test_automatic_probe_brings_the_client_back() -> None:
    sandbox = make_sandbox()
    policy = RetryPolicy(attempts=1, failure_threshold=1, probe_interval=30)
    clock = Clock()
    async with make_client(sandbox, policy=policy, clock=clock) as client:
        sandbox.down = True
        await client.lookup(identity("C1"))
        assert not client.online
        sandbox.down = False
        # Within the probe interval the client does not probe on its own yet: the first offline lookup probes
        # (no probe has happened so far), later ones wait for the interval.
        first = await client.lookup(identity("C2"))
        assert first.outcome is VerificationOutcome.MATCH and client.online
        sandbox.down = True
        await client.lookup(identity("C3"))
        assert not client.online
        sandbox.down = False
        clock.now += timedelta(seconds=5)
        waiting = await client.lookup(identity("C4"))
        assert waiting.outcome is VerificationOutcome.PENDING
        clock.now += timedelta(seconds=30)
        back = await client.lookup(identity("C5"))
    assert back.outcome is VerificationOutcome.MATCH


# -- credit authorization -----------------------------------------------------------------------------------------


async def test_credit_without_authorization_is_refused_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may leave without the authorization")

    sink = MemorySink()
    request = LookupRequest(case_id="C1", kind=VerificationKind.CREDIT, subject=T01)
    async with make_client(transport=httpx.MockTransport(handler), sink=sink) as client:
        result = await client.lookup(request)
    assert result.outcome is VerificationOutcome.REFUSED
    assert result.problem is not None and result.problem.code == "authorization_missing"
    assert "授权" in result.problem.message
    assert [a.outcome for a in sink.audits] == [VerificationOutcome.REFUSED]


async def test_credit_with_authorization_is_answered() -> None:
    sandbox = make_sandbox()
    request = LookupRequest(case_id="C1", kind=VerificationKind.CREDIT, subject=T01, authorization_id="SQ-1")
    async with make_client(sandbox) as client:
        result = await client.lookup(request)
    assert result.outcome is VerificationOutcome.MATCH
    assert result.authorization_ref == "SQ-1"


def test_plan_gives_credit_the_recorded_authorization_only() -> None:
    inputs = LookupInputs(applicant=T01, authorization_id="SQ-9", contract_no="X1", card_no="6222")
    requests = plan_lookups("C1", Scenario(marital_status=MaritalStatus.UNMARRIED), inputs)
    by_kind = {r.kind: r for r in requests}
    assert by_kind[VerificationKind.CREDIT].authorization_id == "SQ-9"
    assert by_kind[VerificationKind.IDENTITY].authorization_id is None
    assert by_kind[VerificationKind.CONTRACT].params == {"contract_no": "X1"}
    assert VerificationKind.TAX not in by_kind  # a new house declares no transaction tax


# -- concurrency, idempotency, cache, audit -----------------------------------------------------------------------


async def test_lookups_of_a_case_run_concurrently() -> None:
    sandbox = make_sandbox()
    requests = [identity(f"C{n}") for n in range(10)]
    async with make_client(sandbox, fault="latency=50") as client:
        results = await client.lookup_all(requests)
    assert all(r.outcome is VerificationOutcome.MATCH for r in results)
    # All ten were inside the sandbox at the same time: the fan-out is concurrent, not serial.
    assert sandbox.stats.max_in_flight == 10
    assert [r.request_id for r in results] == [r.request_id for r in requests]  # order kept


async def test_gateway_answers_a_repeated_request_id_idempotently() -> None:
    sandbox = make_sandbox()
    request = identity()
    async with make_client(sandbox) as client:
        first = await client.lookup(request)
        second = await client.lookup(request.model_copy())
    assert first.checked_at == second.checked_at
    assert sandbox.stats.answered == 1


async def test_cached_answer_is_not_sent_again() -> None:
    sandbox = make_sandbox()
    sink = MemorySink()
    async with make_client(sandbox, sink=sink) as client:
        await client.lookup(identity())
        again = await client.lookup(identity())  # a new request id, same case, kind and subject
    assert again.cached and again.outcome is VerificationOutcome.MATCH
    assert sandbox.stats.verify_requests == 1
    assert [a.cached for a in sink.audits] == [False, True]


async def test_every_lookup_is_audited_without_personal_data() -> None:
    sandbox = make_sandbox()
    sink = MemorySink()
    household = load_roster().household("T01")
    inputs = LookupInputs.model_validate(household.inputs.model_dump())
    requests = plan_lookups("CASE-T01", Scenario(marital_status=MaritalStatus.MARRIED), inputs)
    async with make_client(sandbox, sink=sink) as client:
        await client.lookup_all(requests)
    assert len(sink.audits) == len(requests) == 9
    assert all(a.outcome is VerificationOutcome.MATCH for a in sink.audits)
    for event in sink.audits:
        detail = event.detail()
        guard_detail(detail)  # the store's own personal-data guard accepts it
        text = json.dumps(detail, ensure_ascii=False)
        assert "王建国" not in text and T01.id_number not in text and str(inputs.card_no) not in text
        assert len(event.subject_hash) == 64
    credit = next(a for a in sink.audits if a.kind is VerificationKind.CREDIT)
    assert credit.authorization_ref == "SQ-T01-0001"
    assert all(a.actor == "clerk01" and a.case_id == "CASE-T01" for a in sink.audits)


async def test_from_settings_takes_the_in_process_transport_when_no_url_is_set() -> None:
    from counter_app.services.sandbox import make_transport
    from counter_app.settings import Settings

    settings = Settings(gateway_url="", lookup_timeout_seconds=4)
    # Without a URL the service never picks a sandbox itself: the composition root hands one in.
    with pytest.raises(ValueError, match="compose"):
        GatewayClient.from_settings(settings, operator_id="clerk01")
    async with GatewayClient.from_settings(settings, operator_id="clerk01", transport=make_transport()) as client:
        assert client.policy.lookup_timeout == 4
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.MATCH
