"""``counter config show``: the effective settings, secrets masked."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from counter_app.commands import CommandError
from counter_app.commands.output import dumps
from counter_app.settings import default_config_path, load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("config", help="查看设置 show the effective settings")
    p.add_argument("action", choices=["show"], help="show: 打印生效的设置（密钥已遮蔽）")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效（配置文件 {default_config_path()} 或 COUNTER_* 环境变量）：\n{exc}") from exc
    print(dumps({"config_file": str(default_config_path()), **settings.masked()}))
    return 0
