"""``counter serve`` for a browser on the LAN (issue 14, item 6): the page's every URL is the browser's own origin.

Everything runs on loopback: the server binds 127.0.0.1 and the requests carry the Host header a tablet on the LAN
would send (``192.168.1.20:8000``), as a browser reaching the counter by its LAN address does.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAN_HOST = "192.168.1.20:8000"
LAN_ORIGIN = f"http://{LAN_HOST}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str = "/", headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@contextmanager
def _serving(tmp_path: Path, *options: str) -> Iterator[int]:
    """``counter serve`` on 127.0.0.1 with ``options``, in its own process group (its sessions die with it)."""
    port = _free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "COUNTER_CONFIG": os.devnull, "COUNTER_DATA_DIR": str(tmp_path / "data")}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "counter_app.commands.serve", "--host", "127.0.0.1", "--port", str(port), *options],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log_path.read_text("utf-8", "replace")
                assert time.monotonic() < deadline, "counter serve did not answer within 30 s"
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            yield port
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            # The per-tab ``counter`` processes share the group; none may outlive the test.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


class _UrlCollector(HTMLParser):
    """Every URL a browser would fetch or connect to: src/href, url(...) in CSS, and data-* attributes naming one."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "action", "poster") or (name.startswith("data-") and "://" in value):
                self.urls.append(value)
            if name == "style":
                self.urls.extend(_css_urls(value))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    found = [m.strip("'\" ") for m in re.findall(r"url\(([^)]*)\)", css)]
    return found + re.findall(r"@import\s+[\"']([^\"']+)", css)


def _page_urls(html: str) -> list[str]:
    collector = _UrlCollector()
    collector.feed(html)
    # Any absolute http(s)/ws(s) address anywhere in the page (inline scripts included) counts too.
    return collector.urls + re.findall(r"(?:https?|wss?)://[^\s\"'<>)]+", html)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


def test_lan_page_names_only_the_browsers_own_origin(tmp_path: Path) -> None:
    with _serving(tmp_path, "--allow-remote") as port:
        status, page = _get(port, headers={"Host": LAN_HOST})
        assert status == 200, page
        urls = [urljoin(f"{LAN_ORIGIN}/", url) for url in _page_urls(page)]
        assert urls, page
        loopback = [u for u in urls if re.search(r"//(127\.|localhost|\[::1\]|0\.0\.0\.0)", u)]
        foreign = [u for u in urls if _origin(u) != LAN_ORIGIN and u not in loopback]
        assert not loopback and not foreign, f"loopback: {loopback}; third-party or another host: {foreign}"
        assert f"ws://{LAN_HOST}/ws" in urls
        # The assets it names exist: script, stylesheet, the local Roboto Mono that replaces Google Fonts.
        assets = sorted({urlsplit(u).path for u in urls if u.startswith("http")})
        assert any(path.endswith(".ttf") for path in assets), assets
        assert any(path.endswith("/textual.js") for path in assets), assets
        for path in assets:
            assert _get(port, path, {"Host": LAN_HOST})[0] == 200, path


def test_forwarded_headers_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    forwarded = {"Host": "127.0.0.1:8000", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "counter.example"}
    with _serving(tmp_path, "--allow-remote") as port:
        page = _get(port, headers=forwarded)[1]
        assert "ws://127.0.0.1:8000/ws" in page and "counter.example" not in page
    with _serving(tmp_path, "--allow-remote", "--trusted-proxy", "127.0.0.1") as port:
        page = _get(port, headers=forwarded)[1]
        assert 'data-session-websocket-url="wss://counter.example/ws"' in page
        assert 'src="https://counter.example/static/js/textual.js"' in page


def test_public_url_is_the_base_of_every_address(tmp_path: Path) -> None:
    with _serving(tmp_path, "--public-url", "https://counter.example/counter/") as port:
        page = _get(port, headers={"Host": f"127.0.0.1:{port}"})[1]
        urls = _page_urls(page)
        assert urls and all(
            u.startswith(("https://counter.example/counter/", "wss://counter.example/counter/")) for u in urls
        )
        assert "wss://counter.example/counter/ws" in urls


