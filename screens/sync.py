"""Sync (同步): the outbox per case with its state and errors, conflicts to decide, review flags to close."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from counter_app.services.intake import IntakeError, OperatorRef
from counter_app.services.workstation import ConflictRow, Workstation
from screens.widgets import CounterFooter

STATE_ZH = {
    "pending": "待发送",
    "sent": "已同步",
    "dead": "多次失败",
    "conflict": "版本冲突",
    "discarded": "已放弃",
}


class SyncScreen(Screen[None]):
    """R retries now; Enter on a conflict shows both versions; Enter on a flag records how it was handled."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#outbox"
    BINDINGS = [
        Binding("r", "retry", "立即同步"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator
        self._conflicts: dict[str, ConflictRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sync-status")
        yield Static("待同步与已同步案件", classes="section-title")
        yield DataTable(id="outbox", cursor_type="row", zebra_stripes=True)
        yield Static("版本冲突（平台已有更新版本，请选择保留哪一版）", classes="section-title")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        # Supervisors' open items: late lookup answers that disagree, and bad ratings (差评) awaiting follow-up.
        yield Static("复核提示（受理后补查结果不一致、差评待回访；回车登记处理结果）", classes="section-title")
        yield DataTable(id="flags", cursor_type="row", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        self.query_one("#outbox", DataTable).add_columns("案件编号", "版本", "状态", "尝试次数", "下次尝试", "错误")
        self.query_one("#conflicts", DataTable).add_columns("案件编号", "本地版本", "平台版本", "说明")
        self.query_one("#flags", DataTable).add_columns("案件编号", "变化", "须处理")
        self.refresh_data()

    def refresh_data(self) -> None:
        ws = self.workstation
        summary = ws.last_sync
        counts = ws.sync_counts()
        states = counts.outbox_states
        state = "尚未同步" if summary is None else summary.render()
        self.query_one("#sync-status", Static).update(
            f"待发送 {states.get('pending', 0)} 件，失败 {states.get('dead', 0)} 件，"
            f"冲突 {states.get('conflict', 0)} 件，待补查核验 {counts.pending_lookups} 项　最近一次：{escape(state)}"
        )
        outbox = self.query_one("#outbox", DataTable)
        outbox.clear()
        for entry in ws.outbox_entries():
            outbox.add_row(
                entry.case_number,
                str(entry.version),
                STATE_ZH.get(entry.state, entry.state),
                str(entry.attempts),
                entry.next_attempt_at.astimezone().strftime("%m-%d %H:%M") if entry.state == "pending" else "",
                escape(entry.last_error or ""),
                key=str(entry.id),
            )
        conflicts = self.query_one("#conflicts", DataTable)
        conflicts.clear()
        self._conflicts = {}
        for conflict in ws.conflicts():
            self._conflicts[conflict.case_id] = conflict
            conflicts.add_row(
                conflict.case_number,
                str(conflict.local_version),
                str(conflict.platform_version or "—"),
                escape(conflict.message),
                key=conflict.case_id,
            )
        flags = self.query_one("#flags", DataTable)
        flags.clear()
        for flag in ws.review_flags():
            flags.add_row(flag.case_number, escape(flag.message), escape(flag.action), key=str(flag.id))

    @work(group="sync", exclusive=True, exit_on_error=False)
    async def action_retry(self) -> None:
        self.workstation.retry_sync()
        try:
            summary = await self.workstation.background_round()
        except Exception as exc:
            self.notify(f"同步失败：{escape(str(exc))}", severity="error")
        else:
            self.notify(f"同步完成：{escape(summary.render())}")
        self.refresh_data()

    @on(DataTable.RowSelected, "#conflicts")
    def _conflict(self, event: DataTable.RowSelected) -> None:
        from screens.conflict_dialog import ConflictDialog

        conflict = self._conflicts.get(str(event.row_key.value))
        if conflict is None:
            return

        def decided(keep: str | None) -> None:
            if keep is None:
                return
            try:
                self.workstation.resolve_conflict(conflict.case_id, keep, self.operator)
            except IntakeError as exc:
                self.notify(str(exc), severity="error")
            self.refresh_data()

        dialog = ConflictDialog(conflict.case_number, conflict.local_payload, conflict.platform_view)
        self.app.push_screen(dialog, decided)

    @on(DataTable.RowSelected, "#flags")
    def _flag(self, event: DataTable.RowSelected) -> None:
        from screens.resolve_dialog import ResolveDialog

        flag_id = int(str(event.row_key.value))

        def done(resolution: str | None) -> None:
            if resolution:
                self.workstation.resolve_flag(flag_id, self.operator, resolution)
                self.refresh_data()

        self.app.push_screen(ResolveDialog(), done)

    def action_back(self) -> None:
        self.dismiss(None)
