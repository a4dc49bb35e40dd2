"""``counter calendar``: the working-day calendar's official holiday schedules.

``counter calendar import FILE`` reads a year's schedule (the TOML data format, or the text of the State Council
notice "国务院办公厅关于YYYY年部分节假日安排的通知"), shows what it read, and after a yes saves it into the holiday
file the calendar loads (the ``holiday_file`` setting, else ``holidays.toml`` in the data directory). From then on
promised dates in that year are no longer estimates. ``counter calendar show YEAR`` prints a year's days off as the
calendar counts them, official or estimated.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from counter_app.commands import CommandError
from counter_app.commands.args import int_type, path_type
from counter_app.commands.defaults import settings
from forms.holiday_notice import HolidayImport, day_ranges, format_schedules, parse_holiday_import
from forms.holiday_rules import estimated_festivals
from forms.workdays import (
    HolidayFileError,
    YearSchedule,
    default_calendar,
    load_calendar,
    parse_schedules,
    read_holiday_file,
)

WEEKDAYS = "一二三四五六日"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calendar",
        help="节假日安排：导入官方安排、查看某年放假日 holiday schedules",
        description="导入国务院办公厅节假日安排通知（原文文本）或 TOML 节假日数据；查看某年的放假与调休上班日。",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="导入一年的官方节假日安排 import an official schedule",
        description="读取通知原文或 TOML 文件，列出读到的放假日与调休上班日，确认后保存到节假日数据文件。",
    )
    imp.add_argument("file", type=path_type("节假日安排文件"), metavar="FILE", help="通知原文（UTF-8 文本）或 TOML")
    imp.add_argument("--yes", action="store_true", help="不询问，直接保存（脚本用）")
    imp.set_defaults(handler=handle_import)
    show = actions.add_parser(
        "show", help="查看某年的放假与调休上班日 show a year", description="某年的放假日：官方安排或按规则估算。"
    )
    show.add_argument("year", type=int_type("年份", 1950, 2099), metavar="YEAR", help="年份，例如 2027")
    show.set_defaults(handler=handle_show)


def _day(d: date) -> str:
    return f"{d.isoformat()}（周{WEEKDAYS[d.weekday()]}）"


def _runs(days: tuple[date, ...] | frozenset[date]) -> str:
    parts = []
    for first, last in day_ranges(days):
        length = (last - first).days + 1
        parts.append(_day(first) if first == last else f"{_day(first)} 至 {_day(last)}，{length} 天")
    return "；".join(parts) or "无"


def describe(parsed: HolidayImport) -> list[str]:
    """What the file said, per festival for a notice, per year for TOML."""
    lines: list[str] = []
    if parsed.kind == "notice":
        lines.append(f"{parsed.notice_year} 年节假日安排（国务院办公厅通知）：")
        for festival in parsed.festivals:
            work = "、".join(_day(d) for d in festival.workdays) or "无"
            lines.append(f"  {festival.name}：放假 {_runs(festival.days_off)}；调休上班 {work}")
    else:
        for year, schedule in sorted(parsed.schedules.items()):
            lines.append(f"{year} 年节假日数据（TOML）：")
            lines.append(f"  放假 {_runs(schedule.holidays)}")
            lines.append(f"  调休上班 {'、'.join(_day(d) for d in sorted(schedule.workdays)) or '无'}")
    return lines


def merge(existing: dict[int, YearSchedule], parsed: HolidayImport) -> tuple[dict[int, YearSchedule], list[str]]:
    """The target file's years with the imported ones; notes on what replaces or is left out."""
    merged = dict(existing)
    notes: list[str] = []
    for year, schedule in parsed.schedules.items():
        if year in existing:
            notes.append(f"替换文件中已有的 {year} 年安排")
        merged[year] = schedule
    for year, partial in (parsed.spill or {}).items():
        days = "、".join(d.isoformat() for d in sorted(partial.holidays | partial.workdays))
        if year in merged:
            # A break that begins in December belongs to that year's schedule, which the file already has.
            merged[year] = YearSchedule(
                merged[year].holidays | partial.holidays, merged[year].workdays | partial.workdays
            )
            notes.append(f"{days} 属于 {year} 年，并入文件中的 {year} 年安排")
        elif default_calendar().knows_year(year):
            notes.append(f"{days} 属于 {year} 年，程序内置的 {year} 年官方数据已包含，不另存")
        else:
            # Saving them alone would make that whole year look official; it stays an estimate until imported.
            notes.append(f"{days} 属于 {year} 年，该年安排尚未导入，不保存（该年仍按估算）")
    return merged, notes


def _confirm(target: Path) -> bool:
    try:
        answer = input(f"保存到 {target}？[y/N] ")
    except EOFError:  # stdin closed (a script without --yes): never a yes
        return False
    return answer.strip().lower() in {"y", "yes", "是"}


def _write(target: Path, text: str) -> None:
    """Replace ``target`` atomically: the calendar never reads a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".holidays-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def handle_import(args: argparse.Namespace) -> int:
    try:
        parsed = parse_holiday_import(read_holiday_file(args.file))
    except ValueError as exc:  # HolidayFileError too: size, kind, encoding
        raise CommandError(f"{args.file}：{exc}") from exc
    target = settings().holiday_data_file
    existing: dict[int, YearSchedule] = {}
    if target.exists():
        try:
            existing = parse_schedules(read_holiday_file(target))
        except ValueError as exc:
            raise CommandError(f"现有节假日数据文件 {target} 无法读取，未保存：{exc}") from exc
    merged, notes = merge(existing, parsed)
    for line in [*describe(parsed), *notes]:
        print(line)
    if not (args.yes or _confirm(target)):
        print("未保存。")
        return 1
    source = "国务院办公厅通知" if parsed.kind == "notice" else f"TOML 文件 {args.file.name}"
    sources = {year: f"{year}: imported from {source}" for year in parsed.schedules}
    text = format_schedules(merged, sources)
    try:
        parse_schedules(text)  # what is written must read back (never a file the app then refuses)
        _write(target, text)
    except (OSError, HolidayFileError) as exc:
        raise CommandError(f"无法保存到 {target}：{exc}") from exc
    years = "、".join(str(y) for y in sorted(parsed.schedules))
    print(f"已保存到 {target}：{years} 年按官方安排计算，不再是估算。")
    return 0


def handle_show(args: argparse.Namespace) -> int:
    try:
        calendar = load_calendar(settings().holiday_files)
    except ValueError as exc:  # HolidayFileError: names the file and what is wrong
        raise CommandError(str(exc)) from exc
    year = args.year
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    if calendar.knows_year(year):
        source = "节假日数据文件" if year in calendar.extra else "程序内置数据"
        print(f"{year} 年：官方安排（{source}）")
        off = tuple(d for d in days if d.weekday() < 5 and not calendar.is_working_day(d))
        work = [d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)]
        print(f"  工作日放假 {_runs(off)}")
        print(f"  调休上班 {'、'.join(_day(d) for d in work) or '无'}")
        return 0
    print(f"{year} 年：官方安排尚未公布，按规则估算（调休上班日无法预知，按无调休计；导入官方安排后不再估算）")
    for name, festival in estimated_festivals(year).items():
        print(f"  {name}：{_runs(festival)}")
    return 0
