"""China Standard Time: the one definition of the time zone every date at the counter is counted in.

Cases, working days, receipts and reports all count days in Beijing time (UTC+8, no daylight saving), whatever
zone the machine is set to.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware instant."""
    return moment.astimezone(CHINA_TZ).date()
