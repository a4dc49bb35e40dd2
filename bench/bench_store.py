"""Benchmark the local store with N cases (default 100,000): open+list today, find by number/ID/name, autosave.

Run: .venv/bin/python bench/bench_store.py [N]; prints a table of figures and their ratio to the targets.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure
from forms.china_time import CHINA_TZ
from local_cache import Store


def _id_number(i: int) -> str:
    body = f"370202{19600101 + (i % 9000):08d}{i % 1000:03d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _ms(f: object) -> float:
    t = time.perf_counter()
    f()  # type: ignore[operator]
    return (time.perf_counter() - t) * 1000


def _raw_sqlite_autosave_ms(tmp: Path) -> float:
    """Baseline: a plain sqlite3 UPDATE of a clear-text JSON payload in WAL mode (no encryption, no index, no audit)."""
    conn = sqlite3.connect(tmp / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.execute("INSERT INTO c VALUES (1, '{}')")
    times = []
    for j in range(200):
        payload = json.dumps({"applicant": {"name": "测试甲", "id_number": _id_number(j)}, "notes": "y" * 1500})
        times.append(_ms(lambda p=payload: conn.execute("UPDATE c SET payload = ? WHERE id = 1", (p,))))
    conn.close()
    return statistics.median(times)


def run() -> list[Figure]:
    """For `make bench`: a smaller store (BENCH_STORE_CASES, default 20,000) against raw sqlite3 in the same run."""
    n = int(os.environ.get("BENCH_STORE_CASES", "20000"))
    rows, per_thousand = measure(n)
    # Baseline for the size: the same payload as clear JSON, 1,000 times (what an unencrypted, unindexed store holds).
    sample = {
        "applicant": {"name": "测试1", "id_number": _id_number(1), "phone": "13800000000"},
        "loan": {"amount": "600000.00", "months": 360},
        "notes": "x" * 1500,
    }
    clear_mb = len(json.dumps(sample, ensure_ascii=False).encode()) * 1000 / 1e6
    tmp = Path(tempfile.mkdtemp(prefix="counter-bench-raw-"))
    try:
        raw = _raw_sqlite_autosave_ms(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        *(
            Figure(f"store {n:,} cases: {name}", ms, "ms", "raw sqlite3 UPDATE", raw, f"< {target:.0f} ms")
            for name, ms, target in rows
        ),
        Figure(f"store {n:,} cases: size per 1,000 cases", per_thousand, "MB", "clear JSON payloads", clear_mb),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows, _ = measure(n)
    print(f"{'measure':<28}{'ms':>10}{'target ms':>12}{'ratio':>8}")
    for name, ms, target in rows:
        print(f"{name:<28}{ms:>10.2f}{target:>12.0f}{ms / target:>8.2f}")


def measure(n: int) -> tuple[list[tuple[str, float, float]], float]:
    """The timings (name, ms, target ms) and the database size in MB per 1,000 cases."""
    tmp = Path(tempfile.mkdtemp(prefix="counter-bench-"))
    db, key = tmp / "c.db", tmp / "k.key"
    start = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    now = [start]
    store = Store.open(db, key, workstation_id="QD01", clock=lambda: now[0])
    t0 = time.perf_counter()
    per_day = 150
    for batch in range(0, n, 5000):
        with store.db.write():
            for i in range(batch, min(n, batch + 5000)):
                now[0] = start + timedelta(days=i // per_day, seconds=i % per_day)
                payload = {
                    "applicant": {"name": f"测试{i}", "id_number": _id_number(i), "phone": "13800000000"},
                    "loan": {"amount": "600000.00", "months": 360},
                    "notes": "x" * 1500,
                }
                store.cases.create(actor="bench", payload=payload)
    build = time.perf_counter() - t0
    last_day = now[0]
    store.close()
    size_mb = sum(p.stat().st_size for p in tmp.iterdir() if p.name.startswith("c.db")) / 1e6

    def open_and_list() -> None:
        s = Store.open(db, key, workstation_id="QD01", clock=lambda: last_day)
        s.cases.list_for_date()
        s.close()

    s = Store.open(db, key, workstation_id="QD01", clock=lambda: last_day)
    mid_day = (start + timedelta(days=(n // 2) // per_day)).astimezone(CHINA_TZ)
    middle = f"QD01-{mid_day:%Y%m%d}-{(n // 2) % per_day + 1:04d}"
    rows = [
        ("open + list today's cases", _ms(open_and_list), 100.0),
        ("list today's cases (warm)", statistics.median(_ms(s.cases.list_for_date) for _ in range(20)), 100.0),
        ("find by case number", statistics.median(_ms(lambda: s.cases.by_number(middle)) for _ in range(20)), 20.0),
        (
            "find by ID number",
            statistics.median(_ms(lambda: s.cases.find_by_id_number(_id_number(n // 2))) for _ in range(20)),
            20.0,
        ),
        (
            "find by name",
            statistics.median(_ms(lambda: s.cases.find_by_name(f"测试{n // 3}")) for _ in range(20)),
            20.0,
        ),
    ]
    case = s.cases.create(actor="bench")
    saves = []
    for j in range(200):
        payload = {
            "applicant": {"name": "测试甲", "id_number": _id_number(j), "phone": "13800000000"},
            "notes": "y" * 1500,
            "j": j,
        }
        saves.append(_ms(lambda p=payload: s.cases.autosave(case.id, p, ui_state={"focus": "x"})))
    saves.sort()
    rows.append(("autosave median", statistics.median(saves), 10.0))
    rows.append(("autosave p95", saves[int(len(saves) * 0.95)], 10.0))
    s.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"cases: {n:,}   build: {build:.1f} s   database size: {size_mb:.1f} MB "
        f"({size_mb * 1000 / n:.2f} MB per 1,000 cases)"
    )
    return rows, size_mb * 1000 / n


if __name__ == "__main__":
    main()
