"""Sub-commands of ``counter``; each module has ``register(subparsers)`` and sets ``handler``."""

from __future__ import annotations


class CommandError(Exception):
    """A user error in a command's arguments; printed without a traceback, exit status 2."""
