"""Errors raised by the local store.

Every message is meant for the person at the counter or the one setting it up: Simplified Chinese first, naming
the thing (file path, field) that is wrong and what is expected, with a short English gloss for the log and for
support staff.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class StoreOpenError(StoreError):
    """The database file cannot be opened or used (corrupt, not SQLite, not writable ...)."""

    def __init__(self, path: Path, reason_zh: str, reason_en: str) -> None:
        self.path = path
        super().__init__(
            f"无法打开本地数据库 {path}：{reason_zh}。（Cannot open the local database {path}: {reason_en}.）"
        )


class SchemaTooNewError(StoreOpenError):
    """The database was written by a newer version of the program; opening it could destroy data."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"数据库结构版本为 {found}，本程序只支持到 {supported}，请升级程序后再打开，本程序不会改动该文件",
            f"schema version {found} is newer than the supported version {supported}; upgrade the program, "
            "the file was left untouched",
        )


class KeyFileError(StoreError):
    """The encryption key file is missing, unreadable, too widely readable, or does not fit the database."""

    def __init__(self, path: Path, reason_zh: str, reason_en: str) -> None:
        self.path = path
        super().__init__(f"加密密钥文件 {path}：{reason_zh}。（Key file {path}: {reason_en}.）")


class SuiteMismatchError(StoreOpenError):
    """The database was written with another cryptographic suite than the settings ask for (never mixed)."""

    def __init__(self, path: Path, written: str, asked: str, *, rekeyed_meanwhile: bool = False) -> None:
        self.written = written
        self.asked = asked
        if rekeyed_meanwhile:
            super().__init__(
                path,
                f"数据库已被迁移到 {written} 算法套件（counter store rekey），本程序仍按 {asked} 打开着它；"
                "请重新启动程序，未写入任何数据",
                f"the database was moved to the {written} suite while this program had it open as {asked}; "
                "restart the program, nothing was written",
            )
            return
        super().__init__(
            path,
            f"数据库用 {written} 算法套件写入，而设置 crypto_suite = {asked}；两种算法不能混用。请执行"
            f" counter store rekey --suite {asked} 迁移整个数据库，或把 crypto_suite 设为 {written}（或 auto）；"
            "未改动任何数据",
            f"the database was written with the {written} suite but crypto_suite = {asked}; suites are never mixed: "
            f"run counter store rekey --suite {asked}, or set crypto_suite = {written} (or auto); nothing was changed",
        )


class DecryptionError(StoreError):
    """A stored value could not be decrypted: the row was tampered with or belongs to another key."""


class NotFoundError(StoreError):
    """A case, operator or record that the caller named does not exist."""


class ValidationError(StoreError, ValueError):
    """An argument is not acceptable (bad login, weak password, bad status change ...)."""


class AuthenticationError(StoreError):
    """Login name or password is wrong (deliberately the same message for both)."""

    def __init__(self, remaining: int | None = None) -> None:
        # ``remaining`` is for the store's own callers; it is never in the message: "还可尝试 N 次" is said only
        # for a login that exists, so it would tell a prober which logins do.
        self.remaining = remaining
        super().__init__("登录名或密码错误。")


class LockedOutError(StoreError):
    """Too many failed logins: the account is locked until a given time or until a supervisor unlocks it."""

    def __init__(self, login: str, until: datetime) -> None:
        self.login = login
        self.until = until
        local = until.astimezone().strftime("%Y-%m-%d %H:%M")
        super().__init__(f"账号 {login} 因连续登录失败已锁定，请于 {local} 后再试，或请负责人解锁。")


class PermissionDeniedError(StoreError):
    """The operator's role does not allow the action (e.g. a supervisor override by a clerk)."""
