"""``counter report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv] [--hall]``: counter KPIs by day and operator.

Cases count on the (China) day of their decision. ``--from`` defaults to today (or to ``--to``), ``--to`` to
``--from``; bad dates or a reversed range exit with status 2. The table ends with the reform baseline
(24 materials, 8 trips, 20 working days). ``--hall`` asks the platform for the whole hall's figures per window and
operator; when it cannot be reached (or no ``platform_url`` is set) the report says so, shows this store's
figures instead and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date

from pydantic import ValidationError

from counter_app.commands import CommandError


def _day(label: str) -> Callable[[str], date]:
    def parse(text: str) -> date:
        from counter_app.services.kpi import KpiError, parse_day

        try:
            return parse_day(text, label)
        except KpiError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="办件成效统计 counter KPIs by day and operator",
        description="按日期和操作员统计受理用时、收取材料（纸质/共享免提交）、容缺与补件、办件数量，并与改革前基线对比。",
    )
    p.add_argument("--from", dest="start", type=_day("开始日期（--from）"), help="开始日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--to", dest="end", type=_day("结束日期（--to）"), help="结束日期 YYYY-MM-DD（默认同开始日期）")
    p.add_argument("--csv", action="store_true", help="输出 CSV（UTF-8）而不是表格")
    p.add_argument(
        "--hall", action="store_true", help="全大厅按窗口和操作员统计（一件事平台）；无法连接时显示本机数据，退出码 1"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from counter_app.services.case_types import utc_now
    from counter_app.services.kpi import KpiError, check_range, kpi_report, render_csv, render_table
    from counter_app.services.stores import open_store
    from counter_app.settings import load_settings
    from forms.china_time import china_date
    from forms.policy import load_policy
    from forms.workdays import load_calendar
    from local_cache import StoreError

    today = china_date(utc_now())
    start: date = args.start or args.end or today
    end: date = args.end or start
    try:
        check_range(start, end)
    except KpiError as exc:
        raise CommandError(str(exc)) from exc
    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CommandError(f"设置无效：{exc}") from exc
    unreachable = ""
    if args.hall:
        from counter_app.services.kpi_hall import HallUnreachable, out_of_reach

        try:
            sys.stdout.write(_hall(settings.platform_url.strip(), start, end, csv=args.csv))
            return 0
        except HallUnreachable as exc:
            # Offline the hall is out of reach; this window's own figures are still worth showing.
            unreachable = out_of_reach(exc)
    try:
        store = open_store(settings)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    with store:
        policy = load_policy(settings.policy)
        calendar = load_calendar(settings.holiday_files)
        report = kpi_report(store, policy, start, end, today=today, calendar=calendar)
    if unreachable:  # before the local figures; beside a CSV on stderr, so the CSV stays machine-readable
        print(unreachable, file=sys.stderr if args.csv else sys.stdout)
    sys.stdout.write(render_csv(report) if args.csv else render_table(report))
    return 1 if unreachable else 0


def _hall(url: str, start: date, end: date, *, csv: bool) -> str:
    """The hall's figures from the platform at ``url``, as text; raises ``HallUnreachable``."""
    from counter_app.services.kpi_hall import hall_report_from, render_hall_csv, render_hall_table

    report = hall_report_from(url, start, end)
    return render_hall_csv(report) if csv else render_hall_table(report)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m counter_app.commands.report``: the same command without the rest of ``counter``."""
    parser = argparse.ArgumentParser(prog="counter", description="办件成效统计")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.handler(args))
    except CommandError as exc:
        parser.exit(2, f"counter report: 错误 error: {exc}\n")


if __name__ == "__main__":
    raise SystemExit(main())
