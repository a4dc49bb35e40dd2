"""``counter operators add|list|reset-password|unlock`` and ``counter audit verify``: setting up a counter."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from counter_app.commands import CommandError, store_cmd
from counter_app.commands.args import reason_type
from counter_app.commands.password import read_password
from counter_app.services.stores import open_store
from counter_app.settings import load_settings
from forms.vocabulary import Role


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ops = sub.add_parser("operators", help="操作员管理 manage operator accounts")
    ops_sub = ops.add_subparsers(dest="operators_action", metavar="ACTION", required=True)
    add = ops_sub.add_parser("add", help="添加操作员")
    add.add_argument("login", help="登录名")
    add.add_argument("name", type=reason_type("姓名", limit=40), help="姓名")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.CLERK.value, help="角色")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（脚本用）")
    ops_sub.add_parser("list", help="列出操作员")
    reset = ops_sub.add_parser("reset-password", help="重置密码")
    reset.add_argument("login", help="登录名")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（脚本用）")
    unlock = ops_sub.add_parser("unlock", help="解除锁定")
    unlock.add_argument("login", help="登录名")
    ops.set_defaults(handler=handle_operators)

    audit = sub.add_parser("audit", help="审计日志 audit log")
    audit.add_argument(
        "action", choices=["verify"], help="verify: 校验哈希链，指出第一处被篡改、插入、缺失或移动的记录"
    )
    audit.add_argument(
        "--against-platform",
        action="store_true",
        help="再与平台保存的本工作站审计锚点比对（发现整条链被改写）；平台不可达时退出码 3",
    )
    audit.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    audit.set_defaults(handler=handle_audit)
    store_cmd.register(sub)  # counter store info|rekey: set-up commands too, registered with these


def _password(from_stdin: bool) -> str:
    # A terminal (asked twice) or --password-stdin; neither fails at once (counter_app/commands/password.py).
    return read_password(from_stdin, confirm=True)


def handle_operators(args: argparse.Namespace) -> int:
    from local_cache import StoreError, admin

    try:
        store = open_store(load_settings())
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    try:
        with store:
            if args.operators_action == "add":
                print(admin.add_operator(store, args.login, args.name, args.role, _password(args.password_stdin)))
            elif args.operators_action == "list":
                print(admin.render_operators(admin.list_operators(store)))
            elif args.operators_action == "reset-password":
                print(admin.reset_password(store, args.login, _password(args.password_stdin)))
            else:
                print(admin.unlock_operator(store, args.login))
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def handle_audit(args: argparse.Namespace) -> int:
    """Exit 0: intact; 1: tampered, damaged or unreadable — never a traceback; 2: bad settings; 3: with
    ``--against-platform``, intact locally but the platform could not be asked (docs/cli.md)."""
    import json
    import sqlite3

    from counter_app.services.audit_anchor import verify_against_url
    from local_cache import AuditReport, StoreError, admin

    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    if args.against_platform and not settings.platform_url.strip():
        raise CommandError(
            "未设置平台地址（platform_url）：内嵌沙箱不跨进程保存锚点，--against-platform 需要平台的地址"
        )
    try:
        with open_store(settings, create_key=False) as store:
            if args.against_platform:
                report, status = verify_against_url(store, settings.platform_url.strip())
            else:
                report = admin.verify_audit(store)
                status = 0 if report.ok else 1
    except (StoreError, sqlite3.Error) as exc:
        # A database that does not open cannot show its chain intact: that is the check's failure, not a usage error.
        text = f"数据库无法打开，审计日志无法校验：{exc}（unreadable）。"
        report, status = AuditReport(ok=False, entries=0, problem="unreadable", message=text), 1
    print(json.dumps(report.as_json(), ensure_ascii=False) if args.json else report.render())
    return status
