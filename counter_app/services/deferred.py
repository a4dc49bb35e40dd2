"""Deferred verification (补查): lookups left ``pending`` while offline run when the gateway is back.

A late answer never changes an accepted case. Where it disagrees with what the case was accepted on (the lookup
was pending then, and now says mismatch, not found or refused), the case gets a review flag that says what
changed and what the clerk must do. A draft needs nothing: its screen re-runs the lookups and the store's
verification cache answers at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from counter_app.services.case_repo import CaseRepository
from counter_app.services.gateway import GatewayClient, VerificationResult
from counter_app.services.verification_sink import replay_pending
from forms.case import ReviewFlag, load_case
from forms.vocabulary import OUTCOME_LABELS, VERIFICATION_LABELS, CaseStatus, VerificationKind, VerificationOutcome

if TYPE_CHECKING:
    from local_cache import Store

logger = logging.getLogger(__name__)


# What the clerk must do when a late answer disagrees; fixed texts (no personal data goes into a flag).
ACTIONS: dict[VerificationKind, str] = {
    VerificationKind.IDENTITY: "请联系申请人携带身份证原件到窗口核实；核实前暂停审批，必要时报负责人处理",
    VerificationKind.MARRIAGE: "请联系申请人补交婚姻状况证明原件，并核对申请表婚姻信息",
    VerificationKind.CONTRACT: "请联系申请人提交已备案的购房合同原件；未备案不能放款",
    VerificationKind.PROPERTY: "请联系申请人提交不动产登记证明原件",
    VerificationKind.TAX: "请联系申请人完成契税缴纳并提交完税凭证",
    VerificationKind.CREDIT: "请将征信情况报审批岗复核，必要时通知申请人说明",
    VerificationKind.BANK_CARD: "请联系申请人更换为本人名下的还款银行卡",
}
DEFAULT_ACTION = "请联系申请人补交该项证明材料原件，并报审批岗复核"


@dataclass
class DeferredReport:
    """What one replay round found."""

    resolved: int = 0
    flagged: int = 0
    still_pending: int = 0
    flags: list[str] = field(default_factory=list)


def _accepted_outcome(payload: dict[str, Any], kind: VerificationKind) -> VerificationOutcome | None:
    """The applicant's outcome of ``kind`` that the case was decided on (from its aggregate)."""
    return load_case(payload).outcomes().get(kind)


def review(store: Store, result: VerificationResult, *, actor: str = "system") -> str | None:
    """Compare one late answer with what its case was accepted on; raise a flag when they disagree."""
    record = store.cases.get(result.case_id)
    if record.summary.status in (CaseStatus.DRAFT, CaseStatus.DECLINED):
        return None
    before = _accepted_outcome(record.payload, result.kind)
    after = result.outcome
    if after in (VerificationOutcome.MATCH, VerificationOutcome.PENDING, VerificationOutcome.UNAVAILABLE):
        return None
    if before is not None and before is after:
        return None
    label = VERIFICATION_LABELS[result.kind]
    before_zh = OUTCOME_LABELS[before] if before is not None else "未核验"
    message = f"{label}补查结果为“{OUTCOME_LABELS[after]}”，与受理时（{before_zh}）不同"
    action = ACTIONS.get(result.kind, DEFAULT_ACTION)
    flag = ReviewFlag(
        kind=result.kind,
        before=before,
        after=after,
        message=message,
        action=action,
        request_id=result.request_id,
        raised_at=store.clock(),
    )
    # The flag belongs to the case (its aggregate) and to the home screen's list (a projection): one transaction.
    with store.transaction():
        CaseRepository(store).update(result.case_id, lambda file: file.with_flag(flag))
        store.flags.raise_flag(
            result.case_id,
            result.kind.value,
            before=before.value if before is not None else "none",
            after=after.value,
            message=message,
            action=action,
            request_id=result.request_id,
            actor=actor,
        )
    return message


async def resolve_pending(client: GatewayClient, store: Store) -> DeferredReport:
    """Replay the queued lookups (when the gateway answers) and flag the accepted cases they contradict."""
    report = DeferredReport()
    results = await replay_pending(client, store)
    for result in results:
        if result.outcome is VerificationOutcome.PENDING:
            report.still_pending += 1
            continue
        report.resolved += 1
        message = review(store, result)
        if message:
            report.flagged += 1
            report.flags.append(message)
    # An empty queue is the usual round: DEBUG, so the log is not a line every few seconds.
    logger.log(
        logging.INFO if results else logging.DEBUG,
        "deferred lookups: %d resolved, %d flagged for review, %d still pending",
        report.resolved,
        report.flagged,
        report.still_pending,
    )
    return report
