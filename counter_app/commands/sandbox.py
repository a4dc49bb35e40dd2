"""``counter sandbox [--port N] [--host 127.0.0.1]``: serve the sandbox (gateway + platform) over real HTTP.

The sandbox is a test double on a fictitious roster; it listens on loopback only unless ``--allow-remote`` is
given, so a training room never exposes it by accident. Fault injection comes from ``COUNTER_SANDBOX_*``.
"""

from __future__ import annotations

import argparse
import contextlib

from pydantic import ValidationError

from counter_app.commands import CommandError
from counter_app.commands.args import port_type
from counter_app.services.serve import is_loopback

# Same as counter_app.services.sandbox.DEFAULT_PORT (a test keeps them equal); not imported from there so that
# every other ``counter`` command starts without loading Starlette and the roster.
DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sandbox",
        help="启动沙箱（测试环境）serve the sandbox gateway and platform",
        description="在本机回环地址上以 HTTP 提供核验网关与一件事平台的沙箱（虚构测试数据）；Ctrl+C 退出。"
        "故障注入见 COUNTER_SANDBOX_* 环境变量（docs/sandbox.md）。",
    )
    p.add_argument(
        "--port", type=port_type(DEFAULT_PORT), default=DEFAULT_PORT, help=f"监听端口 port (default: {DEFAULT_PORT})"
    )
    p.add_argument("--host", default="127.0.0.1", help="监听地址 host (default: 127.0.0.1)")
    p.add_argument(
        "--allow-remote", action="store_true", help="允许在非回环地址上监听 allow a non-loopback host (not advised)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    host: str = args.host
    if not is_loopback(host) and not args.allow_remote:
        raise CommandError(
            f"监听地址（--host）为“{host}”，不是本机回环地址；沙箱只应在 127.0.0.1 上提供服务。"
            "确需对其他机器开放时请加 --allow-remote"
        )
    from counter_app.services.sandbox import SandboxSettings, serve_sandbox

    try:
        settings = SandboxSettings()
    except ValidationError as exc:
        raise CommandError(f"沙箱设置无效（COUNTER_SANDBOX_* 环境变量）：\n{exc}") from exc
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is the normal way out
        serve_sandbox(host, args.port, settings)
    return 0
