"""Domain hot paths the screens call on every keystroke: the repayment table, the loan limit, working days.

Baselines are the simplest possible implementations timed in the same run: a float annuity table and a plain
weekday count. The ratio says what exact Decimal money and the official calendar cost on top of them.
"""

from __future__ import annotations

from datetime import date, timedelta

from bench.common import Figure, best_of
from forms.loan import schedule, summary
from forms.vocabulary import RepaymentMethod
from forms.workdays import WorkingDayCalendar


def _float_table(principal: float, annual: float, months: int) -> list[tuple[float, float, float]]:
    r = annual / 100 / 12
    payment = principal * r * (1 + r) ** months / ((1 + r) ** months - 1)
    remaining = principal
    rows = []
    for _ in range(months):
        interest = remaining * r
        remaining -= payment - interest
        rows.append((payment, interest, remaining))
    return rows


def _weekday_count(start: date, days: int) -> date:
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def run() -> list[Figure]:
    baseline_table = best_of(lambda: _float_table(600000.0, 2.6, 360), repeat=7, number=5)
    table = best_of(lambda: schedule(600000, "2.6", 360, RepaymentMethod.ANNUITY), repeat=7, number=5)
    summ = best_of(lambda: summary(600000, "2.6", 360, RepaymentMethod.ANNUITY), repeat=7, number=5)
    calendar = WorkingDayCalendar()
    start = date(2026, 9, 30)
    baseline_days = best_of(lambda: _weekday_count(start, 20), repeat=7, number=50)
    days = best_of(lambda: calendar.add_working_days(start, 20), repeat=7, number=50)
    return [
        Figure(
            "repayment table 360 months (Decimal)",
            table * 1e3,
            "ms",
            "float table",
            baseline_table * 1e3,
            "interactive: < 50 ms",
        ),
        Figure("repayment summary 360 months", summ * 1e3, "ms", "float table", baseline_table * 1e3),
        Figure("add 20 working days (official calendar)", days * 1e6, "us", "weekday count", baseline_days * 1e6),
    ]
