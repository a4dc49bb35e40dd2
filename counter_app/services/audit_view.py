"""The audit viewer for supervisors (审计日志): the hash-chained log filtered by case, operator and kind.

Viewing the log is itself audited, and so is a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from forms.vocabulary import Role

if TYPE_CHECKING:
    from local_cache import Store


class AuditAccessDenied(PermissionError):
    """Only a supervisor (负责人) may read the audit log."""


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the viewer shows it (the log holds no personal data in clear)."""

    seq: int
    at: datetime
    actor: str
    action: str
    case_number: str
    detail: str


@dataclass(frozen=True)
class AuditView:
    rows: list[AuditRow]
    chain_ok: bool
    chain_message: str
    entries: int
    actors: list[str]
    actions: list[str]


def can_view_audit(operator: Any) -> bool:
    """The audit viewer is for supervisors only (``operator.role``, an OperatorRef or anything with a role)."""
    return str(getattr(operator, "role", "")) == Role.SUPERVISOR.value


def _detail_text(detail: dict[str, Any]) -> str:
    return "，".join(f"{k}={v}" for k, v in sorted(detail.items()) if v not in (None, ""))


def audit_view(
    store: Store,
    operator: Any,
    *,
    case_number: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> AuditView:
    """The newest ``limit`` entries matching the filters (exact match; blank = any) and the chain check."""
    from local_cache.reports import audit_facets, search_audit

    if not can_view_audit(operator):
        raise AuditAccessDenied("审计日志仅限负责人查看：当前操作员不是负责人，请由负责人登录后查看")
    entries = search_audit(
        store,
        case_number=(case_number or "").strip().upper() or None,
        actor=(actor or "").strip() or None,
        action=(action or "").strip() or None,
        limit=limit,
    )
    report = store.audit.verify()
    actors, actions = audit_facets(store)
    return AuditView(
        rows=[
            AuditRow(
                seq=e.seq,
                at=datetime.fromisoformat(e.at),
                actor=e.actor,
                action=e.action,
                case_number=e.case_number or "",
                detail=_detail_text(e.detail),
            )
            for e in reversed(entries)  # newest first: a supervisor looks at what just happened
        ],
        chain_ok=report.ok,
        chain_message=report.render(),
        entries=report.entries,
        actors=actors,
        actions=actions,
    )


def open_audit(store: Store, operator: Any) -> None:
    """Check the permission and record the look into the log itself (who read the trail is part of the trail)."""
    actor = str(getattr(operator, "login", "?"))
    if not can_view_audit(operator):
        store.audit.append("audit_view_refused", actor=actor)
        raise AuditAccessDenied("审计日志仅限负责人查看：当前操作员不是负责人，请由负责人登录后查看")
    store.audit.append("audit_viewed", actor=actor)


class AuditLog:
    """The audit viewer bound to one counter's store, built by the workstation so that screens never hold the store.

    Every call checks the operator's role again (a locked screen may be unlocked by someone else).
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    def open(self, operator: Any) -> None:
        """See :func:`open_audit`: the look (or the refusal) is recorded in the log itself."""
        open_audit(self._store, operator)

    def view(
        self,
        operator: Any,
        *,
        case_number: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 500,
    ) -> AuditView:
        """See :func:`audit_view`."""
        return audit_view(self._store, operator, case_number=case_number, actor=actor, action=action, limit=limit)
