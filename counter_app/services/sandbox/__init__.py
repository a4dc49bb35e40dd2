"""The sandbox (测试环境): the verification gateway and the back-office platform on a fictitious roster.

- :func:`create_sandbox` / :func:`create_app` build one in-memory sandbox (nothing happens at import time);
- :func:`make_transport` gives the ``httpx.ASGITransport`` the app uses in-process when no URL is configured;
- :func:`serve_sandbox` serves it over real HTTP with uvicorn (``counter sandbox [--port N]``).

Gateway and platform share one sandbox so that a case's lookups and its sync see the same world.
"""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from counter_app.services.sandbox.app import Sandbox
from counter_app.services.sandbox.faults import FAULT_HEADER, FaultMode, FaultPlan, SandboxSettings
from counter_app.services.sandbox.roster import Household, Roster, RosterIndex, default_index, load_roster

__all__ = [
    "EMBEDDED_BASE_URL",
    "FAULT_HEADER",
    "FaultMode",
    "FaultPlan",
    "Household",
    "Roster",
    "RosterIndex",
    "Sandbox",
    "SandboxSettings",
    "create_app",
    "create_sandbox",
    "default_index",
    "load_roster",
    "make_transport",
    "serve_sandbox",
]

# The base URL clients use with the in-process transport; the host is never resolved.
EMBEDDED_BASE_URL = "http://sandbox.invalid"
DEFAULT_PORT = 8765


def create_sandbox(settings: SandboxSettings | None = None) -> Sandbox:
    """A fresh sandbox (settings from ``COUNTER_SANDBOX_*`` when none are given)."""
    return Sandbox(settings)


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """The ASGI app of a fresh sandbox; the sandbox itself is ``app.state.sandbox``."""
    return create_sandbox(settings).app


def make_transport(sandbox: Sandbox | None = None) -> httpx.ASGITransport:
    """An in-process transport to ``sandbox`` (a fresh one if not given); use with :data:`EMBEDDED_BASE_URL`.

    Share one sandbox between the gateway client and the sync engine so that both see the same state.
    """
    return httpx.ASGITransport(app=(sandbox or create_sandbox()).app)


def serve_sandbox(host: str = "127.0.0.1", port: int = DEFAULT_PORT, settings: SandboxSettings | None = None) -> None:
    """Serve the sandbox with uvicorn until interrupted (blocking). Loopback by default: it is a test double."""
    import uvicorn  # only the server needs it; importing it lazily keeps ``counter`` start-up light

    print(f"沙箱已启动：http://{host}:{port}（核验网关与一件事平台；Ctrl+C 退出）", flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
