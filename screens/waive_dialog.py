"""Waive a material (容缺受理): confirm, with the reason the commitment form will print."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class WaiveDialog(ModalScreen[str | None]):
    """Dismisses with the reason, or None when cancelled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#waive-reason"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, material: str, due: str) -> None:
        super().__init__()
        self.material = material
        self.due = due

    def compose(self) -> ComposeResult:
        with Vertical(id="waive-box"):
            yield Static(f"容缺受理：{self.material}", id="waive-title")
            yield Static(f"补交期限：{self.due}。申请人须签署《容缺受理承诺书》。")
            yield Input(value="申请人承诺按期补交", id="waive-reason", placeholder="容缺原因")
            with Horizontal(id="waive-buttons"):
                yield Button("确认容缺", id="waive-ok", variant="warning")
                yield Button("取消", id="waive-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#waive-ok")
    def _ok(self) -> None:
        reason = self.query_one("#waive-reason", Input).value.strip()
        self.dismiss(reason or "申请人承诺按期补交")

    @on(Button.Pressed, "#waive-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
