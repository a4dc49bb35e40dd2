"""Step 5, the material checklist (材料清单): received, exempted by a registry, waived (容缺) or missing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from forms.materials import Material
from forms.vocabulary import VERIFICATION_LABELS, MaterialClass, MaterialStatus, VerificationOutcome
from screens.steps import Step

STATUS_TEXT: dict[MaterialStatus, str] = {
    MaterialStatus.VERIFIED: "免提交（核验一致）",
    MaterialStatus.RECEIVED: "已收取",
    MaterialStatus.WAIVED: "容缺",
    MaterialStatus.MISSING: "未提交",
    MaterialStatus.NOT_APPLICABLE: "不适用",
}


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

    def _row(self, material: Material) -> tuple[str, str, str, str]:
        line = self.case.checklist.get(material.code)
        status = line.status if line else MaterialStatus.MISSING
        outcomes = self.case.outcomes()
        klass = "核心" if material.material_class is MaterialClass.CORE else "非核心"
        note = ""
        if material.exempt_by is not None and outcomes.get(material.exempt_by) is VerificationOutcome.MATCH:
            status = MaterialStatus.VERIFIED
            note = f"由{VERIFICATION_LABELS[material.exempt_by]}核验代替"
        elif status is MaterialStatus.WAIVED:
            note = f"补交期限：{material.shortfall.due_label()}"
        elif status is MaterialStatus.RECEIVED and line is not None and line.received is not None:
            form = "原件" if line.received.form.value == "original" else "复印件"
            note = f"{form} {line.received.count} 份"
        elif material.shortfall.waivable:
            note = f"可容缺（{material.shortfall.due_label()}）"
        elif material.material_class is MaterialClass.CORE:
            note = "核心要件，须收取或核验免提交"
        return (material.name, klass, STATUS_TEXT[status], note)

    def refresh_from_case(self) -> None:
        from forms.materials import materials_for

        table = self.query_one("#materials", DataTable)
        cursor = table.cursor_row
        table.clear()
        for material in materials_for(self.case.policy.materials, self.case.application.scenario):
            table.add_row(*self._row(material), key=material.code)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        evaluation = self.case.evaluation()
        self.query_one("#checklist-summary", Static).update(
            f"需提交 {len(evaluation.to_hand_in)} 项"
            f"（已收取 {len(evaluation.received)}，容缺 {len(evaluation.waived)}），"
            f"数据共享免提交 {len(evaluation.exempted)} 项，仍缺 {len(evaluation.missing)} 项。\n"
            "空格：已收取　W：容缺受理　M：改为未提交"
        )

    def selected_code(self) -> str | None:
        table = self.query_one("#materials", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key
