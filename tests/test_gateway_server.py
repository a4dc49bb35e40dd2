"""The client against a real uvicorn server on a free loopback port: real sockets, real HTTP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from counter_app.services.gateway import GatewayClient, LookupInputs, MemorySink, RetryPolicy, plan_lookups
from counter_app.services.sandbox import Sandbox, SandboxSettings, load_roster
from forms.scenario import Scenario
from forms.vocabulary import VerificationOutcome


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Sandbox]]:
    sandbox = Sandbox(SandboxSettings())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; no race with another test
    port = sock.getsockname()[1]
    config = uvicorn.Config(sandbox.app, log_level="warning", lifespan="off", access_log=False)
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve(sockets=[sock]))
    for _ in range(500):  # bounded wait for start-up (at most ~5 s)
        if srv.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", sandbox
    finally:
        srv.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()


async def test_client_against_real_uvicorn(server: tuple[str, Sandbox]) -> None:
    base_url, sandbox = server
    household = load_roster().household("T09")  # resale, deed tax unpaid: all ten registries but one
    scenario = Scenario(**household.scenario.model_dump())
    inputs = LookupInputs.model_validate(household.inputs.model_dump())
    sink = MemorySink()
    async with GatewayClient(
        base_url=base_url, app_key="sandbox-app", app_secret="sandbox-secret", operator_id="clerk01", sink=sink
    ) as client:
        assert await client.probe() is True
        results = await client.lookup_all(plan_lookups("CASE-T09", scenario, inputs))
    assert {r.kind: r.outcome for r in results} == household.expected
    assert sandbox.stats.answered == len(results) == 10

    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        put = await http.put("/v1/cases/CASE-T09", json={"version": 1, "case": {}})
        assert put.status_code == 201
        assert (await http.get("/v1/cases/CASE-T09")).json()["status"] == "in_review"


async def test_nothing_listening_ends_unavailable() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # the port is free and nobody listens: connections are refused

    async def no_wait(seconds: float) -> None:
        return None

    policy = RetryPolicy(attempts=2, attempt_timeout=2, lookup_timeout=5, failure_threshold=2)
    async with GatewayClient(
        base_url=f"http://127.0.0.1:{port}",
        app_key="sandbox-app",
        app_secret="sandbox-secret",
        operator_id="clerk01",
        policy=policy,
        sleep=no_wait,
    ) as client:
        inputs = LookupInputs.model_validate(load_roster().household("T01").inputs.model_dump())
        plan = plan_lookups("C1", Scenario(), inputs)
        first = await client.lookup(plan[0])
        assert first.outcome is VerificationOutcome.UNAVAILABLE
        assert first.problem is not None and first.problem.code == "transport"
        # The second failure shows the gateway is down: that lookup is queued to run again later.
        second = await client.lookup(plan[1])
        assert second.outcome is VerificationOutcome.PENDING
        assert not client.online
        assert await client.probe() is False
