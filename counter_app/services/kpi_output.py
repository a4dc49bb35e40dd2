"""The KPI report as text: the table by day and operator, the baseline line and the CSV export.

Presentation only: :mod:`counter_app.services.kpi` works the measures out into a :class:`KpiReport`; the KPI screen
shows its rows with :func:`measure_cells`, :func:`verdict_cells` and :func:`baseline_line`, ``counter report``
prints :func:`render_table` or :func:`render_csv`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from counter_app.services.kpi_ratings import LEVELS, RATING_CSV_COLUMNS
from forms.vocabulary import RATING_LABELS

if TYPE_CHECKING:
    from counter_app.services.kpi import KpiReport, KpiRow

MEASURE_COLUMNS_ZH = (
    "日期",
    "操作员",
    "受理",
    "不予受理",
    "均时(分)",
    "中位(分)",
    "纸质材料",
    "免提交",
    "容缺",
    "已补",
    "待补",
    "逾期",
    "件均纸质",
    "件均跑动",
)
VERDICT_COLUMNS_ZH = ("机审自动", "未记机审")
COLUMNS_ZH = MEASURE_COLUMNS_ZH + VERDICT_COLUMNS_ZH
# Column meanings: intake minutes (mean, median) per accepted case; materials on paper / exempted by data sharing
# (免提交) / waived (容缺) summed over accepted cases; shortfalls brought in (已补), owed (待补), overdue (逾期);
# paper materials and trips (跑动) per accepted case; the share of decided cases whose 机审 verdict was "auto"
# (of those with a recorded verdict) and how many were decided before verdicts were recorded.

CSV_COLUMNS = (
    "date",
    "operator",
    "accepted",
    "declined",
    "intake_minutes_avg",
    "intake_minutes_median",
    "paper_materials",
    "exempted_by_data_sharing",
    "waived",
    "shortfalls_fulfilled",
    "shortfalls_outstanding",
    "shortfalls_overdue",
    "paper_materials_per_case",
    "exempted_per_case",
    "trips_per_case",
    "baseline_materials",
    "baseline_trips",
    "baseline_working_days",
    "promised_working_days",
    "auto_verdicts",
    "verdicts_recorded",
    "verdicts_unknown",
    "auto_verdict_percent",
    *RATING_CSV_COLUMNS,
)


def _num(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def row_cells(row: KpiRow) -> list[str]:
    """One row as the table shows it (Chinese labels for the total): the measures, then the verdict columns."""
    return measure_cells(row) + verdict_cells(row)


def verdict_cells(row: KpiRow) -> list[str]:
    """The share of "auto" verdicts among the cases with one, and the cases decided before verdicts existed."""
    return [f"{row.auto_share}%" if row.auto_share is not None else "-", str(row.unknown_verdicts)]


def rating_cells(row: KpiRow) -> list[str]:
    """Ratings (好差评) per level, then the share satisfied ("-" when nobody rated): RATING_COLUMNS_ZH."""
    share = row.satisfied_share
    return [*(str(n) for n in row.ratings), f"{share}%" if share is not None else "-"]


def ratings_line(report: KpiReport) -> str:
    """The period's ratings in one line (the table is wide enough without five more columns)."""
    total = report.total
    if not sum(total.ratings):
        return "好差评：本期无评价"
    counts = "、".join(f"{RATING_LABELS[level]} {n}" for level, n in zip(LEVELS, total.ratings, strict=True))
    return f"好差评 {sum(total.ratings)} 条：{counts}；满意率 {total.satisfied_share}%"


def measure_cells(row: KpiRow) -> list[str]:
    """The measures of one row without the verdict columns (the KPI screen shows those in a table of their own)."""
    return [
        row.day.isoformat() if row.day is not None else "合计",
        row.operator if row.operator is not None else "全部",
        str(row.accepted),
        str(row.declined),
        _num(row.intake_minutes_avg) or "-",
        _num(row.intake_minutes_median) or "-",
        str(row.paper),
        str(row.exempted),
        str(row.waived),
        str(row.fulfilled),
        str(row.outstanding),
        str(row.overdue),
        _num(row.paper_avg) or "-",
        _num(row.trips_avg) or "-",
    ]


def baseline_line(report: KpiReport) -> str:
    """The comparison with the process before the reform, in one line."""
    b = report.baseline
    total = report.total
    paper = f"件均纸质材料 {total.paper_avg} 份" if total.paper_avg is not None else "件均纸质材料 -"
    trips = f"件均跑动 {total.trips_avg} 次" if total.trips_avg is not None else "件均跑动 -"
    return (
        f"改革前基线：提报材料 {b.materials} 份、跑腿 {b.trips} 次、办理时限 {b.working_days} 个工作日；"
        f"本期：{paper}、{trips}、承诺时限 {report.promised_working_days} 个工作日"
    )


def _width(text: str) -> int:
    # East Asian wide characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def render_table(report: KpiReport) -> str:
    """A plain text table by day and operator, a total row and the baseline line."""
    title = f"专窗办件成效 {report.start.isoformat()} 至 {report.end.isoformat()}"
    body = [row_cells(r) for r in report.rows]
    if not body:
        return f"{title}\n该期间没有已作出受理决定的案件。\n{ratings_line(report)}\n{baseline_line(report)}\n"
    table = [list(COLUMNS_ZH), *body, row_cells(report.total)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(COLUMNS_ZH))]
    lines = []
    for index, row in enumerate(table):
        cells = [_pad(cell, widths[i], right=i >= 2 and index > 0) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(table) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join([title, *lines, ratings_line(report), baseline_line(report)]) + "\n"


def render_csv(report: KpiReport) -> str:
    """CSV by day and operator, then a total row (date and operator ``ALL``), with the baseline in columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    b = report.baseline
    for row in [*report.rows, report.total]:
        writer.writerow(
            [
                row.day.isoformat() if row.day is not None else "ALL",
                row.operator if row.operator is not None else "ALL",
                row.accepted,
                row.declined,
                _num(row.intake_minutes_avg),
                _num(row.intake_minutes_median),
                row.paper,
                row.exempted,
                row.waived,
                row.fulfilled,
                row.outstanding,
                row.overdue,
                _num(row.paper_avg),
                _num(row.exempted_avg),
                _num(row.trips_avg),
                b.materials,
                b.trips,
                b.working_days,
                report.promised_working_days,
                row.auto,
                row.verdicts,
                row.unknown_verdicts,
                _num(row.auto_share),
                *row.ratings,
                _num(row.satisfied_share),
            ]
        )
    return out.getvalue()
