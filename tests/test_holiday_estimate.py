"""Years without an official schedule (2027 on) are estimated by rule, never by weekdays alone, and stay flagged
as estimates: New Year's Day and the Spring Festival are days off, a promised date across them is later than a
Monday-to-Friday count, and the receipt says 估算."""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from forms.case import CaseFile, assess
from forms.holiday_rules import estimated_festivals
from forms.policy import load_policy
from forms.workdays import WorkdayResult, WorkingDayCalendar, YearSchedule, load_calendar
from printouts.receipt import promised_text
from printouts.samples import SampleKind, sample_case

CALENDAR = load_calendar([])
POLICY = load_policy("qingdao")


def weekdays_only(start: date, days: int) -> date:
    """What the calendar answered for unknown years before the estimate: Monday to Friday, nothing else."""
    current = start
    while days:
        current += timedelta(days=1)
        days -= current.weekday() < 5
    return current


def test_new_years_day_2027_is_not_a_working_day_but_an_estimate() -> None:
    info = CALENDAR.day(date(2027, 1, 1))
    assert (info.working, info.known) == (False, False)
    assert not CALENDAR.knows_year(2027)


def test_spring_festival_2027_comes_from_the_lunar_calendar() -> None:
    new_year = holidays.China(years=2027, language="zh_CN", observed=False).get_named("春节", lookup="exact")
    assert min(new_year) == date(2027, 2, 6)  # 正月初一, a Saturday
    spring = estimated_festivals(2027)["春节"]
    assert (spring[0], spring[-1]) == (date(2027, 2, 5), date(2027, 2, 12))  # 除夕 .. 初七
    for day in spring:
        assert not CALENDAR.is_working_day(day), day
    # No 调休 working weekend is assumed: the Sunday after stays a day off.
    assert not CALENDAR.is_working_day(date(2027, 2, 14))
    assert CALENDAR.is_working_day(date(2027, 2, 15))


def test_other_estimated_2027_festivals() -> None:
    off = [date(2027, 4, 5), date(2027, 5, 3), date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 7)]
    assert not any(CALENDAR.is_working_day(d) for d in off)
    # 2028: 元旦 on a Saturday is made up on Monday; 中秋 on 3 October stretches 国庆 to 8 October.
    assert not CALENDAR.is_working_day(date(2028, 1, 3))
    assert "国庆节、中秋节" in estimated_festivals(2028)
    assert not CALENDAR.is_working_day(date(2028, 10, 8))


def test_a_promise_across_the_spring_festival_is_later_and_flagged() -> None:
    start = date(2027, 2, 3)  # Wednesday before 除夕
    days = POLICY.promised_working_days.value
    result = CALENDAR.add_working_days(start, days)
    assert result.estimate
    assert result.due > weekdays_only(start, days)
    assert result.due > date(2027, 2, 12)
    assessment = assess(CaseFile(), POLICY, CALENDAR, start)
    assert (assessment.promised, assessment.promised_estimate) == (result.due, True)
    receipt = sample_case(SampleKind.NEW_MARRIED).receipt().model_copy(update={"promised": result})
    assert "（估算" in promised_text(receipt)


def test_an_official_schedule_ends_the_estimate() -> None:
    start = date(2027, 2, 3)
    official = YearSchedule(
        holidays=frozenset(date(2027, 2, 5) + timedelta(days=i) for i in range(8)),
        workdays=frozenset({date(2027, 2, 14)}),
    )
    calendar = WorkingDayCalendar(extra={2027: official})
    result = calendar.add_working_days(start, POLICY.promised_working_days.value)
    assert result == WorkdayResult(date(2027, 2, 18), False)  # Thu 4, Sun 14 (调休), Mon 15 .. Thu 18
    assert not assess(CaseFile(), POLICY, calendar, start).promised_estimate
    receipt = sample_case(SampleKind.NEW_MARRIED).receipt().model_copy(update={"promised": result})
    assert "估算" not in promised_text(receipt)


def test_outside_the_lunar_range_only_fixed_holidays_are_estimated() -> None:
    assert set(estimated_festivals(2200)) == {"元旦", "劳动节", "国庆节"}
    assert estimated_festivals(9999)["元旦"] == (date(9999, 1, 1),)
