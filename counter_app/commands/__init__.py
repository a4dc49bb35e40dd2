"""Sub-commands of ``counter``; each module has ``register(subparsers)`` and sets ``handler``."""

from __future__ import annotations

from types import ModuleType


class CommandError(Exception):
    """A user error in a command's arguments; printed without a traceback, exit status 2."""


def _modules() -> list[ModuleType]:
    from counter_app.commands import calc, config, deadline, materials

    return [calc, materials, deadline, config]


ALL_COMMANDS: list[ModuleType] = _modules()
