"""The push pass of the sync engine: the outbox drained to the platform as a pipeline (docs/sync.md, "Push").

The pass used to go in rounds: hand out 128 entries, wait for the slowest of them, commit, ask for the next 128.
Each round's tail ran with fewer than ``concurrency`` requests in flight, and the event loop stood still while the
next batch was read. Here the slots are kept full: more entries are handed out as soon as fewer than
``concurrency`` are waiting or in flight, and results are committed in the engine's store thread while the next
requests are on the wire.

Exactly-once is kept as it was: an entry becomes ``sent`` only after a 2xx, in the transaction that records its
acknowledged version (:class:`local_cache.sync_bulk.SyncBulk`); until that commit it is still ``pending`` in the
database, so :meth:`SyncLedger.next_batch` holds back the later versions of its case, and a crash at any point
only means a resend that the platform answers as a replay. Every entry is tried at most once per pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from counter_app.services.sync_models import SendResult, SyncSummary
from forms.vocabulary import CaseStatus
from local_cache.outbox import OutboxEntry

if TYPE_CHECKING:
    from counter_app.services.sync import SyncEngine

Progress = Callable[[int, int], None]
# Results per transaction while the outbox still has more to hand out (a crash resends at most these: replays).
COMMIT_EVERY = 256
logger = logging.getLogger("counter_app.services.sync")
_TO_SUBMITTED = ((CaseStatus.SUBMITTED,),)  # an acknowledged case's one candidate path


def _about(r: SendResult) -> str:
    return f"case {r.entry.case_id} v{r.entry.version} ({r.code}: {r.message})"


async def drain(engine: SyncEngine, summary: SyncSummary, progress: Progress | None = None) -> None:
    """One pass over what is due now; results land in ``summary``."""
    policy = engine.policy
    total = engine.pending_count()
    done = 0
    if progress:
        progress(0, total)
    # Tried in this pass and not (yet) committed as sent: never handed out again in this pass. Entries committed
    # as sent leave the set (the state filter excludes them), so the query's NOT IN list stays short.
    open_ids: set[int] = set()
    backlog: deque[OutboxEntry] = deque()
    # Every finished send and commit reports here: waiting costs O(1) per request (asyncio.wait over the
    # requests in flight would add and remove a callback on each of them at every completion).
    reports: asyncio.Queue[SendResult | _Committed | BaseException] = asyncio.Queue()
    tasks: set[asyncio.Task[None]] = set()  # strong references until done
    in_flight = 0
    results: list[SendResult] = []
    committing = False
    more = True  # the outbox may hold more due entries than were handed out so far
    acked: dict[str, int] = {}  # If-Match of the entries handed out

    async def send(entry: OutboxEntry) -> None:
        try:
            reports.put_nowait(await engine._send(entry, acked))
        except BaseException as exc:  # _send catches what HTTP can throw; anything else ends the pass
            reports.put_nowait(exc)

    def committed(future: asyncio.Future[set[int]]) -> None:
        reports.put_nowait(future.exception() or _Committed(future.result()))

    try:
        while True:
            if more and not backlog:
                batch = engine.ledger.next_batch(limit=policy.batch_size, exclude=open_ids)
                more = len(batch) == policy.batch_size
                open_ids.update(e.id for e in batch)
                backlog.extend(batch)
                # Safe to read now: a case's lower versions are all committed before its entry is handed out.
                acked.update(engine.bulk.acked_versions(e.case_id for e in batch))
            while backlog and in_flight < policy.concurrency:
                task = asyncio.ensure_future(send(backlog.popleft()))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                in_flight += 1
            # Commit every COMMIT_EVERY results, or at once when nothing else is on the way (the tail of a pass,
            # or later versions waiting for this one): few, large transactions take the GIL from the event loop
            # less often; the store thread's fsync never blocks it.
            if (
                results
                and not committing
                and (len(results) >= COMMIT_EVERY or in_flight == 0 or (not more and not backlog))
            ):
                engine._in_store_thread(commit, engine, results, summary).add_done_callback(committed)
                committing, results = True, []
            if in_flight == 0 and not committing and not backlog:
                break
            report = await reports.get()
            while True:
                if isinstance(report, BaseException):
                    # A failed commit ends the pass: its entries are still pending in the database, sent later.
                    raise report
                if isinstance(report, _Committed):
                    open_ids.difference_update(report.sent)
                    committing = False
                    more = True  # cases whose version was just acknowledged may have their next one due now
                else:
                    in_flight -= 1
                    results.append(report)
                    done += 1
                    if progress:
                        progress(done, max(total, done))
                if reports.empty():
                    break
                report = reports.get_nowait()
    finally:
        for task in list(tasks):
            task.cancel()


class _Committed:
    """A commit finished; ``sent``: the entries it marked sent."""

    def __init__(self, sent: set[int]) -> None:
        self.sent = sent


def commit(engine: SyncEngine, results: list[SendResult], summary: SyncSummary) -> set[int]:
    """One transaction for the results in hand (in the store thread): a crash before COMMIT only means those
    entries are sent again, and the platform answers the replay as the first time. Returns the ids now sent."""
    ledger, bulk = engine.ledger, engine.bulk
    with ledger.batch():
        sent = [r for r in results if r.outcome == "sent"]
        local = bulk.local_cases(r.entry.case_id for r in sent)  # read once for both, in this transaction
        bulk.mark_sent([(r.entry, r.platform_version or r.entry.version) for r in sent], known=local)
        bulk.move_statuses([(r.entry.case_id, _TO_SUBMITTED) for r in sent], actor="sync", known=local)
        summary.sent += len(sent)
        for r in results:
            if r.outcome == "conflict":
                ledger.park_conflict(
                    r.entry,
                    platform_version=r.platform_version,
                    platform_view=r.view or {},
                    code=r.code,
                    message=r.message,
                )
                summary.conflicts += 1
                logger.warning("%s: conflict with the platform, parked for a clerk", _about(r))
            elif r.outcome == "dead":
                logger.error("%s: refused by the platform, given up (for a person to look at)", _about(r))
                ledger.give_up(r.entry, f"{r.code}: {r.message}")
                summary.dead += 1
                summary.errors.append(f"{r.entry.case_id} v{r.entry.version}: {r.message}")
            elif r.outcome == "failed":
                retry_in = engine.backoff(r.entry.attempts)
                after = engine.store.outbox.mark_failed(r.entry.id, f"{r.code}: {r.message}", retry_in=retry_in)
                if after.state == "dead":
                    summary.dead += 1
                    logger.error("%s: not sent, attempt %d was the last; given up", _about(r), after.attempts)
                else:
                    summary.failed += 1
                    wait = retry_in.total_seconds()
                    logger.warning("%s: not sent (attempt %d), retry in %.0f s", _about(r), after.attempts, wait)
                summary.errors.append(f"{r.entry.case_id} v{r.entry.version}: {r.message}")
    return {r.entry.id for r in sent}
