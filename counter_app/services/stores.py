"""Opening the local store from settings: the one place that knows which files the store lives in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from counter_app.settings import Settings

if TYPE_CHECKING:
    from local_cache import Store


def open_store(
    settings: Settings,
    *,
    create_key: bool = True,
    demo_clerk: bool = False,
    clock: Callable[[], datetime] | None = None,
    any_suite: bool = False,
) -> Store:
    """Open (creating on first run) the database and key named by the settings.

    ``demo_clerk``: the app asks for it at start; set-up commands do not, so that adding the first real operator
    never leaves a demo account behind. ``any_suite``: open the store in whatever suite it was written with, even
    when the ``crypto_suite`` setting names the other one (``counter store rekey`` and ``info``).
    """
    from datetime import timedelta

    from local_cache import Store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(
        settings.database_file,
        settings.key_file,
        workstation_id=settings.workstation_id,
        create_key=create_key,
        max_failed_logins=settings.lockout_failures,
        lockout=timedelta(minutes=settings.lockout_minutes),
        clock=clock,
        suite=None if any_suite else settings.store_suite,
    )
    if demo_clerk and settings.uses_sandbox:
        # The demo clerk exists only beside the sandbox, and only on the very first run.
        store.operators.ensure_demo_clerk()
    return store
