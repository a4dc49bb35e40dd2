"""The hall's figures (大厅办件成效): asked of the platform, which counts every window's cases.

The counter's own KPIs (:mod:`counter_app.services.kpi`) count what this store holds. The hall's figures come from
``GET /v1/hall/kpi?from=&to=`` (docs/protocol.md, "Hall figures"): per window (workstation id) and per operator,
cases accepted and declined, the mean time at the window, materials per case (paper, 容缺, 免提交), the share of 机审
``auto`` verdicts and the ratings (好差评) per level. The platform names the rating levels in its answer, so they
are shown as it counted them.

The hall shares through the platform, so offline the figures are out of reach: :class:`HallUnreachable` carries
the reason, and ``counter report --hall`` and the KPI screen say so and show the local figures instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation

HALL_PATH = "/v1/hall/kpi"
# The window's and the operator's tables share these columns after the first (and, for operators, the windows).
# 不予受理 beside 受理, as in the counter's own report: every window sends its declines, and the platform counts them.
FIGURE_COLUMNS_ZH = (
    "受理",
    "不予受理",
    "均时(分)",
    "件均纸质",
    "件均容缺",
    "件均免提交",
    "机审自动",
    "好差评",
    "满意率",
)
WINDOW_COLUMNS_ZH = ("窗口", *FIGURE_COLUMNS_ZH)
OPERATOR_COLUMNS_ZH = ("操作员", "窗口", *FIGURE_COLUMNS_ZH)
CSV_COLUMNS = (
    "scope",
    "key",
    "windows",
    "accepted",
    "declined",
    "minutes_avg",
    "received",
    "waived",
    "exempted",
    "received_per_case",
    "waived_per_case",
    "exempted_per_case",
    "auto_verdicts",
    "verdicts_recorded",
    "verdicts_unknown",
    "auto_verdict_percent",
    "rated",
    "satisfied_percent",
)


class HallUnreachable(Exception):
    """The platform could not be asked, or answered something unusable (Chinese, for the clerk)."""


def out_of_reach(exc: HallUnreachable) -> str:
    """What the report and the screen say before the local figures they show instead."""
    return f"大厅数据暂无法获取（{exc}）：以下为本机数据"


@dataclass(frozen=True)
class HallRow:
    """One window's, one operator's or the whole hall's figures, as the platform counted them."""

    key: str
    windows: tuple[str, ...]
    accepted: int
    declined: int
    minutes_avg: Decimal | None
    received: int
    waived: int
    exempted: int
    received_per_case: Decimal | None
    waived_per_case: Decimal | None
    exempted_per_case: Decimal | None
    auto: int
    verdicts: int
    unknown_verdicts: int
    auto_percent: Decimal | None
    ratings: tuple[int, ...]  # per level, in the order of HallReport.levels
    rated: int
    satisfied_percent: Decimal | None

    @property
    def handled(self) -> int:
        return self.accepted + self.declined


@dataclass(frozen=True)
class HallReport:
    start: date
    end: date
    generated_at: str
    levels: tuple[tuple[str, str], ...]  # (level, Chinese label), best first
    by_window: list[HallRow]
    by_operator: list[HallRow]
    total: HallRow


def _decimal(value: Any) -> Decimal | None:
    # Through str: the platform sends one decimal, and Decimal(float) would show its binary noise.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _row(key: str, body: dict[str, Any], levels: tuple[tuple[str, str], ...]) -> HallRow:
    counts = body.get("ratings") or {}
    return HallRow(
        key=key,
        windows=tuple(str(w) for w in body.get("windows") or ()),
        accepted=int(body["accepted"]),
        declined=int(body["declined"]),
        minutes_avg=_decimal(body.get("minutes_avg")),
        received=int(body["received"]),
        waived=int(body["waived"]),
        exempted=int(body["exempted"]),
        received_per_case=_decimal(body.get("received_per_case")),
        waived_per_case=_decimal(body.get("waived_per_case")),
        exempted_per_case=_decimal(body.get("exempted_per_case")),
        auto=int(body["auto"]),
        verdicts=int(body["verdicts"]),
        unknown_verdicts=int(body["unknown_verdicts"]),
        auto_percent=_decimal(body.get("auto_percent")),
        ratings=tuple(int(counts.get(level, 0)) for level, _ in levels),
        rated=int(body.get("rated") or 0),
        satisfied_percent=_decimal(body.get("satisfied_percent")),
    )


def parse_hall_report(body: Any) -> HallReport:
    """The platform's answer, checked whole: a malformed one is out of reach, never half shown."""
    try:
        levels = tuple((str(item["level"]), str(item["label"])) for item in body.get("rating_levels") or ())
        return HallReport(
            start=date.fromisoformat(body["from"]),
            end=date.fromisoformat(body["to"]),
            generated_at=str(body.get("generated_at") or ""),
            levels=levels,
            by_window=[_row(str(r["window"]), r, levels) for r in body["windows"]],
            by_operator=[_row(str(r["operator"]), r, levels) for r in body["operators"]],
            total=_row("合计", body["total"], levels),
        )
    except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise HallUnreachable(f"一件事平台的大厅统计应答无法解析：{type(exc).__name__}") from exc


