"""The audit chain anchored on the platform (issue 14, Deliver 3): every sync puts the chain head to the platform,
and ``counter audit verify --against-platform`` catches a whole-chain rewrite that the local check cannot.

End to end through real processes on loopback: ``counter sandbox`` on a free port, ``counter sync --once`` and
``counter audit verify`` against it, as a counter would run them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from counter_app.services.sandbox import Sandbox, SandboxSettings, make_transport
from counter_app.services.sync import SyncEngine
from local_cache import Store
from tests.test_cli_sandbox import free_port
from tests.test_store_audit_tamper import _raw, hasher, rewrite_chain

ROOT = Path(__file__).resolve().parents[1]
HEX = "ab" * 32


def _counter(data: Path, platform: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COUNTER_CONFIG": os.devnull,
        "COUNTER_DATA_DIR": str(data),
        "COUNTER_PLATFORM_URL": platform,
        "COUNTER_WORKSTATION_ID": "QD01",
    }
    command = [sys.executable, "-m", "counter_app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def platform() -> Iterator[str]:
    """``counter sandbox`` serving on a free loopback port; its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "counter_app", "sandbox", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/v1/health", timeout=1.0)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "counter sandbox did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_a_whole_chain_rewrite_is_caught_against_the_platform(tmp_path: Path, platform: str) -> None:
    data = tmp_path / "data"
    for login in ("wang", "li"):
        added = _counter(data, platform, "operators", "add", login, "柜员", "--password-stdin", stdin="long-enough-1\n")
        assert added.returncode == 0, added.stderr
    synced = _counter(data, platform, "sync", "--once", "--quiet")
    assert "Traceback" not in synced.stderr and "审计链锚点未送达" not in synced.stdout, synced.stdout

    anchors = httpx.get(f"{platform}/v1/workstations/QD01/audit-anchors", timeout=5).json()["anchors"]
    with Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", create_key=False) as store:
        head = store.audit.head()
    assert head is not None and [(a["seq"], a["hash"]) for a in anchors] == [head]

    intact = _counter(data, platform, "audit", "verify", "--against-platform")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "与平台保存的 1 个锚点一致" in intact.stdout

    # Entry 2 edited, it and every later entry re-hashed, the head rewritten: consistent on this machine.
    with Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", create_key=False) as store:
        rewrite_chain(_raw(store), hasher(store), edit_seq=2)
    local = _counter(data, platform, "audit", "verify")
    assert local.returncode == 0 and "哈希链校验通过" in local.stdout
    against = _counter(data, platform, "audit", "verify", "--against-platform", "--json")
    assert against.returncode == 1, against.stdout + against.stderr
    report = json.loads(against.stdout)
    assert (report["ok"], report["problem"], report["seq"]) == (False, "rewritten", 1)
    assert f"第 {head[0]} 条与平台" in report["message"] and "Traceback" not in against.stderr

    # The rewritten chain's next sync anchors its new head, but the platform keeps what it saw first.
    again = _counter(data, platform, "sync", "--once", "--quiet")
    assert "Traceback" not in again.stderr
    after = _counter(data, platform, "audit", "verify", "--against-platform")
    assert after.returncode == 1 and "被改写" in after.stdout, after.stdout


def test_offline_says_the_platform_cannot_be_reached(tmp_path: Path) -> None:
    data = tmp_path / "data"
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert (
        _counter(
            data, nowhere, "operators", "add", "wang", "王", "--password-stdin", stdin="long-enough-1\n"
        ).returncode
        == 0
    )
    out = _counter(data, nowhere, "audit", "verify", "--against-platform")
    assert out.returncode == 3, out.stdout + out.stderr
    assert "无法连接平台" in out.stdout and "本机校验通过" in out.stdout and "Traceback" not in out.stderr


def test_against_platform_needs_a_platform_url(tmp_path: Path) -> None:
    out = _counter(tmp_path / "data", "", "audit", "verify", "--against-platform")
    assert out.returncode == 2 and "platform_url" in out.stderr and "Traceback" not in out.stderr


def test_the_engine_anchors_after_every_round(store: Store) -> None:
    sandbox = Sandbox(SandboxSettings(advance_after_seconds=0))
    store.audit.append("test", actor="clerk1")

    async def rounds() -> list[int | None]:
        async with SyncEngine(store, make_transport(sandbox)) as engine:
            first = await engine.run_once()
            second = await engine.run_once()  # the pull's own entry moved the head
            return [first.anchored, second.anchored]

    anchored = asyncio.run(rounds())
    kept = sandbox.anchors.view("QD01")["anchors"]
    assert anchored == [2, 3] and [a["seq"] for a in kept] == [2, 3]


def test_the_platform_keeps_anchors_append_only() -> None:
    sandbox = Sandbox(SandboxSettings(advance_after_seconds=0))

    async def calls() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=make_transport(sandbox), base_url="http://sandbox.invalid") as c:
            path = "/v1/workstations/QD01/audit-anchors"
            return [
                await c.put(path, json={"seq": 5, "hash": HEX}),
                await c.put(path, json={"seq": 5, "hash": HEX}),  # a resend
                await c.put(path, json={"seq": 5, "hash": "cd" * 32}),  # another hash for an anchored entry
                await c.put(path, json={"seq": 4, "hash": "cd" * 32}),  # the head going back
                await c.put(path, json={"seq": 6, "hash": "XYZ"}),
                await c.get(path),
                await c.get("/v1/workstations/QD02/audit-anchors"),
            ]

    new, resend, other, back, bad, held, elsewhere = asyncio.run(calls())
    assert (new.status_code, resend.status_code, other.status_code, back.status_code) == (201, 200, 409, 409)
    assert other.json()["error"]["code"] == "anchor_conflict" and back.json()["error"]["code"] == "anchor_regressed"
    assert bad.status_code == 422
    assert [(a["seq"], a["hash"]) for a in held.json()["anchors"]] == [(5, HEX)]
    assert elsewhere.json()["anchors"] == []
