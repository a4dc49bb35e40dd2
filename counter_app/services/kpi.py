"""Counter KPIs (办件成效): time used, materials collected, cases handled — by day and operator.

Fujian's implementation plan (seeds/001, 系统测试和试运行) names what a trial measures: 实际用时 (time used),
收取材料数量 (materials collected) and 办件数量 (cases handled). Per decided case this module works out:

- intake time: the first keystroke (``timing.first_input_at``) to the decision (``decision.at``);
- materials: on paper (收取) vs exempted because a data-sharing lookup matched (免提交), and waived (容缺) — by
  re-evaluating the saved payload with :func:`forms.materials.evaluate`, so the rules live in one place;
- shortfalls: waived materials since handed in (补件, fulfilled) vs still owed (open or overdue), from the store;
- trips: the intake visit plus each day on which waived materials were handed in at the window;
- the 机审 verdict the decision was made on (``decision.verdict``: auto / manual / refuse; none for a case decided
  before verdicts were recorded, counted as unknown), for the share of cases eligible for machine approval;
- satisfaction ratings (好差评) per level and the share satisfied, on the day given (:mod:`.kpi_ratings`).

A case counts on the (China) day of its decision, for the operator who made it. The aggregate sits beside the
reform baseline below. Screens and commands call :func:`kpi_report` / :func:`workstation_report`; nothing here
writes to the store.

The report as text (the table, the baseline line, the CSV) is in :mod:`counter_app.services.kpi_output`, re-exported
here; the supervisors' audit viewer is in :mod:`counter_app.services.audit_view`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from counter_app.services.kpi_output import (
    COLUMNS_ZH,
    CSV_COLUMNS,
    MEASURE_COLUMNS_ZH,
    VERDICT_COLUMNS_ZH,
    baseline_line,
    measure_cells,
    render_csv,
    render_table,
    row_cells,
    verdict_cells,
)
from counter_app.services.kpi_ratings import NO_RATINGS, RatingKpi, ratings_in_range, satisfied, tally
from forms.case import assess, load_case
from forms.china_time import CHINA_TZ
from forms.policy import PolicyPack
from forms.vocabulary import ShortfallStatus
from forms.workdays import WorkingDayCalendar, default_calendar

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation
    from local_cache import Store
    from local_cache.records import Shortfall


__all__ = [
    "COLUMNS_ZH",
    "CSV_COLUMNS",
    "MAX_RANGE_DAYS",
    "MEASURE_COLUMNS_ZH",
    "REFORM_BASELINE",
    "VERDICT_COLUMNS_ZH",
    "Baseline",
    "CaseKpi",
    "KpiError",
    "KpiReport",
    "KpiRow",
    "aggregate",
    "baseline_line",
    "build_report",
    "case_kpi",
    "check_range",
    "kpi_report",
    "measure_cells",
    "parse_day",
    "render_csv",
    "render_table",
    "row_cells",
    "verdict_cells",
    "workstation_report",
]


@dataclass(frozen=True)
class Baseline:
    """The process before the reform, as published beside the reform's results.

    Source: seeds/000 (Qingdao work plan, 2025-06), 改革成效对比表 for new commercial housing and for resale alike:
    办理时限 20 个工作日, 提报材料 24 份, 办理环节 8 个, 跑腿次数 8 次 (after: 6 working days, 7 / 11 materials,
    1 step, 1 trip). Kept as constants, not in a policy pack: it is a fixed historical comparison, not a rule.
    """

    materials: int = 24
    trips: int = 8
    working_days: int = 20
    steps: int = 8
    source: str = "青岛市住房公积金个人住房贷款购房“一件事”工作方案·改革成效对比表（seeds/000）"


REFORM_BASELINE = Baseline()
# A report over more than a year is a data export, not a counter report; it would also decrypt every case.
MAX_RANGE_DAYS = 366


class KpiError(ValueError):
    """A report request the counter cannot answer; the message is Chinese and names the field."""


@dataclass(frozen=True)
class CaseKpi:
    """The measures of one decided case (no personal data: case number and operator login only)."""

    case_number: str
    day: date
    operator: str
    status: str  # "accepted" | "declined"
    intake_seconds: int | None
    paper: int
    exempted: int
    waived: int
    fulfilled: int
    outstanding: int
    overdue: int
    trips: int
    verdict: str | None = None  # "auto" | "manual" | "refuse"; None: decided before verdicts were recorded

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True)
class KpiRow:
    """The measures of one group (a day and an operator, or everything): sums and per-accepted-case means."""

    day: date | None
    operator: str | None
    accepted: int
    declined: int
    intake_minutes_avg: Decimal | None
    intake_minutes_median: Decimal | None
    paper: int
    exempted: int
    waived: int
    fulfilled: int
    outstanding: int
    overdue: int
    paper_avg: Decimal | None
    exempted_avg: Decimal | None
    trips_avg: Decimal | None
    auto: int = 0  # decided on an "auto" verdict (可机审)
    verdicts: int = 0  # decided with a recorded verdict
    unknown_verdicts: int = 0  # decided before verdicts were recorded: neither auto nor manual
    ratings: tuple[int, ...] = NO_RATINGS  # 好差评 given, per level (非常满意 … 非常不满意)

    @property
    def handled(self) -> int:
        return self.accepted + self.declined

    @property
    def auto_share(self) -> Decimal | None:
        """Per cent of the cases with a recorded verdict that were "auto"; None when no case has one."""
        return _percent(self.auto, self.verdicts)

    @property
    def satisfied_share(self) -> Decimal | None:
        """Per cent of the ratings that were not bad (非常满意, 满意, 基本满意); None when nobody rated."""
        return _percent(satisfied(self.ratings), sum(self.ratings))


@dataclass(frozen=True)
class KpiReport:
    start: date
    end: date
    cases: list[CaseKpi]
    rows: list[KpiRow]
    total: KpiRow
    promised_working_days: int
    baseline: Baseline = field(default=REFORM_BASELINE)

    @property
    def materials_saved_avg(self) -> Decimal | None:
        """Paper materials saved per accepted case against the baseline's 24."""
        if self.total.paper_avg is None:
            return None
        return Decimal(self.baseline.materials) - self.total.paper_avg


