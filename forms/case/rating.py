"""Satisfaction ratings (政务服务好差评) in the case aggregate: what the applicant said of 受理 and of 出件.

The rules, pure: which service a rating at the window is about now, one rating per service, the evaluation
device's digit keys, and the follow-up every bad rating needs (差评必须核实回访) before it leaves the list.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from forms.vocabulary import BAD_RATINGS, RATING_STAGE_LABELS, RatingLevel, RatingStage

if TYPE_CHECKING:
    from forms.case.record import CaseFile

# A comment is a sentence or two said at the window; the platform's 好差评 interface takes short texts too.
RATING_COMMENT_MAX = 200
# Handling notes are free text like any other reason typed at the window (counter_app.services.sanitize).
HANDLING_MAX = 200


class RatingError(ValueError):
    """A rating the case cannot take now (the message is Chinese and says why)."""


class Rating(BaseModel):
    """One rating of one service; a bad one carries how it was followed up once someone records it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: RatingStage
    level: RatingLevel
    comment: str = Field("", max_length=RATING_COMMENT_MAX, description="as the applicant said it; may name people")
    at: AwareDatetime
    by: str = Field(description="the operator at the window when it was given")
    handled_at: AwareDatetime | None = None
    handled_by: str = ""
    handling: str = Field("", max_length=HANDLING_MAX)

    @property
    def bad(self) -> bool:
        return self.level in BAD_RATINGS

    @property
    def awaiting_follow_up(self) -> bool:
        """A bad rating nobody has yet recorded the handling of: it stays on the supervisors' list."""
        return self.bad and self.handled_at is None


def level_for_key(key: str) -> RatingLevel | None:
    """The level an evaluation device's digit (1 非常满意 … 5 非常不满意) stands for; None for any other key."""
    levels = list(RatingLevel)
    if len(key) == 1 and key.isdigit() and 1 <= int(key) <= len(levels):
        return levels[int(key) - 1]
    return None


def key_for_level(level: RatingLevel) -> str:
    return str(list(RatingLevel).index(level) + 1)


def rating_stage(file: CaseFile) -> RatingStage | None:
    """The service a rating given now is about: 出件 once the results are handed out, else 受理 once accepted."""
    if file.handout is not None:
        return RatingStage.HANDOUT
    if file.decision is not None and file.decision.outcome == "accepted":
        return RatingStage.ACCEPTED
    return None


def rating_of(file: CaseFile, stage: RatingStage) -> Rating | None:
    return next((r for r in file.ratings if r.stage is stage), None)


def with_rating(file: CaseFile, rating: Rating) -> CaseFile:
    """The file with one more rating: only of a service that took place, and once per service."""
    reached = {
        RatingStage.ACCEPTED: file.decision is not None and file.decision.outcome == "accepted",
        RatingStage.HANDOUT: file.handout is not None,
    }
    label = RATING_STAGE_LABELS[rating.stage]
    if not reached[rating.stage]:
        raise RatingError(f"尚未{label}，不能评价{label}服务")
    if rating_of(file, rating.stage) is not None:
        raise RatingError(f"申请人已评价过{label}服务，每项服务只评价一次")
    return file.model_copy(update={"ratings": (*file.ratings, rating)})


def with_handling(file: CaseFile, stage: RatingStage, *, by: str, at: datetime, handling: str) -> CaseFile:
    """A bad rating's follow-up recorded (who, when, what): it leaves the supervisors' list."""
    rating = rating_of(file, stage)
    label = RATING_STAGE_LABELS[stage]
    if rating is None or not rating.bad:
        raise RatingError(f"本案件没有待处理的{label}差评")
    if rating.handled_at is not None:
        raise RatingError(f"{label}差评已于 {rating.handled_at:%Y-%m-%d %H:%M} 登记处理情况")
    if not handling:
        raise RatingError("处理差评须写明核实和回访情况")
    done = rating.model_copy(update={"handled_at": at, "handled_by": by, "handling": handling})
    return file.model_copy(update={"ratings": tuple(done if r.stage is stage else r for r in file.ratings)})
