"""Request signing for the verification gateway (HMAC-SM3 or HMAC-SHA256), shared by the client and the sandbox.

The signed message binds the method, the path, the timestamp and the request id to the exact body bytes::

    "POST\\n/v1/verify/identity\\n1767225600\\n<X-Request-Id>\\n" + body

DESIGN.md asked for "timestamp + body"; the method, path and request id are added so that a captured signature
cannot be replayed against another registry (the kind is in the path, not in the body) or under a fresh request
id. The signature is lower-case hex in ``X-Signature``; the timestamp is Unix seconds in ``X-Timestamp``.

The algorithm is named in ``X-Signature-Method``: ``HMAC-SM3`` (GB/T 32905 hash, what 密评 expects; the
``crypto_suite`` setting's gm and auto) or ``HMAC-SHA256`` (intl). A request without the header is HMAC-SHA256,
the contract before the header existed; an unknown name is refused, never guessed. The method needs no place in
the signed message: a signature made with one algorithm does not verify under the other.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

HEADER_APP_KEY = "X-App-Key"
HEADER_REQUEST_ID = "X-Request-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"
HEADER_OPERATOR = "X-Operator-Id"
HEADER_SIGNATURE_METHOD = "X-Signature-Method"

METHOD_SM3 = "HMAC-SM3"
METHOD_SHA256 = "HMAC-SHA256"
SIGNATURE_METHODS = (METHOD_SM3, METHOD_SHA256)
#: The method of a request that does not name one (clients from before X-Signature-Method).
METHOD_WHEN_ABSENT = METHOD_SHA256

SIGNED_HEADERS = (HEADER_APP_KEY, HEADER_REQUEST_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE, HEADER_OPERATOR)


def signing_message(method: str, path: str, timestamp: str, request_id: str, body: bytes) -> bytes:
    """The exact bytes that are signed."""
    head = f"{method.upper()}\n{path}\n{timestamp}\n{request_id}\n"
    return head.encode("utf-8") + body


def sign(
    secret: str,
    method: str,
    path: str,
    timestamp: str,
    request_id: str,
    body: bytes,
    *,
    signature_method: str = METHOD_SHA256,
) -> str:
    """HMAC (SM3 or SHA-256, per ``signature_method``) of the signing message, lower-case hex.

    Raises ValueError for a method not in :data:`SIGNATURE_METHODS`."""
    message = signing_message(method, path, timestamp, request_id, body)
    key = secret.encode("utf-8")
    if signature_method == METHOD_SM3:
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    if signature_method == METHOD_SHA256:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown signature method {signature_method!r}")


def verify(
    secret: str,
    method: str,
    path: str,
    timestamp: str,
    request_id: str,
    body: bytes,
    signature: str,
    *,
    signature_method: str = METHOD_SHA256,
) -> bool:
    """Constant-time comparison of ``signature`` with the expected one (False for an unknown method)."""
    if signature_method not in SIGNATURE_METHODS:
        return False
    expected = sign(secret, method, path, timestamp, request_id, body, signature_method=signature_method)
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
    signature_method: str = METHOD_SM3,
) -> dict[str, str]:
    """Every header a gateway request carries; a new UUID4 request id unless one is given (retries reuse it)."""
    rid = request_id or str(uuid.uuid4())
    ts = str(timestamp)
    return {
        HEADER_APP_KEY: app_key,
        HEADER_REQUEST_ID: rid,
        HEADER_TIMESTAMP: ts,
        HEADER_SIGNATURE: sign(secret, method, path, ts, rid, body, signature_method=signature_method),
        HEADER_SIGNATURE_METHOD: signature_method,
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
