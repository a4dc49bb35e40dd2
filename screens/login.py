"""Login (登录): local operator accounts; lockout after repeated failures; demo hint beside the sandbox only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Static

from counter_app.services.case_types import LoginError, OperatorRef
from screens.key_hold import HoldsKeys
from screens.widgets import CounterFooter

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation


class LoginScreen(HoldsKeys, Screen[OperatorRef | None]):
    """Who is at the counter; dismisses with the operator."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#login"
    BINDINGS = [
        Binding("escape", "quit_app", "退出"),
        # At once when read, so the password typed right after Enter goes to the password field.
        Binding("enter", "enter_login", show=False, priority=True),
    ]
    keys_held = False  # the login field is ready as soon as it shows

    def __init__(self, workstation: Callable[[], Workstation | None]) -> None:
        super().__init__()
        # The workstation may still be opening in the background: the clerk can type meanwhile.
        self._workstation = workstation
        self._waiting: tuple[str, str] | None = None
        self._failure = ""

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
            ready = self._workstation()
            yield Static(ready.demo_hint() or "" if ready is not None else "", id="demo-hint")
        yield CounterFooter()

    def action_enter_login(self) -> None:
        if self.focused is not self.query_one("#login", Input):
            raise SkipAction()
        self.set_focus(self.query_one("#password", Input))

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        if not login.strip():
            self._error("请输入用户名")
            self.query_one("#login", Input).focus()
            return
        workstation = self._workstation()
        if workstation is None and self._failure:
            self._error(self._failure)
            return
        if workstation is None:
            # Typed before the services finished opening: log in as soon as they are ready.
            self._waiting = (login, password)
            self._error("系统正在启动，稍候自动登录…")
            return
        self._authenticate_soon(workstation, login, password)

    def _authenticate_soon(self, workstation: Workstation, login: str, password: str) -> None:
        # Keys typed while the password is checked (the `n` of a clerk who knows the way) wait for the home screen.
        self.hold_keys()
        self._authenticate(workstation, login, password)

    def workstation_ready(self, workstation: Workstation) -> None:
        """The services finished opening in the background: show the demo hint where it applies."""
        self.query_one("#demo-hint", Static).update(workstation.demo_hint() or "")
        if self._waiting is not None:
            login, password = self._waiting
            self._waiting = None
            self._error("")
            self._authenticate_soon(workstation, login, password)

    def workstation_failed(self, message: str) -> None:
        self._waiting = None
        self._failure = f"无法打开本地数据库：{message}"
        self._error(self._failure)

    @work(thread=True, exit_on_error=False, exclusive=True, group="login")
    def _authenticate(self, workstation: Workstation, login: str, password: str) -> None:
        # scrypt is deliberately slow: keep it off the event loop so the screen stays responsive.
        try:
            operator = workstation.login(login, password)
        except LoginError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, operator)

    def _failed(self, message: str) -> None:
        self._error(message)
        password = self.query_one("#password", Input)
        password.value = ""
        self.set_focus(password)
        self.release_keys()

    def _error(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)

    def action_quit_app(self) -> None:
        self.dismiss(None)
