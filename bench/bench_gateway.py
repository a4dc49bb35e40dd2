"""The gateway client against the in-process sandbox: fan-out of one case's ten lookups, and throughput.

Figures (all measured in the same run, real asyncio timers, no network):

- ten lookups of one case with 200 ms injected latency each, concurrently, against the slowest of the same ten
  lookups sent one at a time — the issue's target is a ratio ≤ 1.15 (concurrent, not serial);
- lookups per second for 100 cases in a row (ten lookups each, latency 0) through the client with an in-memory sink,
  against the same signed requests posted with a bare ``httpx.AsyncClient`` on the same ASGI app (no validation,
  cleaning, hashing, retries or sink) — the ratio is what the client's care costs;
- the same 100 cases through the client with the real Store as its sink (records, cache, audit chain, fsync), to
  show what persisting every lookup costs against the in-memory sink.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import Figure
from counter_app.services import signing
from counter_app.services.gateway import (
    GatewayClient,
    LookupInputs,
    LookupRequest,
    MemorySink,
    Subject,
    VerificationSink,
    plan_lookups,
)
from counter_app.services.sandbox import EMBEDDED_BASE_URL, Sandbox, SandboxSettings, make_transport
from counter_app.services.verification_sink import StoreSink
from forms.scenario import Scenario
from forms.vocabulary import LoanKind, MaritalStatus, Presence, PropertyKind
from local_cache import Store

APP_KEY, SECRET, OPERATOR = "sandbox-app", "sandbox-secret", "bench"
LATENCY_MS = 200
CASES = 100
# A resale scenario needs all ten kinds (tax included); the credit authorization is recorded.
SCENARIO = Scenario(
    property_kind=PropertyKind.RESALE,
    loan_kind=LoanKind.FUND,
    presence=Presence.SELF,
    marital_status=MaritalStatus.MARRIED,
    co_borrower_count=0,
)
INPUTS = LookupInputs(
    applicant=Subject(name="王建国", id_number="370202198803159132"),
    declared_marital_status=MaritalStatus.MARRIED,
    fund_account_no="370200100913",
    contract_no="XF2026000101",
    card_no="6222020000000000013",
    authorization_id="SQ-BENCH-0001",
)


def _requests(case_id: str) -> list[LookupRequest]:
    requests = plan_lookups(case_id, SCENARIO, INPUTS)
    assert len(requests) == 10, f"expected ten lookups, got {len(requests)}"
    return requests


def _sandbox(latency_ms: int) -> Sandbox:
    return Sandbox(SandboxSettings(latency_ms=latency_ms, error_rate=0, timeout_rate=0, malformed_rate=0))


def _client(sandbox: Sandbox, sink: VerificationSink | None = None, **kwargs: object) -> GatewayClient:
    return GatewayClient(
        base_url=EMBEDDED_BASE_URL,
        app_key=APP_KEY,
        app_secret=SECRET,
        operator_id=OPERATOR,
        sink=sink or MemorySink(),
        transport=make_transport(sandbox),
        **kwargs,  # type: ignore[arg-type]
    )


async def _fan_out(repeat: int = 3) -> tuple[float, float]:
    """(best time of the ten concurrently, slowest single lookup of the ten), in seconds."""
    sandbox = _sandbox(LATENCY_MS)
    async with _client(sandbox) as client:
        await client.lookup_all(_requests("warm-up"))
        singles: dict[str, float] = {}
        for round_ in range(repeat):
            for request in _requests(f"single-{round_}"):
                start = time.perf_counter()
                await client.lookup(request)
                elapsed = time.perf_counter() - start
                singles[request.kind.value] = min(singles.get(request.kind.value, elapsed), elapsed)
        best = float("inf")
        for round_ in range(repeat):
            requests = _requests(f"fan-out-{round_}")  # a fresh case: nothing answered from the sink's cache
            start = time.perf_counter()
            results = await client.lookup_all(requests)
            best = min(best, time.perf_counter() - start)
            assert all(r.attempts == 1 and not r.cached for r in results)
    return best, max(singles.values())


async def _client_rate(store: Store | None = None) -> float:
    """Lookups per second for CASES cases in a row through the client (a warm-up case first, not timed)."""
    sandbox = _sandbox(0)
    sink: VerificationSink = StoreSink(store) if store is not None else MemorySink()
    # With a store the cases must exist (foreign keys); created before the clock starts.
    case_ids = (
        [store.cases.create(actor=OPERATOR).id for _ in range(CASES + 1)]
        if store is not None
        else [f"case-{i:03d}" for i in range(CASES + 1)]
    )
    async with _client(sandbox, sink) as client:
        await client.lookup_all(_requests(case_ids[0]))
        start = time.perf_counter()
        for case_id in case_ids[1:]:
            results = await client.lookup_all(_requests(case_id))
            assert not any(r.cached for r in results)
        elapsed = time.perf_counter() - start
    return CASES * 10 / elapsed


async def _raw_rate() -> float:
    """The same requests, signed and posted with a bare httpx client on the same ASGI app, case by case."""
    sandbox = _sandbox(0)
    async with httpx.AsyncClient(base_url=EMBEDDED_BASE_URL, transport=make_transport(sandbox)) as http:

        async def post(request: LookupRequest) -> None:
            body = request.body()
            path = f"/v1/verify/{request.kind.value}"
            headers = signing.signed_headers(
                app_key=APP_KEY,
                secret=SECRET,
                operator_id=OPERATOR,
                method="POST",
                path=path,
                body=body,
                timestamp=int(time.time()),
                request_id=str(uuid.uuid4()),
            )
            response = await http.post(path, content=body, headers=headers)
            json.loads(response.content)  # the client parses every answer too
            assert response.status_code == 200

        await asyncio.gather(*(post(r) for r in _requests("warm-up-case")))
        start = time.perf_counter()
        for i in range(CASES):
            await asyncio.gather(*(post(r) for r in _requests(f"case-{i:03d}")))
        elapsed = time.perf_counter() - start
    return CASES * 10 / elapsed


def _store_rate() -> float:
    tmp = Path(tempfile.mkdtemp(prefix="counter-bench-gateway-"))
    try:
        with Store.open(tmp / "counter.db", tmp / "store.key", workstation_id="BENCH") as store:
            return asyncio.run(_client_rate(store=store))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run() -> list[Figure]:
    concurrent, slowest = asyncio.run(_fan_out())
    raw = asyncio.run(_raw_rate())
    client = asyncio.run(_client_rate())
    stored = _store_rate()
    return [
        Figure(
            f"gateway: 10 lookups at {LATENCY_MS} ms, concurrent",
            concurrent * 1000,
            "ms",
            "slowest single lookup",
            slowest * 1000,
            "ratio ≤ 1.15",
        ),
        Figure(f"gateway: {CASES} cases in a row (MemorySink)", client, "lookups/s", "bare httpx on the app", raw),
        Figure(f"gateway: {CASES} cases in a row (StoreSink)", stored, "lookups/s", "client, MemorySink", client),
    ]


if __name__ == "__main__":
    for figure in run():
        print(
            f"{figure.name}: {figure.value:.4g} {figure.unit} / {figure.baseline_name} {figure.baseline_value:.4g}"
            f" = {figure.ratio:.2f} {figure.target}"
        )
