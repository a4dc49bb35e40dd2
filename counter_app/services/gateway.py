"""The verification gateway client (数据共享交换平台): the ten registry lookups of a case, concurrently.

One async httpx client; every request is signed (counter_app.services.signing), carries the case as its purpose
and the operator's id. Behaviour (docs/protocol.md is the contract as built):

- ``lookup_all`` runs all lookups of a case concurrently; each lookup has its own deadline
  (``RetryPolicy.lookup_timeout``) and each attempt its own timeout (``attempt_timeout``).
- Transport errors, timeouts and 5xx are retried with exponential backoff, at most ``attempts`` times, under the
  same ``X-Request-Id`` (the gateway answers a repeated id idempotently). A 4xx is never retried: it becomes
  ``refused`` with the gateway's error code. A malformed or invalid answer becomes ``unavailable`` at once.
- ``failure_threshold`` lookups in a row ending ``unavailable`` flip the client offline: further lookups are not
  sent but queued with the sink and answered ``pending``; a light probe (``GET /v1/health``) — explicit, or
  automatic every ``probe_interval`` seconds while lookups keep coming — brings it back online.
- Nothing escapes: every failure, including a bug, ends as a result with an outcome, never an exception.
- Registry answers are untrusted: validated with pydantic, and every string (keys included) passes
  :func:`clean_text`, which removes C0/C1 controls, ANSI/VT escape sequences and bidi/format characters.
- A credit lookup without the applicant's recorded authorization is refused locally; no request leaves.
- Every lookup is audited through the sink with a keyed hash of the subject, never the subject in clear.

Results feed forms/: :func:`backfill_application` writes matched registry values into the Application through
``Application.backfill`` (re-validated there), and :func:`outcomes_by_kind` gives forms.materials the outcomes
that decide exemptions (免提交).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from counter_app.services import signing
from forms.application import Application, FundAccountStatus
from forms.scenario import Scenario
from forms.vocabulary import (
    VERIFICATION_LABELS,
    FieldSource,
    MaritalStatus,
    PropertyKind,
    VerificationKind,
    VerificationOutcome,
)

if TYPE_CHECKING:
    from counter_app.settings import Settings

__all__ = [
    "GatewayClient",
    "LookupAudit",
    "LookupInputs",
    "LookupProblem",
    "LookupRequest",
    "MemorySink",
    "RetryPolicy",
    "Subject",
    "VerificationResult",
    "VerificationSink",
    "backfill_application",
    "backfill_values",
    "clean_data",
    "clean_text",
    "inputs_from_application",
    "outcomes_by_kind",
    "plan_lookups",
]

# ---------------------------------------------------------------------------------------------------------------
# Untrusted text
# ---------------------------------------------------------------------------------------------------------------

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (terminated by BEL or ESC \, or
# running to the end), and two-character escapes. The 8-bit CSI (0x9B) form is covered too.
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?         # CSI ... final byte (final may be missing when cut off)
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)   # string sequences
    | \x1b[ -/]*[0-~]?                         # other escapes (ESC followed by intermediates and a final)
    """,
    re.VERBOSE | re.DOTALL,
)
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\v", "\f", "\u2028", "\u2029", "\x85"}
MAX_TEXT = 500
MAX_DEPTH = 4
MAX_ITEMS = 64


def clean_text(value: str, *, limit: int = MAX_TEXT) -> str:
    """``value`` without control, escape or bidi/format characters; line breaks become spaces; trimmed.

    Removes: ANSI/VT escape sequences as a whole, then every remaining character of Unicode category Cc (C0, DEL,
    C1) and Cf (bidi overrides and isolates, zero-width characters, BOM, tag characters). Also caps the length.
    """
    text = _ANSI.sub("", value)
    out: list[str] = []
    for char in text:
        if char in _WHITESPACE_CONTROLS:
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(char)
    cleaned = re.sub(r" {2,}", " ", "".join(out)).strip()
    return cleaned[:limit]


def clean_data(value: Any, *, depth: int = 0) -> Any:
    """A registry's ``data`` with every string cleaned; depth and size bounded (deeper content is dropped)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {clean_text(str(k), limit=64): clean_data(v, depth=depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [clean_data(v, depth=depth + 1) for v in list(value)[:MAX_ITEMS]]
    return clean_text(str(value))


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


class RetryPolicy(BaseModel):
    """Timeouts, retries and the offline switch; seconds throughout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(3, ge=1, le=10)
    backoff_base: float = Field(0.2, ge=0)
    backoff_max: float = Field(2.0, ge=0)
    attempt_timeout: float = Field(3.0, gt=0)
    lookup_timeout: float = Field(8.0, gt=0)
    failure_threshold: int = Field(3, ge=1)
    probe_timeout: float = Field(2.0, gt=0)
    probe_interval: float = Field(15.0, ge=0)

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt ``attempt`` (1-based): base, 2·base, 4·base ... capped."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))


