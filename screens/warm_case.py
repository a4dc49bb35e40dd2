"""The next new case's screen, composed and mounted while home waits for the next citizen (issue 13: the case screen
within 100 ms of ``n``).

Mounting the case screen's six steps costs the event loop half a second or more on a counter PC. Done after ``n``,
it competed with the clerk's first keys (the third key of the ID number was painted 400-700 ms after it was
typed). Done here, out of sight, ``n`` only lays out and paints a screen that is ready, and typing meets no work
in the background. The case itself is not stored (nor numbered) until its first value is typed, so a prepared
screen that is never used leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.screen import Screen

from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import Workstation

if TYPE_CHECKING:
    from screens.case import CaseScreen

# How long home shows before the next case's screen is prepared (which then takes 0.15-0.4 s of the event loop, in
# short turns): home paints and answers its first keys first.
PREPARE_AFTER_SECONDS = 0.1


@runtime_checkable
class ScreenPreparer(Protocol):
    """What the App offers (CounterApp.prepare_screen): compose and mount a screen before it is pushed."""

    def prepare_screen(self, screen: Screen[Any]) -> None: ...


class WarmCase:
    """At most one prepared new-case screen for home's clerk; taken by ``n``, prepared again when home shows."""

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        self.workstation = workstation
        self.operator = operator
        self._screen: CaseScreen | None = None

    def prepare(self, app: object) -> None:
        """Prepare the next one unless one fit for use is ready."""
        if self._screen is not None and self._fit(self._screen):
            return
        self.discard()
        if not isinstance(app, ScreenPreparer):
            return
        from screens.case import CaseScreen

        screen = CaseScreen(self.workstation, self.workstation.new_case(self.operator))
        screen.prepared_out_of_sight = True
        app.prepare_screen(screen)
        self._screen = screen

    def take(self) -> CaseScreen | None:
        """The prepared screen for ``n`` (None: none fit, build one as before); never handed out twice."""
        if self._screen is not None and not self._fit(self._screen):
            self.discard()
        screen, self._screen = self._screen, None
        return screen

    def discard(self) -> None:
        screen, self._screen = self._screen, None
        if screen is not None and screen.is_running:
            screen.call_later(screen.remove)

    def _fit(self, screen: CaseScreen) -> bool:
        """Still right for a new case: untouched, alive, and under the pack in force (master data may have moved
        it on since: a new case takes the new version)."""
        case, pack = screen.case, self.workstation.policy.meta
        return (
            screen.is_running
            and not case.numbered
            and (case.policy.meta.code, case.policy.meta.version) == (pack.code, pack.version)
        )
