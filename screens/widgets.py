"""Reusable widgets of the case flow, each with its scoped DEFAULT_CSS."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from forms.application import label_for
from forms.identifiers import FieldError, parse_id_number


class FieldInput(Input):
    """An Input bound to a dotted path of the Application (``applicant.id_number``).

    The screen commits it to the form on Enter or when focus leaves, and keeps the raw text in the autosaved UI
    state on every change, so a half-typed value survives a crash too.
    """

    def __init__(self, path: str, *, placeholder: str = "", password: bool = False) -> None:
        super().__init__(placeholder=placeholder, id=field_id(path), password=password)
        self.path = path


def field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


class FormRow(Horizontal):
    """Label, input and an inline message (error, derived facts or the registry that supplied the value)."""

    DEFAULT_CSS = """
    FormRow {
        height: 1;
        margin-bottom: 1;
    }
    FormRow > Label {
        width: 16;
        padding: 0 1 0 0;
        text-align: right;
    }
    FormRow > FieldInput {
        width: 40;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    FormRow > FieldInput:focus {
        border: none;
        background: $primary 40%;
    }
    FormRow > FieldInput.verified {
        color: $success;
    }
    FormRow > FieldInput.invalid {
        background: $error 30%;
    }
    FormRow > .field-note {
        width: 1fr;
        padding: 0 0 0 1;
        color: $text-muted;
    }
    FormRow > .field-note.error {
        color: $error;
    }
    """

    def __init__(self, path: str, label: str | None = None, *, placeholder: str = "") -> None:
        super().__init__(id="row-" + path.replace(".", "-"))
        self.path = path
        self.label_text = label or label_for(path)
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Label(self.label_text)
        yield FieldInput(self.path, placeholder=self.placeholder)
        yield Static("", classes="field-note", id="note-" + self.path.replace(".", "-"))

    def note(self, text: str | Text, *, error: bool = False) -> None:
        note = self.query_one(".field-note", Static)
        note.update(text)
        note.set_class(error, "error")
        self.query_one(FieldInput).set_class(error, "invalid")


def id_facts(raw: str, today: date) -> tuple[str, bool]:
    """What an ID number says as the clerk types it: (text, is_error). Empty text while it is too short."""
    compact = raw.strip().replace(" ", "")
    if len(compact) < 18:
        return ("", False)
    try:
        rid = parse_id_number(compact, today)
    except FieldError as exc:
        return (str(exc), True)
    return (f"{rid.birth_date:%Y-%m-%d} 出生 · {rid.sex.value} · {rid.age} 岁 · {rid.region_name}", False)


class SectionTitle(Static):
    """A bold section heading inside a step."""

    DEFAULT_CSS = """
    SectionTitle {
        text-style: bold;
        color: $accent;
        margin: 1 0 0 0;
    }
    """
