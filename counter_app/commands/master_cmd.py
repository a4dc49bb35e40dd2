"""``counter master show|pull``: master data (policy packs and holiday calendars) from the platform.

- ``show``: the versions in force on this counter and those the platform offers.
- ``pull``: one pull now, as the app's background round does: verify (hash, Ed25519 signature, content), refuse a
  tampered or older bundle, apply atomically. New cases use what was applied; open drafts keep their version.

Exit status (docs/cli.md): 0 done (or nothing newer); 1 the platform could not be reached or the data folder not
written; 2 bad arguments or settings; 3 a bundle was refused (tampered, unsigned, older than the one in force).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from pydantic import ValidationError

from counter_app.commands import CommandError
from counter_app.commands.output import dumps

EXIT_REFUSED = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "master",
        help="主数据 policy packs and holiday calendars from the platform",
        description="show：本机在用的政策包与节假日日历版本，以及平台发布的版本；pull：立即拉取一次（校验签名与散列）。",
    )
    p.add_argument("action", choices=["show", "pull"], help="show: 查看版本；pull: 立即拉取")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=handle)


def _settings() -> Any:
    from counter_app.settings import load_settings

    try:
        return load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc


async def _show(settings: Any, as_json: bool) -> int:
    from counter_app.compose import platform_client
    from counter_app.services.master_data import available, open_master_data
    from forms.master_data import MasterDataError

    master = open_master_data(settings)
    in_force = [
        {"kind": v.kind, "code": v.code, "version": v.version, "label": v.label, "sha256": v.sha256}
        for v in master.versions()
    ]
    offered: list[dict[str, Any]] = []
    error = None
    async with platform_client(settings) as client:
        try:
            offered = [
                {"kind": i.kind, "code": i.code, "version": i.version, "label": i.label, "sha256": i.sha256}
                for i in await available(client, timeout=10.0)
            ]
        except MasterDataError as exc:
            error = str(exc)
    if as_json:
        print(dumps({"in_force": in_force, "available": offered, "error": error, "key_problem": master.key_problem}))
        return 1 if error else 0
    print("本机在用：")
    for item in in_force:
        sha = str(item["sha256"] or "")
        print(f"  {item['label']}" + (f"（SHA-256 {sha[:16]}…）" if sha else ""))
    print("平台发布：" if not error else f"平台发布：无法获取（{error}）")
    for item in offered:
        print(f"  {item['label']}")
    if master.key_problem:
        print(f"注意：{master.key_problem}，拉取的主数据将被拒绝")
    return 1 if error else 0


async def _pull(settings: Any, as_json: bool) -> int:
    from counter_app.compose import platform_client
    from counter_app.services.master_data import open_master_data

    master = open_master_data(settings)
    async with platform_client(settings) as client:
        result = await master.pull(client, timeout=10.0)
    if as_json:
        data = {"applied": result.applied, "refused": result.refused, "current": result.current, "error": result.error}
        print(dumps(data))
    else:
        print(result.render())
    if result.error:
        return 1
    return EXIT_REFUSED if result.refused else 0


def handle(args: argparse.Namespace) -> int:
    settings = _settings()
    run = _show if args.action == "show" else _pull
    return asyncio.run(run(settings, args.json))
