"""Serving the counter app to a browser (textual-serve), for help-and-act agents working from a tablet.

textual-serve runs a small aiohttp web server; each browser tab that connects gets its own ``counter`` process
(started with the same interpreter and the same environment, hence the same ``COUNTER_*`` settings, database and
policy pack), and the operator logs in as usual. Only loopback is served unless the caller explicitly allows a
remote address: the app carries personal data and the page itself has no TLS.
"""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "公积金贷款购房“一件事”专窗"


class ServeError(ValueError):
    """A serve request refused before anything listens; the message is Chinese and names the option."""


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); any other name is treated as remote."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    if not host.strip():
        raise ServeError("监听地址（--host）为空：应为 IP 地址或主机名，例如 127.0.0.1")
    if not is_loopback(host) and not allow_remote:
        raise ServeError(
            f"监听地址（--host）为“{host}”，不是本机回环地址；浏览器访问默认只在 127.0.0.1 上提供。"
            "确需让平板等其他设备访问时请加 --allow-remote，并只在受信任的内网中使用"
        )


def app_command(argv: Sequence[str] | None = None) -> str:
    """The command line each browser session runs: ``counter`` itself, by this interpreter (no PATH lookup)."""
    parts = list(argv) if argv is not None else [sys.executable, "-m", "counter_app"]
    # textual-serve starts it through the shell: quote for the platform's shell.
    return subprocess.list2cmdline(parts) if sys.platform == "win32" else shlex.join(parts)


def public_url_for(host: str, port: int, public_url: str | None = None) -> str:
    """The address printed on start (the page itself takes its addresses from each request: serve_web.py)."""
    if public_url:
        return public_url.rstrip("/")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def check_public_url(url: str | None) -> str | None:
    """``--public-url``: ``http(s)://host[:port][/prefix]``, nothing else; returned without a trailing slash.

    It is written into every page as the base of the script, the font and the websocket, so a typo would give
    every browser a blank page: refuse it up front.
    """
    if url is None:
        return None
    parts = urlsplit(url.strip())
    try:
        port_ok = parts.port is None or parts.port > 0  # reading .port raises on a non-number or > 65535
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.query or parts.fragment:
        raise ServeError(
            f"外部地址（--public-url）“{url}”无效：应为 http(s)://主机[:端口][/路径]，例如 https://counter.example"
        )
    return url.strip().rstrip("/")


def check_trusted_proxies(addresses: Sequence[str]) -> list[str]:
    """``--trusted-proxy``: IP addresses whose X-Forwarded-Proto / X-Forwarded-Host are believed."""
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ServeError(
                f"受信任代理（--trusted-proxy）“{address}”不是 IP 地址：应为反向代理的地址，例如 127.0.0.1"
            ) from None
    return list(addresses)


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    allow_remote: bool = False,
    public_url: str | None = None,
    trusted_proxies: Sequence[str] = (),
    command: str | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM). Raises ServeError for a refused host, URL or proxy."""
    check_host(host, allow_remote)
    public_url = check_public_url(public_url)
    proxies = check_trusted_proxies(trusted_proxies)
    from counter_app.services.serve_web import CounterServer

    server = CounterServer(
        command or app_command(),
        host=host,
        port=port,
        title=TITLE,
        console_url=public_url_for(host, port, public_url),
        public_url=public_url,
        allow_remote=allow_remote,
        trusted_proxies=proxies,
    )
    server.serve()
