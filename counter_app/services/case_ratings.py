"""Satisfaction ratings (好差评) at the window, as commands on the case (:meth:`CaseCore._run`).

A rating is recorded after 受理 or after 出件, typed by the clerk or sent by an evaluation device acting as a
keyboard. In ONE transaction: the rating joins the aggregate, the audit line names the stage and the level (never
the comment: the applicant may name people in it), a bad rating (不满意, 非常不满意) is put on the review list that
supervisors work through (the store's review flags: home, sync and follow-up screens), and a new case version is
queued for the platform, which collects every window's ratings. Recording how a bad rating was handled is a
command too (:meth:`RatingCommands.rating_handled`, called when its review line is closed).
"""

from __future__ import annotations

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import IntakeError, OperatorRef
from counter_app.services.sanitize import clean_text
from forms.case import Assessment, CaseFile, Rating, RatingError
from forms.case.rating import HANDLING_MAX, RATING_COMMENT_MAX, rating_of, rating_stage, with_handling, with_rating
from forms.vocabulary import RATING_LABELS, RATING_STAGE_LABELS, RatingLevel, RatingStage

# The review-list kind of a bad rating (the other lines are late lookup answers, kinded by their registry).
RATING_REVIEW = "rating"
RATING_ACTION = "核实情况并回访申请人，登记处理结果"


def rating_review_id(case_id: str, stage: RatingStage) -> str:
    """The review line's request id: one per case and service, so a replay raises it once."""
    return f"rating:{case_id}:{stage.value}"


class RatingCommands(CaseCore):
    """好差评 of 受理 and 出件, and the follow-up of a bad one."""

    def rating_stage(self) -> RatingStage | None:
        """The service a rating given now would be about (None before acceptance)."""
        return rating_stage(self._file)

    def rating(self, stage: RatingStage) -> Rating | None:
        return rating_of(self._file, stage)

    def record_rating(self, level: RatingLevel, comment: str = "", *, stage: RatingStage | None = None) -> Rating:
        """The applicant's rating of the latest service (or of ``stage``): saved, audited, listed when bad, sent."""
        now, actor = self.now(), self.operator.actor
        # Control and escape characters out, one line, capped: it is shown on screens and sent to the platform.
        text = clean_text(comment, limit=RATING_COMMENT_MAX)
        recorded: list[Rating] = []

        def change(file: CaseFile) -> CaseFile:
            target = stage or rating_stage(file)
            if target is None:
                raise IntakeError(f"案件 {self.case_number} 尚未受理，不能评价")
            rating = Rating(stage=target, level=level, comment=text, at=now, by=actor)
            try:
                changed = with_rating(file, rating)
            except RatingError as exc:
                raise IntakeError(str(exc)) from exc
            recorded[:] = [rating]
            return changed

        def effects(file: CaseFile, assessment: Assessment) -> None:
            rating = recorded[0]
            self._repo.audit(
                "rating",
                actor=actor,
                case_number=self.case_number,
                stage=rating.stage.value,
                level=rating.level.value,
                comment=bool(rating.comment),
            )
            if rating.bad:
                self._repo.raise_review(
                    self.case_id,
                    RATING_REVIEW,
                    before=rating.stage.value,
                    after=rating.level.value,
                    message=f"差评：{RATING_STAGE_LABELS[rating.stage]}服务“{RATING_LABELS[rating.level]}”",
                    action=RATING_ACTION,
                    request_id=rating_review_id(self.case_id, rating.stage),
                    actor=actor,
                )
            self._repo.queue_for_platform(self.case_id, file, actor=actor, assessment=assessment)

        self._run(change, effects)
        return recorded[0]

    def rating_handled(self, stage: RatingStage | str, handling: str, operator: OperatorRef) -> None:
        """How a bad rating was followed up (who, when, what): kept with the rating, audited, sent to the platform."""
        stage, now = RatingStage(stage), self.now()
        text = clean_text(handling, limit=HANDLING_MAX)

        def change(file: CaseFile) -> CaseFile:
            try:
                return with_handling(file, stage, by=operator.actor, at=now, handling=text)
            except RatingError as exc:
                raise IntakeError(str(exc)) from exc

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit("rating_handled", actor=operator.actor, case_number=self.case_number, stage=stage.value)
            self._repo.queue_for_platform(self.case_id, file, actor=operator.actor, assessment=assessment)

        self._run(change, effects)
