"""人工修改: change a verified (backfilled) value on purpose, with the reason the back office will read."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.widgets import typing_rule


class OverrideDialog(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (new value, reason), or None when cancelled. Both are needed: no reason, no change."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#ov-value"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, path: str, label: str, current: str, source: str) -> None:
        super().__init__()
        self.path = path
        self.label = label
        self.current = current
        self.source = source

    def compose(self) -> ComposeResult:
        restrict, max_length = typing_rule(self.path)
        with Vertical(id="ov-box"):
            yield Static(f"人工修改：{self.label}", id="ov-title")
            current = self.current or "（空）"
            yield Static(f"{self.source}：{current}。修改后该项标注“人工修改”，转人工审核，不进入机审。")
            value = Input(
                value=self.current, id="ov-value", restrict=restrict, max_length=max_length, select_on_focus=False
            )
            value.cursor_position = len(self.current)
            yield value
            yield Input(id="ov-reason", placeholder="修改理由（必填，如：不动产登记簿面积已更正）")
            yield Static("", id="ov-error")
            with Horizontal(id="ov-buttons"):
                yield Button("确认修改", id="ov-ok", variant="warning")
                yield Button("取消", id="ov-cancel")

    @on(Input.Submitted, "#ov-value")
    def _to_reason(self) -> None:
        self.set_focus(self.query_one("#ov-reason", Input))

    @on(Input.Submitted, "#ov-reason")
    @on(Button.Pressed, "#ov-ok")
    def _ok(self) -> None:
        value = self.query_one("#ov-value", Input).value
        reason = self.query_one("#ov-reason", Input).value.strip()
        if not reason:
            self.query_one("#ov-error", Static).update("请写明修改理由")
            self.set_focus(self.query_one("#ov-reason", Input))
            return
        self.dismiss((value, reason))

    @on(Button.Pressed, "#ov-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
