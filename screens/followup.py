"""Follow-up of an accepted case (后续办理): progress, supplements (补件), hand-out (出件), reprints, void."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from counter_app.services.followup import FollowUp
from counter_app.services.intake import CHINA_TZ, IntakeCase, IntakeError, OperatorRef
from counter_app.services.workstation import Workstation
from forms.vocabulary import (
    CASE_STATUS_LABELS,
    RATING_LABELS,
    RATING_STAGE_LABELS,
    CaseStatus,
    RatingStage,
    ShortfallStatus,
)
from printouts import DOC_LABELS, DocKind
from screens.case_printing import follow_jobs
from screens.messages import RefreshData
from screens.rating_dialog import offer_rating
from screens.widgets import CounterFooter

SHORTFALL_ZH = {ShortfallStatus.OPEN: "待补交", ShortfallStatus.FULFILLED: "已补交", ShortfallStatus.OVERDUE: "已逾期"}


def _local_time(stamp: str) -> str:
    """A platform timestamp (ISO, any zone) in China time for the window."""
    try:
        return datetime.fromisoformat(stamp).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16].replace("T", " ")


def _status_label(status: str) -> str:
    try:
        return CASE_STATUS_LABELS[CaseStatus(status)]
    except ValueError:
        return status


class FollowupScreen(Screen[None]):
    """Enter on a waived material records its supplement; H hands out; E records a rating (好差评); P reprints
    (supervisor); V voids."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#fu-shortfalls"
    BINDINGS = [
        Binding("h", "handout", "出件登记"),
        Binding("e", "rate", "好差评"),
        Binding("p", "reprint", "补打"),
        Binding("o", "open_case", "查看申请"),
        Binding("v", "void", "作废（负责人）"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, workstation: Workstation, case: IntakeCase, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.case = case
        self.operator = operator
        self.follow = FollowUp(workstation)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="fu-summary")
        yield Static("容缺材料（回车登记补件）", classes="section-title")
        yield DataTable(id="fu-shortfalls", cursor_type="row", zebra_stripes=True)
        yield Static("办理进度（平台同步）", classes="section-title")
        yield DataTable(id="fu-events", cursor_type="row", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        self.query_one("#fu-shortfalls", DataTable).add_columns("材料", "约定补交日期", "状态")
        self.query_one("#fu-events", DataTable).add_columns("时间", "进度", "状态")
        self.refresh_data()

    @on(RefreshData)
    def _refresh_on_news(self, event: RefreshData) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        progress = self.follow.progress(self.case)
        lines = [
            f"案件 {progress.case_number}　申请人 {escape(progress.applicant)}　状态：[b]{progress.status_label}[/b]",
            f"受理时间 {progress.accepted_at or '—'}　承诺办结日期 {progress.promised or '—'}",
        ]
        if progress.handout:
            who = escape(progress.handout.get("collected_by", ""))
            lines.append(f"已出件：{who} 领取 {escape(progress.handout.get('items', ''))}")
        elif progress.ready_for_handout:
            lines.append("[b green]平台已办结，可以出件：按 H 登记[/]")
        for rating in self.case.file.ratings:
            handled = f"；已处理：{escape(rating.handling)}" if rating.handling else ""
            lines.append(f"好差评（{RATING_STAGE_LABELS[rating.stage]}）：{RATING_LABELS[rating.level]}{handled}")
        for flag in self.workstation.review_flags(self.case.case_id):
            lines.append(f"[b red]复核提示：{escape(flag.message)}；{escape(flag.action)}[/]")
        self.query_one("#fu-summary", Static).update("\n".join(lines))
        table = self.query_one("#fu-shortfalls", DataTable)
        table.clear()
        for line in progress.shortfalls:
            table.add_row(line.material, line.due.isoformat(), SHORTFALL_ZH[line.status], key=line.code)
        events = self.query_one("#fu-events", DataTable)
        events.clear()
        for event in progress.events:
            events.add_row(_local_time(event.at), escape(event.text), _status_label(event.status))

    @on(DataTable.RowSelected, "#fu-shortfalls")
    def _supplement(self, event: DataTable.RowSelected) -> None:
        code = str(event.row_key.value)
        try:
            line = self.follow.receive_supplement(self.case, code, self.operator)
        except IntakeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"已登记补件：{line.material}，已通知平台")
        self.refresh_data()

    def action_handout(self) -> None:
        from screens.handout_dialog import HandoutDialog

        def done(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            try:
                self.follow.hand_out(self.case, self.operator, collected_by=answer[0], items=answer[1])
            except IntakeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify("已登记出件")
            self.refresh_data()
            offer_rating(self, self.case, RatingStage.HANDOUT, then=self.refresh_data)

        self.app.push_screen(HandoutDialog(), done)

    def action_rate(self) -> None:
        """A rating given later (the applicant comes back, or the device was busy): of the latest service."""
        offer_rating(self, self.case, then=self.refresh_data)

    def action_reprint(self) -> None:
        from screens.supervisor_dialog import SupervisorDialog

        decision = self.case.decision
        kind = DocKind.RECEIPT if decision is not None and decision.outcome == "accepted" else DocKind.NOTICE

        def done(answer: tuple[OperatorRef, str] | None) -> None:
            if answer is None:
                return
            supervisor, reason = answer
            try:
                record = self.case.print(kind, reason=reason, authorized_by=supervisor)
            except (IntakeError, ValueError, OSError) as exc:
                self.notify(escape(str(exc)), severity="error")
                return
            self.notify(f"已补打{DOC_LABELS[kind]} → {record.path.name}")
            follow_jobs(self.app, self.case, [record])

        self.app.push_screen(SupervisorDialog(self.workstation, f"补打{DOC_LABELS[kind]}", reason="申请人遗失"), done)

    def action_void(self) -> None:
        from screens.supervisor_dialog import SupervisorDialog

        def done(answer: tuple[OperatorRef, str] | None) -> None:
            if answer is None:
                return
            try:
                self.case.void(answer[0], answer[1])
            except IntakeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify("案件已作废")
            self.refresh_data()

        self.app.push_screen(SupervisorDialog(self.workstation, f"作废案件 {self.case.case_number}"), done)

    def action_open_case(self) -> None:
        from screens.case import CaseScreen

        self.app.push_screen(CaseScreen(self.workstation, self.case))

    def action_back(self) -> None:
        self.dismiss(None)
