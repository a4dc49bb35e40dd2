"""The gateway client's behaviour: signing, retries, refusals, offline and probe, hostile answers, concurrency,
the local credit refusal and the audit trail. Against the in-process sandbox, or a scripted httpx transport."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.services.gateway import (
    GatewayClient,
    LookupInputs,
    LookupRequest,
    MemorySink,
    RetryPolicy,
    Subject,
    clean_data,
    clean_text,
    plan_lookups,
)
from counter_app.services.sandbox import (
    EMBEDDED_BASE_URL,
    FAULT_HEADER,
    Sandbox,
    SandboxSettings,
    load_roster,
    make_transport,
)
from forms.scenario import Scenario
from forms.vocabulary import MaritalStatus, VerificationKind, VerificationOutcome
from local_cache.audit import guard_detail

NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
T01 = Subject(name="王建国", id_number="370202198803159132")


class FakeSleep:
    """Records backoff delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def make_sandbox(**settings: object) -> Sandbox:
    return Sandbox(SandboxSettings(**settings), clock=lambda: NOW)  # type: ignore[arg-type]


def make_client(
    sandbox: Sandbox | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sink: MemorySink | None = None,
    policy: RetryPolicy | None = None,
    fault: str | None = None,
    secret: str = "sandbox-secret",
    sleep: FakeSleep | None = None,
    clock: Callable[[], datetime] | None = None,
) -> GatewayClient:
    return GatewayClient(
        base_url=EMBEDDED_BASE_URL,
        app_key="sandbox-app",
        app_secret=secret,
        operator_id="clerk01",
        sink=sink,
        transport=transport or make_transport(sandbox),
        policy=policy,
        sleep=sleep or FakeSleep(),
        clock=clock or (lambda: NOW),
        extra_headers={FAULT_HEADER: fault} if fault else None,
    )


def identity(case_id: str = "CASE-1", subject: Subject = T01) -> LookupRequest:
    return LookupRequest(case_id=case_id, kind=VerificationKind.IDENTITY, subject=subject)


# -- signing and refusals -----------------------------------------------------------------------------------------


async def test_signed_request_matches() -> None:
    sandbox = make_sandbox()
    async with make_client(sandbox) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.MATCH
    assert result.data["name"] == "王建国"
    assert result.source == "公安人口信息库（沙箱）"


async def test_bad_signature_is_refused_and_not_retried() -> None:
    sandbox = make_sandbox()
    async with make_client(sandbox, secret="wrong-secret") as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.REFUSED
    assert result.problem is not None and result.problem.code == "bad_signature"
    assert "签名" in result.problem.message
    assert result.attempts == 1
    assert sandbox.stats.attempts[result.request_id] == 1
    assert client.online and client.consecutive_failures == 0  # a refusal is an answer, not an outage


async def test_4xx_from_the_gateway_is_never_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, json={"error": {"code": "too_many", "message": "请求过于频繁"}})

    sleep = FakeSleep()
    async with make_client(transport=httpx.MockTransport(handler), sleep=sleep) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.REFUSED
    assert result.problem is not None and result.problem.code == "too_many"
    assert len(calls) == 1 and sleep.delays == []


# -- faults: retries, timeouts, malformed -------------------------------------------------------------------------


async def test_5xx_is_retried_with_backoff_then_unavailable() -> None:
    sandbox = make_sandbox()
    sleep = FakeSleep()
    policy = RetryPolicy(attempts=3, backoff_base=0.2, backoff_max=2.0)
    async with make_client(sandbox, fault="http500", sleep=sleep, policy=policy) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "http_500"
    assert result.attempts == 3
    assert sandbox.stats.attempts[result.request_id] == 3  # same X-Request-Id on every attempt
    assert sleep.delays == [0.2, 0.4]


async def test_transient_5xx_recovers_on_retry() -> None:
    answers = iter([httpx.Response(503), httpx.Response(502)])
    sandbox = make_sandbox()
    inner = make_transport(sandbox)

    class Flaky(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nxt = next(answers, None)
            return nxt if nxt is not None else await inner.handle_async_request(request)

    async with make_client(transport=Flaky()) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.MATCH
    assert result.attempts == 3


async def test_transport_errors_are_retried_then_unavailable() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused", request=request)

    async with make_client(transport=httpx.MockTransport(handler)) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "transport"
    assert calls == 3


async def test_hanging_gateway_ends_unavailable_within_the_timeout() -> None:
    sandbox = make_sandbox(hang_seconds=30)
    policy = RetryPolicy(attempts=2, attempt_timeout=0.05, lookup_timeout=5)
    async with make_client(sandbox, fault="timeout", policy=policy) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "timeout"
    assert result.attempts == 2


async def test_lookup_deadline_caps_all_attempts() -> None:
    sandbox = make_sandbox(hang_seconds=30)
    policy = RetryPolicy(attempts=10, attempt_timeout=5, lookup_timeout=0.05)
    async with make_client(sandbox, fault="timeout", policy=policy) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and "0.05 秒" in result.problem.message
    assert result.attempts == 1


async def test_malformed_answer_is_unavailable_without_retry() -> None:
    sandbox = make_sandbox()
    async with make_client(sandbox, fault="malformed") as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "invalid_response"
    assert result.attempts == 1


async def test_answer_for_another_request_is_rejected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "request_id": "00000000-0000-4000-8000-000000000000",
                "kind": "identity",
                "outcome": "match",
                "data": {},
                "source": "x",
                "checked_at": NOW.isoformat(),
            },
        )

    async with make_client(transport=httpx.MockTransport(handler)) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "invalid_response"


