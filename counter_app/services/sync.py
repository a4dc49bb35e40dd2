"""The sync engine: drains the outbox to the back-office platform and pulls case status back (docs/sync.md).

Push: every due outbox entry becomes ``PUT /v1/cases/{case_id}`` with the stored payload plus ``"version"`` and
``If-Match: "<last version the platform acknowledged for us>"``. The platform is idempotent on (case, version,
body), so a resend after a lost answer, a crash or a SIGKILL is the same case — delivery is at least once, the
effect exactly once. Per case, version N+1 is handed out only after N went through (SyncLedger.next_batch).

- 2xx: the entry is ``sent`` and the acknowledged version recorded, in one transaction; an ``accepted`` case
  becomes ``submitted``.
- 409 (the platform holds another body for this version, or a newer version) or 412 (``If-Match`` no longer
  matches): the entry is parked as ``conflict`` with the platform's view; nothing is overwritten until a clerk
  calls :meth:`SyncEngine.resolve_conflict`.
- transport errors, timeouts, 408/425/429/5xx, unreadable answers: retried after an exponential backoff with
  jitter (``Outbox.mark_failed(retry_in=...)``); after ``Outbox.max_attempts`` the entry is ``dead``.
- any other 4xx: retrying cannot help; the entry goes ``dead`` at once, for a person to look at.

Pull: ``GET /v1/cases?updated_since=<cursor>`` records status and events of the local cases and moves the local
status along (submitted -> in_review -> approved -> completed / rejected) where the store's transitions allow.

Anchor: every round ends with the audit chain's head (``seq``, ``hash``) put to the platform
(:mod:`counter_app.services.audit_anchor`), so that a rewrite of the whole local chain is caught against it.

All I/O is async; store calls are short SQLite transactions made between awaits. State lives only in the store.
The policy, the summary and a send's result are in :mod:`counter_app.services.sync_models`; the backoff formula
is :class:`counter_app.services.retry.Backoff`, shared with the gateway client.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import httpx

from counter_app.services.audit_anchor import send_anchor
from counter_app.services.sync_drain import drain
from counter_app.services.sync_models import SendResult, SyncPolicy, SyncSummary
from counter_app.settings import Settings
from forms.vocabulary import CaseStatus
from local_cache import Store
from local_cache.outbox import OutboxEntry
from local_cache.sync_bulk import SyncBulk
from local_cache.sync_ledger import Conflict, SyncLedger

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]
_T = TypeVar("_T")

logger = logging.getLogger(__name__)

ACTOR = "sync"
# Statuses a local case may still leave because of the platform. A draft never reaches it; a declined case does
# (the hall counts declines) but is final here: the platform keeps it declined too.
_OPEN = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.APPROVED, CaseStatus.DISBURSED}
)
# The platform's status of a case as a local status (the status pull; a case taken from another window too).
PLATFORM_STATUS = {
    "in_review": CaseStatus.IN_REVIEW,
    "approved": CaseStatus.APPROVED,
    "disbursed": CaseStatus.DISBURSED,
    "completed": CaseStatus.COMPLETED,
    "rejected": CaseStatus.REJECTED,
}
# When the platform skipped a step we were not told about, walk through the step between (never backwards).
_VIA: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.COMPLETED: (CaseStatus.APPROVED, CaseStatus.COMPLETED),
    CaseStatus.DISBURSED: (CaseStatus.APPROVED, CaseStatus.DISBURSED),
}
# A pull's candidate paths per target: one object each, shared by every case moved there (the bulk move works out
# each (status, paths) plan once). When the platform skipped a step we were not told about, walk through it.
_PATHS = {target: ((target,), _VIA.get(target, ())) for target in PLATFORM_STATUS.values()}
_RETRYABLE_STATUS = frozenset({408, 425, 429})


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection during a pull's bulk write: its tens of thousands of short-lived rows and audit
    entries set off full passes over the whole heap (the listing just parsed included), ~60 ms of a 10,000-case
    pull. Nothing of it is cyclic: reference counting frees it all. The collector resumes after, if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        err = response.json()["error"]
        return str(err["code"]), str(err["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", f"平台返回 HTTP {response.status_code}"


def _etag_version(response: httpx.Response) -> int | None:
    tag = response.headers.get("ETag", "").strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else None


class SyncEngine:
    """Drain the outbox and pull status; see the module docstring.

    ``client`` is an ``httpx.AsyncClient`` with the platform's base URL (the caller owns and closes it), or an
    ``httpx.AsyncBaseTransport`` (then the engine makes a client on ``base_url`` and :meth:`aclose` closes it).
    ``clock`` defaults to the store's clock (the outbox's due times are the store's); ``seed`` makes the backoff
    jitter reproducible.
    """

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient | httpx.AsyncBaseTransport,
        *,
        base_url: str = "http://sandbox.invalid",
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        seed: int | None = None,
        policy: SyncPolicy | None = None,
    ) -> None:
        self.store = store
        self.ledger = SyncLedger.of(store)
        self.bulk = SyncBulk(store.db, store.audit, store.clock)
        self.policy = policy or SyncPolicy()
        if isinstance(client, httpx.AsyncClient):
            self.client, self._owns_client = client, False
        else:
            self.client = httpx.AsyncClient(transport=client, base_url=base_url, timeout=self.policy.request_timeout)
            self._owns_client = True
        self.clock: Clock = clock or store.clock
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rng = random.Random(seed)
        self.online: bool | None = None  # None until the first request; for an indicator
        # One long-lived thread for store writes: one SQLite connection, and fsyncs off the event loop.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-store")

    async def aclose(self) -> None:
        self._store_thread.shutdown(wait=True)
        if self._owns_client:
            await self.client.aclose()

    def _in_store_thread(self, fn: Callable[..., _T], *args: Any) -> asyncio.Future[_T]:
        return asyncio.get_running_loop().run_in_executor(self._store_thread, fn, *args)

    async def __aenter__(self) -> SyncEngine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- backoff ---------------------------------------------------------------------------------------------
    def backoff(self, attempts: int) -> timedelta:
        """Delay before the next try after ``attempts`` failures so far (before this one): ``d/2 + U(0, d/2)``
        ("equal jitter") with ``d = min(max_delay, base_delay * 2**attempts)`` — :class:`retry.Backoff`."""
        return timedelta(seconds=self.policy.backoff.delay(attempts + 1, self.rng))

    # -- push ------------------------------------------------------------------------------------------------
    def pending_count(self) -> int:
        return self.store.outbox.counts().get("pending", 0)

    async def push(self, summary: SyncSummary | None = None, progress: Progress | None = None) -> SyncSummary:
        """One pass over what is due now: every entry is tried at most once per pass (a pipeline, kept full:
        counter_app.services.sync_drain)."""
        summary = summary or SyncSummary()
        await drain(self, summary, progress)
        summary.pending = self.pending_count()
        return summary

    async def _send(self, entry: OutboxEntry, acked_versions: Mapping[str, int] | None = None) -> SendResult:
        """One PUT. ``acked_versions``: the batch's acknowledged versions read in one query (the drain's), instead
        of one query per request on the event loop."""
        body = {**entry.payload, "version": entry.version}
        if acked_versions is None:
            acked = self.ledger.acked_version(entry.case_id)
        else:
            acked = acked_versions.get(entry.case_id)
        headers = {"X-Request-Id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"case:{entry.case_id}:v{entry.version}"))}
        if acked is not None:
            headers["If-Match"] = f'"{acked}"'
        try:
            response = await self.client.put(
                f"/v1/cases/{entry.case_id}", json=body, headers=headers, timeout=self.policy.request_timeout
            )
        except httpx.HTTPError as exc:  # refused, reset, timeout ...: the platform may or may not have it
            self.online = False
            return SendResult(entry, "failed", code="unreachable", message=f"{type(exc).__name__}: {exc}"[:300])
        self.online = True
        status = response.status_code
        if 200 <= status < 300:
            try:
                view = response.json()
                version = int(view.get("version") or _etag_version(response) or entry.version)
            except (ValueError, TypeError, AttributeError):
                # Stored or not, we cannot tell: resend later; the replay answers as the first time did.
                return SendResult(entry, "failed", code="unreadable", message="平台应答无法解析")
            return SendResult(entry, "sent", platform_version=version, platform_status=str(view.get("status") or ""))
        code, message = _error_of(response)
        if status in (409, 412):
            view = await self._platform_view(entry.case_id)
            seen = None if view is None else int(view.get("version") or 0) or None
            return SendResult(entry, "conflict", platform_version=seen, view=view or {}, code=code, message=message)
        if status >= 500 or status in _RETRYABLE_STATUS:
            return SendResult(entry, "failed", code=code, message=message)
        return SendResult(entry, "dead", code=code, message=message)

    async def _platform_view(self, case_id: str) -> dict[str, Any] | None:
        try:
            response = await self.client.get(f"/v1/cases/{case_id}", timeout=self.policy.request_timeout)
            if response.status_code == 200:
                value = response.json()
                return value if isinstance(value, dict) else None
        except (httpx.HTTPError, ValueError):
            pass
        return None

    # -- conflicts -------------------------------------------------------------------------------------------
    def conflicts(self) -> list[Conflict]:
        """Open conflicts, both sides: the local payload is ``store.outbox.get(c.outbox_id).payload``."""
        return self.ledger.conflicts()

    def resolve_conflict(self, case_id: str, keep: Literal["local", "platform"], *, actor: str = ACTOR) -> None:
        """The clerk's decision: keep the local version (re-sent above the platform's) or the platform's."""
        self.ledger.resolve(case_id, keep, actor=actor)

    # -- pull ------------------------------------------------------------------------------------------------
    async def pull(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Fetch what changed on the platform since the last pull and record it for the local cases."""
        summary = summary or SyncSummary()
        cursor = self.ledger.cursor()
        try:
            response = await self.client.get(
                "/v1/cases", params={"updated_since": cursor} if cursor else None, timeout=self.policy.request_timeout
            )
            if response.status_code != 200:
                summary.pull_error = _error_of(response)[1]
                return summary
            body = response.json()
            views = [v for v in body["cases"] if isinstance(v, dict) and "case_id" in v]
            now = str(body["now"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            self.online = False if isinstance(exc, httpx.HTTPError) else self.online
            summary.pull_error = f"{type(exc).__name__}: {exc}"[:300]
            return summary
        self.online = True
        newer = await self._in_store_thread(self._record_pull, views, now, summary)
        # A case another window of the hall changed (a 补件 there): its newer body, unless ours waits to be sent.
        from counter_app.services.hall import refresh_changed

        summary.refreshed = await refresh_changed(self, newer)
        return summary

    def _record_pull(self, views: list[dict[str, Any]], now: str, summary: SyncSummary) -> list[dict[str, Any]]:
        """Record the pull; returns the views of local cases whose platform version is above the one acknowledged
        to us (read here with the statuses, so the hall's check after the pull looks at those only)."""
        # One transaction: the cursor moves only together with what it covers. Written in bulk (a few executemany
        # statements, not a dozen statements per case): a pull of 10,000 cases took 6× the listing otherwise.
        with _no_cyclic_gc(), self.ledger.batch():
            ids = [str(v["case_id"]) for v in views]
            local = self.bulk.local_cases(ids, acked=True)
            mine: list[dict[str, Any]] = []  # the rest are other workstations' cases
            newer: list[dict[str, Any]] = []
            moves: list[tuple[str, tuple[tuple[CaseStatus, ...], ...]]] = []
            for case_id, view in zip(ids, views, strict=True):
                case = local.get(case_id)
                if case is None:
                    continue
                mine.append(view)
                target, current = PLATFORM_STATUS.get(str(view.get("status"))), case.status
                if target is not None and current in _OPEN and current != target:
                    moves.append((case_id, _PATHS[target]))
                if int(view.get("version") or 0) > case.acked_version:
                    newer.append(view)
            summary.pulled += len(mine)
            summary.events += self.bulk.record_platform_views(mine)
            summary.moved += len(self.bulk.move_statuses(moves, actor=ACTOR, known=local))
            self.ledger.set_cursor(now)
            self.ledger.audit_pull(cases=summary.pulled, moved=summary.moved, events=summary.events)
        return newer

    # -- audit anchor ----------------------------------------------------------------------------------------
    async def anchor(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Put the audit chain's head to the platform (last, so it covers this round's own entries)."""
        summary = summary or SyncSummary()
        result = await send_anchor(self.client, self.store, timeout=self.policy.request_timeout)
        if result is not None:
            summary.anchored, summary.anchor_error = result.seq, result.error
            if result.error and not result.refused:
                logger.warning("audit anchor not sent: %s", result.error)
        return summary

    # -- runs ------------------------------------------------------------------------------------------------
    async def run_once(self, *, push: bool = True, pull: bool = True, progress: Progress | None = None) -> SyncSummary:
        """One push pass and one pull; returns what happened."""
        summary = SyncSummary()
        if push:
            await self.push(summary, progress)
        else:
            summary.pending = self.pending_count()
        if pull:
            await self.pull(summary)
            if summary.pull_error:
                logger.warning("status pull failed: %s", summary.pull_error)
        await self.anchor(summary)
        # A quiet round (nothing due, nothing new) is DEBUG: the background worker runs one every few seconds.
        logger.log(logging.INFO if summary.busy else logging.DEBUG, "sync round: %s", summary.log_text())
        return summary

    async def run_forever(self, stop: asyncio.Event, *, on_round: Callable[[SyncSummary], None] | None = None) -> None:
        """Background worker: a round, then sleep until the next entry is due (at most ``idle_interval``)."""
        while not stop.is_set():
            summary = await self.run_once()
            if on_round:
                on_round(summary)
            due = self.ledger.next_due_at()
            wait = self.policy.idle_interval
            if due is not None:
                wait = min(wait, max(0.05, (due - self.clock()).total_seconds()))
            # Race the (injectable) sleep against the stop event, so stopping never waits out a long backoff.
            napping = asyncio.ensure_future(self.sleep(wait))
            stopping = asyncio.ensure_future(stop.wait())
            _, waiting = await asyncio.wait({napping, stopping}, return_when=asyncio.FIRST_COMPLETED)
            for task in waiting:
                task.cancel()


def make_engine(settings: Settings, store: Store, **kwargs: Any) -> SyncEngine:
    """The engine for a real platform: HTTP to ``platform_url``. With no URL, the composition root
    (``counter_app.compose.sync_engine``) wires the embedded sandbox: this module never imports it."""
    url = settings.platform_url.strip()
    if not url:
        raise ValueError("未设置平台地址（platform_url）：内嵌沙箱由 counter_app.compose 接入")
    client = httpx.AsyncClient(base_url=url, timeout=SyncPolicy().request_timeout)
    engine = SyncEngine(store, client, **kwargs)
    engine._owns_client = True
    return engine
