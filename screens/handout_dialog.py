"""Hand out results (出件): who collected what, recorded with the case."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class HandoutDialog(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (collected_by, items), or None."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#ho-who"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def compose(self) -> ComposeResult:
        with Vertical(id="ho-box"):
            yield Static("出件登记：核对领取人身份后登记", id="ho-title")
            yield Input(id="ho-who", placeholder="领取人（如：申请人本人 / 代办人姓名）")
            yield Input(value="借款合同、不动产抵押登记证明", id="ho-items", placeholder="领取的文书")
            yield Static("", id="ho-error")

    @on(Input.Submitted, "#ho-who")
    def _next(self) -> None:
        self.query_one("#ho-items", Input).focus()

    @on(Input.Submitted, "#ho-items")
    def _ok(self) -> None:
        who = self.query_one("#ho-who", Input).value.strip()
        items = self.query_one("#ho-items", Input).value.strip()
        if not who or not items:
            self.query_one("#ho-error", Static).update("请填写领取人和领取的文书")
            return
        self.dismiss((who, items))

    def action_cancel(self) -> None:
        self.dismiss(None)
