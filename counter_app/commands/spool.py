"""``counter spool purge``: delete spooled PDFs older than the retention (spool_retention_days).

The same purge the app runs in every background round, for counters where the app is not running (a cron job, or
a supervisor clearing the folder before handing a machine over). It needs no login: it only deletes files under
the spool folder, by age.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from pydantic import ValidationError

from counter_app.commands import CommandError
from counter_app.commands.output import dumps
from counter_app.settings import load_settings


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"天数须为整数：{text!r}") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError("天数须在 0 到 3650 之间")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "spool",
        help="打印目录维护 spool folder upkeep",
        description="purge：删除打印目录中超过保留期（spool_retention_days，默认 30 天）的 PDF 文件。",
    )
    p.add_argument("action", choices=["purge"], help="purge: 删除过期的打印文件")
    p.add_argument("--days", type=_days, help="保留天数（默认取设置 spool_retention_days；0 表示全部删除）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from printouts.retention import purge_spool

    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    days = settings.spool_retention_days if args.days is None else args.days
    result = purge_spool(settings.spool_folder, older_than=timedelta(days=days))
    if args.json:
        data = {
            "spool_folder": str(result.folder),
            "retention_days": days,
            "removed": result.removed,
            "kept": result.kept,
            "failed": list(result.failed),
        }
        print(dumps(data))
    else:
        print(f"打印目录 {result.folder}：删除超过 {days} 天的文件 {result.removed} 个，保留 {result.kept} 个")
        for item in result.failed:
            print(f"未能删除：{item}")
    return 1 if result.failed else 0
