"""The web side of ``counter serve``: textual-serve's server, with the page's addresses taken from the request.

textual-serve writes one fixed ``public_url`` into the page (``http://127.0.0.1:8000/static/js/textual.js``,
``ws://127.0.0.1:8000/ws``), so a tablet on the LAN loads a page whose script and websocket point at *itself* and
stays blank; its page also pulls Roboto Mono from Google Fonts, which a counter's network may not reach. Here the
page is our own template (``serve_page.PAGE``: same element ids and classes as textual-serve's, so its
``textual.js`` works unchanged) and every address in it is built per request, in this order:

1. ``--public-url`` when given (a reverse proxy, perhaps under a path prefix);
2. ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` only when the peer is one of ``--trusted-proxy``'s addresses
   (anyone else could set them to point a page anywhere);
3. the request's own scheme and ``Host`` header: whatever name the browser used to reach us.

Without ``--allow-remote`` only loopback host names are answered, unless the name comes from ``--public-url`` or a
trusted proxy (a DNS-rebinding page naming its own host is refused); and a websocket whose ``Origin`` is not the
page's own origin is refused (any web page a clerk opens could otherwise drive a counter session on
``ws://127.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from counter_app.services.serve import is_loopback
from counter_app.services.serve_page import PAGE, PAGE_NAME

# host[:port]: a DNS name or IPv4 address, or a bracketed IPv6 address. Anything else is not a Host we answer.
_HOST_RE = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::[0-9]{1,5})?$")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def host_name(host: str) -> str:
    """``host[:port]`` without the port and brackets, lower case (``[::1]:8000`` -> ``::1``)."""
    parsed = urlsplit(f"//{host}")
    return (parsed.hostname or "").lower()


def _origin_key(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports filled in, ws/wss counted as http/https (browsers' Origin rules)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:  # a port out of range never matches anything
        port = -1
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def _first(value: str | None) -> str:
    """The first hop of a comma-separated forwarded header (the one the browser's request carried)."""
    return (value or "").split(",")[0].strip()


class CounterServer(Server):
    """textual-serve's ``Server`` serving our page, whose URLs come from the request (see the module text)."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        console_url: str,
        public_url: str | None = None,
        allow_remote: bool = False,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        # ``public_url`` given to textual-serve is only what it prints on start; the page never uses it.
        super().__init__(command, host=host, port=port, title=title, public_url=public_url or console_url)
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.allow_remote = allow_remote
        self.trusted_proxies = frozenset(ipaddress.ip_address(ip) for ip in trusted_proxies)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # Replace the template loader: the package's page (with its Google Fonts link) can then never be rendered.
        aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({PAGE_NAME: PAGE}))
        return app

    def _from_trusted_proxy(self, request: web.Request) -> bool:
        if not self.trusted_proxies or not request.remote:
            return False
        try:
            return ipaddress.ip_address(request.remote) in self.trusted_proxies
        except ValueError:  # a unix socket peer or similar: not an address we were told to trust
            return False

    def base_url(self, request: web.Request) -> str:
        """The page's own base URL (scheme://host[:port][/prefix]) for this request; raises HTTP 400/421."""
        if self.fixed_public_url:
            return self.fixed_public_url
        scheme, host = request.scheme, request.host
        proxied = self._from_trusted_proxy(request)
        if proxied:
            proto = _first(request.headers.get("X-Forwarded-Proto")).lower()
            scheme = proto if proto in ("http", "https") else scheme
            host = _first(request.headers.get("X-Forwarded-Host")) or host
        if not _HOST_RE.match(host):
            raise web.HTTPBadRequest(text="请求的主机名（Host）无效")
        if not self.allow_remote and not proxied and not is_loopback(host_name(host)):
            # Loopback-only serving answers loopback names only: a rebinding page naming its own host gets nothing.
            raise web.HTTPMisdirectedRequest(
                text=f"本服务只在本机回环地址上提供，不应答主机名“{host_name(host)}”；"
                "局域网访问请用 --allow-remote 启动"
            )
        return f"{scheme}://{host}"

    async def handle_index(self, request: web.Request) -> web.Response:
        base = self.base_url(request)
        ws_base = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "static_url": f"{base}/static/",
            "websocket_url": f"{ws_base}/ws",
            "title": self.title,
        }
        response = aiohttp_jinja2.render_template(PAGE_NAME, request, context)
        # The page names this request's host: no shared cache may hand it to a browser that used another name.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Vary"] = "Host, X-Forwarded-Host, X-Forwarded-Proto"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        base = self.base_url(request)
        origin = request.headers.get("Origin")
        # Browsers always send Origin on a websocket; another site's page must not drive a counter session.
        if origin is not None and _origin_key(origin) != _origin_key(base):
            raise web.HTTPForbidden(text=f"来源“{origin}”不是本页面的地址，拒绝连接")
        return await super().handle_websocket(request)
