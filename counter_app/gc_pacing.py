"""Python's full garbage collections, moved to the moments the clerk is not typing.

Measured in a real terminal (bench/bench_terminal.py): while a clerk typed a case, the interpreter ran a full
(generation 2) collection about once a second, each pausing the event loop 50-150 ms, so whichever key came next
was painted that much later. Nothing is wrong with the garbage: Textual allocates many short-lived objects per frame,
and widgets hold reference cycles (parent and children). So the automatic full collections are switched off while
the app runs, and :class:`GcPacing` runs one itself once the keyboard has been quiet for a moment (the clerk reads
the screen, waits for a lookup, talks to the citizen), and at the latest every :data:`COLLECT_AT_LEAST_EVERY`
seconds. The young generations are still collected automatically (a few milliseconds each); thresholds are
restored when the app stops. What exists once the clerk has logged in is frozen out of later collections (settle).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from time import monotonic

QUIET_SECONDS = 1.5
"""Keys quiet this long: the clerk is reading, waiting or talking, and a full collection now disturbs nobody."""
COLLECT_AT_LEAST_EVERY = 30.0
"""However busy the keyboard: garbage in reference cycles never waits longer than this."""
# Automatic full collections off: CPython starts one when this many young collections have passed (10 by default).
_NO_AUTOMATIC_FULL = 1_000_000


class GcPacing:
    """``start()`` when the app mounts, ``key()`` for every key, ``tick()`` a few times a second, ``stop()`` at the
    end."""

    def __init__(self, clock: Callable[[], float] = monotonic, collect: Callable[[], object] = gc.collect) -> None:
        self._clock = clock
        self._collect = collect
        self._saved: tuple[int, int, int] | None = None
        self._last_key = self._last_collect = clock()
        self._since_collect = False  # keys since the last full collection (nothing new to collect otherwise)
        self._frozen = False
        self.collections = 0

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, _NO_AUTOMATIC_FULL)

    def settle(self) -> None:
        """Once the clerk is logged in: what exists now (modules, the app, home) lives as long as the app, so it is
        set aside from every later full collection (``gc.freeze``), which then looks at this session's objects only
        and takes tens of milliseconds instead of a hundred or more. Called once per login: a screen alive now that
        later becomes garbage in a cycle (the login screen) is left to the process's end, a bounded cost."""
        self._collect()
        gc.freeze()
        self._frozen = True
        self._last_collect = self._clock()
        self._since_collect = False

    def stop(self) -> None:
        if self._frozen:
            gc.unfreeze()  # an app that ends before the process does (tests) leaves nothing set aside for good
            self._frozen = False
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def key(self) -> None:
        self._last_key = self._clock()
        self._since_collect = True

    def tick(self) -> None:
        now = self._clock()
        quiet = now - self._last_key >= QUIET_SECONDS
        overdue = now - self._last_collect >= COLLECT_AT_LEAST_EVERY
        if (self._since_collect and quiet) or overdue:
            self._collect()
            self.collections += 1
            self._last_collect = now
            self._since_collect = False
