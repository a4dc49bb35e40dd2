"""A settable clock shared by the store and sandbox tests (the ``clock`` fixture in conftest.py hands one out)."""

from __future__ import annotations

from datetime import UTC, datetime

# 09:30 in Qingdao on a Sunday: the case numbers in the store tests carry this China date (20261122).
DEFAULT_NOW = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)


class Clock:
    """A clock a test moves by hand (``clock.now += timedelta(...)``); calling it gives the current time."""

    def __init__(self, start: datetime = DEFAULT_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now
