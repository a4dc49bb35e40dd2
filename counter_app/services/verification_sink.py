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

:func:`replay_pending` sends the queued lookups once the gateway answers again and closes them.
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
from forms.vocabulary import VerificationOutcome
from local_cache.audit import Action

if TYPE_CHECKING:
    import httpx

    from counter_app.settings import Settings
    from local_cache import Store

__all__ = ["StoreSink", "client_for_store", "replay_pending"]

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


async def replay_pending(client: GatewayClient, store: Store, *, limit: int = 100) -> list[VerificationResult]:
    """Send the lookups queued in ``store.pending`` once ``client.probe()`` says the gateway is back.

    Entries whose outcome is no longer ``pending`` are marked done (their result is recorded under the same
    request id, so a later resend could not be stored anyway). The first entry goes alone: ``probe()`` keeps an
    already-online client online even when the health check fails, and a gateway that is still down should cost
    one entry at most, not the whole queue. Returns the results of the lookups sent.
    """
    if not await client.probe():
        return []
    requests: list[LookupRequest] = []
    for entry in store.pending.queued(limit):
        try:
            requests.append(LookupRequest.model_validate_json(entry.request_json))
        except ValidationError:
            # Written by an older program version and no longer understood: it can never be sent.
            store.pending.done(entry.request_id)
    if not requests:
        return []

    results: list[VerificationResult] = []
    head, rest = requests[:1], requests[1:]
    for batch in (head, rest):
        if not batch:
            continue
        for request in batch:
            store.pending.attempted(request.request_id)
        answers = await client.replay_pending(batch)
        for request, result in zip(batch, answers, strict=True):
            # By the queued request's id: a cached answer carries the id of the lookup that was first sent.
            if result.outcome not in _STILL_WAITING:
                store.pending.done(request.request_id)
        results.extend(answers)
        if any(r.outcome in (VerificationOutcome.PENDING, VerificationOutcome.UNAVAILABLE) for r in answers):
            break  # still out: leave the rest queued for the next replay
    return results
