"""Shared set-up for the gateway client tests: a fixed time, a test subject, a fake sleep and clock, clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from counter_app.services.gateway import GatewayClient, LookupRequest, MemorySink, RetryPolicy, Subject
from counter_app.services.sandbox import EMBEDDED_BASE_URL, FAULT_HEADER, Sandbox, SandboxSettings, make_transport
from forms.vocabulary import VerificationKind

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
