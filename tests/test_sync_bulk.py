"""The sync engine's bulk writes (local_cache/sync_bulk.py, AuditLog.append_many) write what the per-case methods
wrote: the same audit chain, the same moves, the same refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forms.vocabulary import CaseStatus
from local_cache import Store, ValidationError
from local_cache.sync_bulk import SyncBulk

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _open(path: Path) -> Store:
    return Store.open(path / "c.db", path / "k.key", workstation_id="QD01", clock=lambda: AT)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path)
    yield s
    s.close()


def test_append_many_chains_as_appends_do(tmp_path: Path) -> None:
    entries = [("sync_sent", "sync", f"QD01-{i}", {"version": i}) for i in range(1, 4)]
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    one, many = _open(tmp_path / "one"), _open(tmp_path / "many")
    try:
        for action, actor, number, detail in entries:
            one.audit.append(action, actor=actor, case_number=number, **detail)
        assert many.audit.append_many(entries) == one.audit.head()[0]  # type: ignore[index]
        # The key files differ, so the hashes do; the chain's shape and content must not.
        strip = [(e.seq, e.action, e.case_number, e.detail) for e in one.audit.entries()]
        assert strip == [(e.seq, e.action, e.case_number, e.detail) for e in many.audit.entries()]
        assert many.audit.verify().ok
        with pytest.raises(ValidationError):  # personal data is refused in bulk too, and nothing is written
            many.audit.append_many([("sync_sent", "sync", None, {"note": "13800138000"})])
        assert many.audit.head() == (3, many.audit.entries()[-1].hash)
    finally:
        one.close()
        many.close()


def test_move_statuses_walks_allowed_paths_only(store: Store) -> None:
    ids = []
    with store.db.write():
        for _ in range(3):
            case = store.cases.create(actor="clerk1")
            store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="clerk1")
            store.cases.set_status(case.id, CaseStatus.SUBMITTED, actor="clerk1")
            ids.append(case.id)
        store.cases.set_status(ids[2], CaseStatus.APPROVED, actor="clerk1")
    bulk = SyncBulk(store.db, store.audit, store.clock)
    completed = ((CaseStatus.COMPLETED,), (CaseStatus.APPROVED, CaseStatus.COMPLETED))
    with store.db.write():
        moved = bulk.move_statuses(
            [(ids[0], completed), (ids[1], ((CaseStatus.DRAFT,),)), (ids[2], ((CaseStatus.REJECTED,),)), ("x", ())]
        )
    assert moved == {ids[0]}  # submitted -> approved -> completed; a backward move is not forced
    assert [h["to_status"] for h in store.cases.history(ids[0])][-2:] == ["approved", "completed"]
    assert store.cases.get(ids[0]).closed_at is not None
    assert [store.cases.get(i).status for i in ids[1:]] == [CaseStatus.SUBMITTED, CaseStatus.APPROVED]
    changes = [e.detail for e in store.audit.entries() if e.action == "status_changed"][-2:]
    assert changes == [
        {"from_status": "submitted", "to_status": "approved"},
        {"from_status": "approved", "to_status": "completed"},
    ]
    assert store.audit.verify().ok
