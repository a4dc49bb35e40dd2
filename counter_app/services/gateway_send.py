"""Sending one lookup to the verification gateway: signing, per-attempt timeout, retries, the answer's validation.

The half of :class:`counter_app.services.gateway.GatewayClient` that talks HTTP for a single lookup, kept apart from
the client's state (online/offline, probe, cache, audit) in :mod:`counter_app.services.gateway`:

- each attempt is signed (:mod:`counter_app.services.signing`) and has its own timeout (``attempt_timeout``; from
  the settings an equal share of the deadline, at least 3 s: :meth:`RetryPolicy.for_deadline`);
- transport errors, timeouts and 5xx are retried with exponential backoff, at most ``attempts`` times, all under
  the lookup's deadline (``lookup_timeout``) and the same ``X-Request-Id``; the final text says how it ended and how
  often it was retried ("核验超时未答复（已重试 2 次）"), never "正在重试";
- a 4xx becomes ``refused`` with the gateway's error code, a malformed or mismatched answer ``unavailable``;
- the answer is validated with pydantic and every string passes :func:`~counter_app.services.sanitize.clean_text`;
- the ``data`` of a ``match``/``mismatch`` answer must keep its kind's contract (:mod:`forms.registry_data`), else
  the lookup is ``unavailable`` (``bad_data``): a renamed or retyped field must never read as a match.

:class:`LookupSending` is a mixin: the client provides the HTTP client, the credentials, the policy and the clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from counter_app.services import signing
from counter_app.services.gateway_models import (
    LookupProblem,
    LookupRequest,
    RetryPolicy,
    VerificationResult,
    _GatewayAnswer,
    _GatewayError,
)
from counter_app.services.sanitize import clean_data, clean_text
from forms.registry_data import RegistryDataError, parse_data
from forms.vocabulary import VERIFICATION_LABELS, VerificationOutcome

__all__ = ["Clock", "LookupSending", "Sleep"]

# The client's own logger: sending is part of the client, and log lines keep the name they have always had.
logger = logging.getLogger("counter_app.services.gateway")

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class _Retryable(Exception):
    """An attempt failed in a way worth retrying (transport, timeout, 5xx)."""

    def __init__(self, problem: LookupProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _final(request: LookupRequest, problem: LookupProblem, attempts: int, deadline: float | None) -> LookupProblem:
    """The text of a lookup that ended ``unavailable``, true at the end: what happened and how often it was retried
    (an attempt's own text never promises another try). ``deadline``: the lookup's deadline cut it off."""
    label = VERIFICATION_LABELS[request.kind]
    retried = f"已重试 {attempts - 1} 次" if attempts > 1 else ""
    if deadline is not None:
        within = f"{deadline:g} 秒" + (f"内{retried}" if retried else "")
        return LookupProblem(code="timeout", message=f"{label}核验超时未答复（{within}）")
    if problem.code == "timeout":
        return LookupProblem(code="timeout", message=f"{label}核验超时未答复" + (f"（{retried}）" if retried else ""))
    return LookupProblem(code=problem.code, message=problem.message + (f"，{retried}" if retried else ""))


class LookupSending:
    """Send one lookup with retries and turn whatever comes back into a :class:`VerificationResult`."""

    policy: RetryPolicy
    operator_id: str
    _http: httpx.AsyncClient
    _app_key: str
    _secret: str
    _signature_method: str
    _clock: Clock
    _sleep: Sleep
    _hash: Callable[[Mapping[str, Any]], str]

    async def _send_with_retries(self, request: LookupRequest) -> VerificationResult:
        policy = self.policy
        body = request.body()
        attempts = 0
        what = f"{request.kind.value} lookup {request.request_id}"  # no personal data: kind and request id only
        problem = LookupProblem(code="timeout", message=f"{VERIFICATION_LABELS[request.kind]}核验超时未答复")
        deadline: float | None = None
        try:
            async with asyncio.timeout(policy.lookup_timeout):
                while attempts < policy.attempts:
                    attempts += 1
                    try:
                        return await self._attempt(request, body, attempts)
                    except _Retryable as exc:
                        problem = exc.problem
                    if attempts < policy.attempts:
                        delay = policy.backoff(attempts)
                        logger.info(
                            "gateway: %s attempt %d failed (%s), retry in %.1f s", what, attempts, problem.code, delay
                        )
                        await self._sleep(delay)
        except TimeoutError:
            deadline = policy.lookup_timeout
        final = _final(request, problem, attempts, deadline)
        logger.warning("gateway: %s unavailable after %d attempt(s): %s", what, attempts, final.code)
        return self._local_result(request, VerificationOutcome.UNAVAILABLE, final, attempts)

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
                signature_method=self._signature_method,
            )
        )
        label = VERIFICATION_LABELS[request.kind]
        try:
            async with asyncio.timeout(self.policy.attempt_timeout):
                response = await self._http.send(http_request)
        except TimeoutError:
            # No "正在重试" here: this may be the last attempt; _final words the lookup's end state.
            raise _Retryable(LookupProblem(code="timeout", message=f"{label}核验超时未答复")) from None
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
        outcome = VerificationOutcome(answer.outcome)
        data = clean_data(answer.data)
        if outcome in (VerificationOutcome.MATCH, VerificationOutcome.MISMATCH):
            # The contract is checked on the cleaned data, the dict that is stored and read back later; it is
            # stored as sent (not as the parsed model), so saved cases stay readable whatever the models become.
            try:
                parse_data(request.kind, data, outcome=outcome)
            except RegistryDataError as exc:
                # Field names only: the data itself may name the subject.
                logger.warning(
                    "gateway: %s lookup %s answered data outside the contract: missing %s, invalid %s",
                    request.kind.value,
                    request.request_id,
                    ",".join(exc.missing) or "-",
                    ",".join(exc.invalid) or "-",
                )
                problem = LookupProblem(code="bad_data", message=f"{exc}，请稍后重试或联系网关管理员")
                return self._local_result(request, VerificationOutcome.UNAVAILABLE, problem, attempt)
        return VerificationResult(
            request_id=request.request_id,
            case_id=request.case_id,
            kind=request.kind,
            outcome=outcome,
            data=data,
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
        logger.warning("gateway: %s lookup %s refused: %s", request.kind.value, request.request_id, problem.message)
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
