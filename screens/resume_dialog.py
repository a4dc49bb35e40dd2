"""After a crash or a restart: continue the case that was open (its text, step and caret come back as they were)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from counter_app.services.workstation_views import CaseRow


class ResumeDialog(ModalScreen[bool]):
    """Dismisses True to continue the case, False to leave it among the drafts."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [
        Binding("enter", "resume", "继续办理", priority=True),
        Binding("escape", "later", "稍后"),
    ]

    def __init__(self, row: CaseRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        who = f"（申请人 {row.applicant}）" if row.applicant else ""
        with Vertical(id="resume-box"):
            yield Static("继续上次未办完的案件", id="resume-title")
            yield Static(f"案件 {row.case_number}{who} 在上次退出时仍在办理，已录入的内容均已保存。")
            yield Static("Enter 继续办理　Esc 稍后（在“暂存草稿”中可随时打开）", id="resume-keys")

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)
