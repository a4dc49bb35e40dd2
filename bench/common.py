"""What every benchmark reports: a figure, and its ratio to a baseline measured in the same run.

Machines are shared and noisy, so absolute times say little; a ratio against a baseline timed moments apart on
the same machine says more. Nothing here asserts a time: the table is read by people.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One line of the benchmark table."""

    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("inf")


def best_of(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Best wall time of ``repeat`` rounds of ``number`` calls, in seconds per call (least disturbed round)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best
