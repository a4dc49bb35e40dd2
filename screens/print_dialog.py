"""Choose what to print (打印): only the documents the decision needs are offered; a reprint asks why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from counter_app.services.doc_rules import documents_needed
from printouts import DOC_LABELS, DocKind

CASE_DOCUMENTS = (DocKind.RECEIPT, DocKind.FORM, DocKind.COMMITMENT, DocKind.AUTHORIZATION, DocKind.NOTICE)

# The rule of which documents a case calls for lives in the services (``counter print`` applies it too); it is
# re-exported here for the callers that chose documents through the dialog's module.
__all__ = ["CASE_DOCUMENTS", "PrintChoice", "PrintDialog", "documents_needed"]


@dataclass(frozen=True)
class PrintChoice:
    """What to print, and the reason when any of it was printed before (补打)."""

    documents: tuple[DocKind, ...]
    reason: str | None


class PrintDialog(ModalScreen[PrintChoice | None]):
    """Dismisses with the choice, or None when cancelled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#print-ok"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, needed: tuple[DocKind, ...], *, already: set[str]) -> None:
        super().__init__()
        self.needed = needed
        self.already = already

    def compose(self) -> ComposeResult:
        with Vertical(id="print-box"):
            yield Static("打印文书", id="print-title")
            for kind in self.needed:
                done = "（已打印，再次打印为补打）" if kind.value in self.already else ""
                yield Checkbox(
                    f"{DOC_LABELS[kind]}{done}",
                    value=kind.value not in self.already,
                    id=f"doc-{kind.value}",
                )
            yield Input(id="print-reason", placeholder="补打原因（补打时必填）")
            yield Static("", id="print-error")
            with Horizontal(id="print-buttons"):
                yield Button("打印", id="print-ok", variant="primary")
                yield Button("取消", id="print-cancel")

    @on(Button.Pressed, "#print-ok")
    @on(Input.Submitted, "#print-reason")
    def _ok(self) -> None:
        chosen = tuple(k for k in self.needed if self.query_one(f"#doc-{k.value}", Checkbox).value)
        reason = self.query_one("#print-reason", Input).value.strip() or None
        if any(k.value in self.already for k in chosen) and not reason:
            self.query_one("#print-error", Static).update("补打须填写原因")
            self.query_one("#print-reason", Input).focus()
            return
        self.dismiss(PrintChoice(chosen, reason) if chosen else None)

    @on(Button.Pressed, "#print-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
