"""The Textual application: small on purpose. Screens live in ``screens/``; services in ``counter_app.services``.

``make_app(settings)`` is the factory the ``counter`` command and the tests share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer

from counter_app.gc_pacing import GcPacing
from counter_app.services.case_types import OperatorRef
from counter_app.settings import Settings
from screens.builtin_keys import use_chinese_key_texts
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.messages import RefreshData, SavePosition
from screens.palette import CounterCommands

if TYPE_CHECKING:
    from counter_app.services.workstation import Workstation


logger = logging.getLogger(__name__)

# How many times the callback follows a key's path. A key's consequences are messages too: a choice in a list
# posts Select.Changed to the Select, which the step turns into its own message to the screen, each a level later
# than the key itself; three passes see the screen start reshaping (and hold keys) before the next key goes.
FOLLOW_PASSES = 3
# Then at most this many 1 ms waits for the screen's queues to empty (a clock or an animation may keep posting).
SETTLE_AT_MOST = 200

# Longest a screen may keep typed keys waiting before they are delivered anyway.
HOLD_AT_MOST_SECONDS = 2.0


class CounterApp(App[None]):
    """公积金贷款购房“一件事”专窗工作台."""

    TITLE = "公积金贷款购房“一件事”专窗"
    SUB_TITLE = "一表申请 · 一窗受理 · 一次办结"
    BINDINGS = [
        Binding("f1", "help", "帮助", priority=True),
        Binding("ctrl+l", "lock", "锁屏", priority=True),
        Binding("ctrl+q", "quit", "退出", priority=True, show=False),  # in the help; the footer keeps its room
        # Declared here so the footer and the help read Chinese (Textual would add its own "palette" binding).
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True, tooltip="打开命令面板"),
    ]
    # The bound actions of the screen (get_system_commands), then cases and the home screen's actions.
    COMMANDS = App.COMMANDS | {CounterCommands}

    def __init__(
        self,
        workstation: Workstation | Callable[[], Workstation],
        *,
        settings: Settings,
        idle_lock_seconds: float | None = None,
        idle_check_seconds: float = 5.0,
    ) -> None:
        use_chinese_key_texts()  # before the first widget (this App included) copies Textual's key texts
        super().__init__()
        # A ready workstation (tests), or how to open one: then the login screen shows at once and the store,
        # the sandbox and the services load in the background while the clerk types (cold start).
        self._workstation: Workstation | None = None if callable(workstation) else workstation
        self._opener = workstation if callable(workstation) else None
        self.operator: OperatorRef | None = None
        self._idle_lock_seconds = (
            idle_lock_seconds if idle_lock_seconds is not None else settings.idle_lock_minutes * 60
        )
        self._last_activity = datetime.now().astimezone()
        self._background_timer: Timer | None = None
        self._idle_check_seconds = idle_check_seconds
        # Keys read while the top screen was not ready for them (screens/key_hold.py), in the order typed.
        self._held_keys: list[events.Key] = []
        self._gc = GcPacing()
        self._held_since = 0.0
        self._key_in_flight = False

    @property
    def workstation(self) -> Workstation:
        """The counter's services; available once opened (always before anyone is logged in)."""
        if self._workstation is None:
            raise RuntimeError("workstation not open yet")
        return self._workstation

    def workstation_if_ready(self) -> Workstation | None:
        return self._workstation

    # -- start, stop -----------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.workstation_if_ready), self._logged_in)
        self.set_interval(self._idle_check_seconds, self._check_idle)
        # Full garbage collections while the keyboard is quiet, not between two keys (counter_app/gc_pacing.py).
        self._gc.start()
        self.set_interval(0.25, self._gc.tick)
        if self._workstation is None:
            self._open_workstation()
        else:
            self._last_activity = self._workstation.clock()

    @work(thread=True, exit_on_error=False, group="open")
    def _open_workstation(self) -> None:
        assert self._opener is not None
        try:
            workstation = self._opener()
        except Exception as exc:
            self.call_from_thread(self._open_failed, str(exc))
            return
        self.call_from_thread(self._opened, workstation)

    def _opened(self, workstation: Workstation) -> None:
        self._workstation = workstation
        self._last_activity = workstation.clock()
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.workstation_ready(workstation)

    def _open_failed(self, message: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.workstation_failed(message)

    async def on_unmount(self) -> None:
        self._gc.stop()
        if self._workstation is not None:
            await self._workstation.aclose()

    def _logged_in(self, operator: OperatorRef | None) -> None:
        if operator is None:
            self.exit()
            return
        from screens.home import HomeScreen

        self.operator = operator
        self.push_screen(HomeScreen(self.workstation, operator))
        self.call_after_refresh(self._gc.settle)  # home first, then the objects of the session so far set aside
        interval = self.workstation.settings.sync_interval_seconds
        if interval and self._background_timer is None:
            self._background_timer = self.set_interval(interval, self._background)

    # -- background: sync and deferred lookups -----------------------------------------------------------------------

    def _background(self) -> None:
        self.run_worker(self._background_round(), group="background", exclusive=True, exit_on_error=False)

    async def _background_round(self) -> None:
        flags_before = len(self.workstation.review_flags())
        try:
            self.workstation.purge_spool()  # spooled PDFs past spool_retention_days (personal data in clear)
            await self.workstation.background_round()
            # Packs and calendars from the platform (refusals are logged, not shown: they would repeat every round).
            master = await self.workstation.pull_master_data()
        except Exception as exc:
            self.log.warning(f"background round failed: {exc!r}")
            return
        if master.applied:
            self.notify(f"已启用 {'、'.join(master.applied)}：新建案件按新版本办理，已打开的草稿按原版本")
        flags = len(self.workstation.review_flags())
        if flags > flags_before:
            self.notify(f"补查核验发现 {flags - flags_before} 件与受理时不一致，请在同步页处理", severity="warning")
        self.screen.post_message(RefreshData())

    # -- keys in the order typed, each where the one before it left focus (screens/key_hold.py) ---------------------

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        self._gc.key()
        if not self._held_keys and not self._keys_wait():
            await self._deliver(event)
            return
        if not self._held_keys:
            self._held_since = monotonic()
            # A screen that never says it is ready must not swallow the keyboard.
            self.set_timer(HOLD_AT_MOST_SECONDS, self._unstick)
        self._held_keys.append(event)
        if not self._keys_wait():
            await self._replay_held()

    def _keys_wait(self) -> bool:
        # The bare default screen shows only between login and home: keys wait for home.
        return self._key_in_flight or getattr(self.screen, "keys_held", False) or self.screen.id == "_default"

    async def _deliver(self, key: events.Key) -> None:
        """Hand ``key`` to Textual, then let nothing else through until it has been handled all the way.

        Textual forwards a key to the focused widget's queue and reads the next one at once; the key then bubbles
        widget by widget up to the App's bindings. A binding that moves focus or opens a screen (``n``, F9) would
        act only after the keys typed behind it had already gone to the old focus. So the next key waits until a
        callback has followed this one up the same path, and through the queue of any screen it opened."""
        path = list((self.focused or self.screen).ancestors_with_self)  # widget … screen, App
        self._key_in_flight = True
        await super().on_event(key)
        self._follow(path * FOLLOW_PASSES)

    def _follow(self, path: list[DOMNode]) -> None:
        while path:
            node = path.pop(0)
            if node.call_later(self._follow, path):
                return
        self._settle(None)

    def _settle(self, screen: Screen[object] | None) -> None:
        # A screen opened by the key: its mount and auto-focus are queued before this callback.
        if screen is not self.screen:
            if not self.screen.call_later(self._settle, self.screen):
                self._settled()
            return
        self._settled()

    def _settled(self, waited: int = 0) -> None:
        # The key's consequences are messages too (a choice posts Select.Changed, which the step turns into its
        # own message to the screen, which reshapes the steps and holds keys): wait until no queue of the screen
        # holds one, however loaded the machine is, so the next key meets the screen as the last one left it.
        if waited < SETTLE_AT_MOST and self._queues_busy():
            self.set_timer(0.001, partial(self._settled, waited + 1))
            return
        self._key_in_flight = False
        if self._held_keys:
            self.call_later(self._replay_held)

    def _queues_busy(self) -> bool:
        if self.message_queue_size > 0:
            return True
        # Only what is on show: a step mounting out of sight (the case screen mounts its other steps while the
        # clerk types the first) has queues busy for a while, and the next key need not wait for them.
        stack: list[DOMNode] = [self.screen]
        while stack:
            node = stack.pop()
            if node.message_queue_size > 0:
                return True
            stack.extend(child for child in node.children if child.display)
        return False

    async def _replay_held(self) -> None:
        # One at a time: each delivered key holds the rest again until it has been handled.
        if self._held_keys and not self._keys_wait():
            await self._deliver(self._held_keys.pop(0))

    def prepare_screen(self, screen: Screen[Any]) -> None:
        """Compose and mount ``screen`` out of sight, so that pushing it later only lays it out and paints it
        (screens/warm_case.py). Textual does the same when a screen is first pushed (``App._get_screen`` registers a
        screen that is not running yet, and takes a running one as it is): this does it earlier."""
        self._load_screen_css(screen)
        self._register(self, screen)

    def release_keys(self, screen: Screen[object]) -> None:
        """``screen`` has focus where the next key belongs: replay what waited, in order."""
        screen.keys_held = False  # type: ignore[attr-defined]
        if self._held_keys:
            self.call_later(self._replay_held)

    def _unstick(self) -> None:
        if self._held_keys and monotonic() - self._held_since >= HOLD_AT_MOST_SECONDS:
            logger.warning("keys held for %.1f s: delivered anyway", monotonic() - self._held_since)
            self._key_in_flight = False
            if getattr(self.screen, "keys_held", False):
                self.screen.keys_held = False  # type: ignore[attr-defined]
            self.call_later(self._replay_held)

    # -- idle lock -------------------------------------------------------------------------------------------------

    def on_key(self) -> None:
        if self._workstation is not None:
            self._last_activity = self._workstation.clock()

    def _check_idle(self) -> None:
        if self.operator is None or isinstance(self.screen, LoginScreen | LockScreen):
            return
        idle = (self.workstation.clock() - self._last_activity).total_seconds()
        if idle >= self._idle_lock_seconds:
            self.action_lock()

    def action_lock(self) -> None:
        """Lock the screen; the same operator (or a supervisor) unlocks it and work goes on where it was."""
        if self.operator is None or isinstance(self.screen, LoginScreen | LockScreen):
            return
        # Every keystroke is already saved with its case; the screen saves where the clerk is.
        self.screen.post_message(SavePosition())
        self.workstation.record_lock(self.operator)
        # A toast may name a person or a case: none stays over the lock screen.
        self.clear_notifications()
        self.push_screen(LockScreen(self.workstation, self.operator), self._unlocked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing opens over the lock screen but the unlock: no help, no palette, no app key (quit included).
        if isinstance(self.screen, LockScreen):
            return False
        return super().check_action(action, parameters)

    def _unlocked(self, operator: OperatorRef | None) -> None:
        self._last_activity = self.workstation.clock()
        if operator is None:
            self.exit()

    def action_command_palette(self) -> None:
        """The command palette, asking in Chinese."""
        from screens.palette import CounterPalette

        if self.use_command_palette and not CounterPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CounterPalette(placeholder="搜索命令或案件（中文、案件编号）…", id="--command-palette"))

    def action_help(self) -> None:
        from screens.help import HelpScreen  # Markdown and its highlighter load on first use

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- command palette: every bound action of the current screen is findable ---------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"快捷键 {binding.key_display or key}",
                partial(self._run_bound, active.node, binding.action),
            )
        yield SystemCommand("切换主题", "更换界面配色", self.action_change_theme)

    def _run_bound(self, node: object, action: str) -> None:
        self.call_later(self.run_action, action, node)


def make_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    workstation: Workstation | None = None,
    idle_lock_seconds: float | None = None,
    idle_check_seconds: float = 5.0,
) -> CounterApp:
    """The application for these settings (tests pass a frozen clock or a prepared workstation)."""

    def open_workstation() -> Workstation:
        # Imported here: the services pull in pydantic models, SQLite, httpx; the login screen needs none of them.
        from counter_app.compose import open_workstation

        return open_workstation(settings, clock=clock)

    return CounterApp(
        workstation or open_workstation,
        settings=settings,
        idle_lock_seconds=idle_lock_seconds,
        idle_check_seconds=idle_check_seconds,
    )
