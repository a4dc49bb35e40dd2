"""Master data from the platform: pull signed policy packs and holiday calendars, apply them atomically.

``GET /v1/master-data`` lists bundles (kind, code, version, sha256, signature); ``GET
/v1/master-data/{kind}/{code}/{version}`` returns one bundle's bytes. This counter takes its own pack (settings
``policy``) and the national calendar (``cn``), the highest version of each. Each bundle is verified in
:func:`forms.master_data.verify_bundle` (hash, Ed25519 signature, content) before anything is written.

On disk, under ``<data_dir>/master/``::

    policy/qingdao/2.bundle      the signed bytes as received (kept: open drafts may still use an older version)
    current.json                 the pointer: the version in force of each kind/code, with its hash and signature

Apply is two atomic renames: the bundle file (temporary file, fsync, ``os.replace``), then the pointer (the same).
A crash before the pointer's rename leaves the previous version in force; an orphan bundle file is harmless and
rewritten by the next pull. Every read of a stored bundle re-verifies it against the pointer and the key, so a
bundle changed on disk is refused as one changed on the wire would be (the packaged version is used instead,
with an error in the log).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from forms.master_data import (
    CALENDAR_CODE,
    MAX_BUNDLE_BYTES,
    Bundle,
    Kind,
    Listing,
    MasterDataError,
    listing_of,
    pack_of,
    public_key,
    refusal,
    schedules_of,
    verify_bundle,
    version_label,
)
from forms.policy import PolicyPack, load_policy
from forms.workdays import WorkingDayCalendar, YearSchedule, load_calendar

logger = logging.getLogger(__name__)

# The embedded sandbox's public key (its private key is derived from a constant in the sandbox, so it is public
# knowledge): trusted by default only while the sandbox is the platform (no platform_url), never for a real one.
SANDBOX_PUBLIC_KEY = "SJ6mKMiIroT9lO+TRJre72CFLUfRVRZJyT1gudGkRZw="
POINTER = "current.json"


@dataclass(frozen=True)
class InForce:
    """One kind/code's version in force (0: the data packaged with the program)."""

    kind: Kind
    code: str
    version: int
    sha256: str | None = None

    @property
    def label(self) -> str:
        return version_label(self.kind, self.code, self.version)


@dataclass
class PullResult:
    """What one pull did: versions applied, bundles refused (with why), and a failure to reach the platform."""

    applied: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    error: str | None = None

    def render(self) -> str:
        lines = [f"已启用 {text}" for text in self.applied]
        lines += [f"已拒绝 {text}" for text in self.refused]
        lines += [f"已是最新 {text}" for text in self.current]
        if self.error:
            lines.append(f"未能拉取主数据：{self.error}")
        return "\n".join(lines) or "平台没有发布本窗口使用的主数据"


def trusted_key(key_text: str, platform_url: str) -> str | None:
    """The key bundles must be signed with: the configured one, else the sandbox's beside the embedded sandbox."""
    if key_text.strip():
        return key_text.strip()
    return None if platform_url.strip() else SANDBOX_PUBLIC_KEY


