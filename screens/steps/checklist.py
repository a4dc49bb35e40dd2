"""Step 5, the material checklist (材料清单): received, exempted by a registry, waived (容缺) or missing.

The table shows the case's assessment (:attr:`forms.case.Assessment.rows`) as it is: the status and note of every
line come from the one evaluation, never from a rule of this screen's own.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from counter_app.services.intake import IntakeError
from forms.case import MaterialRow
from forms.vocabulary import MATERIAL_STATUS_LABELS, MaterialStatus
from screens.steps import Step


def row_cells(row: MaterialRow) -> tuple[str, str, str, str]:
    """The four cells of a checklist line: name, class, status and note."""
    return (row.name, "核心" if row.core else "非核心", MATERIAL_STATUS_LABELS[row.status], row.note)


class ChecklistStep(Step):
    """Space marks received and moves on, A marks every missing line received, W waives, M marks missing again."""

    class SupervisorApproval(Message):
        """A core or non-waivable material is to be waived: only a supervisor may approve it (the screen asks)."""

        def __init__(self, code: str, name: str) -> None:
            super().__init__()
            self.code = code
            self.name = name

    TITLE = "材料清单"
    BINDINGS = [
        Binding("space", "received", "已收取", key_display="空格"),
        Binding("a", "received_all", "全收"),
        Binding("w", "waive", "容缺"),
        Binding("m", "missing", "未提交", show=False),  # rare; in the help and the step's hint
        Binding("c", "commit", "告知承诺", show=False),
        # On a received line: the paper as it was handed in (the receipt prints it).
        Binding("o", "paper_form", "原件/复印件", show=False),
        Binding("plus,equals_sign", "copies(1)", "份数+1", show=False),
        Binding("minus", "copies(-1)", "份数-1", show=False),
    ]
    DEFAULT_CSS = """
    ChecklistStep DataTable {
        height: auto;
        max-height: 22;
    }
    ChecklistStep #checklist-summary {
        margin-top: 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield DataTable(id="materials", cursor_type="row", zebra_stripes=True)
        yield Static("", id="checklist-summary")

    def on_mount(self) -> None:
        table = self.query_one("#materials", DataTable)
        table.add_column("材料", key="name", width=40)
        table.add_column("类别", key="class", width=6)
        table.add_column("状态", key="state", width=18)
        table.add_column("说明", key="note")
        self.refresh_from_case()

    def refresh_from_case(self) -> None:
        assessment = self.case.assessment()
        table = self.query_one("#materials", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in assessment.rows:
            table.add_row(*row_cells(row), key=row.code)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        evaluation = assessment.evaluation
        self.query_one("#checklist-summary", Static).update(
            f"需提交 {len(evaluation.to_hand_in)} 项"
            f"（已收取 {len(evaluation.received)}，容缺 {len(evaluation.waived)}），"
            f"数据共享免提交 {len(evaluation.exempted)} 项，仍缺 {len(evaluation.missing)} 项。\n"
            "空格：已收取　A：全部已收取　W：容缺受理　M：改为未提交　O：原件/复印件　+/-：份数"
        )

    def shown(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests comparing it with the assessment)."""
        table = self.query_one("#materials", DataTable)
        return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]

    # -- the clerk's marks (each one command of the case) -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("received", "received_all", "waive", "missing", "commit", "paper_form", "copies"):
            return self.case.editable
        return True

    def change(self, command: Callable[[], None]) -> bool:
        """Run one checklist command and redraw; a refused one says why and changes nothing (False)."""
        try:
            command()
        except IntakeError as exc:
            self.notify(str(exc), severity="error")
            return False
        finally:
            self.refresh_from_case()
        return True

    def action_received(self) -> None:
        """Space: received, and the cursor goes on to the next line still missing below (else the next line)."""
        code = self.selected_code()
        if code is None or not self.change(lambda: self.case.mark_received(code)):
            return
        table = self.query_one("#materials", DataTable)
        rows = self.case.assessment().rows
        below = [i for i in range(table.cursor_row + 1, len(rows)) if rows[i].status is MaterialStatus.MISSING]
        table.move_cursor(row=below[0] if below else min(table.cursor_row + 1, table.row_count - 1))

    def action_paper_form(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.change(lambda: self.case.adjust_receipt(code, toggle_form=True))

    def action_copies(self, delta: int) -> None:
        code = self.selected_code()
        if code is not None:
            self.change(lambda: self.case.adjust_receipt(code, delta=delta))

    def action_received_all(self) -> None:
        """A: every line the assessment shows as missing is received as the pack expects it (one command each)."""
        missing = [row.code for row in self.case.assessment().rows if row.status is MaterialStatus.MISSING]
        done = 0
        for code in missing:
            try:
                self.case.mark_received(code)
            except IntakeError as exc:
                self.notify(str(exc), severity="error")
                break
            done += 1
        self.refresh_from_case()
        if done:
            self.notify(f"已收取 {done} 项材料（原件 1 份）")

    def action_missing(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.change(lambda: self.case.mark_missing(code))

    def action_commit(self) -> None:
        """告知承诺 (where the pack allows it for this material): the signed commitment replaces it."""
        code = self.selected_code()
        if code is not None:
            self.change(lambda: self.case.commit_material(code))

    def action_waive(self) -> None:
        from screens.waive_dialog import WaiveDialog

        code = self.selected_code()
        if code is None:
            return
        material = self.case.policy.materials.get(code)
        if material.core or not material.shortfall.waivable:
            self.post_message(self.SupervisorApproval(code, material.name))
            return

        def done(reason: str | None) -> None:
            if reason:
                self.change(lambda: self.case.waive(code, reason=reason))

        self.app.push_screen(WaiveDialog(material.name, material.shortfall.due_label()), done)

    def selected_code(self) -> str | None:
        table = self.query_one("#materials", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key
