"""The per-attempt timeout honours the lookup deadline setting, and a lookup that ran out of time says so truly
(issue 14, item 4). Against the sandbox's slow mode (``X-Sandbox-Fault: latency=…``) served by uvicorn on loopback,
with the timings scaled down: the 3 s floor becomes 0.1 s so that the test takes well under a second."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from counter_app.services.gateway import GatewayClient, MemorySink, RetryPolicy
from counter_app.services.sandbox import FAULT_HEADER, Sandbox, SandboxSettings, make_transport
from counter_app.settings import Settings
from forms.vocabulary import VerificationOutcome
from tests.gateway_helpers import NOW, identity

SLOW = "latency=200"  # every answer takes 0.2 s


@pytest.fixture
async def server() -> AsyncIterator[str]:
    sandbox = Sandbox(SandboxSettings(), clock=lambda: NOW)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(sandbox.app, log_level="warning", lifespan="off", access_log=False))
    task = asyncio.create_task(srv.serve(sockets=[sock]))
    for _ in range(500):  # bounded wait for start-up (at most ~5 s)
        if srv.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        srv.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()


def client(base_url: str, policy: RetryPolicy) -> GatewayClient:
    return GatewayClient(
        base_url=base_url,
        app_key="sandbox-app",
        app_secret="sandbox-secret",
        operator_id="clerk01",
        sink=MemorySink(),
        policy=policy,
        clock=lambda: NOW,
        extra_headers={FAULT_HEADER: SLOW},
    )


def test_the_setting_sets_each_attempts_share(tmp_path: Path) -> None:
    """30 s allowed: 10 s per attempt (it was min(3 s, setting), so a 5 s registry never answered in time)."""

    def attempt(seconds: float) -> float:
        settings = Settings(data_dir=tmp_path, lookup_timeout_seconds=seconds)
        gateway = GatewayClient.from_settings(settings, operator_id="clerk01", transport=make_transport())
        return gateway.policy.attempt_timeout

    assert attempt(30) == 10.0
    assert attempt(120) == 40.0
    assert attempt(8) == 3.0  # the default: at least 3 s per attempt
    assert attempt(2) == 2.0  # never more than the deadline


async def test_a_slow_registry_answers_within_a_raised_deadline(server: str) -> None:
    # Scaled: a 1.8 s deadline over 3 attempts gives 0.6 s each, ample for a 0.2 s registry.
    policy = RetryPolicy.for_deadline(1.8, floor=0.1, backoff_base=0.01)
    assert policy.attempt_timeout == pytest.approx(0.6)
    async with client(server, policy) as gateway:
        result = await gateway.lookup(identity())
    assert result.outcome is VerificationOutcome.MATCH
    assert result.attempts == 1


async def test_a_registry_too_slow_for_every_attempt_ends_with_a_true_text(server: str) -> None:
    # Each attempt is cut at 0.1 s, the registry needs 0.2 s: every attempt times out, the deadline is not reached.
    policy = RetryPolicy(attempts=3, attempt_timeout=0.1, lookup_timeout=5, backoff_base=0.01)
    async with client(server, policy) as gateway:
        result = await gateway.lookup(identity())
    assert result.outcome is VerificationOutcome.UNAVAILABLE
    assert result.attempts == 3
    assert result.problem is not None and result.problem.code == "timeout"
    assert result.problem.message == "身份信息（公安）核验超时未答复（已重试 2 次）"
    assert "正在重试" not in result.problem.message
