"""A sync conflict (版本冲突): both versions side by side; the clerk keeps one. No silent last-write-wins."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from counter_app.services.case_types import CHINA_TZ
from forms.vocabulary import (
    CASE_STATUS_LABELS,
    OUTCOME_LABELS,
    VERIFICATION_LABELS,
    CaseStatus,
    VerificationKind,
    VerificationOutcome,
)


def _status_zh(status: str) -> str:
    try:
        return CASE_STATUS_LABELS[CaseStatus(status)]
    except ValueError:
        return status or "—"


def _lookup_zh(result: dict[str, Any]) -> str:
    try:
        kind = VERIFICATION_LABELS[VerificationKind(str(result.get("kind")))]
        outcome = OUTCOME_LABELS[VerificationOutcome(str(result.get("outcome")))]
    except ValueError:
        return f"{result.get('kind')}={result.get('outcome')}"
    return f"{kind}{outcome}"


def _summary(payload: dict[str, Any]) -> str:
    """The parts a clerk compares: status, decision, loan and the lookups, without dumping personal data."""
    app = payload.get("application") if isinstance(payload.get("application"), dict) else payload
    loan = (app or {}).get("fund_loan") or {}
    decision = payload.get("decision") or {}
    # A case saved before the aggregate says decision.status; since, decision.outcome.
    status = str(payload.get("status") or decision.get("outcome") or decision.get("status") or "")
    accepted = str(decision.get("at") or "")
    with contextlib.suppress(ValueError):
        accepted = datetime.fromisoformat(accepted).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"状态：{_status_zh(status)}",
        f"受理时间：{accepted or '—'}",
        f"贷款金额：{loan.get('amount', '—')}　期限：{loan.get('months', '—')} 个月",
    ]
    # The aggregate keeps every answer; the clerk compares the latest one of each kind about the applicant.
    latest: dict[str, dict[str, Any]] = {}
    for entry in payload.get("lookups") or payload.get("results") or []:
        if isinstance(entry, dict) and entry.get("person", "applicant") == "applicant":
            latest[str(entry.get("kind"))] = entry
    results = list(latest.values())
    if results:
        lines.append("核验：" + "，".join(_lookup_zh(r) for r in results if isinstance(r, dict)))
    events = payload.get("events") or []
    for event in events[-5:]:
        if isinstance(event, dict):
            lines.append(f"{event.get('at', '')} {event.get('text', '')}")
    extra = {k: v for k, v in payload.items() if k in ("version", "updated_at", "status")}
    if extra:
        lines.append(json.dumps(extra, ensure_ascii=False))
    return "\n".join(escape(line) for line in lines)


class ConflictDialog(ModalScreen[str | None]):
    """Dismisses with "local", "platform" or None."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#keep-platform"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, case_number: str, local: dict[str, Any], platform: dict[str, Any]) -> None:
        super().__init__()
        self.case_number = case_number
        self.local = local
        self.platform = platform

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict-box"):
            yield Static(f"案件 {self.case_number} 版本冲突：平台已有更新的版本", id="conflict-title")
            with Horizontal(id="conflict-sides"):
                with VerticalScroll(classes="side"):
                    yield Static("[b]本窗口版本[/b]\n" + _summary(self.local))
                with VerticalScroll(classes="side"):
                    yield Static("[b]平台版本[/b]\n" + _summary(self.platform))
            with Horizontal(id="conflict-buttons"):
                yield Button("保留平台版本", id="keep-platform", variant="primary")
                yield Button("保留本窗口版本并重新提交", id="keep-local", variant="warning")
                yield Button("稍后决定", id="conflict-cancel")

    @on(Button.Pressed, "#keep-platform")
    def _platform(self) -> None:
        self.dismiss("platform")

    @on(Button.Pressed, "#keep-local")
    def _local(self) -> None:
        self.dismiss("local")

    @on(Button.Pressed, "#conflict-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
