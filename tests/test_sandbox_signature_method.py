"""X-Signature-Method (issue 14, item 9): requests are signed HMAC-SM3 or HMAC-SHA256 and say which; the sandbox
accepts both (a request without the header is HMAC-SHA256, as before) and refuses a method it does not know."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from counter_app.services import signing
from counter_app.services.gateway import GatewayClient, LookupRequest, Subject
from counter_app.services.sandbox import EMBEDDED_BASE_URL, Sandbox, SandboxSettings, make_transport
from counter_app.settings import Settings
from forms.vocabulary import VerificationKind, VerificationOutcome

NOW = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
RID = "5f0c8a4e-8f55-4a43-9a3b-2a4f0e6b7c11"
BODY = {"subject": {"name": "王建国", "id_number": "370202198803159132"}, "params": {}, "purpose": {"case_id": "C1"}}
PROTOCOL = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"

# The test vector of docs/protocol.md ("Signature methods").
VECTOR = ("sandbox-secret", "POST", "/v1/verify/identity", "1779269400", RID, b'{"subject":{"name":"Wang"}}')
VECTOR_SM3 = "6807186ddaaa77aedc6f445262ea7632dfa2a68a85aad0373fdc84927129e408"
VECTOR_SHA256 = "2000e09a1a1d40cccffed722239e7baa0172f9ce2bfb1f4e6cd56d8bcc04b755"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    sandbox = Sandbox(SandboxSettings(), clock=lambda: NOW)
    async with httpx.AsyncClient(transport=make_transport(sandbox), base_url=EMBEDDED_BASE_URL) as client:
        yield client


def signed(signature_method: str) -> tuple[str, bytes, dict[str, str]]:
    path = "/v1/verify/identity"
    raw = json.dumps(BODY, ensure_ascii=False).encode()
    headers = signing.signed_headers(
        app_key="sandbox-app",
        secret="sandbox-secret",
        operator_id="clerk01",
        method="POST",
        path=path,
        body=raw,
        timestamp=int(NOW.timestamp()),
        request_id=RID,
        signature_method=signature_method,
    )
    return path, raw, headers


def test_the_test_vector_and_its_documentation() -> None:
    assert signing.sign(*VECTOR, signature_method="HMAC-SM3") == VECTOR_SM3
    assert signing.sign(*VECTOR, signature_method="HMAC-SHA256") == VECTOR_SHA256
    # A second HMAC construction over OpenSSL's SM3 (Python's hmac module) agrees.
    message = signing.signing_message(*VECTOR[1:])
    assert hmac.new(VECTOR[0].encode(), message, "sm3").hexdigest() == VECTOR_SM3
    text = PROTOCOL.read_text(encoding="utf-8")
    assert VECTOR_SM3 in text and VECTOR_SHA256 in text and "X-Signature-Method" in text
    with pytest.raises(ValueError):
        signing.sign(*VECTOR, signature_method="HMAC-MD5")


@pytest.mark.parametrize("method", ["HMAC-SM3", "HMAC-SHA256"])
async def test_both_methods_are_accepted(http: httpx.AsyncClient, method: str) -> None:
    path, raw, headers = signed(method)
    assert headers[signing.HEADER_SIGNATURE_METHOD] == method
    response = await http.post(path, content=raw, headers=headers)
    assert response.status_code == 200, response.text


async def test_without_the_header_the_signature_is_hmac_sha256(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed("HMAC-SHA256")
    del headers[signing.HEADER_SIGNATURE_METHOD]
    assert (await http.post(path, content=raw, headers=headers)).status_code == 200
    path, raw, headers = signed("HMAC-SM3")
    del headers[signing.HEADER_SIGNATURE_METHOD]
    refused = await http.post(path, content=raw, headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_signature"


async def test_an_unknown_or_mislabelled_method_is_refused(http: httpx.AsyncClient) -> None:
    path, raw, headers = signed("HMAC-SM3")
    unknown = await http.post(path, content=raw, headers={**headers, signing.HEADER_SIGNATURE_METHOD: "HMAC-MD5"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_signature_method"
    assert re.search("HMAC-SM3", unknown.json()["error"]["message"])
    relabelled = await http.post(path, content=raw, headers={**headers, signing.HEADER_SIGNATURE_METHOD: "HMAC-SHA256"})
    assert relabelled.status_code == 401 and relabelled.json()["error"]["code"] == "bad_signature"


class _Recorder(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox and keeps their headers."""

    def __init__(self) -> None:
        self.inner = make_transport(Sandbox(SandboxSettings(), clock=lambda: NOW))
        self.methods: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.headers.get(signing.HEADER_SIGNATURE_METHOD))
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(("suite", "method"), [("auto", "HMAC-SM3"), ("gm", "HMAC-SM3"), ("intl", "HMAC-SHA256")])
async def test_the_client_signs_with_the_settings_suite(tmp_path: Path, suite: str, method: str) -> None:
    transport = _Recorder()
    settings = Settings(data_dir=tmp_path, crypto_suite=suite)  # type: ignore[arg-type]
    async with GatewayClient.from_settings(
        settings, operator_id="clerk01", transport=transport, clock=lambda: NOW
    ) as client:
        request = LookupRequest(
            case_id="C1", kind=VerificationKind.IDENTITY, subject=Subject(name="王建国", id_number="370202198803159132")
        )
        result = await client.lookup(request)
    assert result.outcome is VerificationOutcome.MATCH
    assert transport.methods == [method]
