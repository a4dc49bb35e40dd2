"""Running ``counter`` in-process for the hostile-input tests: exit code, stdout and stderr of one argv."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from counter_app.cli import main
from counter_app.commands import defaults

# What must never reach a terminal raw: ESC, BEL, C1 CSI, RLO/LRO/isolates, zero-width joiner, NUL.
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u202d", "\u2066", "\u200d", "\x00")


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def clean(self) -> bool:
        """Exit 0, 1 or 2; no traceback or internal error; exit 2 says why on one line; nothing raw echoed."""
        if self.code not in (0, 1, 2) or "Traceback" in self.err or "内部错误" in self.err:
            return False
        if any(c in self.err or c in self.out for c in RAW_CONTROLS):
            return False
        if self.code == 2:
            lines = self.err.strip().splitlines()
            return len(lines) == 1 and "错误" in lines[0]
        return True


def run_counter(argv: list[str], stdin: str = "") -> Run:
    """``counter *argv`` in this process, stdin not a terminal; an exception escaping ``main`` propagates
    (it would be a traceback on the terminal)."""
    defaults.settings.cache_clear()  # the settings are read once per run, as in a real process
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin = saved
    return Run(tuple(argv), int(code), out.getvalue(), err.getvalue())