async def test_no_exception_escapes_even_from_a_broken_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom")

    sink = MemorySink()
    async with make_client(transport=httpx.MockTransport(handler), sink=sink) as client:
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.problem is not None and result.problem.code == "client_error"
    assert len(sink.audits) == 1


async def test_error_rate_is_deterministic_with_a_seed() -> None:
    def run_ids() -> list[str]:
        return [f"00000000-0000-4000-8000-{n:012d}" for n in range(20)]

    outcomes: list[list[VerificationOutcome]] = []
    for _ in range(2):
        sandbox = make_sandbox()
        policy = RetryPolicy(attempts=1, failure_threshold=100)
        async with make_client(sandbox, fault="error_rate=0.5, seed=42", policy=policy) as client:
            requests = [identity().model_copy(update={"request_id": rid}) for rid in run_ids()]
            results = await client.lookup_all(requests)
        outcomes.append([r.outcome for r in results])
    assert outcomes[0] == outcomes[1]
    assert VerificationOutcome.MATCH in outcomes[0] and VerificationOutcome.UNAVAILABLE in outcomes[0]


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


# -- untrusted answers --------------------------------------------------------------------------------------------

HOSTILE = (
    "\x1b[2J\x1b[31m红\x1b[0m"  # clear screen, colour
    "\x1b]0;pwned\x07"  # OSC: set window title
    "\x1b]8;;http://evil\x1b\\链接\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\u202eabc\u202c\u2066x\u2069"  # bidi override and isolate
    "\x9b31m\x85\x00\x7f\u200b\ufeff"  # 8-bit CSI, NEL, NUL, DEL, zero-width space, BOM
    "行\r\n尾"
)


def _assert_clean(text: str) -> None:
    assert "\x1b" not in text
    assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in text), ascii(text)


def test_clean_text_strips_escapes_and_controls() -> None:
    cleaned = clean_text(HOSTILE)
    _assert_clean(cleaned)
    assert cleaned == "红链接abcx 行 尾"


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_clean_text_never_leaves_a_control_character(text: str) -> None:
    _assert_clean(clean_text(text))


def test_clean_data_cleans_keys_nested_values_and_bounds_depth() -> None:
    data = clean_data({"a\x1b[1m": [{"b": HOSTILE}], "deep": {"1": {"2": {"3": {"4": "x"}}}}, "n": 3})
    assert data["a"][0]["b"] == "红链接abcx 行 尾"
    assert data["n"] == 3
    assert data["deep"]["1"]["2"]["3"] is None  # beyond the depth limit


async def test_hostile_registry_answer_never_reaches_the_output() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "request_id": request.headers["X-Request-Id"],
            "kind": "identity",
            "outcome": "match",
            "data": {"name\x1b[8m": HOSTILE, "list": [HOSTILE, 1, True]},
            "source": "公安\x1b[5m\u202e库",
            "checked_at": NOW.isoformat(),
        }
        return httpx.Response(200, json=body)

    async with make_client(transport=httpx.MockTransport(handler)) as client:
        result = await client.lookup(identity())
    dumped = result.model_dump_json()
    assert "\\u001b" not in dumped and "\\u202e" not in dumped
    assert result.source == "公安库"
    assert result.data["name"] == "红链接abcx 行 尾"
    for value in result.data["list"]:
        if isinstance(value, str):
            _assert_clean(value)


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


async def test_from_settings_uses_the_embedded_sandbox_when_no_url_is_set() -> None:
    from counter_app.settings import Settings

    settings = Settings(gateway_url="", lookup_timeout_seconds=4)
    async with GatewayClient.from_settings(settings, operator_id="clerk01") as client:
        assert client.policy.lookup_timeout == 4
        result = await client.lookup(identity())
    assert result.outcome is VerificationOutcome.MATCH
