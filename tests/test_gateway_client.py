"""The gateway client's sending: signing, refusals, retries, timeouts, malformed and hostile answers. Against the
in-process sandbox, or a scripted httpx transport. Offline and probe, credit, concurrency and the audit trail are in
test_gateway_client_state.py; the shared set-up in gateway_helpers.py."""

from __future__ import annotations

import unicodedata

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.services.gateway import MemorySink, RetryPolicy, clean_data, clean_text
from counter_app.services.sandbox import make_transport
from forms.vocabulary import VerificationOutcome
from tests.gateway_helpers import NOW, FakeSleep, identity, make_client, make_sandbox

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
            # The identity contract's fields (forms.registry_data), with hostile text in them and beside them.
            "data": {
                "name\x1b[8m": HOSTILE,
                "household_status": "normal",
                "id_number_masked": "3702\u202e**********32",
                "list": [HOSTILE, 1, True],
            },
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
