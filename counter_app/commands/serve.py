"""``counter serve [--host H] [--port N] [--allow-remote] [--public-url URL] [--trusted-proxy IP ...]``.

The app in a browser: each browser tab gets its own ``counter`` process on the same settings; login as usual.
Loopback only unless ``--allow-remote`` is given. The page's addresses come from each request (the name the browser
used), or from ``--public-url``; see counter_app/services/serve_web.py and docs/cli.md.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from counter_app.commands import CommandError
from counter_app.commands.args import port_type

DEFAULT_PORT = 8000  # equal to counter_app.services.serve.DEFAULT_PORT (not imported: keeps other commands light)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="在浏览器中使用工作台 serve the app to a browser (textual-serve)",
        description="通过 textual-serve 在浏览器中提供工作台（帮办代办员可在平板上使用），照常登录；Ctrl+C 退出。"
        "默认只在本机回环地址 127.0.0.1 上提供。",
    )
    p.add_argument("--host", default="127.0.0.1", help="监听地址 host (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=port_type(DEFAULT_PORT), default=DEFAULT_PORT, help=f"监听端口 port (default: {DEFAULT_PORT})"
    )
    p.add_argument("--allow-remote", action="store_true", help="允许在非回环地址上监听 allow a non-loopback host")
    p.add_argument(
        "--public-url",
        default=None,
        help="浏览器访问的外部地址，如 https://counter.example；不给时取浏览器请求的地址 public URL (reverse proxy)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="IP",
        help="信任此地址发来的 X-Forwarded-Proto/X-Forwarded-Host（反向代理的 IP，可重复）trust a proxy's headers",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from counter_app.services.serve import ServeError, check_host, check_public_url, check_trusted_proxies, serve

    try:
        # Checked before anything listens: a bad option exits 2 with the message, not a blank page later.
        check_host(args.host, args.allow_remote)
        public_url = check_public_url(args.public_url)
        proxies = check_trusted_proxies(args.trusted_proxy)
    except ServeError as exc:
        raise CommandError(str(exc)) from exc
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is the normal way out
        serve(args.host, args.port, allow_remote=args.allow_remote, public_url=public_url, trusted_proxies=proxies)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m counter_app.commands.serve``: the same command without the rest of ``counter``."""
    parser = argparse.ArgumentParser(prog="counter", description="在浏览器中使用工作台")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.handler(args))
    except CommandError as exc:
        parser.exit(2, f"counter serve: 错误 error: {exc}\n")


if __name__ == "__main__":
    raise SystemExit(main())
