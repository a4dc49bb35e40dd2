"""Keys typed while a screen opens or reshapes itself wait for it, in order, instead of being lost.

A practised clerk, a card reader or a barcode scanner sends a key every 20–50 ms. Textual delivers a key to the
widget focused *when the key is read*. While a screen is still mounting nothing is focused yet, so printable keys
reach the screen itself and are dropped; while a step recomposes, keys land in a field that is about to go away.

A screen that opens or reshapes asynchronously says so with :meth:`hold_keys`; the App then keeps every key it
reads (see ``CounterApp.on_event``) and replays them, in the order typed, once the screen calls
:meth:`release_keys` with its focus in place. Keys read while the replay is pending are kept too, so order holds.
"""

from __future__ import annotations

from typing import Protocol


class KeyGate(Protocol):
    """What the App offers a screen: keep keys while it is not ready, replay them when it is."""

    def hold_keys(self) -> None: ...

    def release_keys(self) -> None: ...


class HoldsKeys:
    """Mixin for a Screen: held from construction until the screen first calls :meth:`release_keys`."""

    keys_held: bool = True

    def hold_keys(self) -> None:
        """From now on keys wait (a step about to recompose, a dialog about to open)."""
        self.keys_held = True

    def release_keys(self) -> None:
        """Focus is where the next key belongs: the App replays what waited, then delivers keys as they come."""
        app = getattr(self, "app", None)
        if app is None or not hasattr(app, "release_keys"):
            self.keys_held = False
            return
        app.release_keys(self)
