"""Retrying: the one backoff formula, the gateway's retry policy and the sync engine's backoff.

Both the verification gateway (seconds between attempts of one lookup) and the sync engine (minutes between
rounds for one outbox entry) wait ``base, 2·base, 4·base ...`` capped at a ceiling after each failure; they
differ only in parameters and in jitter, which the sync engine needs so that a whole queue does not hit a
recovering platform at the same instant. No I/O here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Backoff", "RetryPolicy"]

# 2**30 times any sensible base is far beyond every ceiling; the cap keeps huge attempt counts from overflowing.
_MAX_DOUBLINGS = 30

# The shortest an attempt of a lookup is given (seconds) when the deadline allows it: a registry that is merely slow
# must not be cut off sooner, while a hung connection is still abandoned early enough to try again.
ATTEMPT_FLOOR = 3.0


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: ``base`` seconds after the first failure, doubling after each, at most ``ceiling``."""

    base: float
    ceiling: float
    jitter: bool = False
    """Wait ``d/2 + U(0, d/2)`` instead of ``d`` ("equal jitter"): never zero, and spread out."""

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure in a row (1-based).

        With ``jitter`` the random part is drawn from ``rng`` (a seeded one makes it reproducible).
        """
        doublings = min(max(failures - 1, 0), _MAX_DOUBLINGS)
        d = float(min(self.ceiling, self.base * 2**doublings))
        if not self.jitter:
            return d
        return d / 2 + (rng or random).uniform(0, d / 2)


class RetryPolicy(BaseModel):
    """The verification gateway's timeouts, retries and offline switch; seconds throughout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(3, ge=1, le=10)
    backoff_base: float = Field(0.2, ge=0)
    backoff_max: float = Field(2.0, ge=0)
    attempt_timeout: float = Field(3.0, gt=0)
    lookup_timeout: float = Field(8.0, gt=0)
    failure_threshold: int = Field(3, ge=1)
    probe_timeout: float = Field(2.0, gt=0)
    probe_interval: float = Field(15.0, ge=0)

    @classmethod
    def for_deadline(cls, lookup_timeout: float, *, floor: float = ATTEMPT_FLOOR, **fields: Any) -> RetryPolicy:
        """The policy for a lookup deadline of ``lookup_timeout`` seconds (the ``lookup_timeout_seconds`` setting).

        Each attempt gets an equal share of the deadline, ``lookup_timeout / attempts``, but at least ``floor``
        (3 s) and never more than the deadline itself: 8 s -> 3 s per attempt, 30 s -> 10 s, 2 s -> 2 s. So a raised
        setting lets a slow registry answer (a 5 s registry from 16 s on), and a hung attempt still leaves
        time for the next one. ``fields`` are the policy's other fields (``attempts`` included).
        """
        attempts = int(fields.pop("attempts", cls.model_fields["attempts"].default))
        share = max(lookup_timeout / attempts, floor)
        return cls(
            attempts=attempts, lookup_timeout=lookup_timeout, attempt_timeout=min(share, lookup_timeout), **fields
        )

    @property
    def schedule(self) -> Backoff:
        # No jitter: one lookup's attempts are seconds apart and a clerk is waiting; nothing to spread out.
        return Backoff(base=self.backoff_base, ceiling=self.backoff_max)

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt ``attempt`` (1-based): base, 2·base, 4·base ... capped."""
        return self.schedule.delay(attempt)
