"""The push pass of the sync engine: the outbox drained to the platform as a pipeline (docs/sync.md, "Push").

The pass used to go in rounds: hand out 128 entries, wait for the slowest of them, commit, ask for the next 128.
Each round's tail ran with fewer than ``concurrency`` requests in flight, and the event loop stood still while the
next batch was read. Here the slots are kept full: ``concurrency`` senders each send the next waiting entry as
soon as their last request is answered, and results are committed in the engine's store thread while the next
requests are on the wire. The next batch is read and decrypted in that thread too, while fewer than a batch
are still waiting: the event loop that drives HTTP only sends.

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
    await _Pass(engine, summary, progress).run()


class _Pass:
    """One drain pass. ``concurrency`` senders each take the next entry from the backlog as soon as their request
    is answered (no hand-over through another task: a slot never waits for a busy event loop to come round to a
    coordinator); :meth:`run` is woken only when there is something for the store thread (a read, a commit) or
    a sender stopped."""

    def __init__(self, engine: SyncEngine, summary: SyncSummary, progress: Progress | None) -> None:
        self.engine, self.summary, self.progress = engine, summary, progress
        self.policy = engine.policy
        self.total = engine.pending_count()
        self.done = 0
        # Tried in this pass and not (yet) committed as sent: never handed out again in this pass. Entries
        # committed as sent leave the set (the state filter excludes them), so the read's NOT IN stays short.
        self.open_ids: set[int] = set()
        self.backlog: deque[OutboxEntry] = deque()
        self.results: list[SendResult] = []
        self.acked: dict[str, int] = {}  # If-Match of the entries handed out
        self.senders = 0
        self.committing = self.fetching = False
        # A commit handed to the store thread after the read in progress: that read may not see what it acknowledged.
        self.committed_since_read = False
        self.more = True  # the outbox may hold more due entries than were handed out so far
        self.reports: deque[_Committed | _Fetched | BaseException] = deque()  # from the store thread and senders
        self.wake = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()  # strong references until done

    def read_due(self) -> bool:
        """The next batch should be read: fewer than a batch left to send, more may be due, no read under way."""
        return self.more and not self.fetching and len(self.backlog) < self.policy.batch_size

    def wanted(self) -> bool:
        """Something for :meth:`run` to do: a read (fewer than a batch left), or a commit (enough results)."""
        return self.read_due() or (not self.committing and len(self.results) >= COMMIT_EVERY)

    async def sender(self) -> None:
        backlog, results, send, acked = self.backlog, self.results, self.engine._send, self.acked
        try:
            while backlog:
                results.append(await send(backlog.popleft(), acked))
                self.done += 1
                if self.progress:
                    self.progress(self.done, max(self.total, self.done))
                if self.wanted():
                    self.wake.set()
        except BaseException as exc:  # _send catches what HTTP can throw; anything else ends the pass
            self.reports.append(exc)
        finally:
            self.senders -= 1
            self.wake.set()

    def reported(self, future: asyncio.Future[_Committed] | asyncio.Future[_Fetched]) -> None:
        self.reports.append(future.exception() or future.result())
        self.wake.set()

    async def run(self) -> None:
        engine, policy = self.engine, self.policy
        if self.progress:
            self.progress(0, self.total)
        try:
            while True:
                while self.reports:
                    self.take(self.reports.popleft())
                # The next batch is read while the last one still keeps the slots full. The store thread runs one
                # thing at a time, so the read sees every commit handed to it before.
                if self.read_due():
                    exclude = tuple(self.open_ids)  # a snapshot: the set changes on this loop during the read
                    engine._in_store_thread(read, engine, policy.batch_size, exclude).add_done_callback(self.reported)
                    self.fetching, self.committed_since_read = True, False
                while self.backlog and self.senders < policy.concurrency:
                    task = asyncio.ensure_future(self.sender())
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)
                    self.senders += 1
                # Commit every COMMIT_EVERY results, or at once when nothing else is on the way (the tail of a
                # pass, or later versions waiting for this one): few, large transactions take the GIL from the
                # event loop less often; the store thread's fsync never blocks it.
                results = self.results
                if (
                    results
                    and not self.committing
                    and (
                        len(results) >= COMMIT_EVERY
                        or self.senders == 0
                        or (not self.more and not self.backlog and not self.fetching)
                    )
                ):
                    # A copy for the store thread; the senders keep appending to the list they hold.
                    batch = results.copy()
                    results.clear()
                    engine._in_store_thread(commit, engine, batch, self.summary).add_done_callback(self.reported)
                    self.committing, self.committed_since_read = True, self.fetching
                if not (self.senders or self.committing or self.backlog or self.fetching or self.more):
                    return
                if not self.reports:
                    await self.wake.wait()
                self.wake.clear()
        finally:
            for task in list(self.tasks):
                task.cancel()

    def take(self, report: _Committed | _Fetched | BaseException) -> None:
        if isinstance(report, BaseException):
            # A failed commit ends the pass: its entries are still pending in the database, sent later.
            raise report
        if isinstance(report, _Committed):
            self.open_ids.difference_update(report.sent)
            self.committing = False
            self.more = True  # cases whose version was just acknowledged may have their next one due now
        else:
            self.fetching = False
            # Safe to use: a case's lower versions were all committed before its entry was read.
            self.acked.update(report.acked)
            self.open_ids.update(e.id for e in report.entries)
            self.backlog.extend(report.entries)
            self.more = len(report.entries) == self.policy.batch_size or self.committed_since_read


class _Fetched:
    """A read finished: the next due entries (decrypted, in memory only) and their cases' acknowledged versions."""

    def __init__(self, entries: list[OutboxEntry], acked: dict[str, int]) -> None:
        self.entries, self.acked = entries, acked


def read(engine: SyncEngine, limit: int, exclude: tuple[int, ...]) -> _Fetched:
    """The next entries :meth:`SyncLedger.next_batch` would hand out, in the store thread (one-step read, then
    decrypted there): the event loop driving the requests does not stop for it."""
    entry_of = engine.store.outbox.entry_of
    entries = [entry_of(row) for row in engine.bulk.due_rows(limit=limit, exclude=exclude)]
    return _Fetched(entries, engine.bulk.acked_versions(e.case_id for e in entries))


class _Committed:
    """A commit finished; ``sent``: the entries it marked sent."""

    def __init__(self, sent: set[int]) -> None:
        self.sent = sent


def commit(engine: SyncEngine, results: list[SendResult], summary: SyncSummary) -> _Committed:
    """One transaction for the results in hand (in the store thread): a crash before COMMIT only means those
    entries are sent again, and the platform answers the replay as the first time. Reports the ids now sent."""
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
    return _Committed({r.entry.id for r in sent})