def test_loopback_serving_refuses_other_names_and_origins(tmp_path: Path) -> None:
    with _serving(tmp_path) as port:
        status, body = _get(port, headers={"Host": LAN_HOST})
        assert status == 421 and "--allow-remote" in body
        assert _get(port, headers={"Host": f"localhost:{port}"})[0] == 200

        async def handshake(origin: str) -> int:
            async with aiohttp.ClientSession() as session:
                try:
                    ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", headers={"Origin": origin})
                except aiohttp.WSServerHandshakeError as exc:
                    return exc.status
                await ws.close()
                return 101

        # Another site's page (any tab the clerk has open) cannot drive a counter session over ws://127.0.0.1.
        assert asyncio.run(asyncio.wait_for(handshake("http://evil.example"), 20)) == 403


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


class _Screen:
    """What the app has streamed so far, escape sequences removed (enough to find a screen's words)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.raw = ""

    def feed(self, data: bytes) -> None:
        self.raw += self._decoder.decode(data)

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.raw)


async def _session(ws_url: str, port: int, screen: _Screen) -> None:
    """Drive a counter session as textual-serve's textual.js does: resize, then stdin keystrokes."""
    parts = urlsplit(ws_url)
    loopback_url = f"http://127.0.0.1:{port}{parts.path}?width=120&height=36"
    headers = {"Host": parts.netloc, "Origin": LAN_ORIGIN}  # what a browser on the LAN sends
    async with aiohttp.ClientSession() as session, session.ws_connect(loopback_url, headers=headers) as ws:
        await ws.send_str(json.dumps(["resize", {"width": 120, "height": 36}]))

        async def until(words: str) -> None:
            while words not in screen.text:
                message = await ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    screen.feed(message.data)
                elif message.type != aiohttp.WSMsgType.TEXT:  # closed or failed: the session ended early
                    raise AssertionError(f"websocket {message.type!r} before {words!r}:\n{screen.text[-2000:]}")

        # Typed once the login screen shows the demo hint, as a clerk would: the store is open and the screen settled
        # (typing ahead of it is issue 13's subject, not this one's).
        await until("操作员登录")
        await until("演示账号 demo")
        for keys in ("demo", "\r", "demo1234", "\r"):
            await ws.send_str(json.dumps(["stdin", keys]))
        await until("今日案件")


def test_websocket_session_logs_in_and_reaches_home(tmp_path: Path) -> None:
    with _serving(tmp_path, "--allow-remote") as port:
        page = _get(port, headers={"Host": LAN_HOST})[1]
        found = re.search(r'data-session-websocket-url="([^"]+)"', page)
        assert found, page
        ws_url = found.group(1)
        assert ws_url == f"ws://{LAN_HOST}/ws"
        screen = _Screen()
        try:
            asyncio.run(asyncio.wait_for(_session(ws_url, port, screen), 60))
        except TimeoutError:
            pytest.fail(f"no home screen (今日案件) within 60 s; last output:\n{screen.text[-3000:]}")
        assert "今日案件" in screen.text


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--public-url", "ftp://counter.example", "--public-url"),
        ("--public-url", "counter.example:8000", "--public-url"),
        ("--public-url", "https://counter.example:99999", "--public-url"),
        ("--public-url", "https://counter.example/?a=1", "--public-url"),
        ("--trusted-proxy", "proxy.lan", "--trusted-proxy"),
    ],
)
def test_bad_public_url_or_proxy_exits_2(tmp_path: Path, option: str, value: str, words: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "counter_app.commands.serve", "--port", str(_free_port()), option, value],
        cwd=ROOT,
        env={**os.environ, "COUNTER_CONFIG": os.devnull, "COUNTER_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr, out.stderr
