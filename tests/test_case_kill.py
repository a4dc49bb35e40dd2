"""Decisions are all or nothing: SIGKILL at random instants during accept, decline, 补件 and void.

A child process (forked from this one, so the imports are paid once) opens the store and works through the
prepared drafts as fast as it can: accept one, decline the next, take a supplement on an accepted case, void
another. The parent kills it with SIGKILL at a random moment (after a random number of commands begun, which the
child announces on a pipe, and a random few ms: so on a loaded machine too the kills fall among decisions) and
checks, every round, that each case is wholly before or wholly after its last command: "accepted" holds exactly
when the platform has an entry queued, every decision is whole, shortfalls match the supplements, and the database
and the audit chain are sound.
"""

from __future__ import annotations

import asyncio
import os
import random
import select
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_app.services.case_repo import CaseRepository
from counter_app.services.case_types import IntakeError, OperatorRef, PrintSetup
from counter_app.services.intake import IntakeCase
from forms.case import load_case
from forms.policy import load_policy
from forms.vocabulary import CaseStatus, Role, ShortfallStatus
from forms.workdays import load_calendar
from local_cache import Store
from local_cache.people import people_from_payload

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from app_driver import T02, prepare_case

ROUNDS = 50
DRAFTS = 320
NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
CLERK = OperatorRef(id=1, login="demo", name="演示窗口", role=Role.CLERK.value)
SUPERVISOR = OperatorRef(id=2, login="li", name="李主任", role=Role.SUPERVISOR.value)


def _open(data: Path) -> Store:
    return Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", clock=lambda: NOW)


def _clone_drafts(data: Path, source_id: str, count: int) -> None:
    """Many drafts ready to accept, copied from one prepared through the services (lookups included)."""
    with _open(data) as store:
        payload = store.cases.get(source_id).payload
        people = people_from_payload(payload["application"])
        with store.transaction():
            for _ in range(count):
                record = store.cases.create(actor="demo", operator_id=1)
                store.cases.autosave(record.id, payload, ui_state={"step": 5}, people=people)


def _session(store: Store, case_id: str) -> IntakeCase:
    repo = CaseRepository(store)

    def no_gateway() -> object:
        raise AssertionError("no lookup runs during a decision")

    return IntakeCase(
        repo=repo,
        loaded=repo.load(case_id),
        policy=load_policy("qingdao"),
        calendar=load_calendar([]),
        operator=CLERK,
        clock=lambda: NOW,
        gateway=no_gateway,  # type: ignore[arg-type]
        printing=PrintSetup(spool_dir=store.path.parent / "spool", printer=None, font_path=None, window="一号窗口"),
    )


def _work(data: Path, seed: int, ready: int) -> None:
    """The child: decisions back to back until killed (or nothing is left to decide)."""
    rng = random.Random(seed)
    store = _open(data)
    # The parent counts these (store open, then one per command) and kills after a random number of commands and a
    # random few ms: on a loaded machine too the kills land among the decisions, and enough of them run.
    os.write(ready, b"1")
    while True:
        ids = {s.id: s.status for s in store.cases.list_drafts(limit=10_000)}
        drafts = sorted(ids)
        accepted = [c for c in store.cases.list_for_date(NOW.date()) if c.status is CaseStatus.ACCEPTED]
        if len(drafts) < 2:
            break
        ops = ["accept", "decline", "supplement", "void"]
        rng.shuffle(ops)
        for op in ops:
            os.write(ready, b".")
            try:
                if op == "accept":
                    _session(store, drafts[0]).accept()
                elif op == "decline":
                    _session(store, drafts[1]).decline()
                elif op == "supplement" and accepted:
                    case = _session(store, accepted[0].id)
                    for line in store.records.shortfalls(case.case_id):
                        if line.status is not ShortfallStatus.FULFILLED:
                            case.receive_supplement(line.material_code, CLERK)
                elif op == "void" and len(accepted) > 3:
                    _session(store, accepted[-1].id).void(SUPERVISOR, "录入错误，重新受理")
            except IntakeError:
                pass  # the case moved on under an earlier op of this loop; the next pass picks fresh ones


