"""Working days: DOMAIN.md check values, the data file for new years, estimates for unknown years."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.workdays import WorkingDayCalendar, add_working_days, load_calendar, parse_schedules


def test_national_day_2026() -> None:
    # Wed 2026-09-30 + 6 working days skips the Golden Week and lands on Wed 2026-10-14.
    assert add_working_days(date(2026, 9, 30), 6).due == date(2026, 10, 14)
    assert add_working_days(date(2026, 9, 30), 6).estimate is False


def test_adjusted_working_saturday() -> None:
    # Fri 2026-02-13 + 6 lands on Sat 2026-02-28, a weekend day made a working day (调休上班).
    result = add_working_days(date(2026, 2, 13), 6)
    assert result.due == date(2026, 2, 28)
    assert result.due.weekday() == 5
    assert not result.estimate


def test_across_new_year_into_unknown_2027_is_an_estimate() -> None:
    # 2026-12-28 (Mon) + 6: Tue..Thu 29-31 are known; 2027 is estimated by rule: Fri 01-01 (元旦) is off,
    # so Mon 4, Tue 5, Wed 6 (weekdays alone would have said Tue 01-05).
    result = add_working_days(date(2026, 12, 28), 6)
    assert result.estimate is True
    assert result.due == date(2027, 1, 6)


def test_within_2026_is_not_an_estimate() -> None:
    assert add_working_days(date(2026, 12, 20), 3) == add_working_days(date(2026, 12, 20), 3)
    assert add_working_days(date(2026, 12, 20), 3).due == date(2026, 12, 23)
    assert not add_working_days(date(2026, 12, 20), 3).estimate


def test_a_2027_date_never_raises() -> None:
    result = add_working_days(date(2027, 6, 1), 10)
    assert result.estimate
    assert result.due == date(2027, 6, 16)  # Wed 06-09 (端午, estimated) is skipped


def test_zero_days_is_the_day_itself() -> None:
    assert add_working_days(date(2026, 10, 1), 0).due == date(2026, 10, 1)


def test_data_file_makes_a_year_known(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text(
        '[years.2027]\nholidays = ["2027-01-01", "2027-01-04"]\nworkdays = ["2027-01-09"]\n', encoding="utf-8"
    )
    cal = load_calendar([extra])
    assert cal.knows_year(2027)
    # Thu 2026-12-31 + 3: Fri 01-01 off, Mon 01-04 off (fictitious), Tue 05, Wed 06, Thu 07.
    result = cal.add_working_days(date(2026, 12, 31), 3)
    assert result == type(result)(date(2027, 1, 7), False)
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday made a working day


def test_bad_data_file_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="2027"):
        parse_schedules('[years.2027]\nholidays = ["2028-01-01"]\n')


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=-60, max_value=60))
def test_never_raises_and_lands_on_a_working_day(start: date, days: int) -> None:
    cal = WorkingDayCalendar()
    result = cal.add_working_days(start, days)
    if days:
        assert cal.is_working_day(result.due)
        assert (result.due > start) == (days > 0)
        assert abs((result.due - start).days) >= abs(days)
    else:
        assert result.due == start


def test_range_edges_do_not_raise() -> None:
    assert add_working_days(date.max - timedelta(days=2), 10).estimate
    assert add_working_days(date.min + timedelta(days=2), -10).estimate
