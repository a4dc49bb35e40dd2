"""Reading an official holiday schedule for ``counter calendar import``: the TOML data format, or the text of the
State Council notice "国务院办公厅关于YYYY年部分节假日安排的通知" as published.

The notice has one numbered item per festival, for example (2025)::

    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。

A sentence with 放假 gives days off (a range with 至, or single days), checked against its 共N天; a sentence with 上班
gives 调休 working days, which must be Saturdays or Sundays. Anything the parser cannot read in a festival's item is
an error naming the item, never a silent guess. Pure: the caller reads the file and writes the result.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from forms.workdays import YearSchedule, parse_schedules

# The festivals a notice lists (the name of an item may join two: "国庆节、中秋节").
FESTIVAL_WORDS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")
# A break longer than this is a misread range, not a holiday (the longest so far: 春节 2026, 9 days).
MAX_BREAK_DAYS = 15
MAX_NOTICE_CHARS = 20_000

# After NFKC normalisation full-width "：（）；" read as ASCII ":();".
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排")
_INTRO_YEAR = re.compile(r"现将\s*(\d{4})\s*年")
_ITEM = re.compile(r"^\s*([一二三四五六七八九十]+)\s*、\s*([^:]{1,20}?)\s*:\s*(.+)$", re.MULTILINE)
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")
_PAREN = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Festival:
    """One numbered item of a notice: its name, its days off (weekends included) and its 调休 working days."""

    name: str
    days_off: tuple[date, ...]
    workdays: tuple[date, ...]


@dataclass(frozen=True)
class HolidayImport:
    """What a file said: complete schedules per year, and for a notice its festivals.

    ``spill`` holds a notice's dates in another year (元旦 may begin on 31 December of the year before): they
    belong to that year's schedule, which this file does not give whole."""

    kind: str  # "notice" or "toml"
    schedules: dict[int, YearSchedule]
    festivals: tuple[Festival, ...] = ()
    spill: dict[int, YearSchedule] | None = None
    notice_year: int | None = None


def _as_date(year: str | None, month: str | None, day: str, default_year: int, last_month: int | None) -> date:
    m = int(month) if month else last_month
    if m is None:
        raise ValueError(f"日期“{day}日”缺少月份")
    try:
        return date(int(year) if year else default_year, m, int(day))
    except ValueError:
        raise ValueError(f"日期 {year or default_year}年{m}月{day}日 无效") from None


def _sentence_dates(sentence: str, year: int) -> list[tuple[date, bool]]:
    """The dates of a sentence, each with whether a 至 joins it to the one before (a range's end)."""
    out: list[tuple[date, bool]] = []
    last_month: int | None = None
    last_year = year
    end = 0
    for match in _DATE.finditer(sentence):
        y, m, d = match.groups()
        found = _as_date(y, m, d, last_year, last_month)
        joined = bool(out) and "至" in sentence[end : match.start()]
        out.append((found, joined))
        last_month, last_year, end = found.month, found.year, match.end()
    return out


def _days_off(sentence: str, year: int, where: str) -> list[date]:
    dates = _sentence_dates(sentence, year)
    days: list[date] = []
    for index, (day, joined) in enumerate(dates):
        if not joined:
            days.append(day)
            continue
        first = dates[index - 1][0]
        if not first < day or (day - first).days >= MAX_BREAK_DAYS:
            raise ValueError(f"{where}：放假日期 {first.isoformat()} 至 {day.isoformat()} 不是合理的区间")
        days.extend(first + timedelta(days=i) for i in range(1, (day - first).days + 1))
    total = _TOTAL.search(sentence)
    if total and int(total.group(1)) != len(days):
        raise ValueError(f"{where}：写明共 {total.group(1)} 天，日期却是 {len(days)} 天")
    return days


