"""A supervisor's note on a risk flag (批注风险提示): choose the flag, type the note.

Opened by the case screen after the supervisor has authorised (:class:`screens.supervisor_dialog.SupervisorDialog`);
the note is kept with the case and audited by the service. The flag itself stands: nobody waives one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from counter_app.services.risk_view import FlagEntry


class FlagNoteDialog(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (flag code, note), or None when cancelled. Keys: ↑↓ choose, Enter to the note, Enter saves."""

    AUTO_FOCUS = "#fn-flags"
    BINDINGS = [Binding("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    FlagNoteDialog {
        align: center middle;
    }
    FlagNoteDialog #fn-box {
        width: 90;
        height: auto;
        max-height: 90%;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    FlagNoteDialog #fn-title {
        text-style: bold;
        margin-bottom: 1;
    }
    FlagNoteDialog #fn-flags {
        height: auto;
        max-height: 12;
    }
    FlagNoteDialog #fn-note {
        margin-top: 1;
    }
    FlagNoteDialog #fn-error {
        color: $error;
    }
    """

    def __init__(self, entries: Sequence[FlagEntry], supervisor: str) -> None:
        super().__init__()
        self.entries = list(entries)
        self.supervisor = supervisor

    def compose(self) -> ComposeResult:
        with Vertical(id="fn-box"):
            yield Static(f"批注风险提示（负责人 {escape(self.supervisor)}）", id="fn-title")
            # Option ids are positions: two flags may share a code (the applicant's and the spouse's identity).
            yield OptionList(
                *[Option(f"【{e.severity_label}】{escape(e.message)}", id=str(i)) for i, e in enumerate(self.entries)],
                id="fn-flags",
            )
            yield Input(id="fn-note", placeholder="批注意见（必填，随案件保存并记入审计日志）")
            yield Static("↑↓ 选择风险提示，回车填写批注，回车保存；Esc 取消", id="fn-hint")
            yield Static("", id="fn-error")

    def on_mount(self) -> None:
        self.query_one("#fn-flags", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#fn-flags")
    def _to_note(self) -> None:
        self.query_one("#fn-note", Input).focus()

    @on(Input.Submitted, "#fn-note")
    def _submit(self) -> None:
        index = self.query_one("#fn-flags", OptionList).highlighted
        note = self.query_one("#fn-note", Input).value.strip()
        if index is None:
            self.query_one("#fn-error", Static).update("请选择要批注的风险提示")
            self.query_one("#fn-flags", OptionList).focus()
            return
        if not note:
            self.query_one("#fn-error", Static).update("请填写批注意见")
            return
        self.dismiss((self.entries[index].code, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
