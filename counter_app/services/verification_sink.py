"""The gateway's :class:`~counter_app.services.gateway.VerificationSink` on the real Store, and the offline replay.

- ``record_lookup`` -> ``store.records.record_verification`` (encrypted data, the cache, and the audit entry);
- ``cached_lookup`` -> ``store.records.cached_verification`` turned back into a ``VerificationResult``;
- ``queue_pending`` -> ``store.pending`` (the request is personal data: stored encrypted, idempotent by request id);
- ``audit`` -> ``store.audit`` only for events the store has not audited already (``event.recorded`` false:
  cached answers and queued lookups).

Subject hashes: the store audits a lookup with its own keyed hash *per kind* (``store.records.subject_hash(kind,
fingerprint)``), while the client's ``subject_hasher`` only sees the fingerprint. So that every lookup entry in the
audit log carries the same hash for the same kind and subject, :meth:`StoreSink.audit` writes the store's per-kind
hash for the events it audits itself (it remembers the request it saw in ``cached_lookup``/``queue_pending``), and
:meth:`StoreSink.subject_hasher` — the hasher to give the client — uses the store's key rather than the app secret.

:func:`replay_queue` sends the queued lookups once the gateway answers again (re-planned from the case as it is
now, when the caller passes a planner) and closes them; :func:`replay_pending` sends them as they were queued.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from counter_app.services.gateway import (
    GatewayClient,
    LookupAudit,
    LookupRequest,
    RetryPolicy,
    VerificationResult,
)
from forms.vocabulary import VerificationKind, VerificationOutcome
from local_cache.audit import Action

if TYPE_CHECKING:
    import httpx

    from counter_app.settings import Settings
    from local_cache import Store

__all__ = ["Replan", "StoreSink", "client_for_store", "replay_pending", "replay_queue"]

# A replay is "answered" unless the gateway is still out; only then may its queue entry stay.
_STILL_WAITING = frozenset({VerificationOutcome.PENDING})


class StoreSink:
    """A :class:`VerificationSink` writing to a :class:`local_cache.Store`.

    ``case_number_of`` maps a lookup's ``case_id`` to the case number written in the audit log (default: the
    store's own cases, so ``case_id`` is the store's case id).
    """

    def __init__(self, store: Store, *, case_number_of: Callable[[str], str | None] | None = None) -> None:
        self.store = store
        self._case_number_of: Callable[[str], str | None] = case_number_of or store.cases.case_number_of
        # Requests seen by cached_lookup/queue_pending, until their audit event arrives (for the per-kind hash).
        self._requests: dict[str, LookupRequest] = {}

    # -- hashes ----------------------------------------------------------------------------------------------
    def subject_hasher(self, fingerprint: Mapping[str, Any]) -> str:
        """The client's ``subject_hasher``: a keyed hash under the store's key (no app secret involved)."""
        return self.store.keys.subject_hash(fingerprint)

    def subject_hash(self, request: LookupRequest) -> str:
        """The hash the store writes to the audit log and the cache for this lookup (per kind)."""
        return self.store.records.subject_hash(request.kind, request.fingerprint())

    # -- VerificationSink ------------------------------------------------------------------------------------
    def cached_lookup(self, request: LookupRequest) -> VerificationResult | None:
        self._requests[request.request_id] = request
        record = self.store.records.cached_verification(request.case_id, request.kind, request.fingerprint())
        if record is None:
            return None
        return VerificationResult(
            request_id=record.request_id,
            case_id=record.case_id,
            kind=record.kind,
            outcome=record.outcome,
            data=record.data,
            source=record.source,
            checked_at=record.checked_at,
            subject_hash=self.subject_hasher(request.fingerprint()),
            authorization_ref=record.authorization_ref,
            actor=record.actor,
            attempts=0,
            cached=True,
        )

    def record_lookup(self, request: LookupRequest, result: VerificationResult) -> None:
        self._requests.pop(request.request_id, None)
        self.store.records.record_verification(
            result.case_id,
            result.kind,
            result.outcome,
            data=dict(result.data),
            source=result.source,
            checked_at=result.checked_at,
            request_id=result.request_id,
            actor=result.actor,
            authorization_ref=result.authorization_ref,
            subject=request.fingerprint(),
        )
        # An answer for a queued request (however it got sent) closes its queue entry, like MemorySink.
        if result.outcome not in _STILL_WAITING:
            self.store.pending.done(result.request_id)

    def queue_pending(self, request: LookupRequest) -> None:
        self._requests[request.request_id] = request
        self.store.pending.queue(request.case_id, request.kind.value, request.model_dump_json(), request.request_id)

    def audit(self, event: LookupAudit) -> None:
        request = self._requests.pop(event.request_id, None)
        if event.recorded:
            return  # record_verification has audited it in the same transaction
        detail = event.detail()
        if request is not None:
            detail["subject_hash"] = self.subject_hash(request)
        self.store.audit.append(
            Action.LOOKUP, actor=event.actor, case_number=self._case_number_of(event.case_id), **detail
        )


def client_for_store(
    settings: Settings,
    store: Store,
    *,
    operator_id: str,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    clock: Callable[[], datetime] | None = None,
) -> GatewayClient:
    """``GatewayClient.from_settings`` with a :class:`StoreSink` and the store's subject hasher."""
    sink = StoreSink(store)
    return GatewayClient.from_settings(
        settings,
        operator_id=operator_id,
        sink=sink,
        transport=transport,
        policy=policy,
        subject_hasher=sink.subject_hasher,
        clock=clock,
    )


