"""The share of 机审 "auto" verdicts by day and operator, read from each decision's recorded verdict; a case
decided before verdicts were recorded counts as unknown (neither auto nor manual)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from counter_app.services.kpi import (
    COLUMNS_ZH,
    CSV_COLUMNS,
    CaseKpi,
    aggregate,
    build_report,
    case_kpi,
    render_csv,
    render_table,
    verdict_cells,
)
from forms.case import CaseFile, Decision
from forms.policy import PolicyPack, load_policy

DAY = date(2026, 9, 30)


def _kpi(operator: str, verdict: str | None, status: str = "accepted", day: date = DAY) -> CaseKpi:
    return CaseKpi("QD01-20260930-0001", day, operator, status, 60, 1, 2, 0, 0, 0, 0, 1, verdict=verdict)


@pytest.fixture(scope="module")
def policy() -> PolicyPack:
    return load_policy("qingdao")


def _payload(verdict: str | None, outcome: str = "declined") -> dict[str, Any]:
    decision = Decision(outcome=outcome, at=datetime(2026, 9, 30, 2, 30, tzinfo=UTC), by="wang", verdict=verdict)  # type: ignore[arg-type]
    payload = CaseFile(decision=decision).model_dump(mode="json")
    if verdict is None:
        del payload["decision"]["verdict"]  # saved before the decision recorded a verdict
    return payload


@pytest.mark.parametrize("verdict", ["auto", "manual", "refuse", None])
def test_case_kpi_reads_the_recorded_verdict(policy: PolicyPack, verdict: str | None) -> None:
    kpi = case_kpi("QD01-20260930-0001", _payload(verdict), [], policy, today=DAY)
    assert kpi is not None and kpi.verdict == verdict


def test_share_of_auto_among_recorded_verdicts_unknown_apart() -> None:
    row = aggregate(
        [
            _kpi("wang", "auto"),
            _kpi("wang", "auto", status="declined"),  # the verdict is the 机审's, whatever the window decided
            _kpi("wang", "manual"),
            _kpi("wang", "refuse", status="declined"),
            _kpi("wang", None),  # decided before verdicts existed: not counted as manual
        ]
    )
    assert (row.auto, row.verdicts, row.unknown_verdicts) == (2, 4, 1)
    assert row.auto_share == Decimal("50.0")
    assert verdict_cells(row) == ["50.0%", "1"]
    legacy = aggregate([_kpi("wang", None)])
    assert legacy.auto_share is None and verdict_cells(legacy) == ["-", "1"]
    assert aggregate([]).auto_share is None


def test_report_by_day_and_operator_in_table_and_csv() -> None:
    cases = [
        _kpi("wang", "auto"),
        _kpi("wang", "manual"),
        _kpi("zhang", "auto"),
        _kpi("wang", None, day=date(2026, 10, 8)),
    ]
    report = build_report(cases, DAY, date(2026, 10, 8), 6)
    shares = [(r.day, r.operator, r.auto_share, r.unknown_verdicts) for r in report.rows]
    assert shares == [
        (DAY, "wang", Decimal("50.0"), 0),
        (DAY, "zhang", Decimal("100.0"), 0),
        (date(2026, 10, 8), "wang", None, 1),
    ]
    assert report.total.auto_share == Decimal("66.7") and report.total.unknown_verdicts == 1
    table = render_table(report)
    assert COLUMNS_ZH[-2:] == ("机审自动", "未记机审")
    assert "机审自动" in table and "66.7%" in table
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert list(rows[0])[: len(CSV_COLUMNS) - 4] == list(CSV_COLUMNS[:-4])  # the old columns keep their places
    assert [
        (r["auto_verdicts"], r["verdicts_recorded"], r["verdicts_unknown"], r["auto_verdict_percent"]) for r in rows
    ] == [
        ("1", "2", "0", "50.0"),
        ("1", "1", "0", "100.0"),
        ("0", "0", "1", ""),
        ("2", "3", "1", "66.7"),
    ]
