"""Enter, Tab and Space on the case screen: the keys that move the clerk on (a mixin of screens.case.CaseScreen).

Enter goes to the next field the clerk must type, passing backfilled, derived and optional ones (Tab still visits
every field). At the end of a step it goes on to the next step with something to type, so the people step leads to
the contract number (the lookups step has nothing to type: PageDown still shows it) and the loan step to the
checklist. Space on a box for a signed paper ticks it and moves on the same way.
"""

from __future__ import annotations

from textual import on
from textual.actions import SkipAction
from textual.widget import Widget
from textual.widgets._select import SelectOverlay

from counter_app.services.gateway import VerificationResult
from counter_app.services.gateway_forms import BACKFILL_PATHS
from screens.case_override import LOCKED_SOURCES
from screens.case_supervisor import CaseSupervisor
from screens.widgets import FieldInput, TickBox, next_to_type

# Where Enter goes when nothing is left to type in a step: people → house and loan (past the lookups, which run
# by themselves), house and loan → checklist. Other steps have nothing after their last field to go on to.
ENTER_NEXT_STEP = {1: 3, 3: 4}


class CaseEnter(CaseSupervisor):
    """Enter, Tab and Space as the clerk's way forward."""

    _entered: Widget | None

    async def action_goto(self, index: int) -> None:
        """Show step ``index`` (the screen implements it)."""

    async def action_enter_field(self) -> None:
        focused = self.focused
        if isinstance(focused, FieldInput):
            self._commit(focused)
        elif not isinstance(focused, TickBox):
            raise SkipAction()  # a choice, a table, a button: Enter is theirs
        if not self._enter_moves_on(focused):
            await self._next_step_to_type(focused)

    @on(TickBox.Ticked)
    async def _ticked(self, event: TickBox.Ticked) -> None:
        event.stop()
        if self.focused is event.box and not self._enter_moves_on(event.box):
            await self._next_step_to_type(event.box)

    def action_tab_field(self, direction: int) -> None:
        if isinstance(self.focused, SelectOverlay):
            raise SkipAction()  # an open choice list keeps its own keys
        self.focus_next() if direction > 0 else self.focus_previous()

    def _to_type(self, field: FieldInput) -> bool:
        """The clerk types this field: being re-typed, or required and still empty (never a registry's value)."""
        if field.path in self.raw:
            return True
        if self.case.source_of(field.path) in LOCKED_SOURCES:
            return False
        if not field.value and any(field.path in BACKFILL_PATHS.get(kind, ()) for kind in self.lookups_running):
            return False  # a lookup on its way fills it (坐落 after the contract number): the clerk types on below
        # Empty and required: the form says so. A filled, derived or optional empty field is passed (Tab visits it).
        return self.case.assessment().needs_typing(field.path)

    def _enter_moves_on(self, after: Widget) -> bool:
        """Focus the next field to type (or box to tick) below ``after`` in this step; False when there is none."""
        target = next_to_type(self._current(), after, self._to_type)
        self._entered = target
        if target is None:
            return False
        self.set_focus(target)  # at once: the next key typed (a scanner's, 20 ms on) belongs there
        return True

    async def _next_step_to_type(self, after: Widget) -> None:
        """Nothing left to type in this step: the next step with something to type, or on as Tab would."""
        if self.step in ENTER_NEXT_STEP:
            await self.action_goto(ENTER_NEXT_STEP[self.step])
            return
        for _ in range(len(self.focus_chain)):
            focused = self.focus_next()
            if not isinstance(focused, FieldInput) or self._to_type(focused):
                return

    def _result_arrived(self, result: VerificationResult) -> None:
        super()._result_arrived(result)
        # A lookup answered while focus sat, untouched, where Enter had put it: if it backfilled that field, go on,
        # to the next step when nothing is left in this one (Enter meant "on to what I type next").
        field = self._entered
        backfilled = isinstance(field, FieldInput) and self.focused is field and not self._to_type(field)
        if backfilled and field is not None and not self._enter_moves_on(field):  # moved on within the step, or:
            self.call_later(self._next_step_to_type, field)

    def _commit(self, field: FieldInput) -> None:
        """Take a typed value into the case (the screen implements it)."""
