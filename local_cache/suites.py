"""The two cryptographic suites a store can be written with, as primitives: ``gm`` and ``intl``.

- ``gm`` — the national (商用密码) algorithms, what a 密评 (GB/T 39786-2021) assessment expects: SM4-GCM (GB/T 32907
  block cipher in GCM, as RFC 8998 uses it) for data at rest, HMAC-SM3 (GB/T 32905 hash) for keyed hashes, the
  audit chain and key derivation (HKDF over HMAC-SM3).
- ``intl`` — what every store used before suites existed: AES-256-GCM, HMAC-SHA256, SHA-256, HKDF-SHA256.

Both come from ``cryptography`` (OpenSSL): ``algorithms.SM4`` with ``modes.GCM`` and ``hashes.SM3``. SM4-GCM is
checked against RFC 8998's test vector in tests/test_store_suites.py, so an OpenSSL build without it fails there,
not in a clerk's hands.

The one-byte version at the start of every ciphertext names its suite (``0x01`` intl, ``0x02`` gm), so a value
written under the other suite is reported as mixing rather than as damage.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Literal, get_args

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

Suite = Literal["gm", "intl"]
SUITES: tuple[Suite, ...] = get_args(Suite)
#: Suite of a store written before suites were recorded (schema v6 and older, the v5 fixture).
LEGACY_SUITE: Suite = "intl"
#: Suite of a new store when the caller does not ask for one.
DEFAULT_SUITE: Suite = "gm"

SUITE_LABELS: dict[Suite, str] = {
    "gm": "国密算法（SM4-GCM、HMAC-SM3）",
    "intl": "国际算法（AES-GCM、HMAC-SHA256、SHA-256）",
}

VERSION_BYTE: dict[Suite, bytes] = {"intl": b"\x01", "gm": b"\x02"}
NONCE_BYTES = 12
TAG_BYTES = 16


def suite_of_version(version: bytes) -> Suite | None:
    """The suite a ciphertext's first byte names, or None for a byte no suite uses."""
    for suite, byte in VERSION_BYTE.items():
        if byte == version:
            return suite
    return None


def check_suite(value: str) -> Suite:
    """``value`` as a Suite, or ValueError naming the known ones."""
    for suite in SUITES:
        if value == suite:
            return suite
    raise ValueError(f"unknown crypto suite {value!r}; known: {', '.join(SUITES)}")


# -- hashes ----------------------------------------------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def keyed_hasher(suite: Suite, key: bytes) -> Callable[[bytes], str]:
    """``keyed_hex(suite, key, ·)`` for many values under one key: the key is set up once and each value hashed
    on a copy of the keyed state (an audit chain hashes thousands of entries in one pull), same output."""
    if suite == "gm":
        keyed = crypto_hmac.HMAC(key, hashes.SM3())

        def digest(data: bytes) -> str:
            mac = keyed.copy()
            mac.update(data)
            return mac.finalize().hex()

        return digest
    keyed_sha = hmac.new(key, None, hashlib.sha256)

    def digest_sha(data: bytes) -> str:
        mac = keyed_sha.copy()
        mac.update(data)
        return mac.hexdigest()

    return digest_sha


def keyed_hex(suite: Suite, key: bytes, data: bytes) -> str:
    """HMAC-SM3 (gm) or HMAC-SHA256 (intl) of ``data`` under ``key``, lower-case hex (64 characters either way)."""
    if suite == "gm":
        return hmac_sm3(key, data).hex()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def derive(suite: Suite, master: bytes, purpose: str, length: int = 32) -> bytes:
    """A subkey for one purpose. intl keeps the derivation every existing store was written with."""
    if suite == "gm":
        return HKDF(
            algorithm=hashes.SM3(), length=length, salt=None, info=f"counter-store/{purpose}/gm/v1".encode()
        ).derive(master)
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"counter-store/{purpose}/v1".encode()
    ).derive(master)


# -- authenticated encryption ------------------------------------------------------------------------------------


class Aead:
    """AES-256-GCM (intl) or SM4-GCM (gm); ``seal``/``open`` raise ``cryptography.exceptions.InvalidTag``."""

    def __init__(self, suite: Suite, key: bytes) -> None:
        self.suite = suite
        self._key = key
        # SM4 keys are 128 bits; AES gets the 256-bit key intl has always used.
        expected = 16 if suite == "gm" else 32
        if len(key) != expected:
            raise ValueError(f"{suite} encryption key must be {expected} bytes")
        self._aes = AESGCM(key) if suite == "intl" else None

    def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """Ciphertext followed by the 16-byte tag (AESGCM's layout, kept for SM4 too)."""
        if self._aes is not None:
            return self._aes.encrypt(nonce, plaintext, aad)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return body + encryptor.tag

    def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if self._aes is not None:
            return self._aes.decrypt(nonce, sealed, aad)
        body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(body) + decryptor.finalize()
