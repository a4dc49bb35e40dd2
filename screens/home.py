"""Home (首页): today's cases, open drafts, shortfalls due or overdue, online/offline and outbox state."""

from __future__ import annotations

from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from counter_app.services.intake import CHINA_TZ, OperatorRef
from counter_app.services.workstation import CaseRow, HomeData, Workstation
from forms.vocabulary import CASE_STATUS_LABELS, CaseStatus
from screens.key_hold import HoldsKeys
from screens.messages import RefreshData
from screens.warm_case import PREPARE_AFTER_SECONDS, WarmCase
from screens.widgets import CounterFooter


class HomeScreen(HoldsKeys, Screen[None]):
    """The clerk's start page; every case opens from here."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#today"
    BINDINGS = [
        Binding("n", "new_case", "新建案件"),
        Binding("slash,ctrl+f", "find", "查找案件"),
        Binding("c", "consult", "材料咨询"),
        Binding("k", "calculator", "贷款计算"),
        Binding("r", "refresh", "刷新", show=False),  # home refreshes itself; the footer keeps its room
        Binding("s", "sync", "同步"),
        Binding("o", "overdue", "逾期补件"),
        Binding("i", "kpi", "办件成效"),
        Binding("a", "audit", "审计日志"),
    ]

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator
        self._rows: dict[str, CaseRow] = {}
        self._warm = WarmCase(workstation, operator)  # the next new case's screen, ready before `n`

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status-line")
        yield Input(id="find", placeholder="按案件编号、身份证号码或姓名查找，回车打开", select_on_focus=False)
        with Horizontal(id="home-body"):
            with Vertical(id="cases-col"):
                yield Static("今日案件", classes="section-title")
                yield DataTable(id="today", cursor_type="row", zebra_stripes=True)
                yield Static("暂存草稿", classes="section-title")
                yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
            with Vertical(id="follow-col"):
                yield Static("补件提醒（一周内到期及已逾期）", classes="section-title")
                yield DataTable(id="shortfalls", cursor_type="row", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        for table_id in ("#today", "#drafts"):
            table = self.query_one(table_id, DataTable)
            table.add_columns("案件编号", "状态", "申请人", "身份证号码", "更新时间")
        self.query_one("#shortfalls", DataTable).add_columns("案件编号", "材料", "到期日", "状态")
        self.refresh_data()
        self._offer_resume()
        self.release_keys()  # keys typed during the login check (`n` for a new case) act here now
        self._prepare_next_case()

    def _offer_resume(self) -> None:
        """Once, after login: the case this clerk had open when the counter stopped is offered first."""
        from screens.resume_dialog import ResumeDialog

        row = self.workstation.draft_left_open(self.operator)
        if row is None:
            return

        def answered(resume: bool | None) -> None:
            if resume:
                self._open(row.case_id)

        self.app.push_screen(ResumeDialog(row), answered)

    def on_screen_resume(self) -> None:
        self.refresh_data()
        self._prepare_next_case()

    def on_unmount(self) -> None:
        self._warm.discard()  # logged out: the next clerk's home prepares its own

    def _prepare_next_case(self) -> None:
        # Once home has painted and answered its first keys: see screens/warm_case.py.
        self.set_timer(PREPARE_AFTER_SECONDS, lambda: self._warm.prepare(self.app) if self.is_current else None)

    @on(RefreshData)
    def _refresh_on_news(self, event: RefreshData) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self._show(self.workstation.home())

    def _show(self, data: HomeData) -> None:
        pending = data.outbox_states.get("pending", 0)
        dead = data.outbox_states.get("dead", 0)
        network = "● 联网" if data.online else "○ 离线（核验排队，联网后补查）"
        if data.pending_lookups:  # queued because the gateway was unreachable: never "联网" while they wait
            network = f"○ 离线排队 {data.pending_lookups} 项（联网后补查）"
        outbox = f"待同步 {pending} 件" + (f"，同步失败 {dead} 件" if dead else "")
        if data.review_flags:
            outbox += f"，[b red]复核提示 {len(data.review_flags)} 件（按 S 查看）[/]"
        self.query_one("#status-line", Static).update(
            f"操作员：{self.operator.name}（{self.operator.login}）   {network}   {outbox}   "
            f"{self.workstation.master_versions()}"  # the pack and calendar versions in force (master data)
        )
        self._rows.clear()
        for table_id, rows in (("#today", data.today), ("#drafts", data.drafts)):
            table = self.query_one(table_id, DataTable)
            table.clear()
            for row in rows:
                self._rows[row.case_id] = row
                # The counter works on China time whatever the machine's own zone is (dates, promised days).
                local = row.updated_at.astimezone(CHINA_TZ).strftime("%m-%d %H:%M")
                table.add_row(
                    row.case_number,
                    CASE_STATUS_LABELS.get(row.status, row.status.value),
                    row.applicant or "（未填）",
                    row.applicant_id,
                    local,
                    key=row.case_id,
                )
        follow = self.query_one("#shortfalls", DataTable)
        follow.clear()
        for item in data.shortfalls:
            follow.add_row(
                item.case_number,
                item.material,
                item.due.isoformat(),
                "已逾期" if item.overdue else "待补交",
                key=f"{item.case_id}:{item.material}",
            )

    # -- actions -----------------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_data()
        self.notify("已刷新")

    def action_find(self) -> None:
        self.query_one("#find", Input).focus()

    @on(Input.Submitted, "#find")
    def _find(self, event: Input.Submitted) -> None:
        rows = self.workstation.find(event.value)
        if not rows:
            # Not on this workstation: another window of the hall may have accepted it (asked of the platform).
            self._ask_hall(event.value.strip())
            event.input.value = ""
            return
        if len(rows) > 1:
            self.notify(f"找到 {len(rows)} 件，已打开最近的一件")
        event.input.value = ""
        # Back from the case, the keys should reach the home screen again, not the search box.
        self.query_one("#today", DataTable).focus()
        self._open(rows[0].case_id)

    def on_key(self, event: events.Key) -> None:
        # A case number scanned from a receipt's QR code (a keyboard-wedge scanner types it and Enter) or typed
        # straight away: an upper-case letter or a digit starts the search (the home keys are lower-case letters).
        find = self.query_one("#find", Input)
        char = event.character or ""
        if self.focused is not find and len(char) == 1 and (char.isdigit() or ("A" <= char <= "Z")):
            event.stop()
            event.prevent_default()
            self.set_focus(find)
            find.insert_text_at_cursor(char)

    @work(exit_on_error=False, group="hall", exclusive=True)
    async def _ask_hall(self, query: str) -> None:
        from counter_app.services.hall import HallError

        try:
            row = await self.workstation.pull_from_hall(query, self.operator)
        except HallError as exc:
            self.notify(f"本机没有“{query}”对应的案件，{exc}：请联网后再查找", severity="warning", timeout=8)
            return
        if row is None:
            self.notify(f"未找到“{query}”对应的案件（本机和一件事平台均无）", severity="warning")
            return
        self.notify(f"已从一件事平台取回案件 {row.case_number}（由其他窗口受理）")
        self.refresh_data()
        self._open(row.case_id)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        self._open(key.split(":", 1)[0])

    def open_case(self, case_id: str) -> None:
        """Open a case as the lists and the search box do; the command palette (screens/palette.py) opens it here."""
        self._open(case_id)

    def _open(self, case_id: str) -> None:
        from screens.case import CaseScreen
        from screens.followup import FollowupScreen

        case = self.workstation.open_case(case_id, self.operator)
        if case.editable:
            self.app.push_screen(CaseScreen(self.workstation, case))
        else:
            # An accepted or declined case opens on its follow-up: progress, 补件, 出件, reprints.
            self.app.push_screen(FollowupScreen(self.workstation, case, self.operator))

    def action_overdue(self) -> None:
        from screens.overdue import OverdueScreen

        self.app.push_screen(OverdueScreen(self.workstation, self.operator))

    def action_new_case(self) -> None:
        from screens.case import CaseScreen

        screen = self._warm.take() or CaseScreen(self.workstation, self.workstation.new_case(self.operator))
        self.app.push_screen(screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "audit":
            from counter_app.services.audit_view import can_view_audit

            return can_view_audit(self.operator)
        return True

    def action_kpi(self) -> None:
        from screens.kpi import KpiScreen

        self.app.push_screen(KpiScreen(self.workstation))

    def action_audit(self) -> None:
        from screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.workstation, self.operator))

    def action_sync(self) -> None:
        from screens.sync import SyncScreen

        self.app.push_screen(SyncScreen(self.workstation, self.operator))

    def action_consult(self) -> None:
        from screens.consult import ConsultScreen

        self.app.push_screen(ConsultScreen(self.workstation, self.operator))

    def action_calculator(self) -> None:
        from screens.calculator import CalculatorScreen

        self.app.push_screen(CalculatorScreen(self.workstation))


def status_label(status: CaseStatus) -> str:
    return CASE_STATUS_LABELS.get(status, status.value)
