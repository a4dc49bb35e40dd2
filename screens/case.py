"""The case screen (办件): the whole intake flow of one case, step by step, autosaved on every change."""

from __future__ import annotations

from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Input, Static

from counter_app.services.intake import IntakeCase, IntakeError
from counter_app.services.workstation import Workstation
from forms.vocabulary import CASE_STATUS_LABELS, FieldSource, VerificationKind
from screens.case_enter import CaseEnter
from screens.key_hold import HoldsKeys
from screens.messages import SavePosition
from screens.steps import Step
from screens.steps.checklist import ChecklistStep
from screens.steps.loan import LoanStep
from screens.steps.people import PeopleStep
from screens.steps.review import ReviewStep
from screens.steps.scenario import ScenarioStep
from screens.steps.verify import VerifyStep
from screens.widgets import CounterFooter, FieldInput, id_facts

STEP_IDS = ("step-scenario", "step-people", "step-verify", "step-loan", "step-checklist", "step-review")
STEP_TITLES = ("1 办理情形", "2 申请人", "3 核验", "4 房屋与贷款", "5 材料清单", "6 审核与决定")
# Committing one of these fields re-runs the lookups that depend on it, so results arrive while the clerk types on.
RERUN_ON: dict[str, tuple[VerificationKind, ...]] = {
    "property.contract_number": (VerificationKind.CONTRACT, VerificationKind.PROPERTY, VerificationKind.TAX),
    "property.title_certificate": (VerificationKind.PROPERTY,),
    "repayment_account.card_number": (VerificationKind.BANK_CARD,),
    "fund_account.account_number": (VerificationKind.FUND_ACCOUNT,),
}