async def fetch_hall_report(client: httpx.AsyncClient, start: date, end: date, *, timeout: float) -> HallReport:
    """``GET /v1/hall/kpi`` on the platform ``client`` points at; raises :class:`HallUnreachable`."""
    params = {"from": start.isoformat(), "to": end.isoformat()}
    try:
        response = await client.get(HALL_PATH, params=params, timeout=timeout)
    except httpx.HTTPError as exc:
        raise HallUnreachable(f"无法连接一件事平台：{type(exc).__name__}") from exc
    if response.status_code != 200:
        raise HallUnreachable(f"一件事平台未能统计：HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise HallUnreachable("一件事平台的大厅统计应答无法解析") from exc
    return parse_hall_report(body)


async def workstation_hall_report(workstation: Workstation, start: date, end: date) -> HallReport:
    """For the KPI screen: the platform this workstation syncs with (the embedded sandbox when none is set)."""
    engine = workstation.sync_engine()
    return await fetch_hall_report(engine.client, start, end, timeout=engine.policy.request_timeout)


def hall_report_from(url: str, start: date, end: date) -> HallReport:
    """For ``counter report --hall``: the platform at ``url``, asked once; raises :class:`HallUnreachable`."""
    import asyncio

    from counter_app.services.sync_models import SyncPolicy

    if not url:
        # The embedded sandbox lives and dies with one process: it holds no other window's cases.
        raise HallUnreachable("未设置一件事平台地址 platform_url")
    timeout = SyncPolicy().request_timeout

    async def fetch() -> HallReport:
        async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
            return await fetch_hall_report(client, start, end, timeout=timeout)

    return asyncio.run(fetch())


# -- as text -----------------------------------------------------------------------------------------------------


def _num(value: Decimal | None) -> str:
    return "-" if value is None else str(value)


def _percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value}%"


def figure_cells(row: HallRow) -> list[str]:
    """FIGURE_COLUMNS_ZH of one row; the ratings as counts per level, best first (e.g. ``3/1/0/0/1``)."""
    return [
        str(row.accepted),
        str(row.declined),
        _num(row.minutes_avg),
        _num(row.received_per_case),
        _num(row.waived_per_case),
        _num(row.exempted_per_case),
        _percent(row.auto_percent),
        "/".join(str(n) for n in row.ratings) if row.rated else "-",
        _percent(row.satisfied_percent),
    ]


def window_cells(row: HallRow) -> list[str]:
    return [row.key, *figure_cells(row)]


def operator_cells(row: HallRow) -> list[str]:
    return [row.key, "、".join(row.windows) or "-", *figure_cells(row)]


def levels_line(report: HallReport) -> str:
    """How to read the 好差评 column, and the hall's ratings in words."""
    order = "/".join(label for _, label in report.levels)
    total = report.total
    if not total.rated:
        return f"好差评（{order}）：本期无评价"
    counts = "、".join(f"{label} {n}" for (_, label), n in zip(report.levels, total.ratings, strict=True))
    return f"好差评（{order}）{total.rated} 条：{counts}；满意率 {_percent(total.satisfied_percent)}"


def _width(text: str) -> int:
    # East Asian wide characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(header: tuple[str, ...], body: list[list[str]], texts: int) -> list[str]:
    """Columns padded to the widest cell; figures right-aligned after the first ``texts`` columns."""
    table = [list(header), *body]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for index, row in enumerate(table):
        cells = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - _width(cell))
            cells.append(gap + cell if i >= texts and index > 0 else cell + gap)
        lines.append("  ".join(cells).rstrip())
        if index == 0 or index == len(table) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render_hall_table(report: HallReport) -> str:
    """Two tables, per window then per operator, each with the hall's total; the ratings line after them."""
    title = f"大厅办件成效（一件事平台统计）{report.start.isoformat()} 至 {report.end.isoformat()}"
    if not report.by_window:
        return f"{title}\n该期间全大厅没有已作出受理决定或评价的案件。\n"
    total = report.total
    windows = _table(WINDOW_COLUMNS_ZH, [*map(window_cells, report.by_window), window_cells(total)], 1)
    operators = _table(OPERATOR_COLUMNS_ZH, [*map(operator_cells, report.by_operator), operator_cells(total)], 2)
    lines = [title, "按窗口", *windows, "", "按操作员", *operators, levels_line(report)]
    return "\n".join(lines) + "\n"


def _opt(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def render_hall_csv(report: HallReport) -> str:
    """One line per window (scope ``window``) and per operator (``operator``), then ``total,ALL``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"rating_{level}" for level, _ in report.levels)])
    rows = [("window", r) for r in report.by_window] + [("operator", r) for r in report.by_operator]
    for scope, row in [*rows, ("total", report.total)]:
        writer.writerow(
            [
                scope,
                "ALL" if scope == "total" else row.key,
                " ".join(row.windows),
                row.accepted,
                row.declined,
                _opt(row.minutes_avg),
                row.received,
                row.waived,
                row.exempted,
                _opt(row.received_per_case),
                _opt(row.waived_per_case),
                _opt(row.exempted_per_case),
                row.auto,
                row.verdicts,
                row.unknown_verdicts,
                _opt(row.auto_percent),
                row.rated,
                _opt(row.satisfied_percent),
                *row.ratings,
            ]
        )
    return out.getvalue()
