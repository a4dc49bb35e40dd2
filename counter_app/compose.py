"""The composition root: the one place where production code wires the embedded sandbox into the counter.

When the settings give no gateway or platform URL, the counter runs on the in-process sandbox (``make run``, the
demo, training). The services themselves only receive transports: ``counter_app.services`` and ``screens`` may not
import the sandbox (import-linter "protected" contract in pyproject.toml, and ``tests/test_layers.py``), so that a
stand-in for the registries can never be reached by accident from a counter configured for the real ones.

The ``counter`` command (through :func:`counter_app.app.make_app`), ``counter print`` and the tests and scripts
open their workstation here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from counter_app.services.stores import open_store
from counter_app.services.workstation import Workstation
from counter_app.settings import Settings

if TYPE_CHECKING:
    import httpx

    from counter_app.services.sandbox import Sandbox
    from counter_app.services.sync import SyncEngine
    from local_cache import Store


def open_workstation(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    store: Store | None = None,
    sandbox: Sandbox | None = None,
) -> Workstation:
    """The counter's workstation on ``settings``: the store, and the embedded sandbox where no URL is set.

    ``store``: an already open store (tests keep their own reference to set up data); by default the store the
    settings name is opened, with the demo clerk beside the sandbox. ``sandbox``: the sandbox to use when one is
    needed (tests and scripts keep a reference to inject faults or move the platform on); by default a fresh one
    on the workstation's clock.
    """
    if store is None:
        store = open_store(settings, demo_clerk=True, clock=clock)
    if not settings.uses_sandbox:
        return Workstation(settings, store, clock=clock)
    # Imported only when used: the sandbox pulls in starlette and the roster.
    from counter_app.services.sandbox import EMBEDDED_BASE_URL, make_transport
    from counter_app.services.sandbox.app import Sandbox

    if sandbox is None:
        # One sandbox for lookups and sync, so both see the same registries and platform; on the workstation's
        # clock, so a frozen clock in tests or training freezes the registries' answers too.
        sandbox = Sandbox(clock=clock) if clock is not None else Sandbox()
    return Workstation(
        settings,
        store,
        clock=clock,
        gateway_transport=None if settings.gateway_url else make_transport(sandbox),
        platform_transport=None if settings.platform_url else make_transport(sandbox),
        platform_base_url=EMBEDDED_BASE_URL,
    )


def sync_engine(settings: Settings, store: Store) -> SyncEngine:
    """``counter sync``'s engine: HTTP to the platform URL, or the embedded sandbox's platform when none is set."""
    from counter_app.services.sync import SyncEngine, make_engine

    if settings.platform_url.strip():
        return make_engine(settings, store)
    from counter_app.services.sandbox import EMBEDDED_BASE_URL, make_transport

    return SyncEngine(store, make_transport(), base_url=EMBEDDED_BASE_URL)


def platform_client(settings: Settings) -> httpx.AsyncClient:
    """An HTTP client to the platform (``counter master``): ``platform_url``, or a fresh embedded sandbox."""
    import httpx

    url = settings.platform_url.strip()
    if url:
        return httpx.AsyncClient(base_url=url, timeout=10.0)
    from counter_app.services.sandbox import EMBEDDED_BASE_URL, make_transport

    return httpx.AsyncClient(transport=make_transport(), base_url=EMBEDDED_BASE_URL, timeout=10.0)
