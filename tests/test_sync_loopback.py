"""The sync engine against the real sandbox served by uvicorn on a loopback port: outage, flapping, SIGKILL,
conflicts and the status pull. Time is a fake clock shared by store and engine; faults are seeded."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from loopback_helpers import Loopback

from counter_app.services.sandbox import Sandbox, SandboxSettings
from counter_app.services.sync import SyncEngine, SyncPolicy
from forms.vocabulary import CaseStatus
from local_cache import Store

ROOT = Path(__file__).resolve().parents[1]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"flaky"})


class Flaky:
    """Seeded faults in front of the platform's PUT: refused before the platform sees it (503), or the platform
    stores it and the answer is lost (502) — the case that tempts a client to create a second case."""

    def __init__(self, app: ASGIApp, *, seed: int = 0, rate: float = 0.0, latency: float = 0.0) -> None:
        self.app, self.seed, self.rate, self.latency = app, seed, rate, latency
        self.attempts: dict[str, int] = {}
        self.lost_answers = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT" and scope["path"].startswith("/v1/cases/"):
            if self.latency:
                await asyncio.sleep(self.latency)
            key = scope["path"]
            n = self.attempts[key] = self.attempts.get(key, 0) + 1
            draw = random.Random(f"{self.seed}:{key}:{n}").random()
            if draw < self.rate / 2:
                return await _answer(send, 503)
            if draw < self.rate:

                async def swallow(message: Message) -> None:
                    return None

                await self.app(scope, receive, swallow)
                self.lost_answers += 1
                return await _answer(send, 502)
        await self.app(scope, receive, send)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxSettings(advance_after_seconds=0))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01", clock=clock)
    yield s
    s.close()


def accepted_cases(store: Store, n: int, *, versions: int = 1) -> list[str]:
    """``n`` accepted cases with outbox entries 1..versions each (one transaction: one fsync)."""
    ids: list[str] = []
    with store.db.write():
        for i in range(n):
            case = store.cases.create(actor="clerk1", payload={"loan": {"amount": f"{100000 + i}.00"}})
            store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="clerk1")
            for v in range(1, versions + 1):
                body = {"case_number": case.case_number, "loan": {"amount": f"{100000 + i}.00"}, "rev": v}
                store.outbox.enqueue(case.id, v, body, actor="clerk1")
            ids.append(case.id)
    return ids


POLICY = SyncPolicy(base_delay=1, max_delay=60, concurrency=8, batch_size=32, request_timeout=5)


def engine_for(store: Store, url: str, clock: Clock) -> SyncEngine:
    return SyncEngine(store, httpx.AsyncClient(base_url=url, timeout=5), clock=clock, seed=1, policy=POLICY)


async def drain(engine: SyncEngine, clock: Clock, rounds: int = 40) -> int:
    """Run rounds, moving the clock past every backoff, until nothing is pending; returns rounds used."""
    for n in range(1, rounds + 1):
        summary = await engine.run_once(pull=False)
        if summary.pending == 0:
            return n
        clock.now += timedelta(seconds=POLICY.max_delay * 1.1)
    raise AssertionError("outbox not drained")


def assert_exactly_once(sandbox: Sandbox, ids: list[str], versions: dict[str, int] | None = None) -> None:
    """Every case on the platform once, none missing, each version received once and in order."""
    listing = sandbox.platform.updated_since(None)
    listed = [c.case_id for c in listing]
    assert len(listed) == len(set(listed)), "a case appears twice on the platform"
    assert sorted(listed) == sorted(ids), "a case is missing on the platform (or one too many)"
    for case in listing:
        version = (versions or {}).get(case.case_id, 1)
        assert case.version == version
        kinds = [e["type"] for e in case.events]
        assert kinds == ["received"] + ["updated"] * (version - 1), kinds


async def test_platform_down_then_back_syncs_exactly_once(store: Store, sandbox: Sandbox, clock: Clock) -> None:
    server = Loopback(sandbox.app)  # bound, not listening: the platform is down
    ids = accepted_cases(store, 12)
    engine = engine_for(store, server.url, clock)
    try:
        down = await engine.run_once()
        assert (down.sent, down.failed, down.pending) == (0, 12, 12)
        assert down.pull_error and engine.online is False
        entry = store.outbox.get(1)
        assert entry.state == "pending" and entry.attempts == 1 and entry.next_attempt_at > clock.now
        assert "unreachable" in (entry.last_error or "")
        # Backoff: nothing is due before the retry time, even with the platform back.
        server.start()
        assert (await engine.run_once(pull=False)).sent == 0
        clock.now += timedelta(seconds=5)
        up = await engine.run_once()
        assert (up.sent, up.failed, up.pending, up.pull_error) == (12, 0, 0, None)
        again = await engine.run_once()
        assert again.sent == 0 and again.ok
    finally:
        await engine.client.aclose()
        await engine.aclose()
        server.stop()
    assert_exactly_once(sandbox, ids)
    assert store.outbox.counts() == {"sent": 12}
    assert {store.cases.get(i).status for i in ids} == {CaseStatus.IN_REVIEW}  # submitted, then pulled
    actions = [e.action for e in store.audit.entries(limit=10_000)]
    assert actions.count("sync_sent") == 12 and actions.count("sync_failed") == 12
    assert store.audit.verify().ok


async def test_flapping_platform_200_cases_zero_duplicates_zero_lost(
    store: Store, sandbox: Sandbox, clock: Clock
) -> None:
    flaky = Flaky(sandbox.app, seed=7, rate=0.5)
    server = Loopback(flaky)
    server.start()
    ids = accepted_cases(store, 150) + accepted_cases(store, 50, versions=2)
    engine = engine_for(store, server.url, clock)
    try:
        rounds = await drain(engine, clock)
    finally:
        await engine.client.aclose()
        await engine.aclose()
        server.stop()
    assert rounds > 2 and flaky.lost_answers > 20  # the faults really happened, answers really got lost
    # v2 reached the platform only after v1: otherwise it would have been "received" as v2, then v1 refused.
    assert_exactly_once(sandbox, ids, {case_id: 2 for case_id in ids[150:]})
    assert all(sandbox.platform.cases[i].payload["rev"] == 2 for i in ids[150:])
    assert store.outbox.counts() == {"sent": 250}


async def test_sigkill_mid_run_then_restart_completes(tmp_path: Path, sandbox: Sandbox) -> None:
    store = Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01")
    ids = accepted_cases(store, 200)
    store.close()
    flaky = Flaky(sandbox.app, latency=0.03)  # slow enough to be killed mid-run
    server = Loopback(flaky)
    server.start()
    env = {
        **os.environ,
        "COUNTER_CONFIG": os.devnull,
        "COUNTER_DATA_DIR": str(tmp_path),
        "COUNTER_PLATFORM_URL": server.url,
        "COUNTER_WORKSTATION_ID": "QD01",
    }
    command = [sys.executable, "-m", "counter_app.commands.sync", "--once", "--quiet"]
    try:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(sandbox.platform.cases) < 80 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        at_kill = len(sandbox.platform.cases)
        assert 80 <= at_kill < 200, f"not killed mid-run ({at_kill} on the platform)"
        with Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01") as after:
            assert after.outbox.counts().get("sent", 0) < 200
        rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr + rerun.stdout
        assert "同步完成" in rerun.stdout
    finally:
        server.stop()
    assert_exactly_once(sandbox, ids)
    with Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01") as final:
        assert final.outbox.counts() == {"sent": 200}
        assert final.audit.verify().ok


async def test_conflict_is_parked_not_overwritten_then_resolved(store: Store, sandbox: Sandbox, clock: Clock) -> None:
    server = Loopback(sandbox.app)
    server.start()
    a, b, c = accepted_cases(store, 3)
    engine = engine_for(store, server.url, clock)
    try:
        assert (await engine.run_once()).sent == 3
        async with httpx.AsyncClient(base_url=server.url) as other:  # the back office edits a and b itself
            for case_id in (a, b):
                r = await other.put(
                    f"/v1/cases/{case_id}", json={"version": 2, "theirs": True}, headers={"If-Match": '"1"'}
                )
                assert r.status_code == 200
            r = await other.put(f"/v1/cases/{c}", json={"version": 3, "theirs": True}, headers={"If-Match": '"1"'})
            assert r.status_code == 200
        for case_id in (a, b, c):
            store.outbox.enqueue(case_id, 2, {"ours": 2}, actor="clerk1")
        store.outbox.enqueue(a, 3, {"ours": 3}, actor="clerk1")

        parked = await engine.run_once(pull=False)
        assert (parked.sent, parked.conflicts, parked.failed) == (0, 3, 0)
        assert not parked.ok
        # Nothing overwritten on the platform; later local versions wait behind the conflict.
        assert sandbox.platform.cases[a].payload == {"version": 2, "theirs": True}
        assert store.outbox.counts() == {"sent": 3, "conflict": 3, "pending": 1}
        conflicts = {k.case_id: k for k in engine.conflicts()}
        assert conflicts[a].code == "version_conflict" and conflicts[a].platform_version == 2
        assert conflicts[c].code == "precondition_failed" and conflicts[c].platform_version == 3
        assert conflicts[a].platform_view["status"] == "in_review"
        assert store.outbox.get(conflicts[a].outbox_id).payload == {"ours": 2}  # both sides kept
        assert (await engine.run_once(pull=False)).sent == 0  # still parked: no silent retry

        engine.resolve_conflict(a, "local", actor="clerk1")
        engine.resolve_conflict(b, "platform", actor="clerk1")
        assert {k.case_id for k in engine.conflicts()} == {c}
        resolved = await engine.run_once(pull=False)
        assert resolved.sent == 1
        # keep=local: the newest local body, as a new version above the platform's, chosen by the clerk.
        assert sandbox.platform.cases[a].version == 4 and sandbox.platform.cases[a].payload == {"version": 4, "ours": 3}
        assert sandbox.platform.cases[b].payload == {"version": 2, "theirs": True}
        # keep=platform: the next local change builds on the platform's version.
        store.outbox.enqueue(b, engine.ledger.next_version(b), {"ours": "after"}, actor="clerk1")
        assert (await engine.run_once(pull=False)).sent == 1 and sandbox.platform.cases[b].version == 3
    finally:
        await engine.client.aclose()
        await engine.aclose()
        server.stop()
    actions = [e.action for e in store.audit.entries(limit=10_000)]
    assert actions.count("sync_conflict") == 3 and actions.count("sync_conflict_resolved") == 2
    assert store.audit.verify().ok


async def test_status_pull_moves_local_cases(store: Store, sandbox: Sandbox, clock: Clock) -> None:
    server = Loopback(sandbox.app)
    server.start()
    ids = accepted_cases(store, 4)
    engine = engine_for(store, server.url, clock)
    try:
        assert (await engine.run_once(pull=False)).sent == 4
        assert {store.cases.get(i).status for i in ids} == {CaseStatus.SUBMITTED}
        first = await engine.run_once(push=False)
        assert (first.pulled, first.moved) == (4, 4)
        assert {store.cases.get(i).status for i in ids} == {CaseStatus.IN_REVIEW}
        async with httpx.AsyncClient(base_url=server.url) as ctl:
            await ctl.post("/v1/_sandbox/advance", json={"case_id": ids[0]})  # approved
            await ctl.post("/v1/_sandbox/advance", json={"case_id": ids[1]})
            await ctl.post("/v1/_sandbox/advance", json={"case_id": ids[1]})  # completed, approval not seen
            await ctl.post("/v1/_sandbox/advance", json={"case_id": ids[2], "to": "rejected"})
        second = await engine.run_once(push=False)
        assert (second.pulled, second.moved) == (3, 3)
        assert [store.cases.get(i).status for i in ids] == [
            CaseStatus.APPROVED,
            CaseStatus.COMPLETED,
            CaseStatus.REJECTED,
            CaseStatus.IN_REVIEW,
        ]
        assert [e.type for e in engine.ledger.events(ids[1])] == ["received", "approved", "completed"]
        assert engine.ledger.platform_case(ids[1]) is not None
        assert (await engine.run_once(push=False)).pulled == 0  # the cursor: nothing changed since
    finally:
        await engine.client.aclose()
        await engine.aclose()
        server.stop()
    history = [h["to_status"] for h in store.cases.history(ids[1])]
    assert history == ["draft", "accepted", "submitted", "in_review", "approved", "completed"]
    assert [e.action for e in store.audit.entries()].count("sync_status_pulled") == 3


async def test_run_forever_stops_and_backs_off(store: Store, sandbox: Sandbox, clock: Clock) -> None:
    server = Loopback(sandbox.app)
    accepted_cases(store, 3)
    naps: list[float] = []
    stop = asyncio.Event()

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        clock.now += timedelta(seconds=seconds)
        if len(naps) == 2:
            server.start()  # the platform comes back while the worker sleeps
        if store.outbox.counts().get("pending", 0) == 0 or len(naps) >= 20:
            stop.set()
        await asyncio.sleep(0)

    engine = SyncEngine(store, httpx.AsyncClient(base_url=server.url), clock=clock, sleep=nap, seed=3, policy=POLICY)
    try:
        await asyncio.wait_for(engine.run_forever(stop), timeout=20)
    finally:
        await engine.client.aclose()
        await engine.aclose()
        server.stop()
    assert store.outbox.counts() == {"sent": 3}
    assert 0.5 <= naps[0] <= 1.0  # first backoff: base/2 .. base
    assert len(sandbox.platform.cases) == 3
