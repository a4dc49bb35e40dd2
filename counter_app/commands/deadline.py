"""``counter deadline``: the promised completion date in working days."""

from __future__ import annotations

import argparse
from datetime import date

from counter_app.commands import CommandError
from counter_app.commands.args import date_type, int_type, path_type
from counter_app.commands.defaults import policy_code, settings
from counter_app.commands.output import dumps
from forms.policy import PolicyError, available_policies, load_policy
from forms.workdays import load_calendar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "deadline",
        help="承诺办结日期（工作日） promised completion date",
        description="受理日期加 N 个工作日（次日起算），返回承诺办结日期；未知年份按工作日估算并注明。",
    )
    p.add_argument(
        "--accepted", type=date_type("受理日期", earliest=date(2000, 1, 1)), required=True, help="受理日期 YYYY-MM-DD"
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--days", type=int_type("工作日数（--days）", 0, 365), help="工作日数 working days (0-365)")
    group.add_argument("--policy", choices=available_policies(), help="取政策包的承诺时限（默认取设置 policy）")
    p.add_argument(
        "--holiday-file", type=path_type("节假日数据文件"), help="补充节假日数据文件 (TOML)（默认取设置 holiday_file）"
    )
    p.add_argument("--json", action="store_true", help="JSON 输出")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.days is not None:
        if not 0 <= args.days <= 365:
            raise CommandError(f"--days 为 {args.days}，应为 0 到 365 之间的整数")
        days = args.days
    else:
        try:
            days = load_policy(policy_code(args.policy)).promised_working_days.value
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
    # The app's calendar: the holiday file of the settings (or the one `counter calendar import` wrote in data_dir),
    # unless one is named here.
    files = [args.holiday_file] if args.holiday_file else settings().holiday_files
    try:
        calendar = load_calendar(files)
    except ValueError as exc:  # HolidayFileError: names the file and what is wrong (size, kind, shape)
        raise CommandError(str(exc)) from exc
    result = calendar.add_working_days(args.accepted, days)
    if args.json:
        print(dumps({"accepted": args.accepted, "working_days": days, "due": result.due, "estimate": result.estimate}))
    else:
        note = "（估算：该年度节假日安排尚未公布）" if result.estimate else ""
        print(f"受理日期 {args.accepted.isoformat()}，{days} 个工作日，承诺办结日期 {result.due.isoformat()}{note}")
    return 0
