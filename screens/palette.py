"""The command palette's own commands (Ctrl+P): cases by number, name or ID number, and the home screen's actions.

The bound actions of whatever screen is on top come from ``CounterApp.get_system_commands`` (Textual's system
provider); this provider adds what that list cannot: cases found through the workstation, and the home screen's
side screens (材料咨询, 贷款计算, 同步…) from any other screen. Nothing is offered before login or over the lock
screen: the cases and the clerk's work are behind the login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.binding import BindingsMap
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.widgets.option_list import Option

from forms.vocabulary import CASE_STATUS_LABELS

if TYPE_CHECKING:
    from counter_app.services.workstation import CaseRow
    from screens.home import HomeScreen

# Home-screen actions that act on the home screen itself (its search box, its lists, a case opened over it): they
# are offered on the home screen only, where the system list already has them.
HOME_ONLY_ACTIONS = frozenset({"find", "refresh", "new_case"})


class CounterCommands(Provider):
    """Cases (on the home screen, where a case opens) and the home screen's actions (on every other screen)."""

    def _home(self) -> HomeScreen | None:
        # Imported here: the home screen pulls in the services, which the login screen must not wait for.
        from screens.home import HomeScreen
        from screens.lock import LockScreen
        from screens.login import LoginScreen

        if isinstance(self.screen, LockScreen | LoginScreen):
            return None
        # The home screen is there exactly while a clerk is logged in.
        return next((s for s in self.app.screen_stack if isinstance(s, HomeScreen)), None)

    def _actions(self, home: HomeScreen) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(name, help, run) for each of the home screen's actions the screen on top does not bind itself."""
        if self.screen is home:
            return  # the system list has every home action already, with its key
        here = {active.binding.description for active in self.screen.active_bindings.values()}
        seen: set[str] = set()
        # From the class's bindings, not home.active_bindings: those depend on where home's focus was left (the
        # search box would swallow the letter keys).
        for key, bindings in BindingsMap(type(home).BINDINGS).key_to_bindings.items():
            for binding in bindings:
                action = binding.action
                if action in seen or action in HOME_ONLY_ACTIONS or not binding.description:
                    continue
                seen.add(action)
                if binding.description in here or not home.check_action(action, ()):
                    continue
                shown = self.app.get_key_display(binding) or key
                # The same action as the key on the home screen, run there (it opens its screen on top).
                yield binding.description, f"首页快捷键 {shown}", partial(home.run_action, action)

    async def discover(self) -> Hits:
        home = self._home()
        if home is None:
            return
        for name, help_text, run in self._actions(home):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        home = self._home()
        if home is None:
            return
        matcher = self.matcher(query)
        for name, help_text, run in self._actions(home):
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
        if self.screen is home:
            for row in home.workstation.find(query):
                yield _case_hit(home, row)


def _case_hit(home: HomeScreen, row: CaseRow) -> Hit:
    # The workstation matched the whole query (number, full name or full ID number): the best score there is.
    status = CASE_STATUS_LABELS.get(row.status, row.status.value)
    applicant = row.applicant or "（未填）"
    text = f"{row.case_number}  {status}  {applicant}"
    help_text = f"打开案件 · 身份证号码 {escape(row.applicant_id)}" if row.applicant_id else "打开案件"
    # Opened exactly as the home screen opens a case from its lists or its search box.
    return Hit(1.0, Content(text), partial(home.open_case, row.case_id), text=text, help=help_text)


NO_MATCHES = "没有找到匹配的命令或案件（案件按完整的案件编号、姓名或身份证号码查找）"


class CounterPalette(CommandPalette):
    """Textual's command palette, saying "no matches" in Chinese (Textual words it only in English)."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8.2.8's own countdown (pinned version), with the message in Chinese.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
