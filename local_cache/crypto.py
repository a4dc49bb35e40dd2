"""Protection at rest: the key file, authenticated field encryption and HMAC search keys.

One 32-byte master key lives in a file only the owner may read (0600). HKDF derives independent subkeys from it,
so the key that encrypts is never the key that makes search hashes. Which algorithms is the store's suite
(local_cache/suites.py): ``gm`` (SM4-GCM, HMAC-SM3, HKDF-SM3) or ``intl`` (AES-256-GCM, HMAC-SHA256, HKDF-SHA256).

- ``enc``: field encryption for names, ID numbers, phones, card numbers and the application payload;
- ``search``: keyed-hash "blind indexes" so a full ID number or a full name can be found without decrypting;
- ``check``: a key check value stored in the database, so a wrong key is refused at open instead of producing
  garbage (and, worse, new rows under a different key); it is suite-specific, so it also binds the suite;
- ``audit`` (gm only): the HMAC-SM3 key of the audit chain (intl chains are plain SHA-256, as they always were).

Both suites derive from the same master key with different HKDF hashes and labels, so their subkeys are unrelated
and one key file serves a store before, during and after ``counter store rekey``.

Ciphertext layout: ``version(1) + nonce(12) + ciphertext || tag(16)``, version ``0x01`` intl, ``0x02`` gm; the
associated data binds a value to its column (and row where known), so a ciphertext copied into another column does
not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from local_cache.errors import DecryptionError, KeyFileError
from local_cache.suites import (
    NONCE_BYTES,
    SUITE_LABELS,
    TAG_BYTES,
    VERSION_BYTE,
    Aead,
    Suite,
    derive,
    keyed_hasher,
    keyed_hex,
)
from local_cache.suites import suite_of_version as _suite_of_version

_KEY_HEADER = "counter-store-key v1"


def normalize_id_number(value: str) -> str:
    """An ID number as stored and hashed: no spaces, upper-case check character (x -> X)."""
    return "".join(value.split()).upper()


def normalize_name(value: str) -> str:
    """A name as hashed: NFKC (full-width -> half-width), no whitespace, case-folded for Latin names."""
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


class KeyRing:
    """The subkeys one suite derives from one master key; encrypts, decrypts and makes keyed hashes."""

    def __init__(self, master: bytes, suite: Suite = "intl") -> None:
        if len(master) != 32:
            raise ValueError("master key must be 32 bytes")
        self.suite: Suite = suite
        self._master = master  # kept only so a rekey can derive the other suite's ring (for_suite)
        self._aead = Aead(suite, derive(suite, master, "enc", 16 if suite == "gm" else 32))
        self._search = derive(suite, master, "search")
        self._check = derive(suite, master, "check")
        self._audit = derive(suite, master, "audit")
        self._audit_mac = keyed_hasher(suite, self._audit)  # keyed once: the chain hashes entries by the thousand

    def for_suite(self, suite: Suite) -> KeyRing:
        """The ring of the same master key under another suite (``counter store rekey``)."""
        return self if suite == self.suite else KeyRing(self._master, suite)

    # -- key check value ------------------------------------------------------------------------------------
    def check_value(self) -> str:
        """A value that identifies the key and the suite without revealing the key (kept in ``meta``)."""
        return keyed_hex(self.suite, self._check, b"key-check")

    # -- the audit chain -------------------------------------------------------------------------------------
    def chain_digest(self, body: bytes) -> str:
        """The hash of one audit entry's canonical body: SHA-256 (intl, unkeyed as ever) or HMAC-SM3 (gm).

        Keyed under gm, so rewriting the chain together with its head needs the key, not just the database.
        """
        if self.suite == "gm":
            return self._audit_mac(body)
        return hashlib.sha256(body).hexdigest()

    # -- encryption ------------------------------------------------------------------------------------------
    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return VERSION_BYTE[self.suite] + nonce + self._aead.seal(nonce, plaintext, context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        written = _suite_of_version(blob[:1])
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or written is None:
            raise DecryptionError(f"加密数据格式不正确（{context}）。")
        if written != self.suite:
            raise DecryptionError(
                f"加密数据用{SUITE_LABELS[written]}写入，与本库记录的{SUITE_LABELS[self.suite]}不一致（{context}），"
                "两种算法不能混用。"
            )
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aead.open(nonce, body, context.encode())
        except InvalidTag as exc:
            raise DecryptionError(f"加密数据无法解密，可能被篡改或密钥不符（{context}）。") from exc

    def encrypt_text(self, value: str | None, context: str) -> bytes | None:
        return None if value is None else self.encrypt(value.encode(), context)

    def decrypt_text(self, blob: bytes | None, context: str) -> str | None:
        return None if blob is None else self.decrypt(blob, context).decode()

    def encrypt_json(self, value: Mapping[str, Any], context: str) -> bytes:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        return self.encrypt(text.encode(), context)

    def decrypt_json(self, blob: bytes, context: str) -> dict[str, Any]:
        value = json.loads(self.decrypt(blob, context))
        if not isinstance(value, dict):
            raise DecryptionError(f"加密数据内容不是对象（{context}）。")
        return value

    # -- keyed hashes ----------------------------------------------------------------------------------------
    def keyed_hash(self, kind: str, value: str) -> str:
        """HMAC-SM3 (gm) or HMAC-SHA256 (intl) over ``kind:value``; the kind keeps an ID hash from ever equalling
        a name hash."""
        return keyed_hex(self.suite, self._search, f"{kind}:{value}".encode())

    def id_hash(self, id_number: str) -> str:
        return self.keyed_hash("id", normalize_id_number(id_number))

    def name_hash(self, name: str) -> str:
        return self.keyed_hash("name", normalize_name(name))

    def subject_hash(self, subject: Mapping[str, Any]) -> str:
        """A keyed hash of a lookup's subject and parameters (for the verification cache and the audit log)."""
        canonical = json.dumps(subject, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return self.keyed_hash("subject", canonical)


# -- the key file ---------------------------------------------------------------------------------------------


def _check_permissions(path: Path) -> None:
    if os.name != "posix":
        return  # Windows has no mode bits; the data directory's ACL is the protection there.
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            path,
            f"权限为 {mode:o}，其他用户也能读取；请执行 chmod 600 后重试",
            f"permissions {mode:o} let other users read it; run chmod 600 and retry",
        )


