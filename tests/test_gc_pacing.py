"""Full garbage collections wait for a quiet keyboard (counter_app/gc_pacing.py): none between two keys of a clerk
typing steadily, one once the keys stop, one at the latest every COLLECT_AT_LEAST_EVERY seconds; the interpreter's
own thresholds come back when the app stops."""

from __future__ import annotations

import gc

from counter_app.gc_pacing import COLLECT_AT_LEAST_EVERY, QUIET_SECONDS, GcPacing


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_collections_wait_for_the_keys_to_stop() -> None:
    clock = Clock()
    pacing = GcPacing(clock=clock, collect=lambda: 0)
    for _ in range(100):  # a key every 30 ms for 3 s, ticks in between
        pacing.key()
        clock.now += 0.03
        pacing.tick()
    assert pacing.collections == 0
    clock.now += QUIET_SECONDS
    pacing.tick()
    assert pacing.collections == 1
    clock.now += 5
    pacing.tick()
    assert pacing.collections == 1  # no key since: nothing new to collect


def test_a_keyboard_never_quiet_still_gets_a_collection() -> None:
    clock = Clock()
    pacing = GcPacing(clock=clock, collect=lambda: 0)
    steps = int(COLLECT_AT_LEAST_EVERY / 0.03) + 2
    for _ in range(steps):
        pacing.key()
        clock.now += 0.03
        pacing.tick()
    assert pacing.collections == 1


def test_automatic_full_collections_are_off_while_running_and_restored_after() -> None:
    before = gc.get_threshold()
    pacing = GcPacing()
    pacing.start()
    try:
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2] and full > 1000 * before[2]
    finally:
        pacing.stop()
    assert gc.get_threshold() == before


def test_what_exists_at_login_is_set_aside_until_the_app_stops() -> None:
    assert gc.get_freeze_count() == 0
    pacing = GcPacing()
    pacing.start()
    try:
        pacing.settle()
        assert gc.get_freeze_count() > 0 and pacing.collections == 0
    finally:
        pacing.stop()
    assert gc.get_freeze_count() == 0
