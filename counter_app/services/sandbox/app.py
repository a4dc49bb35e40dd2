"""The sandbox ASGI app (Starlette): the verification gateway and the back-office platform on synthetic data.

Endpoints (docs/protocol.md has bodies and errors):

- gateway: ``GET /v1/health``; ``POST /v1/verify/{kind}`` (signed; see counter_app.services.signing)
- platform: ``PUT /v1/cases/{case_id}``, ``GET /v1/cases/{case_id}``, ``GET /v1/cases?updated_since=``,
  ``POST /v1/cases/{case_id}/supplements``, ``PUT|GET /v1/workstations/{workstation_id}/audit-anchors``,
  ``GET /v1/hall/kpi?from=&to=`` (the hall's figures: counter_app.services.sandbox.hall_kpi)
- master data: ``GET /v1/master-data``, ``GET /v1/master-data/{kind}/{code}/{version}`` (sandbox/master.py)
- sandbox control: ``GET /v1/_sandbox/roster``, ``GET|PUT /v1/_sandbox/faults``, ``POST /v1/_sandbox/advance``,
  ``POST /v1/_sandbox/reset``, ``POST /v1/_sandbox/master-data``

Errors are ``{"error": {"code", "message"}}`` with a Chinese message. Everything is in memory; nothing touches
the network or the disk except reading the packaged roster.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from counter_app.services import signing
from counter_app.services.sandbox.faults import FAULT_HEADER, FaultMode, FaultPlan, SandboxSettings
from counter_app.services.sandbox.hall_kpi import RangeError, hall_figures, parse_range
from counter_app.services.sandbox.master import MasterPublisher
from counter_app.services.sandbox.platform import AuditAnchors, Platform, PlatformError
from counter_app.services.sandbox.registries import SOURCES, Registries
from counter_app.services.sandbox.roster import RosterIndex, default_index
from forms.china_time import CHINA_TZ
from forms.vocabulary import VerificationKind

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class VerifySubject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=18, max_length=18)


class VerifyPurpose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, max_length=64)


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: VerifySubject
    params: dict[str, Any] = Field(default_factory=dict)
    purpose: VerifyPurpose
    authorization_id: str | None = Field(None, max_length=64)


@dataclass
class Stats:
    """What tests and trainers may want to see: request counts and the highest concurrency reached."""

    verify_requests: int = 0
    answered: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)


class Sandbox:
    """One sandbox: state, registries, platform and the ASGI app serving them."""

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        roster: RosterIndex | None = None,
    ) -> None:
        self.settings = settings or SandboxSettings()
        self.clock: Clock = clock or _utc_now
        self.sleep: Sleep = sleep or asyncio.sleep
        self.index = roster or default_index()
        self.registries = Registries(self.index, self._today)
        self.platform = Platform(self.clock, self.settings.advance_after_seconds)
        self.anchors = AuditAnchors(self.clock)
        self.faults = FaultPlan.from_settings(self.settings)
        self.down = False  # a whole-gateway outage (503 everywhere, health included), set by tests or trainers
        self.stats = Stats()
        self.master = MasterPublisher()  # policy packs and calendars, signed (sandbox/master.py)
        self._answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self.app = Starlette(
            routes=[
                Route("/v1/health", self.health, methods=["GET"]),
                Route("/v1/verify/{kind}", self.verify, methods=["POST"]),
                Route("/v1/cases", self.list_cases, methods=["GET"]),
                Route("/v1/cases/lookup", self.lookup_cases, methods=["GET"]),
                Route("/v1/cases/{case_id}", self.put_case, methods=["PUT"]),
                Route("/v1/cases/{case_id}", self.get_case, methods=["GET"]),
                Route("/v1/cases/{case_id}/supplements", self.post_supplement, methods=["POST"]),
                Route("/v1/workstations/{workstation_id}/audit-anchors", self.put_anchor, methods=["PUT"]),
                Route("/v1/workstations/{workstation_id}/audit-anchors", self.get_anchors, methods=["GET"]),
                Route("/v1/hall/kpi", self.hall_kpi, methods=["GET"]),
                Route("/v1/_sandbox/roster", self.roster_view, methods=["GET"]),
                Route("/v1/_sandbox/faults", self.faults_view, methods=["GET", "PUT"]),
                Route("/v1/_sandbox/advance", self.advance, methods=["POST"]),
                Route("/v1/_sandbox/reset", self.reset, methods=["POST"]),
                *self.master.routes(),
            ]
        )
        self.app.state.sandbox = self

    def _today(self) -> date:
        return self.clock().date()

    # -- gateway ---------------------------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        if self.down:
            return error(503, "unavailable", "核验网关暂停服务（沙箱模拟中断）")
        return JSONResponse({"status": "ok", "time": self.clock().isoformat()})

    def _check_signature(self, request: Request, body: bytes) -> JSONResponse | None:
        headers = request.headers
        missing = signing.missing_headers(headers)
        if missing:
            return error(400, "missing_headers", f"请求缺少必需的请求头：{'、'.join(missing)}")
        if headers[signing.HEADER_APP_KEY] != self.settings.app_key:
            return error(401, "unknown_app_key", "应用标识（X-App-Key）未注册，请核对应用标识配置")
        request_id = headers[signing.HEADER_REQUEST_ID]
        if not signing.is_uuid(request_id):
            return error(400, "bad_request_id", "请求编号（X-Request-Id）格式错误，应为 UUID")
        signature_method = headers.get(signing.HEADER_SIGNATURE_METHOD, signing.METHOD_WHEN_ABSENT)
        if signature_method not in signing.SIGNATURE_METHODS:
            known = "、".join(signing.SIGNATURE_METHODS)
            return error(
                400,
                "unknown_signature_method",
                f"签名算法（X-Signature-Method）“{signature_method}”不受支持，应为 {known}",
            )
        timestamp = headers[signing.HEADER_TIMESTAMP]
        try:
            skew = abs(self.clock().timestamp() - int(timestamp))
        except ValueError:
            return error(401, "bad_timestamp", "时间戳（X-Timestamp）格式错误，应为 Unix 秒数")
        if skew > self.settings.timestamp_tolerance_seconds:
            return error(401, "stale_timestamp", "时间戳（X-Timestamp）与网关时间相差过大，请校准本机时间后重试")
        ok = signing.verify(
            self.settings.app_secret,
            request.method,
            request.url.path,
            timestamp,
            request_id,
            body,
            headers[signing.HEADER_SIGNATURE],
            signature_method=signature_method,
        )
        if not ok:
            return error(401, "bad_signature", "请求签名（X-Signature）校验失败，请核对应用密钥配置")
        return None

    async def verify(self, request: Request) -> Response:
        if self.down:
            return error(503, "unavailable", "核验网关暂停服务（沙箱模拟中断）")
        body = await request.body()
        stats = self.stats
        # Counted before any check, so tests can tell "refused once" from "never sent".
        stats.verify_requests += 1
        request_id = request.headers.get(signing.HEADER_REQUEST_ID, "")
        attempt = stats.attempts[request_id] = stats.attempts.get(request_id, 0) + 1
        refused = self._check_signature(request, body)
        if refused is not None:
            return refused
        try:
            plan = self.faults.with_header(request.headers.get(FAULT_HEADER))
        except ValueError as exc:
            return error(400, "bad_fault_header", f"故障注入请求头（{FAULT_HEADER}）无法解析：{exc}")

        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if plan.latency_ms:
                await self.sleep(plan.latency_ms / 1000)
            mode = plan.decide(request_id, attempt)
            if mode is FaultMode.TIMEOUT:
                await self.sleep(self.settings.hang_seconds)
                return error(504, "timeout", "核验网关处理超时（沙箱模拟）")
            if mode is FaultMode.HTTP500:
                return error(500, "internal", "核验网关内部错误（沙箱模拟）")
            if mode is FaultMode.MALFORMED:
                return Response(f'{{"request_id": "{request_id}", "outcome": ', media_type="application/json")
            return self._answer(request.path_params["kind"], request_id, body)
        finally:
            stats.in_flight -= 1

    def _answer(self, kind_text: str, request_id: str, body: bytes) -> Response:
        digest = hashlib.sha256(kind_text.encode() + b"\n" + body).hexdigest()
        previous = self._answers.get(request_id)
        if previous is not None:
            if previous[0] != digest:
                return error(409, "request_id_reused", "请求编号（X-Request-Id）已用于另一笔不同的核验请求")
            return JSONResponse(previous[1])  # idempotent: a retry gets the first answer
        try:
            kind = VerificationKind(kind_text)
        except ValueError:
            return error(404, "unknown_kind", f"核验类型“{kind_text}”不存在")
        try:
            parsed = VerifyBody.model_validate_json(body)
        except ValidationError as exc:
            where = "、".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            return error(422, "invalid_body", f"请求体格式不正确（{where}），应为 subject、params、purpose 结构")
        if kind is VerificationKind.CREDIT and not (parsed.authorization_id or "").strip():
            return error(403, "authorization_required", "征信查询须提供申请人的征信查询授权编号（authorization_id）")
        outcome, data = self.registries.answer(kind, parsed.subject.name, parsed.subject.id_number, parsed.params)
        answer = {
            "request_id": request_id,
            "kind": kind.value,
            "outcome": outcome.value,
            "data": data,
            "source": SOURCES[kind],
            "checked_at": self.clock().isoformat(),
        }
        self._answers[request_id] = (digest, answer)
        self.stats.answered += 1
        self.stats.by_kind[kind.value] = self.stats.by_kind.get(kind.value, 0) + 1
        return JSONResponse(answer)

    # -- platform --------------------------------------------------------------------------------------------
    async def _json_body(self, request: Request) -> dict[str, Any]:
        try:
            value = json.loads(await request.body() or b"{}")
        except ValueError:
            raise PlatformError(400, "invalid_json", "请求体不是有效的 JSON") from None
        if not isinstance(value, dict):
            raise PlatformError(422, "invalid_body", "请求体应为 JSON 对象")
        return value

    def _platform_error(self, exc: PlatformError) -> JSONResponse:
        return error(exc.status, exc.code, exc.message)

    async def put_case(self, request: Request) -> Response:
        try:
            payload = await self._json_body(request)
            status, case = self.platform.put(request.path_params["case_id"], payload, request.headers.get("If-Match"))
        except PlatformError as exc:
            return self._platform_error(exc)
        return JSONResponse(case.view(), status_code=status, headers={"ETag": case.etag})

    async def get_case(self, request: Request) -> Response:
        try:
            case = self.platform.get(request.path_params["case_id"])
        except PlatformError as exc:
            return self._platform_error(exc)
        return JSONResponse(case.view(), headers={"ETag": case.etag})

    async def list_cases(self, request: Request) -> Response:
        raw = request.query_params.get("updated_since")
        since: datetime | None = None
        if raw:
            try:
                since = datetime.fromisoformat(raw)
            except ValueError:
                return error(422, "invalid_updated_since", "updated_since 格式错误，应为 ISO 8601 时间（含时区）")
            if since.tzinfo is None:
                return error(422, "invalid_updated_since", "updated_since 须带时区，例如 2026-05-01T08:00:00+00:00")
        cases = self.platform.updated_since(since)
        return JSONResponse({"now": self.clock().isoformat(), "cases": [c.view() for c in cases]})

    async def lookup_cases(self, request: Request) -> Response:
        """Another window's cases, whole (body and version), for 补件/出件/progress at any window of the hall."""
        params = request.query_params
        wanted = {k: params.get(k, "").strip() for k in ("case_id", "number", "id_hash")}
        if not any(wanted.values()):
            return error(
                422, "missing_query", "请按案件编号（number）、案件标识（case_id）或身份证号码的键控散列（id_hash）查找"
            )
        cases = self.platform.find(secret=self.settings.app_secret, **wanted)
        return JSONResponse({"cases": [{**c.view(), "payload": c.payload} for c in cases]})

    async def post_supplement(self, request: Request) -> Response:
        try:
            body = await self._json_body(request)
            status, case = self.platform.supplement(
                request.path_params["case_id"], body, request.headers.get(signing.HEADER_REQUEST_ID)
            )
        except PlatformError as exc:
            return self._platform_error(exc)
        return JSONResponse(case.view(), status_code=status, headers={"ETag": case.etag})

    async def put_anchor(self, request: Request) -> Response:
        try:
            body = await self._json_body(request)
            status, anchor = self.anchors.put(request.path_params["workstation_id"], body)
        except PlatformError as exc:
            return self._platform_error(exc)
        return JSONResponse(anchor, status_code=status)

    async def get_anchors(self, request: Request) -> Response:
        return JSONResponse(self.anchors.view(request.path_params["workstation_id"]))

    async def hall_kpi(self, request: Request) -> Response:
        """The hall's figures per window and operator, from every case's latest body (docs/protocol.md)."""
        params, now = request.query_params, self.clock()
        try:
            start, end = parse_range(params.get("from"), params.get("to"), now.astimezone(CHINA_TZ).date())
        except RangeError as exc:
            return error(422, "invalid_range", str(exc))
        self.platform.tick()
        return JSONResponse(hall_figures([c.payload for c in self.platform.cases.values()], start, end, now=now))

    # -- sandbox control -------------------------------------------------------------------------------------
    async def roster_view(self, request: Request) -> Response:
        return JSONResponse(
            {
                "households": [
                    {"code": h.code, "title": h.title, "scenario": h.scenario.model_dump(mode="json")}
                    for h in self.index.roster.households
                ]
            }
        )

    def _faults_json(self) -> dict[str, Any]:
        plan = self.faults
        return {
            "down": self.down,
            "seed": plan.seed,
            "latency_ms": plan.latency_ms,
            "error_rate": plan.error_rate,
            "timeout_rate": plan.timeout_rate,
            "malformed_rate": plan.malformed_rate,
        }

    async def faults_view(self, request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = await self._json_body(request)
            except PlatformError as exc:
                return self._platform_error(exc)
            self.down = bool(body.pop("down", self.down))
            items = [f"{k}={v}" for k, v in body.items()]
            try:
                self.faults = self.faults.with_header(",".join(items))
            except ValueError as exc:
                return error(422, "invalid_faults", f"故障设置无法解析：{exc}")
        return JSONResponse(self._faults_json())

    async def advance(self, request: Request) -> Response:
        try:
            body = await self._json_body(request)
            cases = self.platform.advance(body.get("case_id"), body.get("to"))
        except PlatformError as exc:
            return self._platform_error(exc)
        return JSONResponse({"cases": [c.view() for c in cases]})

    async def reset(self, request: Request) -> Response:
        self.platform.cases.clear()
        self.anchors.by_workstation.clear()
        self._answers.clear()
        self.stats = Stats()
        self.faults = FaultPlan.from_settings(self.settings)
        self.down = False
        return JSONResponse({"status": "reset"})
