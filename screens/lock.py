"""Lock screen (锁屏): the work stays underneath, covered (nothing of it shows); the same operator's password (or a
supervisor's) unlocks it. Nothing opens over it but the unlock: the app's keys do nothing while it is up
(``CounterApp.check_action``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from counter_app.services.case_types import LoginError, OperatorRef

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation


class LockScreen(ModalScreen[OperatorRef | None]):
    """Covers the screen until the operator logs in again; dismisses with the operator."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#unlock-password"

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static("屏幕已锁定", id="lock-title")
            yield Static(f"操作员 {self.operator.name}（{self.operator.login}）：请输入密码解锁，办理进度已保存。")
            yield Input(id="unlock-password", password=True, placeholder="密码")
            yield Static("", id="lock-error")

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        self._unlock(event.value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="unlock")
    def _unlock(self, password: str) -> None:
        try:
            operator = self.workstation.login(self.operator.login, password)
        except LoginError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, operator)

    def _failed(self, message: str) -> None:
        self.query_one("#lock-error", Static).update(message)
        self.query_one("#unlock-password", Input).value = ""
