"""One backoff formula for the gateway client and the sync engine (counter_app.services.retry)."""

from __future__ import annotations

import random

from counter_app.services.gateway import RetryPolicy as FromGateway
from counter_app.services.gateway_models import RetryPolicy as FromModels
from counter_app.services.retry import Backoff, RetryPolicy
from counter_app.services.sync import SyncPolicy


def test_doubling_capped_without_jitter() -> None:
    assert [Backoff(base=0.2, ceiling=2.0).delay(n) for n in range(1, 7)] == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_gateway_policy_uses_the_formula_and_is_still_importable_from_its_old_homes() -> None:
    assert FromGateway is RetryPolicy and FromModels is RetryPolicy
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_sync_backoff_is_the_same_formula_with_equal_jitter() -> None:
    schedule = SyncPolicy(base_delay=2.0, max_delay=600.0).backoff
    rng = random.Random(7)
    for failures in (1, 2, 5, 10, 10_000):  # a huge count must not overflow
        d = Backoff(base=2.0, ceiling=600.0).delay(failures)
        assert d / 2 <= schedule.delay(failures, rng) <= d
    # Seeded: reproducible.
    assert schedule.delay(3, random.Random(1)) == schedule.delay(3, random.Random(1))
