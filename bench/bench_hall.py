"""Many counters, one platform (issue 15, item 6): N workstation processes (20; ``BENCH_HALL_WORKSTATIONS``), each
with its own data directory, workstation id and CASES accepted cases (50; ``BENCH_HALL_CASES``, every fifth with
a second version), draining their outboxes at the same moment to ONE sandbox served over loopback HTTP.

Figures: the hall's throughput (cases/s, from the common start until the last workstation is done) against the
same workstations PUTting the same payloads with httpx and no store (same run, same server, same concurrency);
duplicates and lost cases, read from the platform's listing (each case exactly once, in its final version, each
version received once); and each workstation's peak RSS with N workstations against N=5 (flat in N: ratio ≈ 1).
The worker is bench/hall_workstation.py; the server is started as in bench/bench_sync.py.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_sync import ROOT, _start_server
from bench.common import Figure


def _run_hall(url: str, tmp: Path, n_workstations: int, cases: int, mode: str) -> tuple[float, list[dict[str, Any]]]:
    """Start the workstations, wait until all are set up, start them at once; (wall seconds, their results)."""
    httpx.post(f"{url}/v1/_sandbox/reset", timeout=30).raise_for_status()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.hall_workstation",
                url,
                str(tmp / f"{mode}{n_workstations}-{k:02d}"),
                f"H{k:02d}",
                str(cases),
                mode,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(1, n_workstations + 1)
    ]
    try:
        for proc in procs:  # set-up (imports, store, acceptance) is not measured
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", "workstation did not start"
        start = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=600)
            results.append(json.loads(out.strip().splitlines()[-1]))
        return time.perf_counter() - start, results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def _check_platform(url: str, results: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(cases expected, duplicates, lost) from the platform's listing: a case id nobody sent, or a version
    received more than once, is a duplicate; a case missing or short of its final version is lost."""
    expected: dict[str, int] = {}
    for r in results:
        expected.update(r["final"])
    listing = httpx.get(f"{url}/v1/cases", timeout=120).json()["cases"]
    seen = {v["case_id"]: v for v in listing}
    duplicates = len(listing) - len(seen) + sum(1 for case_id in seen if case_id not in expected)
    lost = 0
    for case_id, final in expected.items():
        view = seen.get(case_id)
        if view is None or view["version"] != final:
            lost += 1
            continue
        kinds = [e["type"] for e in view["events"]]
        duplicates += max(0, kinds.count("received") - 1) + max(0, kinds.count("updated") - (final - 1))
    return len(expected), duplicates, lost


def run() -> list[Figure]:
    n = int(os.environ.get("BENCH_HALL_WORKSTATIONS", "20"))
    cases = int(os.environ.get("BENCH_HALL_CASES", "50"))
    small = min(5, n)
    proc, url = _start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            raw_seconds, raw = _run_hall(url, tmp, n, cases, "raw")
            hall_seconds, hall = _run_hall(url, tmp, n, cases, "store")
            expected, duplicates, lost = _check_platform(url, hall)
            small_seconds, few = _run_hall(url, tmp, small, cases, "store")
            _, small_duplicates, small_lost = _check_platform(url, few)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    pending = sum(r["pending"] for r in hall)
    assert sum(r["sent"] for r in raw) == sum(r["sent"] for r in hall) + pending, "the baseline sent other bodies"
    entries = sum(r["sent"] for r in hall)
    rss = statistics.mean(r["peak_rss_mb"] for r in hall)
    rss_small = statistics.mean(r["peak_rss_mb"] for r in few)
    cpu, cpu_raw = (statistics.mean(r["cpu_seconds"] for r in rs) for rs in (hall, raw))
    print(
        f"hall: {n}×{cases} cases ({entries} versions) in {hall_seconds:.2f} s, raw {raw_seconds:.2f} s; "
        f"still pending {pending}; N={small}: {small_seconds:.2f} s, duplicates {small_duplicates}, lost {small_lost}; "
        f"peak RSS per workstation N={n} {rss:.1f} MB (max {max(r['peak_rss_mb'] for r in hall):.1f}), "
        f"N={small} {rss_small:.1f} MB; client CPU per workstation {cpu:.2f} s (raw {cpu_raw:.2f} s)",
        file=sys.stderr,
    )
    return [
        Figure(
            f"hall {n}×{cases} cases: throughput",
            expected / hall_seconds,
            "cases/s",
            f"raw httpx PUTs, {n} procs",
            expected / raw_seconds,
            "≥ 0.9× raw",
        ),
        Figure(f"hall {n}×{cases}: duplicates on platform", duplicates, "cases", "cases synced", expected, "0"),
        Figure(f"hall {n}×{cases}: lost", lost + pending, "cases", "cases synced", expected, "0"),
        Figure(f"hall: peak RSS per workstation, N={n}", rss, "MB", f"same, N={small}", rss_small, "flat in N (≈1)"),
    ]