class _Retryable(Exception):
    """An attempt failed in a way worth retrying (transport, timeout, 5xx)."""

    def __init__(self, problem: LookupProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _default_hasher(secret: str) -> Callable[[Mapping[str, Any]], str]:
    key = hashlib.sha256(b"counter-subject-hash:" + secret.encode("utf-8")).digest()

    def hasher(fingerprint: Mapping[str, Any]) -> str:
        canonical = json.dumps(fingerprint, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()

    return hasher


# ---------------------------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------------------------


class GatewayClient:
    """The async gateway client; use as ``async with`` (or call :meth:`aclose`)."""

    def __init__(
        self,
        *,
        base_url: str,
        app_key: str,
        app_secret: str,
        operator_id: str,
        sink: VerificationSink | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        subject_hasher: Callable[[Mapping[str, Any]], str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.operator_id = operator_id
        self.sink: VerificationSink = sink or MemorySink()
        self._app_key = app_key
        self._secret = app_secret
        self._clock: Clock = clock or _utc_now
        self._sleep: Sleep = sleep or asyncio.sleep
        self._hash = subject_hasher or _default_hasher(app_secret)
        timeout = httpx.Timeout(self.policy.attempt_timeout)
        self._http = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout, headers=dict(extra_headers or {})
        )
        self._online = True
        self._failures = 0
        self._last_probe: datetime | None = None
        self._probe_lock: asyncio.Lock | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        operator_id: str,
        sink: VerificationSink | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        subject_hasher: Callable[[Mapping[str, Any]], str] | None = None,
    ) -> GatewayClient:
        """Gateway URL from settings; an empty URL means the in-process sandbox (``transport`` shares one)."""
        base_url = settings.gateway_url
        if not base_url:
            from counter_app.services.sandbox import EMBEDDED_BASE_URL, make_transport

            base_url = EMBEDDED_BASE_URL
            transport = transport or make_transport()
        timeout = settings.lookup_timeout_seconds
        policy = policy or RetryPolicy(lookup_timeout=timeout, attempt_timeout=min(3.0, timeout))
        return cls(
            base_url=base_url,
            app_key=settings.app_key,
            app_secret=settings.app_secret.get_secret_value(),
            operator_id=operator_id,
            sink=sink,
            transport=transport,
            policy=policy,
            subject_hasher=subject_hasher,
        )

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- state -----------------------------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self._online

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    async def probe(self) -> bool:
        """``GET /v1/health``; a 200 brings the client online. Never raises. Returns whether it is online."""
        self._last_probe = self._clock()
        try:
            async with asyncio.timeout(self.policy.probe_timeout):
                response = await self._http.get("/v1/health")
        except Exception:  # any failure of the probe just means "still offline"
            return self._online
        if response.status_code == 200:
            self._online = True
            self._failures = 0
        return self._online

    async def _maybe_probe(self) -> None:
        if self._probe_lock is None:
            self._probe_lock = asyncio.Lock()
        async with self._probe_lock:
            if self._online:
                return
            last = self._last_probe
            if last is None or (self._clock() - last).total_seconds() >= self.policy.probe_interval:
                await self.probe()

    def _note_failure(self) -> None:
        self._failures += 1
        if self._failures >= self.policy.failure_threshold:
            self._online = False

    # -- lookups ---------------------------------------------------------------------------------------------
    async def lookup_all(self, requests: Sequence[LookupRequest]) -> list[VerificationResult]:
        """All lookups concurrently; results in the order of ``requests``."""
        return list(await asyncio.gather(*(self.lookup(r) for r in requests)))

    async def replay_pending(self, requests: Iterable[LookupRequest]) -> list[VerificationResult]:
        """Send queued lookups again (same request ids) once online; still offline -> they stay pending."""
        return await self.lookup_all(list(requests))

    async def lookup(self, request: LookupRequest) -> VerificationResult:
        """One lookup, ending in a result whatever happens."""
        try:
            return await self._lookup(request)
        except Exception:  # a bug must not take the counter down: report it as unavailable
            problem = LookupProblem(code="client_error", message="核验客户端内部错误，请稍后重试或联系管理员")
            result = self._local_result(request, VerificationOutcome.UNAVAILABLE, problem)
            with contextlib.suppress(Exception):
                self._finish(request, result)
            return result

    async def _lookup(self, request: LookupRequest) -> VerificationResult:
        if request.kind is VerificationKind.CREDIT and not (request.authorization_id or "").strip():
            problem = LookupProblem(
                code="authorization_missing",
                message="征信查询授权：未登记申请人签署的征信查询授权书，不能查询征信；请先签署并登记授权书编号",
            )
            result = self._local_result(request, VerificationOutcome.REFUSED, problem)
            self._finish(request, result)
            return result

        cached = self.sink.cached_lookup(request)
        if cached is not None:
            result = cached.model_copy(update={"cached": True})
            self._audit(request, result, recorded=False)
            return result

        if not self._online:
            await self._maybe_probe()
        if not self._online:
            problem = LookupProblem(code="offline", message="核验网关暂时无法连接，已排队，恢复连接后自动核验")
            result = self._local_result(request, VerificationOutcome.PENDING, problem)
            self.sink.queue_pending(request)
            self._audit(request, result, recorded=False)
            return result

        result = await self._send_with_retries(request)
        if result.outcome is VerificationOutcome.UNAVAILABLE:
            self._note_failure()
            if not self._online:
                # This failure is the one that showed the gateway is down: queue it like any lookup made offline,
                # so it runs again by itself once the gateway is back.
                problem = LookupProblem(code="offline", message="核验网关暂时无法连接，已排队，恢复连接后自动核验")
                pending = self._local_result(request, VerificationOutcome.PENDING, problem)
                self.sink.queue_pending(request)
                self._audit(request, pending, recorded=False)
                return pending
        elif result.attempts > 0:
            self._failures = 0
        self._finish(request, result)
        return result

    async def _send_with_retries(self, request: LookupRequest) -> VerificationResult:
        policy = self.policy
        body = request.body()
        attempts = 0
        problem = LookupProblem(code="timeout", message=f"{VERIFICATION_LABELS[request.kind]}核验超时，请稍后重试")
        try:
            async with asyncio.timeout(policy.lookup_timeout):
                while attempts < policy.attempts:
                    attempts += 1
                    try:
                        return await self._attempt(request, body, attempts)
                    except _Retryable as exc:
                        problem = exc.problem
                    if attempts < policy.attempts:
                        await self._sleep(policy.backoff(attempts))
        except TimeoutError:
            problem = LookupProblem(
                code="timeout", message=f"{VERIFICATION_LABELS[request.kind]}核验超时（{policy.lookup_timeout:g} 秒）"
            )
        return self._local_result(request, VerificationOutcome.UNAVAILABLE, problem, attempts)

    async def _attempt(self, request: LookupRequest, body: bytes, attempt: int) -> VerificationResult:
        http_request = self._http.build_request("POST", f"/v1/verify/{request.kind.value}", content=body)
        # Sign the path as sent: a base URL with a path prefix (https://gw/api) is part of it.
        http_request.headers.update(
            signing.signed_headers(
                app_key=self._app_key,
                secret=self._secret,
                operator_id=self.operator_id,
                method="POST",
                path=http_request.url.path,
                body=body,
                timestamp=int(self._clock().timestamp()),
                request_id=request.request_id,
            )
        )
        label = VERIFICATION_LABELS[request.kind]
        try:
            async with asyncio.timeout(self.policy.attempt_timeout):
                response = await self._http.send(http_request)
        except TimeoutError:
            raise _Retryable(LookupProblem(code="timeout", message=f"{label}核验超时，正在重试")) from None
        except httpx.TransportError as exc:
            raise _Retryable(
                LookupProblem(code="transport", message=f"{label}核验网络连接失败（{type(exc).__name__}）")
            ) from None
        status = response.status_code
        if status >= 500:
            raise _Retryable(LookupProblem(code=f"http_{status}", message=f"{label}核验网关故障（HTTP {status}）"))
        if 400 <= status < 500:
            return self._refused(request, response, attempt)
        if status != 200:
            problem = LookupProblem(code=f"http_{status}", message=f"{label}核验网关返回了意外的状态（HTTP {status}）")
            return self._local_result(request, VerificationOutcome.UNAVAILABLE, problem, attempt)
        try:
            answer = _GatewayAnswer.model_validate_json(response.content)
        except ValidationError:
            problem = LookupProblem(code="invalid_response", message=f"{label}核验网关返回的数据格式不正确，已忽略")
            return self._local_result(request, VerificationOutcome.UNAVAILABLE, problem, attempt)
        if answer.request_id != request.request_id or answer.kind is not request.kind:
            problem = LookupProblem(code="invalid_response", message=f"{label}核验网关返回的应答与请求不对应，已忽略")
            return self._local_result(request, VerificationOutcome.UNAVAILABLE, problem, attempt)
        return VerificationResult(
            request_id=request.request_id,
            case_id=request.case_id,
            kind=request.kind,
            outcome=VerificationOutcome(answer.outcome),
            data=clean_data(answer.data),
            source=clean_text(answer.source, limit=200),
            checked_at=answer.checked_at.astimezone(UTC),
            subject_hash=self._hash(request.fingerprint()),
            authorization_ref=request.authorization_id,
            actor=self.operator_id,
            attempts=attempt,
        )

    def _refused(self, request: LookupRequest, response: httpx.Response, attempt: int) -> VerificationResult:
        label = VERIFICATION_LABELS[request.kind]
        try:
            detail = _GatewayError.model_validate_json(response.content).error
            code = clean_text(detail.code, limit=64) or f"http_{response.status_code}"
            message = clean_text(detail.message, limit=200)
        except ValidationError:
            code, message = f"http_{response.status_code}", ""
        text = f"{label}核验被网关拒绝（HTTP {response.status_code}）" + (f"：{message}" if message else "")
        problem = LookupProblem(code=code, message=text)
        return self._local_result(request, VerificationOutcome.REFUSED, problem, attempt)

    def _local_result(
        self,
        request: LookupRequest,
        outcome: VerificationOutcome,
        problem: LookupProblem,
        attempts: int = 0,
    ) -> VerificationResult:
        return VerificationResult(
            request_id=request.request_id,
            case_id=request.case_id,
            kind=request.kind,
            outcome=outcome,
            source="本机" if attempts == 0 else "核验网关",
            checked_at=self._clock(),
            subject_hash=self._hash(request.fingerprint()),
            authorization_ref=request.authorization_id,
            actor=self.operator_id,
            attempts=attempts,
            problem=problem,
        )

    def _finish(self, request: LookupRequest, result: VerificationResult) -> None:
        self.sink.record_lookup(request, result)
        self._audit(request, result, recorded=True)

    def _audit(self, request: LookupRequest, result: VerificationResult, *, recorded: bool) -> None:
        self.sink.audit(
            LookupAudit(
                at=self._clock(),
                actor=self.operator_id,
                case_id=request.case_id,
                kind=request.kind,
                outcome=result.outcome,
                request_id=request.request_id,
                subject_hash=result.subject_hash,
                authorization_ref=request.authorization_id,
                attempts=result.attempts,
                problem_code=result.problem.code if result.problem else None,
                cached=result.cached,
                recorded=recorded,
            )
        )


# ---------------------------------------------------------------------------------------------------------------
# From the form to lookups, and from results back to the form
# ---------------------------------------------------------------------------------------------------------------


class LookupInputs(BaseModel):
    """What the lookups of a case need from the form (built by :func:`inputs_from_application`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant: Subject
    spouse: Subject | None = None
    declared_marital_status: MaritalStatus = MaritalStatus.UNMARRIED
    declared_multi_child: bool | None = None
    fund_account_no: str | None = None
    contract_no: str | None = None
    cert_no: str | None = None
    card_no: str | None = None
    authorization_id: str | None = None


def inputs_from_application(application: Application) -> LookupInputs:
    """The lookup inputs of a filled form; raises ValueError (Chinese) when the applicant is incomplete."""
    applicant = application.applicant
    if not applicant.name or not applicant.id_number:
        raise ValueError("申请人：核验前须填写姓名和身份证号码")
    spouse = application.spouse
    house = application.property
    auth = application.credit_authorization
    cert = getattr(house, "title_certificate", None) if house is not None else None
    return LookupInputs(
        applicant=Subject(name=applicant.name, id_number=applicant.id_number),
        spouse=Subject(name=spouse.name, id_number=spouse.id_number)
        if spouse is not None and spouse.name and spouse.id_number
        else None,
        declared_marital_status=application.scenario.marital_status,
        fund_account_no=application.fund_account.account_number if application.fund_account else None,
        contract_no=house.contract_number if house is not None else None,
        cert_no=cert,
        card_no=application.repayment_account.card_number if application.repayment_account else None,
        # Only a recorded authorization counts: a reference typed without the signature does not.
        authorization_id=auth.reference if auth is not None and auth.recorded is True else None,
    )


def plan_lookups(case_id: str, scenario: Scenario, inputs: LookupInputs) -> list[LookupRequest]:
    """One request per lookup the scenario needs, about the applicant, with the parameters each registry takes."""
    params: dict[VerificationKind, dict[str, Any]] = {
        VerificationKind.MARRIAGE: {"declared_status": inputs.declared_marital_status.value}
        | ({"spouse_id_number": inputs.spouse.id_number} if inputs.spouse else {}),
        VerificationKind.CHILDREN: {"declared_multi_child": inputs.declared_multi_child}
        if inputs.declared_multi_child is not None
        else {},
        VerificationKind.FUND_ACCOUNT: {"account_no": inputs.fund_account_no} if inputs.fund_account_no else {},
        VerificationKind.CONTRACT: {"contract_no": inputs.contract_no or ""},
        VerificationKind.TAX: {"contract_no": inputs.contract_no or ""},
        VerificationKind.BANK_CARD: {"card_no": inputs.card_no or ""},
        VerificationKind.PROPERTY: {"cert_no": inputs.cert_no}
        if scenario.property_kind is PropertyKind.RESALE and inputs.cert_no
        else {"contract_no": inputs.contract_no or ""},
    }
    return [
        LookupRequest(
            case_id=case_id,
            kind=kind,
            subject=inputs.applicant,
            params=params.get(kind, {}),
            authorization_id=inputs.authorization_id if kind is VerificationKind.CREDIT else None,
        )
        for kind in scenario.verifications()
    ]


def outcomes_by_kind(results: Iterable[VerificationResult]) -> dict[VerificationKind, VerificationOutcome]:
    """The outcome per kind for forms.materials (exemptions); the latest result of a kind wins."""
    ordered = sorted(results, key=lambda r: r.checked_at)
    return {r.kind: r.outcome for r in ordered}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


_FUND_STATUS = {
    "normal": FundAccountStatus.NORMAL,
    "sealed": FundAccountStatus.SEALED,
    "suspended": FundAccountStatus.SEALED,
    "frozen": FundAccountStatus.FROZEN,
    "closed": FundAccountStatus.CLOSED,
}


def backfill_values(result: VerificationResult, property_kind: PropertyKind) -> list[tuple[str, Any]]:
    """Form paths and values a matched lookup supplies (数据回填); nothing for any other outcome."""
    if result.outcome is not VerificationOutcome.MATCH:
        return []
    data = result.data
    values: list[tuple[str, Any]] = []

    def put(path: str, value: Any) -> None:
        if value not in (None, ""):
            values.append((path, value))

    if result.kind is VerificationKind.FUND_ACCOUNT:
        put("fund_account.account_number", data.get("account_no"))
        put("fund_account.status", _FUND_STATUS.get(str(data.get("status"))))
        put("fund_account.balance", _money(data.get("balance")))
        put("fund_account.contribution_base", _money(data.get("contribution_base")))
        put("fund_account.monthly_deposit", _money(data.get("monthly_deposit")))
        put("fund_account.consecutive_months", data.get("consecutive_months"))
        opened = data.get("opened_on")
        with contextlib.suppress(TypeError, ValueError):
            put("fund_account.opened_on", date.fromisoformat(str(opened)) if opened else None)
        put("employer.name", data.get("unit_name"))
    elif result.kind is VerificationKind.CONTRACT:
        put("property.contract_number", data.get("contract_no"))
        put("property.location", data.get("address"))
        put("property.area", _money(data.get("area_m2")))
        put("property.total_price", _money(data.get("total_price")))
        put("property.contract_amount", _money(data.get("total_price")))
        if property_kind is PropertyKind.NEW:
            put("property.presale_permit", data.get("pre_sale_permit"))
            put("property.developer", data.get("seller_name"))
    elif result.kind is VerificationKind.PROPERTY and property_kind is PropertyKind.RESALE:
        put("property.title_certificate", data.get("cert_no"))
        put("property.completion_year", data.get("built_year"))
    elif result.kind is VerificationKind.BANK_CARD:
        put("repayment_account.bank", data.get("bank"))
    return values


def backfill_application(
    application: Application, results: Iterable[VerificationResult], *, today: date | None = None
) -> tuple[Application, list[str]]:
    """Write every matched value into the form through ``Application.backfill`` (re-validated there).

    A value the form refuses is skipped and named in the returned notes (Chinese); the rest still goes in.
    """
    notes: list[str] = []
    kind = application.scenario.property_kind
    for result in results:
        for path, value in backfill_values(result, kind):
            try:
                application = application.backfill(path, value, FieldSource.VERIFIED, today=today)
            except (ValidationError, ValueError):
                notes.append(f"{result.label}返回的“{path}”未通过表单校验，未回填，请人工核对")
    return application, notes