def read_key_file(path: Path) -> bytes:
    """Read the master key, refusing a file others can read or one that is not a key file."""
    if not path.exists():
        raise KeyFileError(path, "文件不存在", "file not found")
    if not path.is_file():
        raise KeyFileError(path, "不是普通文件", "not a regular file")
    _check_permissions(path)
    try:
        lines = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(path, f"无法读取（{exc}）", f"cannot be read ({exc})") from exc
    try:
        if " ".join(lines[:2]) != _KEY_HEADER:
            raise ValueError
        master = base64.b64decode(lines[2], validate=True)
        if len(master) != 32:
            raise ValueError
    except (ValueError, IndexError) as exc:
        raise KeyFileError(path, "内容不是本程序的密钥文件格式", "content is not a counter key file") from exc
    return master


def create_key_file(path: Path) -> bytes:
    """Create a new key file with mode 0600; never overwrites an existing file (O_EXCL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    master = secrets.token_bytes(32)
    content = f"{_KEY_HEADER}\n{base64.b64encode(master).decode()}\n".encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(path, "已存在，拒绝覆盖", "already exists, refusing to overwrite") from exc
    except OSError as exc:
        raise KeyFileError(path, f"无法创建（{exc.strerror}）", f"cannot be created ({exc.strerror})") from exc
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)  # the umask may have narrowed it further, never widened; make it exact anyway
    return master