def _write_atomically(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` wholly or keeps what it held: temporary file, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class MasterData:
    """This counter's master data on disk: the versions in force, the stored bundles, the pull and the apply.

    ``key_text``: the trusted Ed25519 public key (base64), or None when none is configured (pulls are refused and
    stored bundles are not used)."""

    def __init__(self, root: Path, key_text: str | None, policy_code: str, holiday_files: list[Path]) -> None:
        self.root = root
        self.policy_code = policy_code
        self.holiday_files = holiday_files
        self.key_problem: str | None = None if key_text else "未配置主数据签名公钥（master_data_key）"
        self._key = None
        if key_text:
            try:
                self._key = public_key(key_text)
            except MasterDataError as exc:
                self.key_problem = str(exc)
        self._packs: dict[tuple[str, int], PolicyPack] = {}

    # -- the pointer -----------------------------------------------------------------------------------------------

    def _pointer(self) -> dict[str, dict[str, Any]]:
        try:
            value = json.loads((self.root / POINTER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.error("master data pointer unreadable, packaged data in force: %s", exc)
            return {}
        return value if isinstance(value, dict) else {}

    def in_force(self, kind: Kind, code: str) -> InForce:
        entry = self._pointer().get(f"{kind}/{code}")
        if not isinstance(entry, dict) or not isinstance(entry.get("version"), int):
            return InForce(kind, code, 0)
        return InForce(kind, code, int(entry["version"]), str(entry.get("sha256") or ""))

    def _bundle_path(self, kind: str, code: str, version: int) -> Path:
        return self.root / kind / code / f"{version}.bundle"

    def _stored(self, kind: Kind, code: str, version: int) -> Bundle:
        """A stored bundle, verified again against the pointer's hash and signature and the trusted key."""
        entry = self._pointer().get(f"{kind}/{code}", {})
        known = {int(v): s for v, s in (entry.get("history") or {}).items()} if isinstance(entry, dict) else {}
        if self._key is None or version not in known:
            raise MasterDataError(f"{version_label(kind, code, version)} 不在本机（{self.key_problem or '未记录'}）")
        sha, signature = known[version]
        data = self._bundle_path(kind, code, version).read_bytes()
        return verify_bundle(data, Listing(kind, code, version, sha, signature), self._key)

    # -- what is in force ------------------------------------------------------------------------------------------

    def policy(self, code: str | None = None, version: int | None = None) -> PolicyPack:
        """The pack ``code`` at ``version`` (default: the version in force). A version this counter does not hold
        or cannot verify gives the packaged pack, with an error in the log: the counter keeps working."""
        code = code or self.policy_code
        wanted = self.in_force("policy", code).version if version is None else version
        cached = self._packs.get((code, wanted))
        if cached is not None:
            return cached
        pack = load_policy(code)
        if wanted:
            try:
                pack = pack_of(self._stored("policy", code, wanted))
            except (OSError, MasterDataError) as exc:
                logger.error("%s unusable, packaged pack used: %s", version_label("policy", code, wanted), exc)
                return pack
        self._packs[(code, wanted)] = pack
        return pack

    def calendar(self) -> WorkingDayCalendar:
        """Packaged schedules < the calendar in force from the platform < this machine's own holiday files (an
        administrator's ``counter calendar import`` or ``holiday_file`` wins: remove it to follow the platform)."""
        packaged = load_calendar().extra
        with_files = load_calendar(self.holiday_files).extra
        local = {year: s for year, s in with_files.items() if packaged.get(year) != s}
        platform: dict[int, YearSchedule] = {}
        current = self.in_force("calendar", CALENDAR_CODE)
        if current.version:
            try:
                platform = schedules_of(self._stored("calendar", CALENDAR_CODE, current.version))
            except (OSError, MasterDataError) as exc:
                logger.error("%s unusable, packaged calendar used: %s", current.label, exc)
        return WorkingDayCalendar(extra={**packaged, **platform, **local})

    def versions(self) -> list[InForce]:
        return [self.in_force("policy", self.policy_code), self.in_force("calendar", CALENDAR_CODE)]

    # -- pull and apply --------------------------------------------------------------------------------------------

    def apply(self, data: bytes, listing: Listing) -> InForce:
        """Verify ``data`` and put it in force; raises MasterDataError (nothing written) when it must not be."""
        if self._key is None:
            raise MasterDataError(f"{listing.label} 无法校验：{self.key_problem}")
        current = self.in_force(listing.kind, listing.code)
        why = refusal(listing, current.version, current.sha256)
        if why:
            raise MasterDataError(why)
        verify_bundle(data, listing, self._key)
        with self._locked():
            return self._put_in_force(data, listing)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One apply at a time across processes (the app's round and ``counter master pull``): the pointer is
        read, changed and replaced under the lock, so neither loses the other's version."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.root / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _put_in_force(self, data: bytes, listing: Listing) -> InForce:
        current = self.in_force(listing.kind, listing.code)
        why = refusal(listing, current.version, current.sha256)  # again, under the lock
        if why:
            raise MasterDataError(why)
        _write_atomically(self._bundle_path(listing.kind, listing.code, listing.version), data)
        pointer = self._pointer()
        previous = pointer.get(f"{listing.kind}/{listing.code}")
        history = dict(previous.get("history") or {}) if isinstance(previous, dict) else {}
        history[str(listing.version)] = [listing.sha256, listing.signature]
        pointer[f"{listing.kind}/{listing.code}"] = {
            "version": listing.version,
            "sha256": listing.sha256,
            "history": history,
        }
        # The one step that switches versions: before it the old version is in force, after it the new one.
        _write_atomically(self.root / POINTER, json.dumps(pointer, indent=1, sort_keys=True).encode("utf-8"))
        return self.in_force(listing.kind, listing.code)

    def wanted(self, listings: list[Listing]) -> list[Listing]:
        """The newest published version of this counter's pack and of the calendar."""
        mine = {("policy", self.policy_code), ("calendar", CALENDAR_CODE)}
        best: dict[tuple[str, str], Listing] = {}
        for item in listings:
            key = (item.kind, item.code)
            if key in mine and (key not in best or item.version > best[key].version):
                best[key] = item
        return [best[key] for key in sorted(best)]

    async def pull(self, client: httpx.AsyncClient, *, timeout: float) -> PullResult:
        """One pull: list, fetch what is newer, verify, apply; every refusal is logged at WARNING with its reason."""
        result = PullResult()
        try:
            listings = await available(client, timeout=timeout)
        except MasterDataError as exc:
            result.error = str(exc)
            logger.info("master data pull failed: %s", exc)
            return result
        for item in self.wanted(listings):
            current = self.in_force(item.kind, item.code)
            if item.version == current.version and refusal(item, current.version, current.sha256) is None:
                result.current.append(item.label)
                continue
            try:
                if item.version > current.version:
                    data = await fetch(client, item, timeout=timeout)
                else:
                    data = b""  # refused below without fetching
                self.apply(data, item)
            except MasterDataError as exc:
                result.refused.append(str(exc))
                logger.warning("master data refused: %s", exc)
                continue
            except OSError as exc:
                result.error = f"无法写入主数据目录 {self.root}（{exc.strerror or exc}）"
                logger.error("master data not applied: %s", result.error)
                continue
            result.applied.append(item.label)
            logger.info("master data applied: %s (in force for new cases)", item.label)
        return result


async def available(client: httpx.AsyncClient, *, timeout: float) -> list[Listing]:
    """The platform's list of bundles; MasterDataError when it cannot be had."""
    try:
        response = await client.get("/v1/master-data", timeout=timeout)
    except httpx.HTTPError as exc:
        raise MasterDataError(f"无法连接一件事平台（{type(exc).__name__}）") from exc
    if response.status_code != 200:
        raise MasterDataError(f"平台未能列出主数据（HTTP {response.status_code}）")
    try:
        entries = response.json()["bundles"]
    except (ValueError, KeyError, TypeError) as exc:
        raise MasterDataError("平台的主数据清单无法解析") from exc
    if not isinstance(entries, list):
        raise MasterDataError("平台的主数据清单格式不正确")
    return [listing_of(entry) for entry in entries]


async def fetch(client: httpx.AsyncClient, item: Listing, *, timeout: float) -> bytes:
    """One bundle's bytes, at most MAX_BUNDLE_BYTES (read as a stream: a larger answer is never held whole)."""
    path = f"/v1/master-data/{item.kind}/{item.code}/{item.version}"
    chunks: list[bytes] = []
    size = 0
    try:
        async with client.stream("GET", path, timeout=timeout) as response:
            if response.status_code != 200:
                raise MasterDataError(f"平台未能提供 {item.label}（HTTP {response.status_code}）")
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BUNDLE_BYTES:
                    raise MasterDataError(f"{item.label} 超过 {MAX_BUNDLE_BYTES // 1024} KiB，已拒绝")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise MasterDataError(f"下载 {item.label} 时连接中断（{type(exc).__name__}）") from exc
    return b"".join(chunks)


def open_master_data(settings: Any) -> MasterData:
    """The master data of ``settings`` (data_dir/master, the trusted key, the counter's pack and holiday files)."""
    key = trusted_key(settings.master_data_key, settings.platform_url)
    return MasterData(settings.data_dir / "master", key, settings.policy, settings.holiday_files)
