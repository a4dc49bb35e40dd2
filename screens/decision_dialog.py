"""Confirm a decision (受理 / 不予受理): nothing is decided until the clerk has seen what it decides.

- :class:`AcceptDialog` shows the summary of what is accepted (applicant, loan, materials, waivers, the 机审 verdict
  and its flags); Enter or F9 confirms, Esc cancels.
- :class:`DeclineDialog` asks for the reasons, one a line, pre-filled with what blocks acceptance; the one-time
  notice prints them. F10 confirms, Esc cancels.

The case screen builds the summary and takes the decision (:mod:`screens.case_decide`); these only ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class AcceptDialog(ModalScreen[bool]):
    """Dismisses with True when the clerk confirms the acceptance, False when cancelled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#accept-summary"
    BINDINGS = [
        Binding("enter,f9", "confirm", "确认受理", priority=True),
        Binding("escape", "cancel", "取消", priority=True),
    ]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box", classes="accept"):
            yield Static("确认受理", id="decision-title")
            # Scrollable (↑↓) when a case has many waivers or flags; the keys below stay in view.
            with VerticalScroll(id="accept-summary"):
                yield Static(self.summary, id="accept-text")
            yield Static("[b]Enter[/] 或 [b]F9[/] 确认受理并打印文书　[b]Esc[/] 返回修改", id="decision-keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class DeclineDialog(ModalScreen[tuple[str, ...] | None]):
    """Dismisses with the reasons (one a line, blank lines dropped), or None when cancelled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#decline-reasons"
    BINDINGS = [
        Binding("f10", "confirm", "确认不予受理", priority=True),
        Binding("escape", "cancel", "取消", priority=True),
    ]

    def __init__(self, applicant: str, reasons: Sequence[str]) -> None:
        super().__init__()
        self.applicant = applicant
        self.reasons = tuple(reasons)

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box", classes="decline"):
            yield Static("不予受理", id="decision-title")
            yield Static(
                f"申请人：{self.applicant}\n不予受理的原因（每行一条，可修改；一次性告知书逐条打印）：",
                id="decline-intro",
                markup=False,
            )
            area = TextArea("\n".join(self.reasons), id="decline-reasons", soft_wrap=True)
            area.show_line_numbers = False
            yield area
            yield Static("", id="decline-error")
            yield Static("[b]F10[/] 确认不予受理并打印一次性告知书　[b]Esc[/] 返回", id="decision-keys")

    def on_mount(self) -> None:
        # The caret at the end: the clerk adds a reason, or edits the last one, without moving first.
        area = self.query_one("#decline-reasons", TextArea)
        area.move_cursor(area.document.end)

    def chosen(self) -> tuple[str, ...]:
        text = self.query_one("#decline-reasons", TextArea).text
        return tuple(line.strip() for line in text.splitlines() if line.strip())

    def action_confirm(self) -> None:
        reasons = self.chosen()
        if not reasons:
            self.query_one("#decline-error", Static).update("请至少填写一条不予受理的原因")
            return
        self.dismiss(reasons)

    def action_cancel(self) -> None:
        self.dismiss(None)
