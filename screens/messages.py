"""Messages the app sends to whichever screen is current (it never calls a screen's methods by name)."""

from __future__ import annotations

from textual.message import Message


class RefreshData(Message):
    """The background round brought news (statuses, flags): a screen that shows stored data redraws it."""


class SavePosition(Message):
    """The screen is about to be covered (the lock screen): save where the clerk is. Typed text is already saved."""
