"""What a sub-command takes from the settings when its own option is not given (the policy, the holiday file).

The settings are read only when an option is missing, so ``counter calc --rate 2.6`` or ``--policy sichuan``
work even where the settings file is broken; where they are needed and invalid the command exits 2 with the
validation message, as the app refuses to start on them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pydantic import ValidationError

from counter_app.commands import CommandError

if TYPE_CHECKING:
    from counter_app.settings import Settings


@cache
def settings() -> Settings:
    """The settings as the app reads them (defaults < TOML file < ``COUNTER_*``), once per run."""
    from counter_app.settings import load_settings

    try:
        return load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效 invalid settings：\n{exc}") from exc


def policy_code(explicit: str | None) -> str:
    """The policy pack to use: ``--policy`` when given, else the ``policy`` setting (``COUNTER_POLICY``)."""
    return explicit or settings().policy
