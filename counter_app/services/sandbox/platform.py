"""The sandbox back-office platform (一件事集成办理平台): cases stored idempotently, moving through review.

A case arrives with ``PUT`` in version 1, 2, 3 ...; the same case and version sent again is the same case (a
replay answers as the first time did); the same version with a different body is a conflict. ``If-Match`` carries
the ETag (``"<version>"``) the sender last saw; when given it must match the stored version.

Status moves ``in_review -> approved -> completed`` one step every ``advance_after_seconds`` (when not 0), or on
command (``POST /v1/_sandbox/advance``), each step adding an event (审批通过, 抵押登记, 办结). A case the window
declined (``decision.outcome`` "declined": 不予受理) is recorded as ``declined``, a final status no step leaves; sent
again accepted (the applicant came back with what was missing), it goes into review. In-memory only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from forms.vocabulary import CaseStatus

# The review path and the event each step records.
STEPS: dict[CaseStatus, tuple[CaseStatus, str, str]] = {
    CaseStatus.IN_REVIEW: (CaseStatus.APPROVED, "approved", "贷款审批通过"),
    CaseStatus.APPROVED: (CaseStatus.COMPLETED, "completed", "抵押登记完成，已办结"),
}
FINAL = frozenset({CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.DECLINED})
# A 不予受理 is recorded like every 办件 (the hall's figures and 好差评 count it), but nothing is left to review.
DECLINED_EVENT = ("declined", "窗口不予受理，已出具一次性告知书")


class PlatformError(Exception):
    """An error the HTTP layer turns into ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class StoredCase:
    case_id: str
    version: int
    digest: str
    payload: dict[str, Any]
    status: CaseStatus
    received_at: datetime
    updated_at: datetime
    last_step_at: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    supplements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    def view(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "version": self.version,
            "status": self.status.value,
            "received_at": self.received_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "events": list(self.events),
            "supplements": list(self.supplements),
        }


def _outcome(payload: dict[str, Any]) -> object:
    """The window's decision in this body (``accepted``, ``declined``), read as plain JSON as the hall's figures are."""
    decision = payload.get("decision")
    return decision.get("outcome") if isinstance(decision, dict) else None


