"""Operators: local accounts with scrypt password hashes, roles and lockout after repeated failures.

Passwords are hashed with ``hashlib.scrypt`` and a random 16-byte salt per user; the stored string carries its
parameters (``scrypt$n$r$p$salt$hash``, base64) so they can be raised later without breaking old accounts.
Operator names are encrypted like every other name. Failed logins are counted and committed *before* the error
is raised, so a crash or a retry cannot reset the count.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from forms.vocabulary import Role
from local_cache.audit import Action, AuditLog
from local_cache.crypto import KeyRing
from local_cache.db import Database
from local_cache.errors import (
    AuthenticationError,
    LockedOutError,
    NotFoundError,
    ValidationError,
)

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32
MIN_PASSWORD_LENGTH = 8
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")

DEMO_LOGIN = "demo"
DEMO_NAME = "演示柜员（仅测试环境）"
DEMO_PASSWORD = "demo1234"
DEMO_FLAG = "demo_clerk_created"


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN)
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected), maxmem=2**27
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _validate_password(password: str, *, field: str = "密码") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"{field}太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    if password.strip() != password:
        raise ValidationError(f"{field}首尾不能有空格。")


@dataclass(frozen=True)
class Operator:
    id: int
    login: str
    name: str
    role: Role
    active: bool
    is_demo: bool
    must_change_password: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class Operators:
    """Accounts of the people working the counter."""

    def __init__(
        self,
        db: Database,
        keys: KeyRing,
        audit: AuditLog,
        clock: Callable[[], datetime],
        *,
        max_failed_logins: int = 5,
        lockout: timedelta = timedelta(minutes=15),
        scrypt_n: int = SCRYPT_N,
    ) -> None:
        self._db, self._keys, self._audit, self._clock = db, keys, audit, clock
        self.max_failed_logins = max_failed_logins
        self.lockout = lockout
        self._scrypt_n = scrypt_n
        self._dummy: str | None = None  # a hash no password matches, for unknown logins (see authenticate)

    def _row_to_operator(self, row: dict[str, Any]) -> Operator:
        locked = row["locked_until"]
        return Operator(
            id=int(row["id"]),
            login=str(row["login"]),
            name=self._keys.decrypt_text(row["name_enc"], f"operators.name:{row['login']}") or "",
            role=Role(row["role"]),
            active=bool(row["active"]),
            is_demo=bool(row["is_demo"]),
            must_change_password=bool(row["must_change_password"]),
            failed_logins=int(row["failed_logins"]),
            locked_until=datetime.fromisoformat(locked) if locked else None,
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def _row(self, login: str) -> dict[str, Any] | None:
        rows = list(self._db.conn.query("SELECT * FROM operators WHERE login = ?", [login]))
        return rows[0] if rows else None

    def get(self, login: str) -> Operator:
        row = self._row(login)
        if row is None:
            raise NotFoundError(f"登录名“{login}”不存在。")
        return self._row_to_operator(row)

    def get_by_id(self, operator_id: int) -> Operator:
        rows = list(self._db.conn.query("SELECT * FROM operators WHERE id = ?", [operator_id]))
        if not rows:
            raise NotFoundError(f"操作员编号 {operator_id} 不存在。")
        return self._row_to_operator(rows[0])

    def list(self) -> list[Operator]:
        return [self._row_to_operator(r) for r in self._db.conn.query("SELECT * FROM operators ORDER BY login")]

    def count(self) -> int:
        return int(self._db.conn.conn.execute("SELECT count(*) FROM operators").fetchone()[0])

    def add(
        self,
        login: str,
        name: str,
        role: Role | str,
        password: str,
        *,
        actor: str = "system",
        is_demo: bool = False,
        must_change_password: bool = False,
    ) -> Operator:
        login = login.strip().lower()
        if not LOGIN_RE.fullmatch(login):
            raise ValidationError("登录名格式不正确：应为 2-32 位小写字母、数字或 _ . -，以字母或数字开头。")
        if not name.strip():
            raise ValidationError("姓名不能为空。")
        try:
            role = Role(role)
        except ValueError as exc:
            raise ValidationError(
                f"角色“{role}”不正确：应为 clerk（窗口受理）、agent（帮代办）或 supervisor（负责人）。"
            ) from exc
        _validate_password(password)
        now = self._clock().isoformat()
        with self._db.write() as conn:
            if self._row(login) is not None:
                raise ValidationError(f"登录名“{login}”已存在，请换一个。")
            conn.table("operators").insert(
                {
                    "login": login,
                    "name_enc": self._keys.encrypt_text(name.strip(), f"operators.name:{login}"),
                    "role": role.value,
                    "password_hash": hash_password(password, n=self._scrypt_n),
                    "failed_logins": 0,
                    "locked_until": None,
                    "must_change_password": int(must_change_password),
                    "is_demo": int(is_demo),
                    "active": 1,
                    "created_at": now,
                    "password_changed_at": now,
                }
            )
            self._audit.append(Action.OPERATOR_ADDED, actor=actor, login=login, role=role.value, demo=is_demo)
        return self.get(login)

    def authenticate(self, login: str, password: str) -> Operator:
        """Check a login; counts failures, locks after ``max_failed_logins``; raises on failure."""
        login = login.strip().lower()
        now = self._clock()
        error: Exception | None = None
        with self._db.write() as conn:
            row = self._row(login)
            if row is None or not row["active"]:
                # The same scrypt work as a known login, so the answer's timing does not tell the two apart.
                check_password(password, self._dummy_hash())
                # Unknown logins are logged by keyed hash only: people sometimes type a password into that field.
                self._audit.append(Action.LOGIN_FAILED, actor="-", login_hash=self._keys.keyed_hash("login", login))
                error = AuthenticationError()
            else:
                op = self._row_to_operator(row)
                if op.is_locked(now):
                    assert op.locked_until is not None
                    self._audit.append(Action.LOGIN_FAILED, actor=login, reason="locked")
                    error = LockedOutError(login, op.locked_until)
                elif check_password(password, row["password_hash"]):
                    conn.execute("UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE id = ?", [op.id])
                    self._audit.append(Action.LOGIN, actor=login, role=op.role.value)
                else:
                    failures = op.failed_logins + 1
                    if failures >= self.max_failed_logins:
                        until = now + self.lockout
                        conn.execute(
                            "UPDATE operators SET failed_logins = 0, locked_until = ? WHERE id = ?",
                            [until.isoformat(), op.id],
                        )
                        self._audit.append(Action.LOCKOUT, actor=login, failures=failures, until=until.isoformat())
                        error = LockedOutError(login, until)
                    else:
                        conn.execute("UPDATE operators SET failed_logins = ? WHERE id = ?", [failures, op.id])
                        self._audit.append(Action.LOGIN_FAILED, actor=login, failures=failures)
                        error = AuthenticationError(self.max_failed_logins - failures)
        if error is not None:
            raise error  # raised after the commit, so the failure count sticks
        return self.get(login)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = hash_password(secrets.token_hex(16), n=self._scrypt_n)
        return self._dummy

    def change_password(self, login: str, old_password: str, new_password: str) -> None:
        op = self.authenticate(login, old_password)
        _validate_password(new_password, field="新密码")
        if old_password == new_password:
            raise ValidationError("新密码不能与旧密码相同。")
        self._set_password(op.login, new_password, must_change=False, action=Action.PASSWORD_CHANGED, actor=login)

    def reset_password(self, login: str, new_password: str, *, actor: str = "system") -> None:
        """Set a new password (admin/supervisor); clears a lockout and asks for a change at next login."""
        self.get(login)
        _validate_password(new_password, field="新密码")
        self._set_password(login, new_password, must_change=True, action=Action.PASSWORD_RESET, actor=actor)

    def _set_password(self, login: str, password: str, *, must_change: bool, action: str, actor: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE operators SET password_hash = ?, must_change_password = ?, failed_logins = 0, "
                "locked_until = NULL, password_changed_at = ? WHERE login = ?",
                [hash_password(password, n=self._scrypt_n), int(must_change), self._clock().isoformat(), login],
            )
            self._audit.append(action, actor=actor, login=login)

    def unlock(self, login: str, *, actor: str) -> None:
        self.get(login)
        with self._db.write() as conn:
            conn.execute("UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE login = ?", [login])
            self._audit.append(Action.UNLOCK, actor=actor, login=login)

    def set_active(self, login: str, active: bool, *, actor: str) -> None:
        self.get(login)
        with self._db.write() as conn:
            conn.execute("UPDATE operators SET active = ? WHERE login = ?", [int(active), login])
            self._audit.append(Action.SUPERVISOR_OVERRIDE, actor=actor, login=login, active=active)

    def ensure_demo_clerk(self) -> Operator | None:
        """Create the demo clerk on the very first run (no operators yet); ``None`` when not created."""
        with self._db.write() as conn:
            flag = conn.conn.execute("SELECT value FROM meta WHERE key = ?", [DEMO_FLAG]).fetchone()
            if flag is not None or self.count() > 0:
                return None
            op = self.add(DEMO_LOGIN, DEMO_NAME, Role.CLERK, DEMO_PASSWORD, is_demo=True)
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [DEMO_FLAG, self._clock().isoformat()])
            return op
