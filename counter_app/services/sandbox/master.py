"""The sandbox publishes master data: the packs shipped in ``forms/policies`` and the packaged holiday calendar as
version 1, signed on the fly with the sandbox's Ed25519 key, plus whatever a test or trainer publishes after.

- ``GET /v1/master-data`` -> ``{"bundles": [{kind, code, version, sha256, signature}, ...]}`` (every version)
- ``GET /v1/master-data/{kind}/{code}/{version}`` -> the bundle's bytes (``application/json``)
- ``POST /v1/_sandbox/master-data`` (sandbox control) ``{"kind", "code", "version", "files"?, "tamper"?}``
  publishes a version (files default to the shipped ones); ``tamper: true`` serves bytes that differ from the
  listed hash, as a man in the middle would.

The private key comes from a constant seed: the sandbox is a test double and its key is public knowledge, which is
why a counter trusts it only while the embedded sandbox is its platform (docs/master-data.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forms.master_data import CALENDAR_CODE, FILES, KINDS, Kind, encode_bundle, sha256_hex
from forms.policy_names import available_policies, policies_root

SEED = hashlib.sha256(b"counter-workstation sandbox master-data signing key").digest()


def sandbox_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def public_key_text(key: Ed25519PrivateKey | None = None) -> str:
    raw = (key or sandbox_key()).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def shipped_files(kind: Kind, code: str) -> dict[str, str]:
    """The files the program ships for a pack (forms/policies/<code>) or the calendar (forms/data/holidays.toml)."""
    if kind == "calendar":
        folder = resources.files("forms").joinpath("data")
        return {"holidays.toml": folder.joinpath("holidays.toml").read_text(encoding="utf-8")}
    folder = policies_root().joinpath(code)
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in FILES["policy"]}


@dataclass(frozen=True)
class Published:
    kind: Kind
    code: str
    version: int
    data: bytes
    signature: str
    served: bytes  # what GET returns: the data, or tampered bytes

    def entry(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "version": self.version,
            "sha256": sha256_hex(self.data),
            "signature": self.signature,
        }


class MasterPublisher:
    """The bundles this sandbox publishes; version 1 of everything shipped from the start."""

    def __init__(self, key: Ed25519PrivateKey | None = None) -> None:
        self.key = key or sandbox_key()
        self.bundles: dict[tuple[str, str, int], Published] = {}
        self.fetches = 0
        self.publish("calendar", CALENDAR_CODE, 1)
        for code in available_policies():
            self.publish("policy", code, 1)

    def publish(
        self,
        kind: Kind,
        code: str,
        version: int,
        files: dict[str, str] | None = None,
        *,
        tamper: bool = False,
        key: Ed25519PrivateKey | None = None,
    ) -> Published:
        """Sign and publish ``kind``/``code`` at ``version`` (``key``: sign with another key, for tests)."""
        data = encode_bundle(kind, code, version, {**shipped_files(kind, code), **(files or {})})
        signature = base64.b64encode((key or self.key).sign(data)).decode("ascii")
        served = data.replace(b'"version":', b'"version": ', 1) if tamper else data
        published = Published(kind, code, version, data, signature, served)
        self.bundles[(kind, code, version)] = published
        return published

    # -- routes ----------------------------------------------------------------------------------------------------

    async def listing(self, request: Request) -> Response:
        entries = [p.entry() for _, p in sorted(self.bundles.items())]
        return JSONResponse({"bundles": entries})

    async def bundle(self, request: Request) -> Response:
        params = request.path_params
        try:
            found = self.bundles[(params["kind"], params["code"], int(params["version"]))]
        except (KeyError, ValueError):
            body = {"error": {"code": "not_found", "message": "平台没有发布该主数据版本"}}
            return JSONResponse(body, status_code=404)
        self.fetches += 1
        return Response(found.served, media_type="application/json")

    async def control(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            kind, code, version = body["kind"], str(body["code"]), int(body["version"])
            if kind not in KINDS:
                raise ValueError(kind)
            published = self.publish(kind, code, version, body.get("files"), tamper=bool(body.get("tamper")))
        except (ValueError, KeyError, TypeError, FileNotFoundError) as exc:
            message = f"发布主数据的请求无法处理：{type(exc).__name__}"
            return JSONResponse({"error": {"code": "invalid_body", "message": message}}, status_code=422)
        return JSONResponse(published.entry())

    def routes(self) -> list[Route]:
        return [
            Route("/v1/master-data", self.listing, methods=["GET"]),
            Route("/v1/master-data/{kind}/{code}/{version}", self.bundle, methods=["GET"]),
            Route("/v1/_sandbox/master-data", self.control, methods=["POST"]),
        ]
