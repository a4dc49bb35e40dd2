"""``counter serve``: the app through textual-serve, answering a browser on loopback only."""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from counter_app.services.serve import ServeError, app_command, check_host, is_loopback, public_url_for

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "COUNTER_CONFIG": os.devnull, "COUNTER_DATA_DIR": str(tmp)}


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    """Sub-commands registered in ``counter`` (the lead wires new ones into counter_app/cli.py)."""
    return {
        name for action in parser._actions if isinstance(action, argparse._SubParsersAction) for name in action.choices
    }


def _entry() -> list[str]:
    from counter_app.cli import build_parser

    if "serve" in _commands(build_parser()):
        return ["-m", "counter_app", "serve"]
    return ["-m", "counter_app.commands.serve"]


def test_serve_answers_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, *_entry(), "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        status, body = 0, ""
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text("utf-8", "replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status, body = response.status, response.read().decode("utf-8", "replace")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        assert status == 200
        assert "<html" in body.lower()
        # The page's websocket points back at the loopback address it was served on.
        assert f"ws://127.0.0.1:{port}/ws" in body
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_remote_host_needs_allow_remote(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "counter_app.commands.serve", "--host", "0.0.0.0", "--port", str(_free_port())],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "监听地址（--host）为“0.0.0.0”，不是本机回环地址" in out.stderr
    assert "--allow-remote" in out.stderr


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_bad_port_exits_2(tmp_path: Path, port: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "counter_app.commands.serve", "--port", port],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "端口" in out.stderr


def test_host_rules_and_command() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("192.168.1.5") and not is_loopback("counter.example")
    check_host("192.168.1.5", allow_remote=True)
    with pytest.raises(ServeError, match="--allow-remote"):
        check_host("192.168.1.5", allow_remote=False)
    with pytest.raises(ServeError, match="为空"):
        check_host(" ", allow_remote=True)
    assert public_url_for("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert public_url_for("::1", 8000) == "http://[::1]:8000"
    assert public_url_for("0.0.0.0", 8000, "https://counter.example/") == "https://counter.example"
    # The served command is this interpreter running ``counter`` itself, safely quoted for the shell.
    assert shlex.split(app_command()) == [sys.executable, "-m", "counter_app"]
    assert shlex.split(app_command(["/opt/my env/python", "-m", "counter_app"]))[0] == "/opt/my env/python"
