"""The real ``counter`` command in a real terminal (tmux): it starts, the demo clerk logs in, home shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
COUNTER = Path(sys.executable).with_name("counter")


def _capture(session: str) -> str:
    done = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=False)
    return done.stdout


def _wait_for(session: str, text: str, deadline: float) -> str:
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"“{text}” did not appear; the pane shows:\n{screen}")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.skipif(not COUNTER.exists(), reason="the counter command is not installed in this environment")
def test_counter_command_logs_in_to_home_in_tmux(tmp_path: Path) -> None:
    session = f"counter-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "COUNTER_DATA_DIR": str(tmp_path / "data"),
        "COUNTER_CONFIG": os.devnull,
        "TERM": "xterm-256color",
    }
    # -e as well as env: a tmux server that is already running would not pass our environment on otherwise,
    # and the counter would open the developer's own data directory.
    pinned = [f"{k}={env[k]}" for k in ("COUNTER_DATA_DIR", "COUNTER_CONFIG", "TERM")]
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36"]
        + [arg for item in pinned for arg in ("-e", item)]
        + [str(COUNTER)],
        env=env,
        check=True,
    )
    try:
        deadline = time.monotonic() + 30
        _wait_for(session, "操作员登录", deadline)
        subprocess.run(["tmux", "send-keys", "-t", session, "demo", "Enter"], check=True)
        time.sleep(0.3)
        subprocess.run(["tmux", "send-keys", "-t", session, "demo1234", "Enter"], check=True)
        screen = _wait_for(session, "今日案件", deadline)
        assert "暂存草稿" in screen
        assert "演示" in screen or "demo" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