def _check(data: Path) -> Counter[str]:
    """Every case wholly before or after its last command; returns how many cases are in each status (and how
    many have a 补件 taken)."""
    seen: Counter[str] = Counter()
    with _open(data) as store:
        assert store.integrity_check() == ["ok"]
        assert store.audit.verify().ok
        queued: dict[str, list[dict[str, object]]] = {}
        for entry in store.outbox.entries():
            queued.setdefault(entry.case_id, []).append(store.outbox.get(entry.id).payload)
        for summary in store.cases.list_for_date(NOW.date()):
            record = store.cases.get(summary.id)
            file = load_case(record.payload)
            status = summary.status
            entries = queued.get(summary.id, [])
            shortfalls = {s.material_code: s for s in store.records.shortfalls(summary.id)}
            where = f"{summary.case_number} ({status.value})"
            if status is CaseStatus.DRAFT:
                assert file.decision is None and not entries and not shortfalls, where
                assert record.accepted_at is None, where
            elif status is CaseStatus.ACCEPTED:
                decision = file.decision
                assert decision is not None and decision.outcome == "accepted", where
                assert decision.promised is not None and decision.by == "demo", where
                assert record.accepted_at is not None, where
                assert entries, f"{where}: accepted without an outbox entry"
                latest = max(entries, key=lambda p: len(p.get("supplements") or []))  # type: ignore[arg-type]
                assert len(latest.get("supplements") or []) == len(file.supplements), where  # type: ignore[arg-type]
                assert set(shortfalls) == {"seller_marital"}, where
                fulfilled = {c for c, s in shortfalls.items() if s.status is ShortfallStatus.FULFILLED}
                assert fulfilled == {s.code for s in file.supplements}, where
                seen["supplement"] += bool(fulfilled)
            elif status is CaseStatus.DECLINED:
                assert file.decision is not None and file.decision.outcome == "declined", where
                # Queued for the platform with the decision (a 不予受理 is a 办件 the hall counts); nothing owed.
                assert len(entries) == 1 and not shortfalls, f"{where}: {len(entries)} outbox entries, not 1"
            elif status is CaseStatus.REJECTED:
                assert file.void is not None and file.decision is not None, where
                assert len(entries) >= 2, f"{where}: voided without telling the platform"
            else:
                pytest.fail(f"unexpected status {where}")
            seen[status.value] += 1
    return seen


def _wait_for_commands(pipe: int, commands: int) -> None:
    """Until the child has opened its store and begun ``commands`` commands (or it ended, or 10 s passed)."""
    seen, deadline = b"", time.monotonic() + 10
    while seen.count(b".") < commands and time.monotonic() < deadline:
        if select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(pipe, 64)
            if not chunk:
                return
            seen += chunk


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork and SIGKILL are POSIX only")
def test_sigkill_during_decisions_leaves_every_case_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = asyncio.run(prepare_case(data, T02))
    _clone_drafts(data, source, DRAFTS)
    rng = random.Random(20261201)
    killed_mid_work = 0
    for round_no in range(ROUNDS):
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns to pytest
            code = 0
            try:
                os.close(ready_read)
                _work(data, round_no, ready_write)
            except BaseException:
                import traceback

                (data / f"child-{round_no}.err").write_text(traceback.format_exc())
                code = 1
            finally:
                os._exit(code)
        # After the store's opening and a random number of commands (the child says each on the pipe), at a random
        # instant of the next ones.
        os.close(ready_write)
        _wait_for_commands(ready_read, rng.randint(2, 8))
        time.sleep(rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(ready_read)  # only now: a child still writing to a closed pipe would fail, not be killed
        killed_mid_work += os.WIFSIGNALED(status)
        _check(data)
    seen = _check(data)
    errors = [p.read_text() for p in data.glob("child-*.err")]
    assert not errors, errors[0]
    assert killed_mid_work == ROUNDS, "every round must be killed while deciding, not after"
    assert seen["draft"] >= 2, "the child ran out of drafts: the last rounds decided nothing"
    # Enough of each command ran to mean something (a voided case was accepted first).
    assert seen["accepted"] + seen["rejected"] >= 20, seen
    assert seen["declined"] >= 10 and seen["rejected"] >= 10, seen
    assert seen["supplement"] >= 1, f"no 补件 survived to be checked: {seen}"
