"""The drain reads its next batch in the store thread (SyncBulk.due_rows, one step): the same entries, in the same
order, as SyncLedger.next_batch hands out; and a pass still sends a case's later version after the earlier one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter_app.services.sync import SyncEngine, SyncPolicy
from forms.vocabulary import CaseStatus
from local_cache import Store
from local_cache.outbox import OutboxEntry
from local_cache.sync_bulk import SyncBulk
from local_cache.sync_ledger import SyncLedger


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=Clock())
    yield s
    s.close()


def _read(store: Store, *, limit: int = 64, exclude: tuple[int, ...] = ()) -> list[OutboxEntry]:
    rows = SyncBulk(store.db, store.audit, store.clock).due_rows(limit=limit, exclude=exclude)
    return [store.outbox.entry_of(r) for r in rows]


def test_due_rows_hand_out_what_next_batch_does(store: Store) -> None:
    ledger = SyncLedger.of(store)
    clock = store.clock
    assert isinstance(clock, Clock)
    ids = [store.cases.create(actor="t").id for _ in range(5)]
    a, b, c, d, e = ids
    store.outbox.enqueue(a, 2, {"v": 2, "名": "张三"}, actor="t")  # queued before v1: waits behind it
    store.outbox.enqueue(a, 1, {"v": 1}, actor="t")
    clock.now += timedelta(seconds=1)
    store.outbox.enqueue(b, 1, {"v": 1}, actor="t")
    parked = store.outbox.enqueue(c, 1, {"v": 1}, actor="t")
    store.outbox.enqueue(c, 2, {"v": 2}, actor="t")  # behind a parked conflict
    ledger.park_conflict(parked, platform_version=3, platform_view={}, code="stale", message="m")
    later = store.outbox.enqueue(d, 1, {"v": 1}, actor="t")
    store.outbox.mark_failed(later.id, "503", retry_in=timedelta(minutes=5))  # not due yet
    excluded = store.outbox.enqueue(e, 1, {"v": 1}, actor="t")
    for limit in (1, 2, 64):
        for exclude in ((), (excluded.id,)):
            assert _read(store, limit=limit, exclude=exclude) == ledger.next_batch(limit=limit, exclude=exclude)
    first = _read(store)
    assert [(x.case_id, x.version) for x in first] == [(a, 1), (b, 1), (e, 1)]
    ledger.record_sent(first[0], platform_version=1, platform_status="in_review")
    again = _read(store)
    assert again == ledger.next_batch() and (a, 2) in {(x.case_id, x.version) for x in again}
    assert next(x for x in again if x.case_id == a).payload == {"v": 2, "名": "张三"}  # decrypted, as stored


async def test_a_pass_sends_later_versions_after_earlier_ones(store: Store) -> None:
    seen: list[tuple[str, int, str | None]] = []

    def platform(request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = json.loads(request.content)
        case_id = request.url.path.rsplit("/", 1)[1]
        seen.append((case_id, int(body["version"]), request.headers.get("If-Match")))
        return httpx.Response(200, json={"version": body["version"], "status": "received"})

    ids: list[str] = []
    with store.db.write():
        for _ in range(40):
            case = store.cases.create(actor="t")
            store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="t")
            ids.append(case.id)
            for version in (1, 2, 3):
                store.outbox.enqueue(case.id, version, {"n": version}, actor="t")
    policy = SyncPolicy(concurrency=4, batch_size=8)
    async with SyncEngine(store, httpx.MockTransport(platform), policy=policy) as engine:
        summary = await engine.push()
    assert summary.sent == 120 and summary.pending == 0 and not summary.errors
    assert len(seen) == 120  # each entry once
    for case_id in ids:
        mine = [(v, tag) for c, v, tag in seen if c == case_id]
        assert mine == [(1, None), (2, '"1"'), (3, '"2"')]  # in order, each on the version acknowledged before
    assert store.outbox.counts() == {"sent": 120}
