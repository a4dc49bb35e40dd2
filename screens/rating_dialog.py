"""The applicant's rating (好差评) at the window, after 受理 and after 出件.

An evaluation device at the window acts as a keyboard: it sends the level's digit (1 非常满意 … 5 非常不满意) and
Enter. A digit chooses the level (it does not confirm: a second press of another digit changes the choice); Enter
records it. The clerk may type the applicant's comment (Tab to the field; Enter there records too). Esc records
nothing: the applicant declined to rate, which is the applicant's right.

:func:`offer_rating` pushes the dialog and records the answer through the case (the service cleans and caps the
comment, audits, lists a bad rating for the supervisors and tells the platform).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from counter_app.services.intake import IntakeCase, IntakeError
from forms.case.rating import RATING_COMMENT_MAX, key_for_level, level_for_key
from forms.vocabulary import BAD_RATINGS, RATING_LABELS, RATING_STAGE_LABELS, RatingLevel, RatingStage


@dataclass(frozen=True)
class RatingAnswer:
    level: RatingLevel
    comment: str


class RatingLevels(OptionList):
    """The five levels; a digit key (the evaluation device's, or the clerk's) chooses one, Enter confirms."""

    BINDINGS = [Binding(str(n), f"digit('{n}')", show=False) for n in range(1, len(RatingLevel) + 1)]

    class Unchosen(Message):
        """Enter before any level was chosen: nothing is recorded by default."""

    def __init__(self) -> None:
        super().__init__(
            *(Option(f"{key_for_level(level)}  {RATING_LABELS[level]}", id=level.value) for level in RatingLevel),
            id="rating-levels",
        )
        # OptionList highlights its first option from the start: here that would rate 非常满意 on a stray Enter.
        self.highlighted = None

    def action_digit(self, key: str) -> None:
        level = level_for_key(key)
        if level is not None:
            self.highlighted = list(RatingLevel).index(level)

    def action_select(self) -> None:
        if self.highlighted is None:
            self.post_message(self.Unchosen())
            return
        super().action_select()


class RatingDialog(ModalScreen[RatingAnswer | None]):
    """Dismisses with the level and the comment, or None when the applicant declines to rate (Esc)."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#rating-levels"
    BINDINGS = [Binding("escape", "decline", "不评价", priority=True)]

    def __init__(self, case_number: str, stage: RatingStage) -> None:
        super().__init__()
        self.case_number = case_number
        self.stage = stage

    def compose(self) -> ComposeResult:
        label = RATING_STAGE_LABELS[self.stage]
        with Vertical(id="rating-box"):
            yield Static(f"好差评：请申请人评价本次{label}服务", id="rating-title")
            yield Static(f"案件 {self.case_number}　评价器按 1–5 或工作人员代按", id="rating-case")
            yield RatingLevels()
            yield Input(id="rating-comment", placeholder="评价意见（可不填）", max_length=RATING_COMMENT_MAX)
            yield Static("", id="rating-error")
            yield Static(
                "[b]1–5[/] 选择　[b]Enter[/] 确认　[b]Tab[/] 填写意见　[b]Esc[/] 申请人不评价", id="rating-keys"
            )

    def chosen(self) -> RatingLevel | None:
        index = self.query_one(RatingLevels).highlighted
        return list(RatingLevel)[index] if index is not None else None

    @on(RatingLevels.OptionSelected)
    @on(Input.Submitted, "#rating-comment")
    def _confirm(self) -> None:
        level = self.chosen()
        if level is None:
            self._unchosen()
            return
        self.dismiss(RatingAnswer(level, self.query_one("#rating-comment", Input).value))

    @on(RatingLevels.Unchosen)
    def _unchosen(self) -> None:
        self.query_one("#rating-error", Static).update("请先按 1–5 选择评价等级")

    @on(RatingLevels.OptionHighlighted)
    def _highlighted(self) -> None:
        self.query_one("#rating-error", Static).update("")

    def action_decline(self) -> None:
        self.dismiss(None)


def offer_rating(
    screen: Screen[Any], case: IntakeCase, stage: RatingStage | None = None, then: Callable[[], None] | None = None
) -> None:
    """Ask for the rating of the case's latest service (or of ``stage``) and record it; ``then`` runs after."""
    target = stage or case.rating_stage()
    if target is None or case.rating(target) is not None:
        if stage is None and target is not None:
            screen.notify(f"申请人已评价过{RATING_STAGE_LABELS[target]}服务")
        if then is not None:
            then()
        return

    def answered(answer: RatingAnswer | None) -> None:
        if answer is not None:
            try:
                rating = case.record_rating(answer.level, answer.comment, stage=target)
            except IntakeError as exc:
                screen.notify(escape(str(exc)), severity="error")
            else:
                bad = "，已列入差评回访清单" if rating.level in BAD_RATINGS else ""
                screen.notify(f"已记录评价：{RATING_LABELS[rating.level]}{bad}")
        if then is not None:
            then()

    screen.app.push_screen(RatingDialog(case.case_number, target), answered)
