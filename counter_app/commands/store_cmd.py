"""``counter store info`` and ``counter store rekey --suite gm|intl``: the store's cryptographic suite.

``rekey`` moves the whole store to the other suite in one transaction (local_cache/rekey.py; docs/store.md,
"Crypto suites"). It opens the store in whatever suite it was written with, whatever ``crypto_suite`` says, since
moving a store that the setting no longer fits is the point.
"""

from __future__ import annotations

import argparse

from counter_app.commands import CommandError
from counter_app.services.stores import open_store
from counter_app.settings import Settings, load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = sub.add_parser("store", help="本地数据库 local store: 算法套件 crypto suite")
    actions = store.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    actions.add_parser("info", help="显示数据库路径、结构版本与算法套件")
    rekey = actions.add_parser("rekey", help="把整个数据库迁移到另一算法套件（一次事务，中断不丢数据）")
    rekey.add_argument("--suite", choices=["gm", "intl"], required=True, help="gm: 国密 SM4/SM3；intl: AES/SHA-256")
    rekey.add_argument("--actor", default="admin", help="记入审计日志的操作人（默认 admin）")
    store.set_defaults(handler=handle_store)


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc


def handle_store(args: argparse.Namespace) -> int:
    from local_cache import StoreError
    from local_cache.rekey import rekey_store

    settings = _settings()
    try:
        store = open_store(settings, create_key=False, any_suite=True)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    try:
        if args.store_action == "info":
            print(f"数据库 database: {store.path}")
            print(f"结构版本 schema: {store.schema_version()}")
            print(f"算法套件 crypto suite: {store.suite}")
            return 0
        report = rekey_store(store, args.suite, actor=args.actor)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        store.close()  # after a rekey the object is spent: its keys are the old suite's
    print(report.render())
    if settings.store_suite not in (None, args.suite):
        print(f"注意：设置 crypto_suite = {settings.crypto_suite}，下次打开会被拒绝；请改为 {args.suite} 或 auto。")
    return 0
