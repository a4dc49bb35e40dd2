"""Working days (工作日): Monday to Friday, minus statutory holidays, plus adjusted working weekends (调休上班).

`chinese-calendar` knows 2004-2026 and raises ``NotImplementedError`` outside that range. The State Council
publishes the next year's schedule around November, so a data file (packaged ``forms/data/holidays.toml`` plus
an optional file from settings) can add years. For a year nobody knows the days off are estimated by rule
(``forms.holiday_rules``: the fixed-date holidays, and 春节, 清明, 端午, 中秋 computed by the ``holidays`` package;
no 调休 working weekend) and the result says it is an estimate. Callers never see an exception from the calendar.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import chinese_calendar

from forms.holiday_rules import estimated_days_off

_PACKAGED = "holidays.toml"


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off on weekdays and working days on weekends."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class WorkdayResult:
    """A promised date and whether any day counted on the way was only estimated."""

    due: date
    estimate: bool


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is worked, and whether that is known from an official schedule."""

    working: bool
    known: bool


@dataclass
class WorkingDayCalendar:
    """Answers working-day questions from chinese-calendar plus extra year schedules."""

    extra: dict[int, YearSchedule] = field(default_factory=dict)

    def day(self, d: date) -> DayInfo:
        schedule = self.extra.get(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return DayInfo(True, True)
            if d in schedule.holidays:
                return DayInfo(False, True)
            return DayInfo(d.weekday() < 5, True)
        try:
            return DayInfo(bool(chinese_calendar.is_workday(d)), True)
        except (NotImplementedError, KeyError, ValueError):
            # A year nobody has published: Monday to Friday minus the holidays estimated by rule (never weekdays
            # alone: 1 January or the Spring Festival would count as working days); 调休 weekends are unknown.
            return DayInfo(d.weekday() < 5 and d not in estimated_days_off(d.year), False)

    def is_working_day(self, d: date) -> bool:
        return self.day(d).working

    def knows_year(self, year: int) -> bool:
        return self.day(date(year, 7, 1)).known

    def add_working_days(self, start: date, days: int) -> WorkdayResult:
        """The date ``days`` working days after ``start``; counting starts the day after.

        ``days == 0`` answers ``start`` itself; a negative count goes backwards. A date past the
        calendar's range stops at the last representable day, flagged as an estimate.
        """
        step = timedelta(days=1 if days >= 0 else -1)
        remaining = abs(days)
        current = start
        estimate = False
        while remaining:
            try:
                current = current + step
            except OverflowError:
                return WorkdayResult(current, True)
            info = self.day(current)
            estimate = estimate or not info.known
            if info.working:
                remaining -= 1
        return WorkdayResult(current, estimate)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


# A holiday file holds a few years of dates (a few KiB); the cap keeps a wrong path (/dev/zero, a disk image)
# from exhausting memory, and the file must be a regular file (a FIFO or device could block or never end).
MAX_HOLIDAY_FILE_BYTES = 1024 * 1024
_YEAR_KEY = re.compile(r"[0-9]{4}")


class HolidayFileError(ValueError):
    """A holiday data file that cannot be used; the message (Chinese) names the file and what is wrong."""


def _parse_year(year: int, table: object) -> YearSchedule:
    if not isinstance(table, dict):
        raise ValueError(f"节假日数据 [years.{year}] 应为表，包含 holidays 与 workdays 日期列表")

    def dates(key: str) -> frozenset[date]:
        raw = table.get(key, [])
        if not isinstance(raw, list):
            raise ValueError(f"节假日数据 {year} 年的 {key} 应为日期列表")
        out: set[date] = set()
        for item in raw:
            # TOML dates arrive as date; a datetime (a date subclass) or anything else is a mistake in the file.
            if isinstance(item, date) and not isinstance(item, datetime):
                d = item
            elif isinstance(item, str) and _ISO_DATE.fullmatch(item) and _is_date(item):
                d = date.fromisoformat(item)
            else:
                raise ValueError(f"节假日数据 {year} 年的 {key} 中有非日期的值 {str(item)[:40]!r}，应为 YYYY-MM-DD")
            if d.year != year:
                raise ValueError(f"节假日数据 {year} 年中出现了其他年份的日期 {d.isoformat()}")
            out.add(d)
        return frozenset(out)

    return YearSchedule(holidays=dates("holidays"), workdays=dates("workdays"))


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:  # 2027-02-30
        return False
    return True


def parse_schedules(text: str) -> dict[int, YearSchedule]:
    """Parse a holiday data file: ``[years.2027] holidays = [...] workdays = [...]``; ValueError (Chinese) on any
    other shape."""
    try:
        data = tomllib.loads(text)
    except RecursionError:  # thousands of nested brackets
        raise ValueError("节假日数据文件嵌套过深，不是节假日数据") from None
    years = data.get("years", {})
    if not isinstance(years, dict):
        raise ValueError("节假日数据文件应包含 [years.YYYY] 表")
    schedules: dict[int, YearSchedule] = {}
    for key, table in years.items():
        if not _YEAR_KEY.fullmatch(key):
            raise ValueError(f"节假日数据的年份“{key[:20]}”无效，应为四位数字，例如 [years.2027]")
        schedules[int(key)] = _parse_year(int(key), table)
    return schedules


def read_holiday_file(path: Path) -> str:
    """The text of a holiday data file: a regular file of at most ``MAX_HOLIDAY_FILE_BYTES``, UTF-8."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise HolidayFileError(f"节假日数据文件 {path} 不是普通文件")
        with path.open("rb") as handle:
            # Read one byte past the cap: a file that grew after stat() is still refused, never read whole.
            raw = handle.read(MAX_HOLIDAY_FILE_BYTES + 1)
    except OSError as exc:
        raise HolidayFileError(f"节假日数据文件无法读取：{path}（{exc.strerror or exc}）") from None
    if len(raw) > MAX_HOLIDAY_FILE_BYTES:
        raise HolidayFileError(f"节假日数据文件 {path} 超过 {MAX_HOLIDAY_FILE_BYTES // 1024} KiB，不是节假日数据")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HolidayFileError(f"节假日数据文件 {path} 不是 UTF-8 文本") from None


def load_calendar(extra_files: Iterable[Path] = ()) -> WorkingDayCalendar:
    """The packaged schedules plus any extra files (later files win for the same year).

    Raises :class:`HolidayFileError` (a ValueError) naming the file when an extra file is unusable."""
    packaged = resources.files("forms").joinpath("data").joinpath(_PACKAGED).read_text(encoding="utf-8")
    schedules = parse_schedules(packaged)
    for path in extra_files:
        text = read_holiday_file(Path(path))
        try:
            schedules.update(parse_schedules(text))
        except ValueError as exc:
            raise HolidayFileError(f"节假日数据文件 {path}：{exc}") from None
    return WorkingDayCalendar(extra=schedules)


_DEFAULT: WorkingDayCalendar | None = None


def default_calendar() -> WorkingDayCalendar:
    """A shared calendar built from the packaged data only."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_calendar()
    return _DEFAULT


def add_working_days(start: date, days: int, calendar: WorkingDayCalendar | None = None) -> WorkdayResult:
    """Convenience wrapper over :meth:`WorkingDayCalendar.add_working_days`."""
    return (calendar or default_calendar()).add_working_days(start, days)
