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

Layout: this module is the client and its state (online/offline, probe, cache, audit); sending one lookup (signing,
attempts, retries, the answer's validation) is in :mod:`counter_app.services.gateway_send`, the data models in
:mod:`counter_app.services.gateway_models`, the sanitising in :mod:`counter_app.services.sanitize` and the form
mapping in :mod:`counter_app.services.gateway_forms`.
Every public name is re-exported here, so ``from counter_app.services.gateway import ...`` keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from counter_app.services import signing
from counter_app.services.gateway_forms import (
    LookupInputs,
    backfill_application,
    backfill_values,
    inputs_from_application,
    outcomes_by_kind,
    plan_lookups,
)
from counter_app.services.gateway_models import (
    LookupAudit,
    LookupProblem,
    LookupRequest,
    MemorySink,
    RetryPolicy,
    Subject,
    VerificationResult,
    VerificationSink,
)
from counter_app.services.gateway_send import Clock, LookupSending, Sleep
from counter_app.services.sanitize import MAX_DEPTH, MAX_ITEMS, MAX_TEXT, clean_data, clean_text
from forms.vocabulary import VerificationKind, VerificationOutcome

if TYPE_CHECKING:
    from counter_app.settings import Settings


# The host of an in-process transport: never resolved, the transport answers every request itself.
IN_PROCESS_BASE_URL = "http://in-process.invalid"

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_TEXT",
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


logger = logging.getLogger(__name__)


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


class GatewayClient(LookupSending):
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
        signature_method: str = signing.METHOD_SM3,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.operator_id = operator_id
        self.sink: VerificationSink = sink or MemorySink()
        self._app_key = app_key
        self._secret = app_secret
        self._signature_method = signature_method  # X-Signature-Method (the crypto_suite setting)
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
        clock: Callable[[], datetime] | None = None,
    ) -> GatewayClient:
        """Gateway URL from settings; with no URL the caller passes the in-process ``transport`` (the composition
        root, ``counter_app.compose``, wires the embedded sandbox: this module never imports it)."""
        base_url = settings.gateway_url
        if not base_url:
            if transport is None:
                raise ValueError("未设置核验网关地址（gateway_url），也未提供内嵌沙箱：请由 counter_app.compose 打开")
            base_url = IN_PROCESS_BASE_URL
        # Per attempt: an equal share of the setting, at least 3 s (RetryPolicy.for_deadline, docs/protocol.md).
        policy = policy or RetryPolicy.for_deadline(settings.lookup_timeout_seconds)
        return cls(
            base_url=base_url,
            app_key=settings.app_key,
            app_secret=settings.app_secret.get_secret_value(),
            operator_id=operator_id,
            sink=sink,
            transport=transport,
            policy=policy,
            subject_hasher=subject_hasher,
            clock=clock,
            signature_method=settings.signature_method,
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
            if not self._online:
                logger.info("gateway: back online (health probe answered)")
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
        if self._failures >= self.policy.failure_threshold and self._online:
            logger.warning("gateway: offline after %d failed lookups in a row; lookups are queued", self._failures)
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
            logger.exception("gateway: %s lookup %s failed inside the client", request.kind.value, request.request_id)
            problem = LookupProblem(code="client_error", message="核验客户端内部错误，请稍后重试或联系管理员")
            result = self._local_result(request, VerificationOutcome.UNAVAILABLE, problem)
            with contextlib.suppress(Exception):
                self._finish(request, result)
            return result

    async def _lookup(self, request: LookupRequest) -> VerificationResult:
        if request.kind is VerificationKind.CREDIT and not (request.authorization_id or "").strip():
            problem = LookupProblem(
                code="authorization_missing",
                message="征信查询授权：未登记本人签署的征信查询授权书，不能查询其征信；请先由本人签署并登记授权书",
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
