"""Reusable widgets of the case flow, each with its scoped DEFAULT_CSS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalGroup
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static
from textual.widgets._footer import FooterKey

from forms.application import label_for
from forms.identifiers import FieldError, parse_id_number

# Typing hygiene, by the last part of a field's path: (characters the whole value may hold, maximum length). Input
# refuses a key that would break either, so a missed Enter can never run one field into the next. What is *valid*
# is still the form's to say (forms.application): an ID of 17 digits types fine and is refused on Enter.
_AMOUNT = (r"[0-9]*\.?[0-9]*", 14)
TYPING: dict[str, tuple[str, int]] = {
    "id_number": (r"[0-9Xx]*", 18),
    "seller_id_number": (r"[0-9Xx]*", 18),
    "phone": (r"[0-9]*", 11),
    "card_number": (r"[0-9]*", 19),
    "amount": _AMOUNT,
    "total_price": _AMOUNT,
    "down_payment": _AMOUNT,
    "appraised_value": _AMOUNT,
    "balance": _AMOUNT,
    "contribution_base": _AMOUNT,
    "area": (r"[0-9]*\.?[0-9]*", 10),
    "months": (r"[0-9]*", 3),
    "rate": (r"[0-9]*\.?[0-9]*", 6),
    "completion_year": (r"[0-9]*", 4),
    # 征信查询授权书编号 as printed or bar-coded: letters, digits and dashes.
    "reference": (r"[0-9A-Za-z-]*", 32),
}


def typing_rule(path: str) -> tuple[str | None, int]:
    """The (restrict regex, max length) of a field as the clerk types it: (None, 0) for free text."""
    return TYPING.get(path.rsplit(".", 1)[-1], (None, 0))


class FieldInput(Input):
    """An Input bound to a dotted path of the Application (``applicant.id_number``).

    The screen commits it to the form on Enter or when focus leaves, and keeps the raw text in the autosaved UI
    state on every change, so a half-typed value survives a crash too. Keys that the field's :data:`TYPING` rule
    refuses ring the bell and change nothing. Focus never selects the text: a restored or backfilled value is not
    wiped by the next key (the caret is put at its end).
    """

    class EditRefused(Message):
        """A key tried to change a locked value (a registry's): the screen says how to change it on purpose."""

        def __init__(self, field: FieldInput) -> None:
            super().__init__()
            self.field = field

    locked = False
    """A verified (backfilled) or overridden value: no key changes it; only the explicit override (人工修改) does."""

    def replace(self, text: str, start: int, end: int) -> None:
        # Every edit (typing, Backspace, Delete, cut, paste) goes through here; setting ``value`` in code does not.
        if self.locked:
            self.restricted()
            self.post_message(self.EditRefused(self))
            return
        super().replace(text, start, end)

    def __init__(self, path: str, *, placeholder: str = "", password: bool = False) -> None:
        restrict, max_length = typing_rule(path)
        super().__init__(
            placeholder=placeholder,
            id=field_id(path),
            password=password,
            restrict=restrict,
            max_length=max_length,
            select_on_focus=False,
        )
        self.path = path


class ChoiceSelect(Select[str]):
    """A Select whose Right and Left step to the next or previous choice without opening the list: a question of
    two or four answers takes one key, not Enter, Down, Enter. The list still opens with Enter, Space or Down."""

    BINDINGS = [
        Binding("right", "step_choice(1)", "下一选项", show=False),
        Binding("left", "step_choice(-1)", "上一选项", show=False),
    ]

    def action_step_choice(self, delta: int) -> None:
        values = [value for _, value in self._options if value is not Select.NULL]
        if self.expanded or self.disabled or not values:
            raise SkipAction()
        index = values.index(self.value) if self.value in values else -1
        # Round: on a question of two answers Right always gives the other one.
        self.value = values[(index + delta) % len(values)]


class TickBox(Checkbox):
    """A box the clerk ticks for a paper just signed (征信查询授权书): Space ticks it and the screen moves on to what
    is still to do, as Enter after a typed field does. Enter passes the box without ticking it: a tick says the paper
    is in hand and is never given by the key that merely goes on."""

    class Ticked(Message):
        """Ticked by a key: the screen moves focus on."""

        def __init__(self, box: TickBox) -> None:
            super().__init__()
            self.box = box

    def action_toggle_button(self) -> None:
        super().action_toggle_button()
        if self.value:  # a handler may have refused the tick (a decided case): then focus stays
            self.post_message(self.Ticked(self))


def _cells(text: str | Text) -> int:
    return text.cell_len if isinstance(text, Text) else cell_len(text)


def field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def next_to_type(step: Widget, after: Widget, to_type: Callable[[FieldInput], bool]) -> Widget | None:
    """Where Enter goes from ``after`` (a field or a box): the next enabled field of ``step`` that ``to_type`` says
    the clerk must type (backfilled ones are passed over), a choice still blank on the way (a co-borrower's relation)
    or a :class:`TickBox` not ticked; None when nothing is left below (the screen then goes on to the next step)."""
    seen = False
    for widget in step.query("*"):
        if widget is after:
            seen = True
        elif not seen or widget.disabled or not _shown(widget, step):
            continue
        elif (
            (isinstance(widget, FieldInput) and to_type(widget))
            or (isinstance(widget, Select) and widget.is_blank())
            or (isinstance(widget, TickBox) and not widget.value)
        ):
            return widget
    return None


def _shown(widget: Widget, step: Widget) -> bool:
    """Not in a part the step hides (the bank part of a loan that has none)."""
    node: Widget | None = widget
    while node is not None and node is not step:
        if not node.display:
            return False
        node = node.parent if isinstance(node.parent, Widget) else None
    return True


class CounterFooter(Footer):
    """The footer, with help (F1), lock (Ctrl+L) and the palette pinned at the right: a screen with many keys (the
    checklist, the review) cuts its own keys at 100 columns, never these."""

    PINNED = ("help", "lock")
    DEFAULT_CSS = """
    CounterFooter .pinned-keys {
        dock: right;
        width: auto;
        height: 1;
        layout: horizontal;
    }
    CounterFooter .pinned-keys FooterKey.-command-palette {
        dock: none;
    }
    """

    def __init__(self) -> None:
        # Compact: one space between keys instead of two, so a 100-column counter terminal shows a screen's keys.
        super().__init__(compact=True)
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Focus moves with nearly every Enter, and every move announces the bindings again: the footer is recomposed
        # (its keys unmounted and mounted again, the screen laid out again) only when what it shows has changed.
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        pinned: list[Widget] = []
        for widget in super().compose():
            pins = isinstance(widget, FooterKey) and (
                widget.action in self.PINNED or widget.has_class("-command-palette")
            )
            if pins:
                pinned.append(widget)
            else:
                yield widget
        if pinned:
            with HorizontalGroup(classes="pinned-keys"):
                yield from pinned


class FormRow(Horizontal):
    """Label, input and an inline message (error, derived facts or the registry that supplied the value)."""

    DEFAULT_CSS = """
    FormRow {
        height: auto;
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
    FormRow > FieldInput.overridden {
        color: $warning;
    }
    FormRow > FieldInput.invalid {
        background: $error 30%;
    }
    FormRow > .field-note {
        /* A long message (a wrong check digit and what it should be) wraps under itself, never cut. */
        height: auto;
        min-height: 1;
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

    _noted: tuple[str | Text, bool] | None = None

    def note(self, text: str | Text, *, error: bool = False) -> None:
        # The same note again (every lookup's answer refills every field) changes nothing: Static.update would
        # lay the whole screen out again, while the clerk types.
        if self._noted == (text, error):
            return
        before = self._noted[0] if self._noted is not None else ""
        self._noted = (text, error)
        note = self.query_one(".field-note", Static)
        # One line before and after (the note is never less than a line high): the row keeps its height, so the
        # screen need not be laid out again (about 30 ms of a loaded step, while the clerk types on).
        width = note.content_size.width
        same_height = width > 0 and all(_cells(t) <= width for t in (before, text))
        note.update(text, layout=not same_height)
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
