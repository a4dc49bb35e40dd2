"""Driving the real ``counter`` command in tmux (120×36), keys sent one at a time at a practised clerk's 30 ms."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")
COUNTER = Path(sys.executable).with_name("counter")
KEY_DELAY = 0.03


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def wait_for(session: str, text: str, deadline: float) -> str:
    """The pane once ``text`` shows on it; fails with the pane's text at ``deadline``."""
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"“{text}” did not appear; the pane shows:\n{screen}")


def keys(session: str, *names: str) -> None:
    """Named keys (Tab, Enter, PageDown) one at a time."""
    for key in names:
        tmux("send-keys", "-t", session, key)
        time.sleep(KEY_DELAY)


def type_text(session: str, text: str) -> None:
    """Characters one at a time, Chinese included (as an input method commits them)."""
    for char in text:
        tmux("send-keys", "-t", session, "-l", char)
        time.sleep(KEY_DELAY)


def start(data: Path, name: str) -> str:
    """A new tmux session running ``counter`` on ``data``; returns the session's name."""
    session = f"counter-{name}-{uuid.uuid4().hex[:8]}"
    # -e as well as env: a tmux server that is already running would not pass our environment on otherwise.
    pinned = [f"COUNTER_DATA_DIR={data}", f"COUNTER_CONFIG={os.devnull}", "TERM=xterm-256color", "LANG=C.UTF-8"]
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36"]
        + [arg for item in pinned for arg in ("-e", item)]
        + [str(COUNTER)],
        env={**os.environ, "COUNTER_DATA_DIR": str(data), "COUNTER_CONFIG": os.devnull},
        check=True,
    )
    return session


def log_in(session: str, deadline: float) -> None:
    """The demo clerk, typed without waiting for anything but the login screen itself."""
    wait_for(session, "操作员登录", deadline)
    type_text(session, "demo")
    keys(session, "Enter")
    type_text(session, "demo1234")
    keys(session, "Enter")


def open_new_case_at_people(session: str, deadline: float) -> None:
    """Log in as the demo clerk, press ``n`` and PageDown to the people step (focus on the applicant's ID number).

    Nothing waits for the case screen: keys typed while it opens, or while a step changes, wait for the field that
    will have focus (screens/key_hold.py), so the caller types on at once."""
    log_in(session, deadline)
    wait_for(session, "今日案件", deadline)
    keys(session, "n", "PageDown")