# What a replay sends for a queued request: the request to send now, or None to drop the entry (superseded).
Replan = Callable[[LookupRequest], "LookupRequest | None"]


def _person(request: LookupRequest) -> tuple[str, VerificationKind, str, object]:
    """Case, kind and person (ID number; the agent's role) of a lookup: what a newer lookup supersedes."""
    return request.case_id, request.kind, request.subject.id_number, request.params.get("role")


async def replay_pending(client: GatewayClient, store: Store, *, limit: int = 100) -> list[VerificationResult]:
    """Send the lookups queued in ``store.pending`` as they were queued; see :func:`replay_queue`."""
    return [result for _, result in await replay_queue(client, store, limit=limit)]


async def replay_queue(
    client: GatewayClient, store: Store, *, replan: Replan | None = None, limit: int = 100
) -> list[tuple[LookupRequest, VerificationResult]]:
    """Send the lookups queued in ``store.pending`` once ``client.probe()`` says the gateway is back.

    Of several entries for the same case, kind and person only the newest is sent; the older ones are superseded
    and marked done. ``replan`` (the deferred round passes the case's own planner) turns each queued request into
    the one to send now — the case's current inputs, a new request id when they changed — or None to drop it.
    Entries whose outcome is no longer ``pending`` are marked done (their result is recorded under the request id
    sent). The first entry goes alone: ``probe()`` keeps an already-online client online even when the health check
    fails, and a gateway that is still down should cost one entry at most, not the whole queue. Returns each request
    sent with its result.
    """
    if not await client.probe():
        return []
    newest: dict[tuple[str, VerificationKind, str, object], LookupRequest] = {}
    for entry in store.pending.queued(limit):
        try:
            request = LookupRequest.model_validate_json(entry.request_json)
        except ValidationError:
            # Written by an older program version and no longer understood: it can never be sent.
            store.pending.done(entry.request_id)
            continue
        older = newest.pop(_person(request), None)  # oldest first: a later entry supersedes an earlier one
        if older is not None:
            store.pending.done(older.request_id)
        newest[_person(request)] = request
    planned: list[tuple[str, LookupRequest]] = []  # (the queued request's id, the request to send)
    for queued in newest.values():
        current = replan(queued) if replan is not None else queued
        if current is None:
            store.pending.done(queued.request_id)
        else:
            planned.append((queued.request_id, current))
    if not planned:
        return []

    sent: list[tuple[LookupRequest, VerificationResult]] = []
    head, rest = planned[:1], planned[1:]
    for batch in (head, rest):
        if not batch:
            continue
        for queued_id, _ in batch:
            store.pending.attempted(queued_id)
        answers = await client.replay_pending([request for _, request in batch])
        for (queued_id, request), result in zip(batch, answers, strict=True):
            # By the queued request's id: a cached answer carries the id of the lookup that was first sent, and a
            # re-planned request (new id) that is pending again was queued under its own id in the entry's place.
            if result.outcome not in _STILL_WAITING or request.request_id != queued_id:
                store.pending.done(queued_id)
            sent.append((request, result))
        if any(r.outcome in (VerificationOutcome.PENDING, VerificationOutcome.UNAVAILABLE) for r in answers):
            break  # still out: leave the rest queued for the next replay
    return sent
