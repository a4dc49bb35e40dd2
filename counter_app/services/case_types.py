"""Small types shared by the case services (and the screens): who is working, what went wrong, China time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


class LoginError(Exception):
    """Login refused; the message says why (wrong password with attempts left, or locked until when)."""


class IntakeError(Exception):
    """A step the clerk cannot take now; the message is Chinese and says what to do instead."""


@dataclass(frozen=True)
class OperatorRef:
    """Who is working the case (no password, no store types: safe to hand to screens)."""

    id: int
    login: str
    name: str
    role: str

    @property
    def actor(self) -> str:
        return self.login
