"""The gateway's data: subjects, requests, results, audit entries, the sink protocol.

Also the validation models of the gateway's wire answers. No I/O here: :mod:`counter_app.services.gateway` sends,
:mod:`counter_app.services.gateway_forms` maps between the form and these models. ``RetryPolicy`` lives in
:mod:`counter_app.services.retry` and is re-exported here.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from counter_app.services.retry import RetryPolicy as RetryPolicy  # re-exported: its home was here
from forms.vocabulary import VERIFICATION_LABELS, VerificationKind, VerificationOutcome

__all__ = [
    "LookupAudit",
    "LookupProblem",
    "LookupRequest",
    "MemorySink",
    "RetryPolicy",
    "Subject",
    "VerificationResult",
    "VerificationSink",
]

# ---------------------------------------------------------------------------------------------------------------
# Requests, results, the sink
# ---------------------------------------------------------------------------------------------------------------


class Subject(BaseModel):
    """The person a lookup is about, as typed at the window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=18, max_length=18)


class LookupRequest(BaseModel):
    """One lookup; ``request_id`` is fixed at creation so retries and replays from the queue are idempotent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str = Field(min_length=1, max_length=64)
    kind: VerificationKind
    subject: Subject
    params: dict[str, Any] = Field(default_factory=dict)
    authorization_id: str | None = None
    request_id: str = Field(default_factory=lambda: str(uuid.uuid4()))

    def fingerprint(self) -> dict[str, Any]:
        """Subject and parameters, the input of the keyed subject hash (and of the store's cache key)."""
        return {"name": self.subject.name, "id_number": self.subject.id_number, "params": self.params}

    def body(self) -> bytes:
        payload: dict[str, Any] = {
            "subject": self.subject.model_dump(),
            "params": self.params,
            "purpose": {"case_id": self.case_id},
        }
        if self.authorization_id:
            payload["authorization_id"] = self.authorization_id
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class LookupProblem(BaseModel):
    """Why a lookup did not get a registry answer (or what the gateway refused); the message is Chinese."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class VerificationResult(BaseModel):
    """A lookup's result, clean and ready for the store, the screen and the printouts."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    case_id: str
    kind: VerificationKind
    outcome: VerificationOutcome
    data: dict[str, Any] = Field(default_factory=dict)
    source: str = ""
    checked_at: datetime
    subject_hash: str
    authorization_ref: str | None = None
    actor: str
    attempts: int = 0
    cached: bool = False
    problem: LookupProblem | None = None

    @property
    def label(self) -> str:
        return VERIFICATION_LABELS[self.kind]


class LookupAudit(BaseModel):
    """One audit entry per lookup: no personal data, only the keyed subject hash and references.

    ``recorded`` tells an adapter whose ``record_lookup`` already audits (the Store does) to skip this entry.
    """

    model_config = ConfigDict(frozen=True)

    action: Literal["lookup"] = "lookup"
    at: datetime
    actor: str
    case_id: str
    kind: VerificationKind
    outcome: VerificationOutcome
    request_id: str
    subject_hash: str
    authorization_ref: str | None
    attempts: int
    problem_code: str | None
    cached: bool
    recorded: bool

    def detail(self) -> dict[str, Any]:
        """The fields for ``AuditLog.append(action, actor=..., case_number=..., **detail)``."""
        return self.model_dump(mode="json", exclude={"action", "at", "actor", "case_id"})


class VerificationSink(Protocol):
    """Where results go; the lead wires the Store, tests use :class:`MemorySink`."""

    def cached_lookup(self, request: LookupRequest) -> VerificationResult | None:
        """A still-valid definitive answer for the same case, kind and subject, or None."""
        ...

    def record_lookup(self, request: LookupRequest, result: VerificationResult) -> None:
        """Keep a result (idempotent by request id); called for every result except ``pending``."""
        ...

    def queue_pending(self, request: LookupRequest) -> None:
        """Keep a lookup to send once the gateway is back (idempotent by request id)."""
        ...

    def audit(self, event: LookupAudit) -> None:
        """Append to the audit log; called once for every lookup."""
        ...


class MemorySink:
    """An in-memory sink: for tests, and for running without a store."""

    def __init__(self) -> None:
        self.results: dict[str, VerificationResult] = {}
        self.pending: dict[str, LookupRequest] = {}
        self.audits: list[LookupAudit] = []
        self.cache: dict[tuple[str, VerificationKind, str], VerificationResult] = {}

    def cached_lookup(self, request: LookupRequest) -> VerificationResult | None:
        return self.cache.get((request.case_id, request.kind, json.dumps(request.fingerprint(), sort_keys=True)))

    def record_lookup(self, request: LookupRequest, result: VerificationResult) -> None:
        self.results[result.request_id] = result
        self.pending.pop(result.request_id, None)
        if result.outcome in (VerificationOutcome.MATCH, VerificationOutcome.MISMATCH, VerificationOutcome.NOT_FOUND):
            key = (request.case_id, request.kind, json.dumps(request.fingerprint(), sort_keys=True))
            self.cache[key] = result

    def queue_pending(self, request: LookupRequest) -> None:
        self.pending[request.request_id] = request

    def audit(self, event: LookupAudit) -> None:
        self.audits.append(event)


# ---------------------------------------------------------------------------------------------------------------
# Validation of the gateway's answers
# ---------------------------------------------------------------------------------------------------------------


class _GatewayAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    request_id: str = Field(max_length=64)
    kind: VerificationKind
    outcome: Literal["match", "mismatch", "not_found", "refused"]
    data: dict[str, Any] = Field(default_factory=dict)
    source: str = Field("", max_length=2000)
    checked_at: AwareDatetime


class _GatewayErrorDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = Field(max_length=200)
    message: str = Field("", max_length=2000)


class _GatewayError(BaseModel):
    model_config = ConfigDict(extra="ignore")

    error: _GatewayErrorDetail
