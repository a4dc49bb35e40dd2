"""Test-wide settings: deterministic hypothesis, no colour suppression, no stray config files."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Property tests must give the same answer on every run and every machine (shared, noisy CI).
settings.register_profile(
    "counter",
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("counter")

# Snapshot tests compare colours; NO_COLOR in a developer's shell would change every SVG.
os.environ.pop("NO_COLOR", None)
# Never read a developer's own settings file during tests.
os.environ["COUNTER_CONFIG"] = os.devnull
for _name in [k for k in os.environ if k.startswith("COUNTER_") and k != "COUNTER_CONFIG"]:
    os.environ.pop(_name)