# -- dates -------------------------------------------------------------------------------------------------------


def parse_day(text: str, label: str = "日期") -> date:
    """A YYYY-MM-DD date typed by a person; the error names the field and the expected form."""
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise KpiError(f"{label}“{value}”无效：应为 YYYY-MM-DD 格式的有效日期，例如 2026-09-30") from None


def check_range(start: date, end: date) -> None:
    if end < start:
        raise KpiError(f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}：结束日期应不早于开始日期")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise KpiError(f"统计区间为 {(end - start).days + 1} 天，超过上限：统计区间最长 {MAX_RANGE_DAYS} 天")


def _china_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(0), CHINA_TZ),
        datetime.combine(end + timedelta(days=1), time(0), CHINA_TZ),
    )


# -- one case ----------------------------------------------------------------------------------------------------


def _at(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def case_kpi(
    case_number: str,
    payload: dict[str, Any],
    shortfalls: Sequence[Shortfall],
    policy: PolicyPack,
    *,
    today: date,
    calendar: WorkingDayCalendar | None = None,
) -> CaseKpi | None:
    """The measures of one case from its saved aggregate and its shortfalls; None when it has no decision now.

    The material counts are the case's own assessment (forms.case.assess), never worked out again here."""
    try:
        file = load_case(payload)
    except (ValidationError, ValueError):
        return None
    decision = file.decision
    if decision is None:
        return None
    status = decision.outcome
    decided_at = decision.at
    day = decided_at.astimezone(CHINA_TZ).date()
    first = file.timing.first_input_at
    seconds = max(0, int((decided_at - first).total_seconds())) if first is not None else None

    paper = exempted = waived = 0
    if status == "accepted":
        evaluation = assess(file, policy, calendar or default_calendar(), today).evaluation
        paper, exempted, waived = len(evaluation.received), len(evaluation.exempted), len(evaluation.waived)

    fulfilled = [s for s in shortfalls if s.status is ShortfallStatus.FULFILLED]
    owed = [s for s in shortfalls if s.status is not ShortfallStatus.FULFILLED]
    overdue = [s for s in owed if s.status is ShortfallStatus.OVERDUE or s.due_date < today]
    # One visit to apply, one more for each day waived materials were brought in (补件).
    visits = {s.fulfilled_at.astimezone(CHINA_TZ).date() for s in fulfilled if s.fulfilled_at is not None}
    return CaseKpi(
        case_number=case_number,
        day=day,
        operator=decision.by or "?",
        status=str(status),
        intake_seconds=seconds,
        paper=paper,
        exempted=exempted,
        waived=waived,
        fulfilled=len(fulfilled),
        outstanding=len(owed),
        overdue=len(overdue),
        trips=1 + len(visits) if status == "accepted" else 1,
        verdict=decision.verdict,
    )


# -- aggregation -------------------------------------------------------------------------------------------------

_ONE = Decimal("0.1")


def _mean(values: Sequence[int | float], quantum: Decimal = _ONE) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(quantum, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(_ONE, rounding=ROUND_HALF_UP)


def aggregate(
    cases: Iterable[CaseKpi], day: date | None = None, operator: str | None = None, ratings: Iterable[RatingKpi] = ()
) -> KpiRow:
    items = list(cases)
    accepted = [c for c in items if c.accepted]
    minutes = [c.intake_seconds / 60 for c in accepted if c.intake_seconds is not None]
    median = Decimal(str(statistics.median(minutes))).quantize(_ONE, rounding=ROUND_HALF_UP) if minutes else None
    return KpiRow(
        day=day,
        operator=operator,
        accepted=len(accepted),
        declined=len(items) - len(accepted),
        intake_minutes_avg=_mean(minutes),
        intake_minutes_median=median,
        paper=sum(c.paper for c in accepted),
        exempted=sum(c.exempted for c in accepted),
        waived=sum(c.waived for c in accepted),
        fulfilled=sum(c.fulfilled for c in accepted),
        outstanding=sum(c.outstanding for c in accepted),
        overdue=sum(c.overdue for c in accepted),
        paper_avg=_mean([c.paper for c in accepted]),
        exempted_avg=_mean([c.exempted for c in accepted]),
        trips_avg=_mean([c.trips for c in accepted]),
        # Over every decided case (accepted or declined): the verdict is the 机审's, whatever the window decided.
        auto=sum(1 for c in items if c.verdict == "auto"),
        verdicts=sum(1 for c in items if c.verdict is not None),
        unknown_verdicts=sum(1 for c in items if c.verdict is None),
        ratings=tally(ratings),
    )


def build_report(
    cases: Sequence[CaseKpi], start: date, end: date, promised_working_days: int, ratings: Sequence[RatingKpi] = ()
) -> KpiReport:
    groups: dict[tuple[date, str], list[CaseKpi]] = defaultdict(list)
    rated: dict[tuple[date, str], list[RatingKpi]] = defaultdict(list)
    for item in cases:
        if start <= item.day <= end:
            groups[(item.day, item.operator)].append(item)
    for rating in ratings:  # a day and operator with ratings but no decision still has its row
        if start <= rating.day <= end:
            rated[(rating.day, rating.operator)].append(rating)
    keys = sorted(set(groups) | set(rated))
    rows = [aggregate(groups[key], *key, ratings=rated[key]) for key in keys]
    kept = [c for key in keys for c in groups[key]]
    return KpiReport(
        start=start,
        end=end,
        cases=kept,
        rows=rows,
        total=aggregate(kept, ratings=[r for key in keys for r in rated[key]]),
        promised_working_days=promised_working_days,
    )


def kpi_report(
    store: Store,
    policy: PolicyPack,
    start: date,
    end: date,
    *,
    today: date,
    calendar: WorkingDayCalendar | None = None,
) -> KpiReport:
    """The KPIs of the cases decided from ``start`` to ``end`` (China dates, both included)."""
    from local_cache.reports import decided_case_ids

    check_range(start, end)
    since, until = _china_bounds(start, end)
    cases: list[CaseKpi] = []
    for case_id in decided_case_ids(store, since, until):
        record = store.cases.get(case_id)
        kpi = case_kpi(
            record.case_number,
            record.payload,
            store.records.shortfalls(case_id),
            policy,
            today=today,
            calendar=calendar,
        )
        if kpi is not None:
            cases.append(kpi)
    ratings = ratings_in_range(store, since, until)
    return build_report(cases, start, end, policy.promised_working_days.value, ratings)


def workstation_report(workstation: Workstation, start: date | None = None, end: date | None = None) -> KpiReport:
    """The KPIs for the KPI screen: the workstation's store and policy pack; today by default."""
    today = workstation.today()
    return kpi_report(
        workstation._store,
        workstation.policy,
        start or today,
        end or start or today,
        today=today,
        calendar=workstation.calendar,
    )
