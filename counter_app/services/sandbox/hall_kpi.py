"""The hall's figures (大厅办件成效), computed by the platform from the cases every window sent it.

``GET /v1/hall/kpi?from=YYYY-MM-DD&to=YYYY-MM-DD`` (docs/protocol.md, "Hall figures"). The platform holds each
case's latest body (the aggregate the window pushed, plus ``case_number``); from it, per window and per operator:

- decided cases: ``decision.outcome`` accepted / declined, on the China day of ``decision.at`` in the range;
- time at the window: ``timing.first_input_at`` -> ``decision.at`` in minutes, mean over accepted cases that have
  a first input (the counter's own KPIs count the same way);
- materials per accepted case from its checklist: ``received`` (paper), ``waived`` (容缺), ``verified`` (免提交,
  a lookup matched), as sums and means;
- the 机审 verdict the decision was made on (``decision.verdict``): ``auto`` over the decided cases that have one;
- ratings (好差评), when the aggregate carries them: counts per level on the China day each was given.

The window is the case number's prefix (the accepting workstation's id: ``QD01-20260930-0001`` -> ``QD01``); the
operator is the decision's ``by`` (a rating's ``by`` for ratings). A rating does not record the workstation, so it
counts for the window whose case it is. The body is read as plain JSON, as a platform that does not run the
counter's code would read it: a field that is missing or malformed leaves the case (or that measure) out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from forms.china_time import CHINA_TZ

# The wire values of the five levels (forms.vocabulary.RatingLevel), best first, with the labels the platform
# answers with so clients show them as the platform counts them; the last two are 差评.
RATING_LEVELS: tuple[tuple[str, str], ...] = (
    ("very_satisfied", "非常满意"),
    ("satisfied", "满意"),
    ("fairly_satisfied", "基本满意"),
    ("dissatisfied", "不满意"),
    ("very_dissatisfied", "非常不满意"),
)
BAD_LEVELS = frozenset({"dissatisfied", "very_dissatisfied"})
# As the counter's own report: a longer range is a data export, not a figure for the hall.
MAX_RANGE_DAYS = 366


class RangeError(ValueError):
    """A range the platform will not count (Chinese message naming the parameter)."""


def parse_range(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """``from`` defaults to today (or ``to``), ``to`` to ``from``, as ``counter report`` does."""

    def day(value: str | None, name: str) -> date | None:
        if not value:
            return None
        try:
            if len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise RangeError(f"{name} 格式错误，应为 YYYY-MM-DD 格式的有效日期") from None

    start = day(raw_from, "from") or day(raw_to, "to") or today
    end = day(raw_to, "to") or start
    if end < start:
        raise RangeError("to 早于 from：结束日期应不早于开始日期")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise RangeError(f"统计区间超过上限：最长 {MAX_RANGE_DAYS} 天")
    return start, end


def _at(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class _Case:
    window: str
    operator: str
    accepted: bool
    seconds: int | None
    received: int
    waived: int
    exempted: int
    verdict: str | None


@dataclass(frozen=True)
class _Rating:
    window: str
    operator: str
    level: str


def _window(payload: dict[str, Any]) -> str:
    return str(payload.get("case_number") or "").split("-")[0] or "?"


def _decided(payload: dict[str, Any], start: date, end: date) -> _Case | None:
    decision = _dict(payload.get("decision"))
    outcome, at = decision.get("outcome"), _at(decision.get("at"))
    if outcome not in ("accepted", "declined") or at is None or not start <= at.astimezone(CHINA_TZ).date() <= end:
        return None
    first = _at(_dict(payload.get("timing")).get("first_input_at"))
    statuses = [_dict(line).get("status") for line in payload.get("checklist") or []]
    accepted = outcome == "accepted"
    verdict = decision.get("verdict")
    return _Case(
        window=_window(payload),
        operator=str(decision.get("by") or "?"),
        accepted=accepted,
        seconds=max(0, int((at - first).total_seconds())) if first is not None else None,
        received=statuses.count("received") if accepted else 0,
        waived=statuses.count("waived") if accepted else 0,
        exempted=statuses.count("verified") if accepted else 0,
        verdict=verdict if verdict in ("auto", "manual", "refuse") else None,
    )


def _ratings(payload: dict[str, Any], start: date, end: date) -> list[_Rating]:
    known = {level for level, _ in RATING_LEVELS}
    found = []
    for item in payload.get("ratings") or []:
        rating = _dict(item)
        at, level = _at(rating.get("at")), rating.get("level")
        if at is not None and level in known and start <= at.astimezone(CHINA_TZ).date() <= end:
            found.append(_Rating(_window(payload), str(rating.get("by") or "?"), str(level)))
    return found


_TENTH = Decimal("0.1")


def _tenth(part: float, whole: int) -> float | None:
    """``part / whole`` to one decimal (half up, as the counter's report rounds); None for nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(str(part)) / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP))


@dataclass
class _Group:
    cases: list[_Case] = field(default_factory=list)
    ratings: list[_Rating] = field(default_factory=list)
    windows: set[str] = field(default_factory=set)

    def figures(self) -> dict[str, Any]:
        accepted = [c for c in self.cases if c.accepted]
        timed = [c.seconds for c in accepted if c.seconds is not None]
        received, waived, exempted = (
            sum(getattr(c, name) for c in accepted) for name in ("received", "waived", "exempted")
        )
        verdicts = [c.verdict for c in self.cases if c.verdict is not None]
        counts = {level: sum(1 for r in self.ratings if r.level == level) for level, _ in RATING_LEVELS}
        rated = sum(counts.values())
        return {
            "windows": sorted(self.windows),
            "accepted": len(accepted),
            "declined": len(self.cases) - len(accepted),
            "minutes_avg": _tenth(sum(timed) / 60, len(timed)),
            "received": received,
            "waived": waived,
            "exempted": exempted,
            "received_per_case": _tenth(received, len(accepted)),
            "waived_per_case": _tenth(waived, len(accepted)),
            "exempted_per_case": _tenth(exempted, len(accepted)),
            "auto": verdicts.count("auto"),
            "verdicts": len(verdicts),
            "unknown_verdicts": len(self.cases) - len(verdicts),
            "auto_percent": _tenth(100 * verdicts.count("auto"), len(verdicts)),
            "ratings": counts,
            "rated": rated,
            "satisfied_percent": _tenth(100 * sum(n for k, n in counts.items() if k not in BAD_LEVELS), rated),
        }


def hall_figures(payloads: Iterable[dict[str, Any]], start: date, end: date, *, now: datetime) -> dict[str, Any]:
    """The answer of ``GET /v1/hall/kpi``: rows per window and per operator (sorted), and the hall's total."""
    windows: dict[str, _Group] = defaultdict(_Group)
    operators: dict[str, _Group] = defaultdict(_Group)
    total = _Group()
    for payload in payloads:
        case = _decided(payload, start, end)
        if case is not None:
            for group in (windows[case.window], operators[case.operator], total):
                group.cases.append(case)
                group.windows.add(case.window)
        for rating in _ratings(payload, start, end):
            for group in (windows[rating.window], operators[rating.operator], total):
                group.ratings.append(rating)
                group.windows.add(rating.window)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "generated_at": now.isoformat(),
        "rating_levels": [
            {"level": level, "label": label, "bad": level in BAD_LEVELS} for level, label in RATING_LEVELS
        ],
        "windows": [{"window": key, **windows[key].figures()} for key in sorted(windows)],
        "operators": [{"operator": key, **operators[key].figures()} for key in sorted(operators)],
        "total": total.figures(),
    }
