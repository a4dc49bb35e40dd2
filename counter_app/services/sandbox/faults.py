"""Fault injection for the sandbox: latency, error rate, timeouts, malformed bodies and HTTP 500.

Two sources, merged per request (the header wins field by field):

- settings (:class:`SandboxSettings`, env ``COUNTER_SANDBOX_*``), for a whole training session;
- the ``X-Sandbox-Fault`` request header, for tests: ``latency=200, error_rate=0.5, timeout, malformed, http500,
  seed=7``. ``latency`` is milliseconds; bare ``timeout``/``malformed``/``http500`` mean "always".

Random decisions are deterministic: each draw comes from ``Random(f"{seed}:{request_id}:{attempt}")``, so the same
request id fails or succeeds the same way on every run, while its retries (same request id, next attempt) draw
afresh and can recover.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

FAULT_HEADER = "X-Sandbox-Fault"


class SandboxSettings(BaseSettings):
    """Sandbox behaviour; defaults give a well-behaved sandbox that answers at once."""

    model_config = SettingsConfigDict(env_prefix="COUNTER_SANDBOX_", extra="forbid")

    app_key: str = "sandbox-app"
    """The application key the sandbox gateway accepts (matches the counter's default)."""

    app_secret: str = "sandbox-secret"
    """The secret that signs requests for ``app_key`` (matches the counter's default)."""

    timestamp_tolerance_seconds: int = Field(300, ge=1)
    """How far X-Timestamp may be from the sandbox's clock before a request is refused (replay protection)."""

    seed: int = 0
    """Seed of the deterministic fault decisions."""

    latency_ms: int = Field(0, ge=0, le=60_000)
    """Latency added to every gateway answer, in milliseconds."""

    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    """Share of gateway requests answered with HTTP 500."""

    timeout_rate: float = Field(0.0, ge=0.0, le=1.0)
    """Share of gateway requests that hang (the client's timeout must cut them)."""

    malformed_rate: float = Field(0.0, ge=0.0, le=1.0)
    """Share of gateway requests answered with a truncated JSON body."""

    hang_seconds: float = Field(30.0, gt=0, le=600)
    """How long a hanging request sleeps before the sandbox gives up on it itself."""

    advance_after_seconds: float = Field(60.0, ge=0)
    """Platform cases move one status step after this many seconds; 0 means only on command."""


class FaultMode(StrEnum):
    """What the sandbox does to one request."""

    NONE = "none"
    HTTP500 = "http500"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class FaultPlan:
    """The effective faults of one request (settings merged with the header)."""

    seed: int = 0
    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0

    @classmethod
    def from_settings(cls, settings: SandboxSettings) -> FaultPlan:
        return cls(
            seed=settings.seed,
            latency_ms=settings.latency_ms,
            error_rate=settings.error_rate,
            timeout_rate=settings.timeout_rate,
            malformed_rate=settings.malformed_rate,
        )

    def with_header(self, header: str | None) -> FaultPlan:
        """Merge an ``X-Sandbox-Fault`` header; raises ValueError on an unknown or malformed item."""
        if not header:
            return self
        plan = self
        for raw in header.split(","):
            item = raw.strip()
            if not item:
                continue
            name, _, value = item.partition("=")
            name, value = name.strip().lower(), value.strip()
            if name == "latency":
                plan = replace(plan, latency_ms=_bounded_int(name, value, 0, 60_000))
            elif name == "seed":
                plan = replace(plan, seed=_bounded_int(name, value, -(2**31), 2**31))
            elif name == "error_rate":
                plan = replace(plan, error_rate=_rate(name, value))
            elif name == "timeout_rate":
                plan = replace(plan, timeout_rate=_rate(name, value))
            elif name == "malformed_rate":
                plan = replace(plan, malformed_rate=_rate(name, value))
            elif name == "http500" and not value:
                plan = replace(plan, error_rate=1.0)
            elif name == "timeout" and not value:
                plan = replace(plan, timeout_rate=1.0)
            elif name == "malformed" and not value:
                plan = replace(plan, malformed_rate=1.0)
            else:
                raise ValueError(f"unknown fault item {item!r}")
        return plan

    def decide(self, request_id: str, attempt: int) -> FaultMode:
        """One deterministic draw per (seed, request id, attempt)."""
        draw = random.Random(f"{self.seed}:{request_id}:{attempt}").random()
        # Consecutive bands of [0, 1): a rate of 1.0 always hits its band.
        edge = 0.0
        for rate, mode in (
            (self.timeout_rate, FaultMode.TIMEOUT),
            (self.error_rate, FaultMode.HTTP500),
            (self.malformed_rate, FaultMode.MALFORMED),
        ):
            if rate >= 1.0:
                return mode
            edge += rate
            if draw < edge:
                return mode
        return FaultMode.NONE


def _bounded_int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be within {low}..{high}, got {number}")
    return number


def _rate(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be within 0..1, got {number}")
    return number
