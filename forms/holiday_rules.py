"""Estimated holiday schedules (估算) for years without an official one, by rule rather than by weekdays alone.

The State Council publishes a year's schedule (放假调休安排) around November of the year before; chinese-calendar
and the packaged data stop at the last published year. For a later year a promised date must still skip the
holidays, so this module estimates that year's days off from the statutory holidays of
《全国年节及纪念日放假办法》 (2024 revision) and the shape of the recent schedules (2025 and 2026):

- 元旦: 1 January, one day.
- 春节: 农历除夕 to 正月初七, eight days (2025: 1月28日–2月4日; 2026 began a day earlier, on 腊月二十八).
- 清明节: the solar-term day (清明, 4 or 5 April), one day.
- 劳动节: 1–5 May, five days (2025 and 2026).
- 端午节: 农历五月初五, one day.
- 中秋节: 农历八月十五, one day; when it falls on 1–8 October it joins 国庆 and the break runs to 8 October (2025).
- 国庆节: 1–7 October, seven days (2026).
- A one-day holiday on a Saturday or Sunday is made up on the following Monday (补休), as the 办法 requires and as
  2022-2026 did (2025 端午: 5月31日周六, 6月2日周一补休; 2026 清明: 4月5日周日, 4月6日周一补休).
- 调休 working weekends cannot be foreseen: none is assumed, so an estimated year has no working Saturday or Sunday.

The lunar and solar-term dates come from the ``holidays`` package (``holidays.China``), which computes them by rule
for 1950-2100; outside that range only the fixed-date holidays are estimated. Every day of such a year stays an
estimate (``DayInfo.known`` is False) until the official schedule is imported.
"""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache

import holidays

# Lengths taken from the recent official schedules (see the module docstring): a documented assumption.
SPRING_FESTIVAL_DAYS = 8  # 除夕 .. 正月初七
LABOUR_DAY_SPAN = (5, 1, 5)  # May 1-5
NATIONAL_DAY_DAYS = 7  # Oct 1-7, or 1-8 with 中秋 inside
# holidays.China's Simplified Chinese names for the movable festivals (pinned package version, zh_CN).
_LUNAR_NAMES = {"春节": "春节", "清明节": "清明节", "端午节": "端午节", "中秋节": "中秋节"}


def _span(first: date, days: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(days)]


def _one_day(day: date) -> list[date]:
    """A one-day holiday, and the Monday after it when it falls on a weekend (补休)."""
    if day.weekday() >= 5:
        return [day, day + timedelta(days=7 - day.weekday())]
    return [day]


def movable_festivals(year: int) -> dict[str, date]:
    """The first day of 春节 (正月初一), 清明节, 端午节 and 中秋节 in ``year``; empty outside holidays' range."""
    found: dict[str, date] = {}
    try:
        table = holidays.China(years=year, language="zh_CN", observed=False)
        items = sorted(table.items())
    except (NotImplementedError, ValueError, KeyError, OverflowError):
        return found
    for day, name in items:
        for part in str(name).split(";"):
            key = _LUNAR_NAMES.get(part.strip())
            if key is not None and key not in found and day.year == year:
                found[key] = day
    return found


def estimated_festivals(year: int) -> dict[str, tuple[date, ...]]:
    """Each festival's estimated days off in ``year`` (weekends included), by the rules of the module docstring."""
    if not MINYEAR <= year <= MAXYEAR:
        return {}
    lunar = movable_festivals(year)
    out: dict[str, list[date]] = {"元旦": _one_day(date(year, 1, 1))}
    if "春节" in lunar:
        eve = lunar["春节"] - timedelta(days=1)
        out["春节"] = _span(eve, SPRING_FESTIVAL_DAYS)
    if "清明节" in lunar:
        out["清明节"] = _one_day(lunar["清明节"])
    month, first, last = LABOUR_DAY_SPAN
    out["劳动节"] = _span(date(year, month, first), last - first + 1)
    if "端午节" in lunar:
        out["端午节"] = _one_day(lunar["端午节"])
    national = _span(date(year, 10, 1), NATIONAL_DAY_DAYS)
    mid_autumn = lunar.get("中秋节")
    if mid_autumn is not None and date(year, 10, 1) <= mid_autumn <= date(year, 10, 8):
        # 2025: 中秋 on 6 October made one eight-day break (国庆节、中秋节).
        out["国庆节、中秋节"] = _span(date(year, 10, 1), NATIONAL_DAY_DAYS + 1)
    else:
        if mid_autumn is not None:
            out["中秋节"] = _one_day(mid_autumn)
        out["国庆节"] = national
    # No rule reaches past 8 October, so every day is in ``year`` (and inside date.max for year 9999).
    return {name: tuple(d for d in days if d.year == year) for name, days in out.items()}


@cache
def estimated_days_off(year: int) -> frozenset[date]:
    """Every estimated day off of ``year`` (cached: the calendar asks once per day counted). No 调休 working
    weekend is returned because none can be foreseen."""
    return frozenset(d for festival in estimated_festivals(year).values() for d in festival)
