"""Plain functions behind the setup commands (``counter operators ...``, ``counter audit verify``).

The CLI (counter_app.cli) parses arguments, opens the store, calls one of these and prints the returned text;
errors are ``StoreError`` subclasses whose message is already fit to print.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.vocabulary import Role
from local_cache.audit import AuditReport
from local_cache.operators import Operator
from local_cache.store import Store

ROLE_LABELS_ZH: dict[Role, str] = {Role.CLERK: "窗口受理", Role.AGENT: "帮代办", Role.SUPERVISOR: "负责人"}


@dataclass(frozen=True)
class OperatorRow:
    """One line of ``counter operators list``."""

    login: str
    name: str
    role: Role
    state: str  # 正常 / 已锁定至 ... / 已停用
    demo: bool

    def render(self) -> str:
        demo = "  [演示账号]" if self.demo else ""
        return f"{self.login:<16} {self.name:<12} {ROLE_LABELS_ZH[self.role]:<6} {self.state}{demo}"


def add_operator(store: Store, login: str, name: str, role: Role | str, password: str, *, actor: str = "admin") -> str:
    op = store.operators.add(login, name, role, password, actor=actor)
    return f"已添加操作员 {op.login}（{op.name}，{ROLE_LABELS_ZH[op.role]}）。"


def list_operators(store: Store) -> list[OperatorRow]:
    now = store.clock()
    rows: list[OperatorRow] = []
    for op in store.operators.list():
        if not op.active:
            state = "已停用"
        elif op.is_locked(now) and op.locked_until is not None:
            state = f"已锁定至 {op.locked_until.astimezone():%Y-%m-%d %H:%M}"
        else:
            state = "正常"
        rows.append(OperatorRow(op.login, op.name, op.role, state, op.is_demo))
    return rows


def render_operators(rows: list[OperatorRow]) -> str:
    if not rows:
        return "尚无操作员。请用 counter operators add 添加。"
    return "\n".join(row.render() for row in rows)


def reset_password(store: Store, login: str, new_password: str, *, actor: str = "admin") -> str:
    store.operators.reset_password(login, new_password, actor=actor)
    return f"已重置 {login} 的密码并解除锁定；该操作员下次登录后需修改密码。"


def unlock_operator(store: Store, login: str, *, actor: str = "admin") -> str:
    store.operators.unlock(login, actor=actor)
    return f"已解除 {login} 的登录锁定。"


def verify_audit(store: Store) -> AuditReport:
    """``counter audit verify``: exit code 0 when ``report.ok``, else 1; print ``report.render()``."""
    return store.audit.verify()


def ensure_demo_clerk(store: Store) -> Operator | None:
    """Create the demo clerk (login ``demo``) on first run; call only when the sandbox is in use."""
    return store.operators.ensure_demo_clerk()
