"""The sync engine's data: its tunables, what a run did (and how the clerk reads it), what one send came to.

No I/O here; :mod:`counter_app.services.sync` drives the engine. Kept apart so the engine module stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from counter_app.services.retry import Backoff
from local_cache.outbox import OutboxEntry

__all__ = ["Outcome", "SendResult", "SyncPolicy", "SyncSummary"]


@dataclass(frozen=True)
class SyncPolicy:
    """Tunables; defaults suit a counter on an office network."""

    base_delay: float = 2.0
    """Backoff before the first retry (seconds); doubles with every failed attempt."""
    max_delay: float = 600.0
    """Backoff ceiling (seconds)."""
    concurrency: int = 16
    """PUTs in flight at once (distinct cases only: per-case order is kept)."""
    batch_size: int = 64
    """Entries handed out per round; their results are committed in one transaction."""
    request_timeout: float = 15.0
    """Per-request timeout (seconds)."""
    idle_interval: float = 30.0
    """run_forever: longest sleep between rounds (also the pull interval)."""

    @property
    def backoff(self) -> Backoff:
        # Jittered: after an outage every waiting entry fails at once, and must not come back all at once.
        return Backoff(base=self.base_delay, ceiling=self.max_delay, jitter=True)


@dataclass
class SyncSummary:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    conflicts: int = 0
    dead: int = 0
    pulled: int = 0
    moved: int = 0
    refreshed: int = 0  # local cases whose newer body, changed at another window of the hall, was taken
    events: int = 0
    pending: int = 0
    pull_error: str | None = None
    errors: list[str] = field(default_factory=list)
    anchored: int | None = None
    """The audit entry whose hash the platform now holds as this workstation's anchor (None: not sent)."""
    anchor_error: str | None = None

    @property
    def ok(self) -> bool:
        """Everything handed out went through, and nothing is left waiting."""
        return self.failed == 0 and self.conflicts == 0 and self.dead == 0 and self.pending == 0

    @property
    def busy(self) -> bool:
        """Something was sent, tried, pulled or went wrong (a round worth an INFO line in the log)."""
        return bool(self.sent or self.failed or self.conflicts or self.dead or self.pulled or self.pull_error)

    def log_text(self) -> str:
        """The run for the log file (English, one line, no personal data)."""
        text = (
            f"pushed {self.sent}, failed {self.failed}, conflicts {self.conflicts}, given up {self.dead}, "
            f"still pending {self.pending}; pulled {self.pulled}, moved {self.moved}, events {self.events}"
        )
        return text + (f"; pull failed: {self.pull_error}" if self.pull_error else "")

    def render(self) -> str:
        text = (
            f"同步完成：已发送 {self.sent} 件，失败待重试 {self.failed} 件，冲突 {self.conflicts} 件，"
            f"放弃 {self.dead} 件，仍待发送 {self.pending} 件；拉取状态 {self.pulled} 件，"
            f"状态更新 {self.moved} 件，新事件 {self.events} 条。"
        )
        if self.pull_error:
            text += f"\n状态拉取失败：{self.pull_error}"
        if self.anchor_error:
            text += f"\n审计链锚点未送达平台：{self.anchor_error}"
        return text


Outcome = Literal["sent", "failed", "conflict", "dead"]


@dataclass(frozen=True)
class SendResult:
    """What one PUT of an outbox entry came to, before it is committed to the store."""

    entry: OutboxEntry
    outcome: Outcome
    platform_version: int | None = None
    platform_status: str | None = None
    view: dict[str, Any] | None = None
    code: str = ""
    message: str = ""
