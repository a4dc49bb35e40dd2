"""``counter sandbox``: serves the sandbox on loopback over real HTTP; refuses a non-loopback host by default."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from counter_app.commands import CommandError
from counter_app.commands import sandbox as sandbox_command
from counter_app.services import sandbox as sandbox_service

ROOT = Path(__file__).resolve().parents[1]
STARTUP_LIMIT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="counter")
    sandbox_command.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["sandbox", *argv])


def test_serves_health_on_loopback() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "counter_app", "sandbox", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        answer: httpx.Response | None = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        if answer is None:
            proc.kill()
            _out, err = proc.communicate(timeout=10)
            pytest.fail(f"sandbox did not answer within {STARTUP_LIMIT} s (exit {proc.returncode}): {err.decode()}")
        assert answer.status_code == 200 and answer.json()["status"] == "ok"
        roster = httpx.get(f"http://127.0.0.1:{port}/v1/_sandbox/roster", timeout=5.0).json()
        assert len(roster["households"]) >= 12
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode is not None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::"])
def test_non_loopback_host_is_refused(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(sandbox_service, "serve_sandbox", lambda h, p, s=None: served.append((h, p)))
    with pytest.raises(CommandError, match="--host") as info:
        sandbox_command.handle(parse(["--host", host]))
    assert "--allow-remote" in str(info.value) and host in str(info.value)
    assert served == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_are_served(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(sandbox_service, "serve_sandbox", lambda h, p, s=None: served.append((h, p)))
    assert sandbox_command.handle(parse(["--host", host, "--port", "9123"])) == 0
    assert served == [(host, 9123)]


def test_allow_remote_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(sandbox_service, "serve_sandbox", lambda h, p, s=None: served.append((h, p)))
    assert sandbox_command.handle(parse(["--host", "0.0.0.0", "--allow-remote"])) == 0
    assert sandbox_command.handle(parse([])) == 0
    assert served == [("0.0.0.0", sandbox_service.DEFAULT_PORT), ("127.0.0.1", sandbox_service.DEFAULT_PORT)]
    assert sandbox_command.DEFAULT_PORT == sandbox_service.DEFAULT_PORT


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_bad_port_exits_2(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse(["--port", port])
    assert info.value.code == 2
    assert "端口" in capsys.readouterr().err
