"""The audit chain anchored off the machine: its head goes to the platform with every sync, and
``counter audit verify --against-platform`` compares the local chain with the anchors the platform holds.

Locally, someone holding the database can rewrite every entry and the head consistently; nothing on this machine
can tell. The platform's anchors (docs/protocol.md, "Audit anchors") are out of their reach: an anchored entry
whose hash changed, or a chain now shorter than an anchor, is a rewrite. Entries after the newest anchor are
vouched for only from the next sync on.

``PUT /v1/workstations/{id}/audit-anchors`` ``{"seq", "hash", "at"}`` and ``GET`` of the same path (``{"anchors":
[{"seq", "hash", "at", "received_at"}, ...]}``). Sending an anchor is not audited: that entry would move the head
it reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from local_cache import Store
from local_cache.audit import AuditReport
from local_cache.audit_verify import Anchor, compare_with_anchors

logger = logging.getLogger(__name__)

# `counter audit verify --against-platform` when the comparison could not be made (docs/cli.md).
EXIT_UNREACHABLE = 3


def anchors_path(workstation_id: str) -> str:
    return f"/v1/workstations/{workstation_id}/audit-anchors"


class PlatformUnreachable(Exception):
    """The platform could not be asked, or its answer could not be read; the message is Chinese and final."""


@dataclass(frozen=True)
class AnchorResult:
    """What one anchor PUT came to: ``seq`` anchored, or ``error`` (``refused``: the platform said no)."""

    seq: int | None = None
    error: str | None = None
    refused: bool = False


async def send_anchor(client: httpx.AsyncClient, store: Store, *, timeout: float) -> AnchorResult | None:
    """PUT the chain head; None when there is nothing to anchor. Never raises for the network or the platform."""
    head = store.audit.head()
    if head is None:
        return None
    seq, digest = head
    body = {"seq": seq, "hash": digest, "at": store.clock().isoformat()}
    try:
        response = await client.put(anchors_path(store.workstation_id), json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return AnchorResult(error=f"无法连接平台（{type(exc).__name__}）")
    if 200 <= response.status_code < 300:
        return AnchorResult(seq=seq)
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = f"平台返回 HTTP {response.status_code}"
    refused = response.status_code == 409
    if refused:
        # The platform holds another hash for an anchored entry, or a later head: the local chain was rewritten
        # or cut. Loud in the log; `counter audit verify --against-platform` names the place.
        logger.error("audit anchor %d refused by the platform: %s", seq, message)
    return AnchorResult(error=message, refused=refused)


def fetch_anchors(client: httpx.Client, workstation_id: str) -> list[Anchor]:
    """The anchors the platform holds for this workstation, oldest first; raises :class:`PlatformUnreachable`."""
    try:
        response = client.get(anchors_path(workstation_id))
    except httpx.HTTPError as exc:
        raise PlatformUnreachable(
            f"无法连接平台 {client.base_url}（{type(exc).__name__}），未能与平台锚点比对"
        ) from exc
    if response.status_code != 200:
        raise PlatformUnreachable(f"平台返回 HTTP {response.status_code}，未能取得本工作站的审计锚点")
    try:
        raw = response.json()["anchors"]
        return [Anchor(int(a["seq"]), str(a["hash"]), str(a.get("received_at") or "")) for a in raw]
    except (ValueError, KeyError, TypeError) as exc:
        raise PlatformUnreachable("平台的审计锚点应答无法解析，未能比对") from exc


def verify_against_platform(store: Store, client: httpx.Client) -> tuple[AuditReport, int]:
    """The local check, then the comparison with the platform's anchors: ``(report, exit status)``.

    0: intact and consistent with every anchor; 1: tampered or unreadable (locally, or against the anchors);
    3 (:data:`EXIT_UNREACHABLE`): intact locally but not compared — the platform could not be reached, its answer
    could not be read, or it holds no anchor of this workstation while the local chain has entries.
    """
    local = store.audit.verify()
    if not local.ok:
        return local, 1
    try:
        anchors = fetch_anchors(client, store.workstation_id)
    except PlatformUnreachable as exc:
        return _not_compared(local, str(exc)), EXIT_UNREACHABLE
    if not anchors and local.entries:
        text = f"平台没有本工作站（{store.workstation_id}）的审计锚点：尚未同步过，或工作站编号不符；未能比对"
        return _not_compared(local, text), EXIT_UNREACHABLE
    report = compare_with_anchors(store.db.conn.conn, anchors, local)
    return report, 0 if report.ok else 1


def _not_compared(local: AuditReport, why: str) -> AuditReport:
    """Intact locally, not compared: ``ok`` stays true (nothing was found wrong), the message says why."""
    return AuditReport(
        ok=True, entries=local.entries, message=f"审计日志本机校验通过（共 {local.entries} 条），但{why}。"
    )


def verify_against_url(store: Store, platform_url: str, *, timeout: float = 15.0) -> tuple[AuditReport, int]:
    """:func:`verify_against_platform` over HTTP to ``platform_url`` (``counter audit verify --against-platform``)."""
    with httpx.Client(base_url=platform_url, timeout=timeout) as client:
        return verify_against_platform(store, client)
