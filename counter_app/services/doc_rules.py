"""Which documents a case calls for now: the one rule the print dialog, ``counter print`` and the decisions share.

Before the decision: the form and the credit authorization, printed for signature. Accepted: the receipt, the
form, the authorization, and the commitment only when something was waived or committed (``promised``).
Declined: the one-time notice only (no receipt). ``DecisionCommands.accept``/``decline`` name these documents,
the print dialog offers them, and ``counter print --doc`` refuses any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from printouts.kinds import DOC_LABELS, DocKind

if TYPE_CHECKING:
    from forms.case import Decision
    from forms.materials import Evaluation


class _Case(Protocol):
    """What the rule reads of an open case (an ``IntakeCase``)."""

    @property
    def decision(self) -> Decision | None: ...

    def evaluation(self) -> Evaluation: ...


def documents_needed(outcome: str | None, *, promised: bool = False) -> tuple[DocKind, ...]:
    """The documents for a decision ``outcome`` (None before the decision, "accepted", "declined")."""
    if outcome is None:
        return (DocKind.FORM, DocKind.AUTHORIZATION)
    if outcome == "accepted":
        accepted = (DocKind.RECEIPT, DocKind.FORM, DocKind.AUTHORIZATION)
        return (*accepted, DocKind.COMMITMENT) if promised else accepted
    return (DocKind.NOTICE,)


def case_documents_needed(case: _Case) -> tuple[DocKind, ...]:
    """The documents an open case calls for now (its decision, and whether anything was waived or committed)."""
    decision = case.decision
    evaluation = case.evaluation()
    promised = bool(evaluation.waived or evaluation.committed)
    return documents_needed(decision.outcome if decision else None, promised=promised)


def refusal(kind: DocKind, case: _Case) -> str | None:
    """Why ``kind`` cannot be printed for ``case`` now (Chinese), or None when the case calls for it."""
    needed = case_documents_needed(case)
    if kind in needed:
        return None
    decision = case.decision
    state = "尚未作出受理决定" if decision is None else ("已受理" if decision.outcome == "accepted" else "不予受理")
    allowed = "、".join(DOC_LABELS[k] for k in needed)
    return f"本案件{state}，不需要{DOC_LABELS[kind]}；可打印：{allowed}"