class CaseScreen(HoldsKeys, CaseEnter):
    """One case from scenario to printed receipt."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    # Below 110 columns (a 100×30 counter terminal) inputs and the loan panel narrow: see FormRow and LoanStep.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = None  # focus is restored from the saved state (or the first field of the step)
    BINDINGS = [
        # Priority: tables would otherwise take PageUp/PageDown for scrolling and trap the clerk in a step.
        Binding("pagedown,ctrl+n", "next_step", "下一步", priority=True),
        Binding("pageup,ctrl+b", "prev_step", "上一步", priority=True),
        Binding("f2", "goto(0)", "情形", show=False),
        Binding("f3", "goto(1)", "申请人", show=False),
        Binding("f4", "goto(2)", "核验", show=False),
        Binding("f5", "goto(3)", "贷款", show=False),
        Binding("f6", "goto(4)", "材料", show=False),
        Binding("f7", "goto(5)", "审核", show=False),
        Binding("f8", "lookups", "核验"),
        # The checklist's keys (Space, W, M) and the decision's (F9, F10) belong to their steps.
        Binding("p", "print", "打印"),
        Binding("h", "hand_over", "交窗口受理"),
        # Every key is saved as typed: Ctrl+S stays for habit, out of the footer (which keeps F1 and Ctrl+L).
        Binding("ctrl+s", "save", "保存", show=False),
        Binding("ctrl+o", "override", "人工修改", show=False),
        Binding("ctrl+r", "reassess", "按现行政策包重新审核", show=False),
        Binding("escape", "leave", "首页"),
        # Priority, so they act the moment the key is read: the key after them goes to the field they move to
        # (as an Input message, Enter would be handled only after the next few keys had landed in this field).
        Binding("enter", "enter_field", show=False, priority=True),
        Binding("tab", "tab_field(1)", show=False, priority=True),
        Binding("shift+tab", "tab_field(-1)", show=False, priority=True),
    ]

    def __init__(self, workstation: Workstation, case: IntakeCase) -> None:
        super().__init__()
        self.workstation = workstation
        self.case = case
        self.step = int(case.ui_state.get("step", 0))
        # Half-typed text, saved with the case (encrypted) on every keystroke; the screen state holds no text.
        self.raw: dict[str, str] = case.drafts
        self._entered: Widget | None = None  # where Enter last moved focus (a lookup may backfill it after)
        self.lookups_running: set[VerificationKind] = set()
        self._pending_step: int | None = None  # a step asked for before it was mounted (_mount_rest shows it)
        # The scenario each step was composed for: a step composed for another is reshaped before it shows.
        self._composed_for: dict[int, tuple[object, ...]] = {}

    # -- layout ------------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="case-title")
        with Horizontal(id="step-bar"):
            for index, title in enumerate(STEP_TITLES):
                yield Static(title, id=f"tab-{index}", classes="tab")
        kinds = (ScenarioStep, PeopleStep, VerifyStep, LoanStep, ChecklistStep, ReviewStep)
        self._steps: list[Step] = [kind(self.case, id=step_id) for kind, step_id in zip(kinds, STEP_IDS, strict=True)]
        verify = self._steps[2]
        if isinstance(verify, VerifyStep):
            verify.running = self.lookups_running  # one set of lookups on their way, kept by CaseLookups
        # Only the step on show is mounted with the screen, so it paints at once; the others follow (_mount_rest).
        self._composed_for[self.step] = self._steps[self.step].shape(self.case.application.scenario)
        with ContentSwitcher(initial=STEP_IDS[self.step], id="steps"):
            yield self._steps[self.step]
        yield CounterFooter()

    prepared_out_of_sight = False
    """Composed, mounted and styled before it was pushed (screens/warm_case.py)."""

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. A screen styled out of sight, under the same stylesheet and size, need
        # not restyle its hundreds of widgets (five steps hidden) on first show: about 35 ms of the 100 after `n`.
        if self.prepared_out_of_sight:
            self.prepared_out_of_sight = False
            event.refresh_styles = False

    def on_mount(self) -> None:
        self._title()
        self._fill_inputs()
        self._show_step(self.step, restore_focus=str(self.case.ui_state.get("focus") or ""))
        # On show: the other steps once this one has painted. Prepared out of sight (screens/warm_case.py): at once.
        (self.call_after_refresh if self.is_current else self.call_later)(self._mount_rest)

    async def _mount_rest(self) -> None:
        """The other steps, mounted once the screen has painted: the next one first, after which keys typed since
        `n` go on (screens/key_hold.py); the rest while the clerk types. A step asked for before it is mounted
        (``_show_step``) holds keys until it is."""
        current = self.step
        rest = sorted(
            (i for i in range(len(self._steps)) if i != current), key=lambda i: (i < current, abs(i - current))
        )
        switcher = self.query_one("#steps", ContentSwitcher)
        for n, index in enumerate(rest):
            step = self._steps[index]
            step.display = False
            self._composed_for[index] = step.shape(self.case.application.scenario)  # as it composes
            await switcher.mount(step)
            for field in step.query(FieldInput):
                self._fill(field)
            if self._pending_step == index:
                self._pending_step = None
                await self._reshaped(index)
                self._show_step(index)
                self.release_keys()
            elif (n == 0 and self._pending_step is None) or n == len(rest) - 1:
                self.release_keys()
        if self.prepared_out_of_sight and not self.is_current:
            # Laid out and rendered now, out of sight (Textual writes only the current screen to the terminal), so
            # that `n` finds every widget's lines ready: about 55 ms from `n` to the painted screen instead of 100.
            # Textual's own layout and render calls (pinned 8.2.8); a resize before `n` lays it out again on show.
            self._refresh_layout(self.app.size)
            self._compositor.render_update(full=True)

    def _title(self) -> None:
        status = CASE_STATUS_LABELS.get(self.case.status, self.case.status.value)
        # A new case is numbered at its first value typed (nothing typed: nothing stored, no number used up).
        number = self.case.case_number or "（录入后编号）"
        title = f"案件 {number}　{status}　办理人 {self.case.operator.name}"
        pack, in_force = self.case.policy.meta, self.workstation.policy.meta
        if (pack.code, pack.version) != (in_force.code, in_force.version):  # a draft opened before a pull
            title += f"　按 {pack.version_label} 审核（现行 {in_force.version_label}，Ctrl+R 重新审核）"
        self.query_one("#case-title", Static).update(title)

    def _current(self) -> Step:
        return self.query_one(f"#{STEP_IDS[self.step]}", Step)

    def _show_step(self, index: int, *, restore_focus: str = "") -> None:
        index = max(0, min(len(STEP_IDS) - 1, index))
        if not self._steps[index].is_mounted:
            # Still being mounted (just after `n`): keys wait, and the step shows as soon as it is there.
            self._pending_step = index
            self.hold_keys()
            return
        self.step = index
        self.query_one("#steps", ContentSwitcher).current = STEP_IDS[self.step]
        for i in range(len(STEP_IDS)):
            self.query_one(f"#tab-{i}", Static).set_class(i == self.step, "current")
        step = self._current()
        step.refresh_from_case()
        target = None
        if restore_focus:
            found = self.query(f"#{restore_focus}")
            target = found.first() if found else None
        if target is None:
            # The step has only just been switched in, so `focusable` (which needs display) is not reliable yet.
            candidates = [w for w in step.query("*") if w.can_focus and not w.disabled]
            # A step with nothing to type in (the review) takes focus itself, so its keys are live.
            target = candidates[0] if candidates else (step if step.can_focus else None)
        if target is not None:
            # Focus at once, not later: a key typed right after PageDown is read next and must land here.
            self.set_focus(target)
        self.refresh_bindings()
        self.save_state()

    # -- saving ------------------------------------------------------------------------------------------------------

    def ui_state(self) -> dict[str, object]:
        """Where the clerk is (step and focused widget), saved in clear with the next write: never any text."""
        focused = self.focused.id if self.focused is not None and self.focused.id else ""
        # "open" until the clerk leaves with Esc: a crash or a restart finds it and home offers to continue.
        return {"step": self.step, "focus": focused, "open": True}

    def save_state(self) -> None:
        """One write of where the clerk is (on a step change, on leaving); typed text is saved as it is typed."""
        self.case.save(self.ui_state())

    @on(SavePosition)
    def _save_position(self, event: SavePosition) -> None:
        self.save_state()

    def action_save(self) -> None:
        self.save_state()
        self.notify("已保存")

    def action_reassess(self) -> None:
        """Move this draft to the pack version in force (master data); the screen reopens on the moved case."""
        try:
            case = self.workstation.reassess(self.case, self.case.operator)
        except IntakeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"已按 {case.policy.meta.version_label} 重新审核，材料清单已更新")
        self.app.switch_screen(CaseScreen(self.workstation, case))

    def action_leave(self) -> None:
        if self.case.numbered:
            self.case.save({**self.ui_state(), "open": False})
        self.dismiss(None)

    # -- form fields -------------------------------------------------------------------------------------------------

    def _fill_inputs(self) -> None:
        for field in self.query(FieldInput):
            self._fill(field)

    def _fill(self, field: FieldInput) -> None:
        raw = self.raw.get(field.path)
        value = raw if raw is not None else self.case.value_at(field.path)
        with field.prevent(Input.Changed):
            field.value = value
        field.cursor_position = len(value)  # restored or backfilled text: the next key goes after it
        source = self.case.source_of(field.path) if raw is None else FieldSource.TYPED
        # A registry's value (or the clerk's override of it) is read-only: Ctrl+O changes it, with a reason.
        field.locked = source in (FieldSource.VERIFIED, FieldSource.OVERRIDDEN)
        field.set_class(source is FieldSource.VERIFIED, "verified")
        field.set_class(source is FieldSource.OVERRIDDEN, "overridden")
        row = self._row(field)
        if row is not None and field.locked:
            # Short, to fit beside the field at 100 columns; a key on it says how to change it (Ctrl+O).
            row.note("✔ 核验回填" if source is FieldSource.VERIFIED else "✎ 人工修改")
        elif row is not None and field.path.endswith("id_number") and value:
            # On resume the birth date, sex and age of an ID number show again, as when it was typed.
            text, error = id_facts(value, self.case.today())
            row.note(text, error=error)
        field.disabled = not self.case.editable

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        field = event.input
        if not isinstance(field, FieldInput):
            return
        self.raw[field.path] = event.value
        row = self._row(field)
        if row is not None and field.path.endswith("id_number"):
            text, error = id_facts(event.value, self.case.today())
            row.note(text, error=error)
        # One write per keystroke: the half-typed text, encrypted with the case.
        if self.case.editable:
            numbered = self.case.numbered
            self.case.set_draft(field.path, event.value, self.ui_state())
            if not numbered:
                self._title()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        if isinstance(event.input, FieldInput) and event.input.path in self.raw:
            self._commit(event.input)

    def _commit(self, field: FieldInput) -> None:
        if not self.case.editable or field.path not in self.raw:
            return
        text = self.raw[field.path]
        # One write: the value taken, its draft cleared and where the clerk is, together.
        issues = self.case.set_field(field.path, text, ui_state=self.ui_state())
        row = self._row(field)
        if issues:
            # Refused: nothing is written; the typed text is already saved as a draft.
            if row is not None:
                row.note(issues[0].message, error=True)
            return
        del self.raw[field.path]
        field.remove_class("verified")
        if row is not None:
            note = id_facts(text, self.case.today())[0] if field.path.endswith("id_number") else ""
            row.note(note)
        kinds = RERUN_ON.get(field.path)
        if kinds:
            self._run_lookups(tuple(k for k in kinds if k in self.case.application.scenario.verifications()))
        if self.step in (1, 3):  # the people step's authorization tick, the loan step's limits
            self._current().refresh_from_case()

    # -- choices (each step takes its own; a new scenario reshapes the others) ---------------------------------------

    @on(ScenarioStep.Changed)
    def _scenario_changed(self, event: ScenarioStep.Changed) -> None:
        # The people step is composed from the scenario: recomposed now, out of sight, while the clerk is still
        # choosing (a choice is not typing), so that it shows at once after PageDown (_reshaped again then is a
        # no-op). The loan step only shows or hides its parts; the checklist is redrawn whenever it shows.
        self._title()  # the first choice numbers a new case
        self.call_later(self._reshaped, 1)

    async def _reshaped(self, index: int) -> None:
        """Recompose the step about to show if it was composed for another scenario (its fields filled again)."""
        step = self._steps[index]
        shape = step.shape(self.case.application.scenario)
        if not step.is_mounted or self._composed_for.get(index, shape) == shape:
            return
        self._composed_for[index] = shape
        await step.recompose()
        for field in step.query(FieldInput):
            self._fill(field)

    # -- steps -------------------------------------------------------------------------------------------------------

    async def action_next_step(self) -> None:
        await self.action_goto(self.step + 1)

    async def action_prev_step(self) -> None:
        await self.action_goto(self.step - 1)

    async def action_goto(self, index: int) -> None:
        self._leave_field()
        # Awaited within the key's delivery: keys typed meanwhile wait for the reshaped step (CounterApp.on_event).
        await self._reshaped(max(0, min(len(STEP_IDS) - 1, index)))
        self._show_step(index)
        # Leaving a step starts the lookups its input made due, once the next step has painted: the clerk goes on
        # typing while they answer (with the embedded sandbox, the registries' work shares this event loop).
        self.call_after_refresh(self.run_due_lookups)

    def _leave_field(self) -> None:
        """Commit every half-typed value of the step being left (not only the focused one)."""
        for field in self._current().query(FieldInput):
            if field.path in self.raw:
                self._commit(field)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print":
            return self.step in (4, 5)
        if action == "lookups":
            return self.case.editable
        if action == "hand_over":
            return self.case.editable and self.case.operator.role == "agent"
        return True

    def action_hand_over(self) -> None:
        """An agent's pre-verified case goes to the window (预审后交窗口)."""
        self._leave_field()
        try:
            self.case.hand_over()
        except IntakeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"已交窗口：请把案件编号 {self.case.case_number} 告知窗口工作人员", timeout=10)

    # -- decision (screens/case_decide.py: F9 and F10 through their confirmation) and printing -------------------

    def refresh_current(self) -> None:
        self._current().refresh_from_case()
