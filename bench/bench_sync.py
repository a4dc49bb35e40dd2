"""Sync throughput: N queued cases (10,000; ``BENCH_SYNC_CASES`` for quick runs) drained to the sandbox over
loopback HTTP, and a status pull of N open cases.

The sandbox runs in a subprocess (``serve_sandbox`` on a free loopback port) so that server and client do not
share a GIL. Baselines, measured in the same run against the same server: raw httpx PUTs of the same payloads
with the same concurrency and no store (what HTTP alone costs), and a raw GET of the same listing.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import Figure
from counter_app.services.sync import SyncEngine, SyncPolicy
from forms.vocabulary import CaseStatus
from local_cache import Store

ROOT = Path(__file__).resolve().parents[1]
SERVER = (
    "import sys; from counter_app.services.sandbox import SandboxSettings, serve_sandbox; "
    "serve_sandbox(port=int(sys.argv[1]), settings=SandboxSettings(advance_after_seconds=0))"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("sandbox did not start")


def _fill(store: Store, n: int) -> list[dict[str, Any]]:
    """N accepted cases with an outbox entry each, in transactions of 1,000 (set-up, not measured)."""
    payloads: list[dict[str, Any]] = []
    for start in range(0, n, 1000):
        with store.db.write():
            for i in range(start, min(n, start + 1000)):
                case = store.cases.create(actor="bench")
                store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="bench")
                body = {"case_number": case.case_number, "loan": {"amount": f"{300000 + i}.00", "term": 360}}
                store.outbox.enqueue(case.id, 1, body, actor="bench")
                payloads.append({"case_id": case.id, **body})
    return payloads


async def _raw_puts(url: str, payloads: list[dict[str, Any]], concurrency: int) -> float:
    limiter = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def put(p: dict[str, Any]) -> None:
            async with limiter:
                body = {k: v for k, v in p.items() if k != "case_id"}
                r = await client.put(f"/v1/cases/raw-{p['case_id']}", json={**body, "version": 1})
                r.raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(put(p) for p in payloads))
        return time.perf_counter() - start


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def _measure(n: int) -> list[Figure]:
    proc, url = _start_server()
    policy = SyncPolicy(concurrency=16, batch_size=128)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "bench.db", Path(tmp) / "bench.key", workstation_id="QD01")
            with store:
                payloads = _fill(store, n)
                raw_seconds = await _raw_puts(url, payloads, policy.concurrency)
                rss_before = _rss_mb()
                async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                    engine = SyncEngine(store, client, seed=0, policy=policy)
                    start = time.perf_counter()
                    summary = await engine.run_once(pull=False)
                    drain_seconds = time.perf_counter() - start
                    assert summary.sent == n and summary.pending == 0, summary.render()
                    rss_after = _rss_mb()
                    await client.post("/v1/_sandbox/advance", json={})  # every case: in_review -> approved
                    start = time.perf_counter()
                    listing = await client.get("/v1/cases")
                    listing.json()
                    raw_list_seconds = time.perf_counter() - start
                    start = time.perf_counter()
                    pulled = await engine.pull()
                    pull_seconds = time.perf_counter() - start
                    assert pulled.moved == n, pulled.render()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return [
        Figure(
            f"sync drain {n} cases (loopback HTTP)",
            n / drain_seconds,
            "cases/s",
            "raw httpx PUTs",
            n / raw_seconds,
            "≥ 200/s",
        ),
        Figure(f"sync drain {n}: peak RSS", rss_after, "MB", "RSS before drain", rss_before, "flat in N"),
        Figure(f"status pull {n} open cases", pull_seconds, "s", "raw GET listing", raw_list_seconds, "< 5 s"),
    ]


def run() -> list[Figure]:
    n = int(os.environ.get("BENCH_SYNC_CASES", "10000"))
    return asyncio.run(_measure(n))
