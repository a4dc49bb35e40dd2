"""Step 5, the material checklist (材料清单): received, exempted by a registry, waived (容缺) or missing.

The table shows the case's assessment (:attr:`forms.case.Assessment.rows`) as it is: the status and note of every
line come from the one evaluation, never from a rule of this screen's own.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from forms.case import MaterialRow
from forms.vocabulary import MATERIAL_STATUS_LABELS
from screens.steps import Step


def row_cells(row: MaterialRow) -> tuple[str, str, str, str]:
    """The four cells of a checklist line: name, class, status and note."""
    return (row.name, "核心" if row.core else "非核心", MATERIAL_STATUS_LABELS[row.status], row.note)


class ChecklistStep(Step):
    """Space marks received, W waives a non-core material, M marks it missing again."""

    TITLE = "材料清单"
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
            "空格：已收取　W：容缺受理　M：改为未提交"
        )

    def shown(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests comparing it with the assessment)."""
        table = self.query_one("#materials", DataTable)
        return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]

    def selected_code(self) -> str | None:
        table = self.query_one("#materials", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key
