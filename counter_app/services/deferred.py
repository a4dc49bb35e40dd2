"""Deferred verification (补查): lookups left ``pending`` while offline run when the gateway is back.

Each queued lookup is planned again from its case as it is now (:meth:`LookupCommands.replay_request`): the
registry is asked about the contract number or card the case holds now, not what it held when the lookup was
queued, and a lookup superseded by a newer one of the same kind and person is dropped. Every answer reaches its
case through the case's command runner, like a live answer: a draft is backfilled and its checklist refreshed; an
accepted case keeps the answer with its lookups and its form is never changed by it. Where the answer disagrees with
what the case was accepted on (the lookup was pending then, and now says mismatch, not found or refused), the case
gets a review flag that says what changed and what the clerk must do — in the same transaction as the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from counter_app.services.case_repo import CaseRepository
from counter_app.services.case_types import IntakeError
from counter_app.services.gateway import GatewayClient, LookupRequest, VerificationResult
from counter_app.services.verification_sink import replay_queue
from forms.case import ReviewFlag
from forms.vocabulary import OUTCOME_LABELS, VERIFICATION_LABELS, CaseStatus, VerificationKind, VerificationOutcome

if TYPE_CHECKING:
    from counter_app.services.case_lookups import LookupCommands
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


def review(
    store: Store,
    result: VerificationResult,
    before: VerificationOutcome | None,
    status: CaseStatus,
    *,
    actor: str = "system",
) -> str | None:
    """Compare one late answer with what its case was accepted on (``before``: the outcome the case held for that
    kind and person); raise a flag when they disagree. Call inside the transaction that takes the answer in."""
    if status in (CaseStatus.DRAFT, CaseStatus.DECLINED):
        return None
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


async def resolve_pending(
    client: GatewayClient, store: Store, open_case: Callable[[str], LookupCommands]
) -> DeferredReport:
    """Replay the queued lookups (when the gateway answers), each re-planned from its case as it is now; take every
    answer into its case and flag the accepted cases they contradict. ``open_case`` opens a case by id (with the
    operator the answers are filed under)."""
    report = DeferredReport()
    cases: dict[str, LookupCommands | None] = {}

    def case_of(case_id: str) -> LookupCommands | None:
        if case_id not in cases:
            try:
                cases[case_id] = open_case(case_id)
            except IntakeError:
                logger.warning("deferred lookups: case %s cannot be opened; its queued lookups are dropped", case_id)
                cases[case_id] = None
        return cases[case_id]

    def replan(queued: LookupRequest) -> LookupRequest | None:
        case = case_of(queued.case_id)
        return case.replay_request(queued) if case is not None else None

    sent = await replay_queue(client, store, replan=replan)
    for request, result in sent:
        if result.outcome is VerificationOutcome.PENDING:
            report.still_pending += 1
        else:
            report.resolved += 1
        case = case_of(request.case_id)
        if case is None:
            continue
        who = case.person_of(request)
        with store.transaction():
            # What the case held for this kind and person before the answer: for an accepted case, what it was
            # accepted on (its form is frozen, so the replay asked about the same inputs).
            latest = case.file.lookup(result.kind, *who)
            before = latest.outcome if latest is not None else None
            case.apply_results([result], [request])
            message = review(store, result, before, case.status)
        if message:
            report.flagged += 1
            report.flags.append(message)
    # An empty queue is the usual round: DEBUG, so the log is not a line every few seconds.
    logger.log(
        logging.INFO if sent else logging.DEBUG,
        "deferred lookups: %d resolved, %d flagged for review, %d still pending",
        report.resolved,
        report.flagged,
        report.still_pending,
    )
    return report
