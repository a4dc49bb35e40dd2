"""Master data (主数据): policy packs and holiday calendars as the platform publishes them, versioned and signed.

A *bundle* is canonical JSON bytes (UTF-8, sorted keys, no spaces)::

    {"format": 1, "kind": "policy", "code": "qingdao", "version": 2, "files": {"pack.toml": "...", ...}}

A calendar bundle has kind ``calendar``, code ``cn`` and one file, ``holidays.toml`` (the format of
``forms/data/holidays.toml``, parsed by :func:`forms.workdays.parse_schedules`). The platform lists each bundle
with its SHA-256 and an Ed25519 signature over the bytes. The kind, code and version are inside the signed
bytes, so a genuine bundle cannot be relabelled as another pack or a newer edition.

Everything here is pure: bytes and a public key in, a verified :class:`Bundle` or a :class:`MasterDataError` with a
Chinese message out. Fetching, storing and switching versions are the services' (counter_app.services.master_data).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from forms.policy import PolicyError, PolicyPack, policy_from_texts
from forms.policy_names import POLICY_CODE
from forms.workdays import YearSchedule, parse_schedules

Kind = Literal["policy", "calendar"]
KINDS: tuple[Kind, ...] = ("policy", "calendar")
FORMAT = 1
CALENDAR_CODE = "cn"
FILES: dict[str, tuple[str, ...]] = {
    "policy": ("loan.toml", "materials.toml", "pack.toml"),
    "calendar": ("holidays.toml",),
}
# A pack is some tens of KiB; the cap keeps a hostile or broken platform from filling memory or the disk.
MAX_BUNDLE_BYTES = 2 * 1024 * 1024
KIND_LABELS = {"policy": "政策包", "calendar": "节假日日历"}


class MasterDataError(ValueError):
    """A bundle that must not be used (tampered, unsigned, malformed, older); the message is Chinese."""


@dataclass(frozen=True)
class Listing:
    """One entry of the platform's list: which bundle, and what its bytes must hash and be signed to."""

    kind: Kind
    code: str
    version: int
    sha256: str
    signature: str

    @property
    def label(self) -> str:
        return version_label(self.kind, self.code, self.version)


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its files' texts, already checked to build a valid pack or calendar."""

    kind: Kind
    code: str
    version: int
    files: Mapping[str, str]


def edition(version: int) -> str:
    """第2版, or 内置版 for the data packaged with the program (version 0)."""
    return f"第{version}版" if version else "内置版"


def version_label(kind: str, code: str, version: int) -> str:
    """How a version is named on screen, on paper and in the log: "政策包 qingdao 第2版"."""
    return f"{KIND_LABELS.get(kind, kind)} {code} {edition(version)}"


def encode_bundle(kind: Kind, code: str, version: int, files: Mapping[str, str]) -> bytes:
    """The canonical bytes of a bundle (what is hashed and signed)."""
    body = {"format": FORMAT, "kind": kind, "code": code, "version": version, "files": dict(files)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its base64 text (32 raw bytes), as settings hold it."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise MasterDataError("主数据签名公钥无效：应为 Ed25519 公钥（32 字节）的 Base64 文本") from exc


def listing_of(entry: object) -> Listing:
    """One entry of ``GET /v1/master-data``, checked for shape."""
    if not isinstance(entry, dict):
        raise MasterDataError("平台的主数据清单格式不正确")
    try:
        kind, code, version = entry["kind"], str(entry["code"]), int(entry["version"])
        sha, signature = str(entry["sha256"]), str(entry["signature"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MasterDataError("平台的主数据清单缺少 kind、code、version、sha256 或 signature") from exc
    if kind not in KINDS or not POLICY_CODE.match(code) or version < 1:
        raise MasterDataError(f"平台的主数据清单中有无法识别的条目（{str(kind)[:20]} {code[:32]} {version}）")
    return Listing(kind=kind, code=code, version=version, sha256=sha.lower(), signature=signature)


def verify_bundle(data: bytes, listing: Listing, key: Ed25519PublicKey) -> Bundle:
    """The bundle in ``data`` if its hash, signature and content are what ``listing`` says; else MasterDataError.

    Order matters: nothing of the bytes is parsed before the signature is known good."""
    label = listing.label
    if len(data) > MAX_BUNDLE_BYTES:
        raise MasterDataError(f"{label} 超过 {MAX_BUNDLE_BYTES // 1024} KiB，已拒绝")
    if sha256_hex(data) != listing.sha256:
        raise MasterDataError(f"{label} 的内容与平台公布的散列（SHA-256）不符，可能被篡改，已拒绝")
    try:
        key.verify(base64.b64decode(listing.signature, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError):
        raise MasterDataError(f"{label} 的签名校验失败（不是受信任的平台签发），已拒绝") from None
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MasterDataError(f"{label} 不是有效的主数据包（JSON）") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise MasterDataError(f"{label} 的格式版本不受支持，请升级本程序")
    named = (body.get("kind"), body.get("code"), body.get("version"))
    if named != (listing.kind, listing.code, listing.version):
        raise MasterDataError(f"{label} 的签名内容是另一份数据（{named[0]} {named[1]} {named[2]}），已拒绝")
    files = body.get("files")
    if not isinstance(files, dict) or sorted(files) != sorted(FILES[listing.kind]):
        raise MasterDataError(f"{label} 应包含且仅包含 {'、'.join(FILES[listing.kind])}")
    if not all(isinstance(text, str) for text in files.values()):
        raise MasterDataError(f"{label} 的文件内容应为文本")
    bundle = Bundle(kind=listing.kind, code=listing.code, version=listing.version, files=dict(files))
    # Content checked before it can be put in force: a signed but broken pack is refused here, not at a case.
    if bundle.kind == "policy":
        pack_of(bundle)
    else:
        schedules_of(bundle)
    return bundle


def pack_of(bundle: Bundle) -> PolicyPack:
    """The policy pack a verified policy bundle holds, at the bundle's version."""
    try:
        return policy_from_texts(bundle.code, bundle.files, bundle.version)
    except PolicyError as exc:
        raise MasterDataError(f"{version_label('policy', bundle.code, bundle.version)} 校验失败：{exc}") from exc


def schedules_of(bundle: Bundle) -> dict[int, YearSchedule]:
    """The holiday schedules a verified calendar bundle holds."""
    try:
        return parse_schedules(bundle.files["holidays.toml"])
    except (ValueError, KeyError) as exc:
        raise MasterDataError(f"{version_label('calendar', bundle.code, bundle.version)} 无法解析：{exc}") from exc


def refusal(listing: Listing, in_force: int, in_force_sha: str | None) -> str | None:
    """Why ``listing`` must not replace the version in force, or None when it is newer.

    An older edition is refused (a rollback to looser rules must be a new edition, never a replay of an old one);
    the same edition with other bytes is refused too (an edition is published once)."""
    if listing.version < in_force:
        return (
            f"{listing.label} 比本机在用的第{in_force}版旧，已拒绝（旧版本不能替换新版本；"
            "如需恢复旧规则，平台应以新的版本号重新发布）"
        )
    if listing.version == in_force and in_force_sha is not None and in_force_sha != listing.sha256:
        return f"{listing.label} 与本机在用的同一版本内容不同，已拒绝（同一版本只能发布一次）"
    return None
