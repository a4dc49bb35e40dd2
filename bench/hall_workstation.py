"""One workstation of the hall benchmark (bench/bench_hall.py), run as its own process.

``python -m bench.hall_workstation URL DATA_DIR WORKSTATION_ID CASES store|raw``

- ``store``: opens its own store in DATA_DIR, accepts CASES fictitious cases through the store and the outbox as
  the app does (``CaseRepo.queue_for_platform``: the next version from the ledger, the case number in the body),
  every fifth case with a second version (a 补件 received later), then drains the outbox with the sync engine;
- ``raw``: the same payloads PUT with httpx at the engine's concurrency, no store (the baseline).

Both print ``ready`` once set up, wait for a line on stdin (the start, given to every workstation at once), and
print one JSON line: what was sent, how long it took, the process's peak RSS, and (store) each case's final
version, for the platform check.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from counter_app.services.sync import SyncEngine, SyncPolicy
from forms.vocabulary import CaseStatus
from local_cache import Store
from local_cache.sync_ledger import SyncLedger

POLICY = SyncPolicy()  # the defaults a counter runs with
SECOND_VERSION_EVERY = 5


def payload(workstation_id: str, i: int, case_number: str, version: int) -> dict[str, Any]:
    """A fictitious accepted resale case (测试件, no real person), the same for the same arguments."""
    body: dict[str, Any] = {
        "case_number": case_number,
        "workstation_id": workstation_id,
        "scenario": {"property": "resale", "loan": "fund", "home": "first", "marital": "married"},
        "applicant": {"name_masked": "张*", "id_masked": f"370202********{i % 10000:04d}"},
        "loan": {"amount": f"{300000 + 1000 * i}.00", "term": 240 + (i % 5) * 24, "method": "annuity"},
        "materials": [{"code": f"M{n:02d}", "form": "原件", "count": 1} for n in range(1, 9)],
    }
    if version > 1:
        body["supplements"] = [{"material_code": "M09", "received_at": "2026-12-01T09:00:00+08:00"}]
    return body


def versions_of(i: int) -> int:
    return 2 if i % SECOND_VERSION_EVERY == SECOND_VERSION_EVERY - 1 else 1


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _accept(store: Store, workstation_id: str, n: int) -> dict[str, int]:
    """N accepted cases and their outbox versions; returns each case's final version."""
    ledger = SyncLedger.of(store)
    final: dict[str, int] = {}
    for i in range(n):
        with store.db.write():  # one case, one transaction: what a clerk's acceptance is
            case = store.cases.create(actor="bench")
            store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="bench")
            for _ in range(versions_of(i)):
                version = ledger.next_version(case.id)
                store.outbox.enqueue(
                    case.id, version, payload(workstation_id, i, case.case_number, version), actor="bench"
                )
                final[case.id] = version
    return final


async def _drain(url: str, store: Store) -> tuple[int, int]:
    async with httpx.AsyncClient(base_url=url, timeout=POLICY.request_timeout) as client:
        engine = SyncEngine(store, client, seed=0, policy=POLICY)
        sent = 0
        for _ in range(10):  # a pass tries every entry once; a refused or lost request waits for the next pass
            summary = await engine.run_once(pull=False)
            sent += summary.sent
            if summary.pending == 0:
                break
            await asyncio.sleep(0.2)
        await engine.aclose()
        return sent, summary.pending


async def _raw(url: str, workstation_id: str, n: int) -> int:
    limiter = asyncio.Semaphore(POLICY.concurrency)
    bodies = [(str(uuid.uuid5(uuid.NAMESPACE_URL, f"raw:{workstation_id}:{i}")), i) for i in range(n)]
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=POLICY.request_timeout) as client:

        async def put(case_id: str, i: int) -> None:
            nonlocal sent
            async with limiter:
                for version in range(1, versions_of(i) + 1):
                    body = {**payload(workstation_id, i, f"RAW{i:06d}", version), "version": version}
                    r = await client.put(f"/v1/cases/{case_id}", json=body)
                    r.raise_for_status()
                    sent += 1

        await asyncio.gather(*(put(case_id, i) for case_id, i in bodies))
    return sent


def main(argv: list[str]) -> int:
    url, data_dir, workstation_id, n, mode = argv[0], Path(argv[1]), argv[2], int(argv[3]), argv[4]
    result: dict[str, Any] = {"workstation_id": workstation_id, "mode": mode}
    if mode == "store":
        data_dir.mkdir(parents=True, exist_ok=True)
        with Store.open(data_dir / "counter.db", data_dir / "counter.key", workstation_id=workstation_id) as store:
            final = _accept(store, workstation_id, n)
            print("ready", flush=True)
            sys.stdin.readline()
            start, cpu = time.perf_counter(), _cpu_seconds()
            sent, pending = asyncio.run(_drain(url, store))
            result.update(seconds=time.perf_counter() - start, sent=sent, pending=pending, final=final)
            result["cpu_seconds"] = _cpu_seconds() - cpu
    else:
        print("ready", flush=True)
        sys.stdin.readline()
        start, cpu = time.perf_counter(), _cpu_seconds()
        sent = asyncio.run(_raw(url, workstation_id, n))
        result.update(seconds=time.perf_counter() - start, sent=sent, pending=0, final={})
        result["cpu_seconds"] = _cpu_seconds() - cpu
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
