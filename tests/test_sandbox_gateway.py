"""The sandbox gateway at the HTTP level: it checks signatures, headers, timestamps and bodies like a real
gateway would, refuses credit without an authorization, and injects faults deterministically."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from counter_app.services import signing
from counter_app.services.sandbox import (
    EMBEDDED_BASE_URL,
    FAULT_HEADER,
    FaultMode,
    FaultPlan,
    Sandbox,
    SandboxSettings,
    make_transport,
)

NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
RID = "5f0c8a4e-8f55-4a43-9a3b-2a4f0e6b7c11"
BODY = {
    "subject": {"name": "王建国", "id_number": "370202198803159132"},
    "params": {},
    "purpose": {"case_id": "C1"},
}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxSettings(), clock=lambda: NOW)


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=make_transport(sandbox), base_url=EMBEDDED_BASE_URL) as client:
        yield client


def signed(
    kind: str = "identity",
    body: dict[str, object] | None = None,
    *,
    secret: str = "sandbox-secret",
    timestamp: int | None = None,
    request_id: str = RID,
) -> tuple[str, bytes, dict[str, str]]:
    path = f"/v1/verify/{kind}"
    raw = json.dumps(body if body is not None else BODY, ensure_ascii=False).encode()
    headers = signing.signed_headers(
        app_key="sandbox-app",
        secret=secret,
        operator_id="clerk01",
        method="POST",
        path=path,
        body=raw,
        timestamp=int(NOW.timestamp()) if timestamp is None else timestamp,
        request_id=request_id,
    )
    return path, raw, headers


async def test_signed_request_is_answered(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed()
    response = await http.post(path, content=raw, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["request_id"] == RID and body["kind"] == "identity" and body["outcome"] == "match"


async def test_bad_signature_gets_401(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed(secret="not-the-secret")
    response = await http.post(path, content=raw, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


async def test_signature_covers_the_body_and_the_path(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed()
    tampered = raw.replace("王建国".encode(), "王建民".encode())
    assert (await http.post(path, content=tampered, headers=headers)).status_code == 401
    # The same signed body sent to another registry (credit) is refused too.
    assert (await http.post("/v1/verify/marriage", content=raw, headers=headers)).status_code == 401


async def test_missing_headers_stale_timestamp_and_unknown_key(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed()
    partial = {k: v for k, v in headers.items() if k != signing.HEADER_OPERATOR}
    missing = await http.post(path, content=raw, headers=partial)
    assert missing.status_code == 400 and "X-Operator-Id" in missing.json()["error"]["message"]

    path, raw, headers = signed(timestamp=int(NOW.timestamp()) - 3600)
    stale = await http.post(path, content=raw, headers=headers)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "stale_timestamp"

    path, raw, headers = signed()
    unknown = await http.post(path, content=raw, headers={**headers, signing.HEADER_APP_KEY: "other"})
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "unknown_app_key"

    path, raw, headers = signed(request_id="not-a-uuid")
    assert (await http.post(path, content=raw, headers=headers)).status_code == 400


async def test_body_and_kind_are_validated(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed("horoscope")
    assert (await http.post(path, content=raw, headers=headers)).status_code == 404
    path, raw, headers = signed(body={"subject": {"name": "x"}})
    response = await http.post(path, content=raw, headers=headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_body"


async def test_credit_needs_an_authorization(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed("credit")
    response = await http.post(path, content=raw, headers=headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "authorization_required"
    path, raw, headers = signed("credit", {**BODY, "authorization_id": "SQ-1"}, request_id=RID.replace("5f", "6f"))
    assert (await http.post(path, content=raw, headers=headers)).json()["outcome"] == "match"


async def test_request_id_reused_for_another_body_conflicts(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed()
    assert (await http.post(path, content=raw, headers=headers)).status_code == 200
    path2, raw2, headers2 = signed("marriage")
    response = await http.post(path2, content=raw2, headers=headers2)
    assert response.status_code == 409 and response.json()["error"]["code"] == "request_id_reused"


@pytest.mark.parametrize(
    ("fault", "status"),
    [("http500", 500), ("malformed", 200), ("nonsense", 400), ("latency=abc", 400)],
)
async def test_fault_header(http: httpx.AsyncClient, fault: str, status: int) -> None:
    path, raw, headers = signed()
    response = await http.post(path, content=raw, headers={**headers, FAULT_HEADER: fault})
    assert response.status_code == status
    if fault == "malformed":
        with pytest.raises(ValueError):
            response.json()


async def test_outage_switch_and_runtime_faults(http: httpx.AsyncClient, sandbox: Sandbox) -> None:
    changed = await http.put("/v1/_sandbox/faults", json={"down": True, "error_rate": 0.25})
    assert changed.json()["down"] is True and changed.json()["error_rate"] == 0.25
    assert (await http.get("/v1/health")).status_code == 503
    await http.put("/v1/_sandbox/faults", json={"down": False})
    assert (await http.get("/v1/health")).status_code == 200


def test_fault_plan_is_deterministic_and_retries_draw_afresh() -> None:
    plan = FaultPlan(seed=7, error_rate=0.5)
    ids = [f"id-{n}" for n in range(200)]
    first = [plan.decide(i, 1) for i in ids]
    assert first == [plan.decide(i, 1) for i in ids]
    failed = sum(mode is FaultMode.HTTP500 for mode in first)
    assert 60 < failed < 140  # about half
    assert [plan.decide(i, 2) for i in ids] != first
    assert FaultPlan(timeout_rate=1.0).decide("x", 1) is FaultMode.TIMEOUT
    assert FaultPlan().decide("x", 1) is FaultMode.NONE


def test_fault_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_SANDBOX_LATENCY_MS", "200")
    monkeypatch.setenv("COUNTER_SANDBOX_ERROR_RATE", "0.1")
    plan = FaultPlan.from_settings(SandboxSettings())
    assert (plan.latency_ms, plan.error_rate) == (200, 0.1)
    merged = plan.with_header("latency=5, timeout, seed=3")
    assert (merged.latency_ms, merged.timeout_rate, merged.seed, merged.error_rate) == (5, 1.0, 3, 0.1)
