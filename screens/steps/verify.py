"""Step 3, verification (数据共享核验): every lookup with its live state; results arrive while the clerk types."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from counter_app.services.intake import CHINA_TZ
from forms.vocabulary import OUTCOME_MARKS, VERIFICATION_LABELS, VerificationKind, VerificationOutcome
from screens.steps import Step

# The marks are forms.vocabulary's one table of outcome labels for live tables.
OUTCOME_LABELS = OUTCOME_MARKS


class VerifyStep(Step):
    """One row per lookup of the scenario; Enter re-runs the selected lookup, F8 runs them all."""

    class Rerun(Message):
        """Enter on a lookup: run just that one again (the screen owns the lookup worker)."""

        def __init__(self, kind: VerificationKind) -> None:
            super().__init__()
            self.kind = kind

    TITLE = "核验"
    DEFAULT_CSS = """
    VerifyStep DataTable {
        height: auto;
        max-height: 16;
    }
    VerifyStep #verify-summary {
        margin-top: 1;
    }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.running: set[VerificationKind] = set()

    def compose(self) -> ComposeResult:
        yield DataTable(id="lookups", cursor_type="row", zebra_stripes=True)
        yield Static("", id="verify-summary")

    def on_mount(self) -> None:
        table = self.query_one("#lookups", DataTable)
        table.add_column("核验项目", key="kind", width=24)
        table.add_column("状态", key="state", width=20)
        table.add_column("数据来源", key="source", width=30)
        table.add_column("时间", key="time", width=8)
        table.add_column("说明", key="detail")
        self.refresh_from_case()

    def state_of(self, kind: VerificationKind) -> str:
        if kind in self.running:
            return "⟳ 查询中…"
        result = self.case.results.get(kind)
        if result is None:
            return "待发起"
        return OUTCOME_LABELS[result.outcome]

    def refresh_from_case(self) -> None:
        table = self.query_one("#lookups", DataTable)
        cursor = table.cursor_row
        table.clear()
        for kind in self.case.application.scenario.verifications():
            result = self.case.results.get(kind)
            source = result.source if result else ""
            when = result.checked_at.astimezone(CHINA_TZ).strftime("%H:%M:%S") if result else ""
            detail = (result.problem if result else "") or (str(result.data.get("summary", "")) if result else "")
            table.add_row(VERIFICATION_LABELS[kind], self.state_of(kind), source, when, detail, key=kind.value)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        outcomes = self.case.outcomes()
        matched = sum(1 for o in outcomes.values() if o is VerificationOutcome.MATCH)
        pending = sum(1 for o in outcomes.values() if o is VerificationOutcome.PENDING)
        total = len(self.case.application.scenario.verifications())
        evaluation = self.case.evaluation()
        text = f"已一致 {matched}/{total} 项；免提交材料 {len(evaluation.exempted)} 项。"
        if pending:
            text += f"\n离线：{pending} 项待核验，联网后自动补查；受理回执将注明核验待完成。"
        if self.case.notes:
            text += "\n" + "\n".join(self.case.notes[-3:])
        self.query_one("#verify-summary", Static).update(text)

    @on(DataTable.RowSelected, "#lookups")
    def _rerun_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key and self.case.editable:
            self.post_message(self.Rerun(VerificationKind(key)))

    def selected_kind(self) -> VerificationKind | None:
        table = self.query_one("#lookups", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return VerificationKind(key) if key else None
