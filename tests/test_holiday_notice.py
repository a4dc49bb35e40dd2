"""`counter calendar import`'s parser: the State Council notices for 2025 and 2026, as published, read into exactly
the days off and 调休 working days chinese-calendar holds for those years, day by day; bad notices are refused."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from forms.holiday_notice import format_schedules, parse_holiday_import, parse_notice
from forms.workdays import WorkingDayCalendar, parse_schedules

NOTICES = Path(__file__).resolve().parent / "fixtures" / "holiday_notices"


def _notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_notice_gives_chinese_calendars_schedule_day_by_day(year: int) -> None:
    parsed = parse_holiday_import(_notice(year))
    assert parsed.kind == "notice" and parsed.notice_year == year and not parsed.spill
    schedule = parsed.schedules[year]
    assert schedule.holidays == {d for d in chinese_calendar.holidays if d.year == year}
    assert schedule.workdays == {d for d in chinese_calendar.workdays if d.year == year}
    # Day by day, a calendar built from the notice alone answers as chinese-calendar does.
    from_notice = WorkingDayCalendar(extra={year: schedule})
    day = date(year, 1, 1)
    while day.year == year:
        assert from_notice.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_the_2025_notice_per_festival() -> None:
    festivals = {f.name: f for f in parse_notice(_notice(2025)).festivals}
    assert list(festivals) == ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"]
    assert festivals["元旦"].days_off == (date(2025, 1, 1),) and festivals["元旦"].workdays == ()
    spring = festivals["春节"]
    assert (spring.days_off[0], spring.days_off[-1], len(spring.days_off)) == (date(2025, 1, 28), date(2025, 2, 4), 8)
    assert spring.workdays == (date(2025, 1, 26), date(2025, 2, 8))
    assert festivals["端午节"].days_off == (date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2))  # across months
    assert festivals["国庆节、中秋节"].workdays == (date(2025, 9, 28), date(2025, 10, 11))


def test_the_2026_notice_per_festival() -> None:
    festivals = {f.name: f for f in parse_notice(_notice(2026)).festivals}
    assert len(festivals) == 7
    assert festivals["元旦"].workdays == (date(2026, 1, 4),)
    assert len(festivals["春节"].days_off) == 9  # 腊月二十八 .. 正月初七
    assert festivals["劳动节"].workdays == (date(2026, 5, 9),)


def test_full_width_digits_and_a_cross_year_new_year() -> None:
    # 2023's notice began 元旦 on 31 December 2022; the date belongs to 2022, not to 2023's schedule.
    text = "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
    parsed = parse_notice(text)
    assert parsed.schedules[2023].holidays == {date(2023, 1, 1), date(2023, 1, 2)}
    assert parsed.spill is not None and parsed.spill[2022].holidays == {date(2022, 12, 31)}
    wide = parse_notice("国务院办公厅关于２０２７年部分节假日安排的通知\n一、元旦：１月１日（周五）放假１天。\n")
    assert wide.schedules[2027].holidays == {date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("一、元旦：1月1日放假1天。", "年份"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。", "共 4 天"),
        (
            "国务院办公厅关于2027年部分节假日安排的通知\n二、春节：2月5日至12日放假。2月10日（周三）上班。",
            "不是周六或周日",
        ),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月32日放假。", "无效"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：另行通知。", "没有读到放假日期"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n节假日期间，各地区要妥善安排值班。", "没有读到任何节日"),
        ("", "没有任何"),
        ("[years.2027]\nholidays = []\n", "没有任何"),
        ("这不是通知 = [", "既不是"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_holiday_import(text)


def test_toml_input_and_the_written_file_read_back() -> None:
    parsed = parse_holiday_import('# 放假 in a comment\n[years.2027]\nholidays = ["2027-01-01"]\n')
    assert parsed.kind == "toml" and parsed.schedules[2027].holidays == {date(2027, 1, 1)}
    notice = parse_notice(_notice(2026))
    assert parse_schedules(format_schedules(notice.schedules, {2026: "test"})) == notice.schedules
