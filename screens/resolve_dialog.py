"""Close a review flag (复核提示): say how it was handled; the answer is audited."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ResolveDialog(ModalScreen[str | None]):
    """Dismisses with the resolution text, or None."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#resolution"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def compose(self) -> ComposeResult:
        with Vertical(id="resolve-box"):
            yield Static("处理复核提示：请写明处理结果（例如：已电话通知申请人补交原件）")
            yield Input(id="resolution", placeholder="处理结果")

    @on(Input.Submitted)
    def _ok(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
