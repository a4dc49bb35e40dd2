"""Satisfaction ratings (好差评) in the counter KPIs: how many of each level, and the share of satisfied ones.

A rating counts on the (China) day it was given, for the operator at the window then (``rating.by``): a case
accepted in one month may be handed out and rated in another. The cases are found by the ``rating`` audit lines
of the range (the rating command writes one in its transaction); the levels are read from each case's aggregate.
Satisfied means any level but the two bad ones (不满意, 非常不满意: ``forms.vocabulary.BAD_RATINGS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from forms.case import load_case
from forms.china_time import CHINA_TZ
from forms.vocabulary import BAD_RATINGS, RATING_LABELS, RatingLevel

if TYPE_CHECKING:
    from local_cache import Store

LEVELS: tuple[RatingLevel, ...] = tuple(RatingLevel)
NO_RATINGS: tuple[int, ...] = (0,) * len(LEVELS)
RATING_COLUMNS_ZH: tuple[str, ...] = (*(RATING_LABELS[level] for level in LEVELS), "满意率")
RATING_CSV_COLUMNS: tuple[str, ...] = (*(f"rating_{level.value}" for level in LEVELS), "satisfied_percent")


@dataclass(frozen=True)
class RatingKpi:
    """One rating as the KPIs count it (no comment, no personal data)."""

    case_number: str
    day: date
    operator: str
    stage: str
    level: RatingLevel


def case_ratings(case_number: str, payload: dict[str, Any], since: datetime, until: datetime) -> list[RatingKpi]:
    """The ratings of one saved case given at ``since <= at < until``."""
    try:
        file = load_case(payload)
    except (ValidationError, ValueError):
        return []
    return [
        RatingKpi(case_number, r.at.astimezone(CHINA_TZ).date(), r.by or "?", r.stage.value, r.level)
        for r in file.ratings
        if since <= r.at < until
    ]


def ratings_in_range(store: Store, since: datetime, until: datetime) -> list[RatingKpi]:
    from local_cache.reports import rated_case_numbers

    found: list[RatingKpi] = []
    for number in rated_case_numbers(store, since, until):
        found.extend(case_ratings(number, store.cases.by_number(number).payload, since, until))
    return found


def tally(ratings: Iterable[RatingKpi]) -> tuple[int, ...]:
    """Counts per level, in the order of the levels (非常满意 … 非常不满意)."""
    levels = [r.level for r in ratings]
    return tuple(levels.count(level) for level in LEVELS)


def satisfied(counts: tuple[int, ...]) -> int:
    return sum(n for level, n in zip(LEVELS, counts, strict=True) if level not in BAD_RATINGS)
