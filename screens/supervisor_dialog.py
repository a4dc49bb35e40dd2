"""Supervisor authorisation (负责人授权): an exception at a clerk's counter needs the supervisor's own password."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import LoginError, Workstation


class SupervisorDialog(ModalScreen[tuple[OperatorRef, str] | None]):
    """Dismisses with (supervisor, reason), or None when cancelled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#sv-login"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, workstation: Workstation, what: str, *, reason: str = "") -> None:
        super().__init__()
        self.workstation = workstation
        self.what = what
        self.default_reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="sv-box"):
            yield Static(f"负责人授权：{self.what}", id="sv-title")
            yield Input(id="sv-login", placeholder="负责人账号")
            yield Input(id="sv-password", password=True, placeholder="负责人密码")
            yield Input(value=self.default_reason, id="sv-reason", placeholder="理由（必填，记入审计日志）")
            yield Static("", id="sv-error")

    @on(Input.Submitted, "#sv-login")
    def _to_password(self) -> None:
        self.query_one("#sv-password", Input).focus()

    @on(Input.Submitted, "#sv-password")
    def _to_reason(self) -> None:
        self.query_one("#sv-reason", Input).focus()

    @on(Input.Submitted, "#sv-reason")
    def _submit(self) -> None:
        login = self.query_one("#sv-login", Input).value
        password = self.query_one("#sv-password", Input).value
        reason = self.query_one("#sv-reason", Input).value.strip()
        if not reason:
            self.query_one("#sv-error", Static).update("请填写理由")
            return
        self._check(login, password, reason)

    @work(thread=True, exit_on_error=False, exclusive=True, group="supervisor")
    def _check(self, login: str, password: str, reason: str) -> None:
        try:
            supervisor = self.workstation.supervisor(login, password)
        except LoginError as exc:
            self.app.call_from_thread(self.query_one("#sv-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.dismiss, (supervisor, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
