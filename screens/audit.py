"""Audit viewer (审计日志) for supervisors: the hash-chained log filtered by case, operator and kind."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from counter_app.services.audit_view import AuditAccessDenied, AuditView, can_view_audit
from counter_app.services.intake import CHINA_TZ, OperatorRef
from counter_app.services.workstation import Workstation
from screens.messages import RefreshData
from screens.widgets import CounterFooter

# What each logged action means, for people (the log keeps the stable English names).
ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "lockout": "账号锁定",
    "unlock": "解锁",
    "logout": "退出登录",
    "lock": "锁屏",
    "operator_added": "新增操作员",
    "password_changed": "修改密码",
    "password_reset": "重置密码",
    "case_created": "新建案件",
    "status_changed": "状态变更",
    "lookup": "数据核验",
    "authorization": "征信授权",
    "print": "打印",
    "reprint": "补打",
    "sync_queued": "排队同步",
    "sync_sent": "已同步",
    "sync_failed": "同步失败",
    "supervisor_override": "负责人特批",
    "shortfall_overdue": "补件逾期",
    "audit_viewed": "查看审计日志",
    "audit_view_refused": "拒绝查看审计日志",
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return f"{label}（{action}）" if label else action


class AuditScreen(Screen[None]):
    """The audit log with filters and the chain check; refuses to show anything to a non-supervisor."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#audit-table"
    BINDINGS = [
        Binding("escape", "back", "返回"),
        Binding("r", "refresh", "刷新并校验"),
        Binding("slash,ctrl+f", "filter", "按案件筛选"),
        Binding("x", "clear_filters", "清除筛选"),
    ]

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator
        self.allowed = can_view_audit(operator)
        self.current_view: AuditView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        if not self.allowed:
            # Nothing of the log is even loaded for someone who may not read it.
            yield Static("审计日志仅限负责人查看。", id="audit-refused")
            yield CounterFooter()
            return
        yield Static("", id="audit-chain")
        with Horizontal(id="audit-filters"):
            yield Input(id="audit-case", placeholder="案件编号（回车筛选）")
            yield Select[str]([], prompt="全部操作员", id="audit-actor")
            yield Select[str]([], prompt="全部类型", id="audit-action")
        yield Static("", id="audit-count")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield CounterFooter()

    def on_mount(self) -> None:
        try:
            self.workstation.audit_log().open(self.operator)
        except AuditAccessDenied as exc:
            self.notify(escape(str(exc)), severity="error", timeout=6)
            self.call_later(self._leave)
            return
        self.query_one("#audit-table", DataTable).add_columns("序号", "时间", "操作员", "类型", "案件编号", "详情")
        self.refresh_data(update_choices=True)

    # -- data --------------------------------------------------------------------------------------------------------

    def _filter(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    @on(RefreshData)
    def _refresh_on_news(self, event: RefreshData) -> None:
        self.refresh_data()

    def refresh_data(self, *, update_choices: bool = False) -> None:
        if not self.allowed:
            return
        view = self.workstation.audit_log().view(
            self.operator,
            case_number=self.query_one("#audit-case", Input).value,
            actor=self._filter("#audit-actor"),
            action=self._filter("#audit-action"),
        )
        self.current_view = view
        if update_choices:
            with self.prevent(Select.Changed):
                self.query_one("#audit-actor", Select).set_options((a, a) for a in view.actors)
                self.query_one("#audit-action", Select).set_options((action_label(a), a) for a in view.actions)
        chain = self.query_one("#audit-chain", Static)
        chain.update(("✔ " if view.chain_ok else "✘ ") + escape(view.chain_message))
        chain.set_class(not view.chain_ok, "broken")
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for row in view.rows:
            table.add_row(
                str(row.seq),
                row.at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                escape(row.actor),
                escape(action_label(row.action)),
                row.case_number,
                escape(row.detail),
                key=str(row.seq),
            )
        count = f"显示 {len(view.rows)} 条（最新在前；全日志共 {view.entries} 条）"
        self.query_one("#audit-count", Static).update(count)

    @on(Input.Submitted, "#audit-case")
    def _case_entered(self) -> None:
        self.refresh_data()

    @on(Select.Changed)
    def _choice_changed(self) -> None:
        self.refresh_data()

    # -- actions -----------------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_data(update_choices=True)

    def action_filter(self) -> None:
        if self.allowed:
            self.query_one("#audit-case", Input).focus()

    def action_clear_filters(self) -> None:
        if not self.allowed:
            return
        with self.prevent(Select.Changed):
            self.query_one("#audit-case", Input).value = ""
            self.query_one("#audit-actor", Select).clear()
            self.query_one("#audit-action", Select).clear()
        self.refresh_data()

    def _leave(self) -> None:
        self.dismiss()  # not awaited: called from this screen's own message loop

    def action_back(self) -> None:
        self.dismiss()
