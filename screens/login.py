"""Login (登录): local operator accounts; lockout after repeated failures; demo hint beside the sandbox only."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import LoginError, Workstation


class LoginScreen(Screen[OperatorRef | None]):
    """Who is at the counter; dismisses with the operator."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#login"
    BINDINGS = [Binding("escape", "quit_app", "退出")]

    def __init__(self, workstation: Workstation) -> None:
        super().__init__()
        self.workstation = workstation

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="login-box"):
            yield Static("操作员登录", id="login-title")
            yield Label("用户名")
            yield Input(id="login", placeholder="登录名")
            yield Label("密码")
            yield Input(id="password", password=True, placeholder="密码")
            yield Button("登录", id="submit", variant="primary")
            yield Static("", id="login-error")
            hint = self.workstation.demo_hint()
            if hint:
                yield Static(hint, id="demo-hint")
        yield Footer()

    @on(Input.Submitted, "#login")
    def _next(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        if not login.strip():
            self._error("请输入用户名")
            self.query_one("#login", Input).focus()
            return
        self._authenticate(login, password)

    @work(thread=True, exit_on_error=False, exclusive=True, group="login")
    def _authenticate(self, login: str, password: str) -> None:
        # scrypt is deliberately slow: keep it off the event loop so the screen stays responsive.
        try:
            operator = self.workstation.login(login, password)
        except LoginError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, operator)

    def _failed(self, message: str) -> None:
        self._error(message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    def _error(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)

    def action_quit_app(self) -> None:
        self.dismiss(None)
