"""``counter print CASE_NO --doc ...``: print a case's document again from the data it was first printed with."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from counter_app.commands import CommandError
from counter_app.commands.args import reason_type
from counter_app.commands.password import read_password
from counter_app.services.sanitize import REASON_MAX, shown
from counter_app.settings import load_settings
from printouts import DOC_LABELS, DocKind

CASE_DOCS = [DocKind.RECEIPT, DocKind.FORM, DocKind.NOTICE, DocKind.COMMITMENT, DocKind.AUTHORIZATION]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "print",
        help="打印或补打案件文书 print or reprint a case's document",
        description="补打须由负责人账号操作并说明原因；每次打印都记入打印日志和审计日志。",
    )
    p.add_argument("case_number", help="案件编号，例如 QD01-20260930-0001")
    p.add_argument("--doc", required=True, choices=[d.value for d in CASE_DOCS], help="文书")
    p.add_argument(
        "--reason", type=reason_type("补打原因（--reason）"), help=f"补打原因（补打时必填，至多 {REASON_MAX} 字）"
    )
    p.add_argument("--login", required=True, help="操作员账号（补打须为负责人）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from counter_app.compose import open_workstation
    from counter_app.services.doc_rules import refusal
    from counter_app.services.intake import IntakeError
    from counter_app.services.workstation import LoginError
    from local_cache import StoreError

    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    # Before the store opens: no terminal and no --password-stdin fails here, without counting a try.
    password = read_password(args.password_stdin)
    kind = DocKind(args.doc)
    try:
        workstation = open_workstation(settings)
    except (StoreError, ValueError) as exc:  # ValueError: an unusable holiday file (forms.workdays)
        raise CommandError(str(exc)) from exc
    try:
        operator = workstation.login(args.login, password)
        rows = workstation.find(args.case_number)
        if not rows:
            raise CommandError(f"未找到案件 {shown(args.case_number)}")
        case = workstation.open_case(rows[0].case_id, operator)
        refused = refusal(kind, case)
        if refused is not None:
            raise CommandError(f"{shown(args.case_number)}：{refused}")
        reprinting = kind.value in case.printed()
        record = case.print(
            kind,
            reason=args.reason,
            authorized_by=operator if reprinting and workstation.is_supervisor(operator) else None,
        )
        # lp only queues the job: wait (bounded) for the printer to finish it, and log what it did.
        record = case.follow_print(record)
        case.note_print(record)
    except (LoginError, IntakeError, ValueError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        asyncio.run(workstation.aclose())
    what = "补打" if record.is_reprint else "打印"
    number = f"（第 {record.reprint_number} 次补打）" if record.reprint_number else ""
    print(f"已{what}{DOC_LABELS[kind]}{number}：{record.path}")
    if record.printer_message:
        print(record.printer_message)
    for warning in record.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    return 0