def _festival(name: str, body: str, year: int, number: str) -> Festival:
    where = f"第{number}项“{name}”"
    days_off: list[date] = []
    workdays: list[date] = []
    # Parentheses hold weekdays and lunar dates ("（农历除夕、周二）"), never a day of the schedule.
    for sentence in re.split(r"[。;]", _PAREN.sub("", body)):
        if "上班" in sentence:
            found = [d for d, _ in _sentence_dates(sentence, year)]
            if "放假" in sentence or not found:
                raise ValueError(f"{where}：看不懂“{sentence.strip()[:40]}”")
            for day in found:
                if day.weekday() < 5:
                    raise ValueError(f"{where}：调休上班日 {day.isoformat()} 不是周六或周日")
            workdays.extend(found)
        elif "放假" in sentence:
            days_off.extend(_days_off(sentence, year, where))
    if not days_off:
        raise ValueError(f"{where}：没有读到放假日期")
    if set(days_off) & set(workdays):
        raise ValueError(f"{where}：同一天既放假又上班")
    return Festival(name=name, days_off=tuple(sorted(set(days_off))), workdays=tuple(sorted(set(workdays))))


def notice_year(text: str) -> int:
    """The year a notice is about: its title, else its opening sentence ("现将2025年…")."""
    for pattern in (_TITLE_YEAR, _INTRO_YEAR):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    raise ValueError("未找到通知的年份：应有标题“国务院办公厅关于YYYY年部分节假日安排的通知”")


def parse_notice(text: str) -> HolidayImport:
    """The festivals of a State Council notice; ValueError (Chinese, naming the item) when it cannot be read."""
    if len(text) > MAX_NOTICE_CHARS:
        raise ValueError(f"通知文本超过 {MAX_NOTICE_CHARS} 字，不是节假日安排通知")
    text = unicodedata.normalize("NFKC", text)
    year = notice_year(text)
    festivals: list[Festival] = []
    for number, name, body in _ITEM.findall(text):
        if any(word in name for word in FESTIVAL_WORDS):
            festivals.append(_festival(name.strip(), body, year, number))
    if not festivals:
        raise ValueError(f"{year} 年通知中没有读到任何节日安排（应有“一、元旦：…放假…”这样的条目）")
    off: dict[int, set[date]] = {}
    work: dict[int, set[date]] = {}
    for festival in festivals:
        for day in festival.days_off:
            off.setdefault(day.year, set()).add(day)
        for day in festival.workdays:
            work.setdefault(day.year, set()).add(day)
    by_year = {
        y: YearSchedule(holidays=frozenset(off.get(y, ())), workdays=frozenset(work.get(y, ())))
        for y in sorted(set(off) | set(work))
    }
    spill = {y: s for y, s in by_year.items() if y != year}
    schedules = {year: by_year.get(year, YearSchedule())}
    return HolidayImport("notice", schedules, tuple(festivals), spill, year)


def looks_like_notice(text: str) -> bool:
    return "节假日安排" in text or "放假" in text


def parse_holiday_import(text: str) -> HolidayImport:
    """A notice's text or a TOML holiday file; ValueError when it is neither or gives no day at all."""
    # A notice's text is never valid TOML (bare Chinese lines), so whatever TOML reads is a data file.
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if not looks_like_notice(text):
            raise ValueError(f"既不是节假日安排通知，也不是有效的 TOML 节假日数据（{exc}）") from None
        result = parse_notice(text)
    except RecursionError:  # thousands of nested brackets
        raise ValueError("节假日数据文件嵌套过深，不是节假日数据") from None
    else:
        result = HolidayImport("toml", parse_schedules(text))
    if not any(s.holidays or s.workdays for s in result.schedules.values()):
        raise ValueError("文件中没有任何节假日或调休上班日期，未导入")
    return result


def day_ranges(days: tuple[date, ...] | frozenset[date]) -> list[tuple[date, date]]:
    """Consecutive days joined into (first, last) runs, for display."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def format_schedules(schedules: dict[int, YearSchedule], sources: dict[int, str]) -> str:
    """The holiday data file (``[years.YYYY] holidays = [...] workdays = [...]``) for ``schedules``; ``sources``
    adds a comment per year saying where it came from."""
    lines = [
        "# Official holiday schedules (法定节假日及调休), written by `counter calendar import`.",
        "# holidays: days off (weekends within a break included); workdays: weekend days worked (调休上班).",
    ]
    for year in sorted(schedules):
        schedule = schedules[year]
        lines.append("")
        if year in sources:
            lines.append(f"# {sources[year]}")
        lines.append(f"[years.{year}]")
        for key, days in (("holidays", schedule.holidays), ("workdays", schedule.workdays)):
            lines.append(f"{key} = [{', '.join(d.isoformat() for d in sorted(days))}]")
    return "\n".join(lines) + "\n"