def _digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Platform:
    """The in-memory case store; ``clock`` returns aware UTC datetimes."""

    def __init__(self, clock: Callable[[], datetime], advance_after_seconds: float) -> None:
        self.clock = clock
        self.advance_after = advance_after_seconds
        self.cases: dict[str, StoredCase] = {}

    def _event(self, case: StoredCase, kind: str, text: str, at: datetime) -> None:
        case.events.append({"at": at.isoformat(), "type": kind, "text": text, "status": case.status.value})
        case.updated_at = at

    def tick(self) -> None:
        """Move cases along by elapsed time (called on every platform request)."""
        if self.advance_after <= 0:
            return
        now = self.clock()
        step = timedelta(seconds=self.advance_after)
        for case in self.cases.values():
            while case.status in STEPS and now - case.last_step_at >= step:
                self._step(case, case.last_step_at + step)

    def _step(self, case: StoredCase, at: datetime) -> None:
        nxt, kind, text = STEPS[case.status]
        case.status = nxt
        case.last_step_at = at
        self._event(case, kind, text, at)

    def put(self, case_id: str, payload: dict[str, Any], if_match: str | None) -> tuple[int, StoredCase]:
        self.tick()
        version = payload.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise PlatformError(422, "invalid_version", "案件版本号（version）缺失或无效，应为不小于1的整数")
        digest = _digest(payload)
        now = self.clock()
        current = self.cases.get(case_id)
        if current is None:
            if if_match not in (None, "*"):
                raise PlatformError(412, "precondition_failed", "案件在平台上不存在，If-Match 不应指定版本")
            declined = _outcome(payload) == "declined"
            case = StoredCase(
                case_id=case_id,
                version=version,
                digest=digest,
                payload=payload,
                status=CaseStatus.DECLINED if declined else CaseStatus.IN_REVIEW,
                received_at=now,
                updated_at=now,
                last_step_at=now,
            )
            self._event(case, *(DECLINED_EVENT if declined else ("received", "平台已接收，进入审核")), now)
            self.cases[case_id] = case
            return 201, case
        if version == current.version:
            if digest != current.digest:
                raise PlatformError(
                    409, "version_conflict", f"案件版本 {version} 已存在且内容不同，请递增版本号后重新提交"
                )
            return 200, current  # the same case and version: a replay, one case
        if if_match not in (None, "*") and if_match.strip() != current.etag:
            raise PlatformError(
                412, "precondition_failed", f"If-Match 为 {if_match}，平台当前版本为 {current.etag}，请先获取最新状态"
            )
        if version < current.version:
            raise PlatformError(409, "stale_version", f"提交的版本 {version} 低于平台当前版本 {current.version}")
        current.version = version
        current.digest = digest
        current.payload = payload
        self._event(current, "updated", f"案件已更新为第 {version} 版", now)
        self._follow_decision(current, now)
        return 200, current

    def _follow_decision(self, case: StoredCase, now: datetime) -> None:
        """A newer body's decision where it changes the case's course: declined now (a case still in review), or
        accepted after a decline (reopened at a window and accepted: into review, with the time from now)."""
        outcome = _outcome(case.payload)
        if outcome == "declined" and case.status is CaseStatus.IN_REVIEW:
            case.status = CaseStatus.DECLINED
            self._event(case, *DECLINED_EVENT, now)
        elif outcome == "accepted" and case.status is CaseStatus.DECLINED:
            case.status = CaseStatus.IN_REVIEW
            case.last_step_at = now
            self._event(case, "reaccepted", "窗口重新受理，进入审核", now)

    def get(self, case_id: str) -> StoredCase:
        self.tick()
        case = self.cases.get(case_id)
        if case is None:
            raise PlatformError(404, "case_not_found", f"平台上没有案件 {case_id}")
        return case

    def find(self, *, secret: str, case_id: str = "", number: str = "", id_hash: str = "") -> list[StoredCase]:
        """Cases for another window of the hall: by id, by case number (as the case carries it), or by the keyed
        hash of the applicant's ID number (``hall_id_hash``: the number itself never travels in the query)."""
        from counter_app.services.hall_ids import hall_id_hash

        self.tick()
        found: list[StoredCase] = []
        for case in self.cases.values():
            by_number = number and str(case.payload.get("case_number") or "") == number
            if (case_id and case.case_id == case_id) or by_number:
                found.append(case)
            elif id_hash:
                applicant = (case.payload.get("application") or {}).get("applicant") or {}
                held = applicant.get("id_number")
                if isinstance(held, str) and held and hmac.compare_digest(hall_id_hash(secret, held), id_hash):
                    found.append(case)
        return sorted(found, key=lambda c: c.received_at, reverse=True)

    def updated_since(self, since: datetime | None) -> list[StoredCase]:
        self.tick()
        # Inclusive: a change stamped with the very instant of the caller's cursor must not be lost; clients
        # record what they pull idempotently, so seeing a case twice costs nothing.
        cases = [c for c in self.cases.values() if since is None or c.updated_at >= since]
        return sorted(cases, key=lambda c: (c.updated_at, c.case_id))

    def supplement(self, case_id: str, body: dict[str, Any], request_id: str | None) -> tuple[int, StoredCase]:
        case = self.get(case_id)
        code = body.get("material_code")
        if not isinstance(code, str) or not code.strip():
            raise PlatformError(422, "invalid_supplement", "补件材料代码（material_code）缺失，应为材料目录中的代码")
        supplement_id = str(body.get("supplement_id") or request_id or "")
        if supplement_id and any(s["supplement_id"] == supplement_id for s in case.supplements):
            return 200, case  # a resend of the same supplement
        now = self.clock()
        entry = {
            "supplement_id": supplement_id or f"{case_id}-S{len(case.supplements) + 1}",
            "material_code": code.strip(),
            "received_at": str(body.get("received_at") or now.isoformat()),
            "note": str(body.get("note") or ""),
        }
        case.supplements.append(entry)
        self._event(case, "supplement", f"收到补件：{entry['material_code']}", now)
        return 201, case

    def advance(self, case_id: str | None, to: str | None) -> list[StoredCase]:
        """One step for one case (or every open case); ``to`` jumps straight to a status (e.g. rejected)."""
        self.tick()
        targets = [self.get(case_id)] if case_id else [c for c in self.cases.values() if c.status not in FINAL]
        now = self.clock()
        for case in targets:
            if to is not None:
                try:
                    status = CaseStatus(to)
                except ValueError:
                    raise PlatformError(422, "invalid_status", f"目标状态“{to}”无效") from None
                case.status = status
                case.last_step_at = now
                self._event(case, status.value, f"沙箱指令：状态置为 {status.value}", now)
            elif case.status in STEPS:
                self._step(case, now)
        return targets


class AuditAnchors:
    """Chain heads (``seq``, ``hash``) received from each workstation with its syncs, oldest first.

    Append-only, as the platform's copy must be: the same anchor again is a replay; another hash for a number
    already anchored, or a number below the newest anchor, is refused — a workstation whose chain was rewritten
    cannot make the platform forget what it saw before.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.by_workstation: dict[str, list[dict[str, Any]]] = {}

    def put(self, workstation_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        seq, digest = body.get("seq"), body.get("hash")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise PlatformError(422, "invalid_anchor", "锚点序号（seq）缺失或无效，应为不小于1的整数")
        if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise PlatformError(422, "invalid_anchor", "锚点哈希（hash）缺失或无效，应为64位小写十六进制")
        anchors = self.by_workstation.setdefault(workstation_id, [])
        for anchor in anchors:
            if anchor["seq"] == seq:
                if anchor["hash"] != digest:
                    raise PlatformError(
                        409,
                        "anchor_conflict",
                        f"平台已于 {anchor['received_at']} 收到第 {seq} 条的另一哈希：本机审计链与此前锚定的不符",
                    )
                return 200, anchor  # a resend: the same anchor, recorded once
        if anchors and seq < anchors[-1]["seq"]:
            newest = anchors[-1]["seq"]
            raise PlatformError(
                409, "anchor_regressed", f"平台已收到第 {newest} 条的锚点，本机链尾退回到第 {seq} 条：审计链被截断"
            )
        anchor = {"seq": seq, "hash": digest, "at": str(body.get("at") or ""), "received_at": self.clock().isoformat()}
        anchors.append(anchor)
        return 201, anchor

    def view(self, workstation_id: str) -> dict[str, Any]:
        return {"workstation_id": workstation_id, "anchors": list(self.by_workstation.get(workstation_id, []))}
