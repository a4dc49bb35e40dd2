"""Decisions and what follows them: accept, decline, hand-off, void, reopen, 补件 and 出件.

Each is one command (:meth:`CaseCore._run`): the aggregate, the status, the store's projections (shortfalls,
checklist lines), the outbox entry and the audit lines are written in ONE transaction, so "accepted" (and "declined" by
a decision) holds exactly when the platform has an entry queued, and a decision is never half recorded.
"""

from __future__ import annotations

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import DecisionMade, IntakeError, OperatorRef
from counter_app.services.doc_rules import documents_needed
from counter_app.services.sanitize import clean_reason
from forms.case import Assessment, CaseFile, Decision, FlagNote, Handoff, Handout, Supplement, Void
from forms.materials import MaterialState, Receipt
from forms.vocabulary import CASE_STATUS_LABELS, CaseStatus, MaterialStatus, Role

# Statuses in which the case is with the back office and the window still serves the applicant.
FOLLOW_UP = (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.APPROVED, CaseStatus.COMPLETED)


class DecisionCommands(CaseCore):
    """受理, 不予受理 and the follow-up work on a decided case."""

    def accept(self) -> DecisionMade:
        """受理: promised date fixed, shortfalls opened, the platform's entry queued — all or nothing."""
        self._require_draft()
        if self.operator.role == Role.AGENT.value and not self.policy.agents_may_accept.value:
            raise IntakeError(
                f"按{self.policy.meta.name}政策，帮办代办员完成预审后由窗口工作人员受理："
                f"请按 H 交窗口，并把案件编号 {self.case_number} 告知窗口"
            )
        now, actor = self.now(), self.operator.actor

        def change(file: CaseFile) -> CaseFile:
            self._require_draft()
            assessment = self.assessment_of(file)
            if assessment.blocking:
                raise IntakeError("尚不能受理：\n" + "\n".join(f"· {p}" for p in assessment.blocking))
            decision = Decision(
                outcome="accepted",
                at=now,
                by=actor,
                promised=assessment.promised,
                estimate=assessment.promised_estimate,
                pending_lookups=assessment.pending_lookups,
                verdict=assessment.verdict,
                reasons=assessment.verdict_reasons,
            )
            return file.model_copy(update={"decision": decision, "drafts": {}})

        def effects(file: CaseFile, assessment: Assessment) -> CaseStatus:
            self._repo.move_status(self.case_id, CaseStatus.ACCEPTED, actor=actor)
            for item in assessment.evaluation.waived:
                # "Before disbursement" has no date of its own: it is chased by the disbursement deadline.
                due = item.due if item.due is not None else (assessment.disbursement_due or assessment.promised)
                self._repo.open_shortfall(self.case_id, item.material.code, due, self.case_number)
            self._repo.project_checklist(self.case_id, file)
            # The judgement the case was accepted on: the verdict and every flag's code (no personal data).
            self._repo.audit(
                "assessment",
                actor=actor,
                case_number=self.case_number,
                verdict=assessment.verdict,
                flags=",".join(f"{f.code}:{f.severity}" for f in assessment.flags) or "-",
            )
            self._repo.queue_for_platform(self.case_id, file, actor=actor, assessment=assessment)
            return CaseStatus.ACCEPTED

        self._run(change, effects)
        assessment = self.assessment()
        promised = bool(assessment.evaluation.waived or assessment.evaluation.committed)
        docs = documents_needed("accepted", promised=promised)
        return DecisionMade(CaseStatus.ACCEPTED, self.case_number, assessment, docs)

    def decline(self, reasons: tuple[str, ...] = ()) -> DecisionMade:
        """不予受理 for now: the one-time notice lists everything missing, at once."""
        self._require_draft()
        now, actor = self.now(), self.operator.actor

        def change(file: CaseFile) -> CaseFile:
            self._require_draft()
            judged = self.assessment_of(file)
            decision = Decision(
                outcome="declined", at=now, by=actor, reasons=reasons or judged.blocking, verdict=judged.verdict
            )
            return file.model_copy(update={"decision": decision, "drafts": {}})

        def effects(file: CaseFile, assessment: Assessment) -> CaseStatus:
            self._repo.move_status(self.case_id, CaseStatus.DECLINED, actor=actor)
            # The platform records every 办件, 不予受理 too (the hall's figures and 好差评 count it): queued with the
            # decision, as an acceptance is, so "declined" holds exactly when the platform has an entry queued.
            self._repo.queue_for_platform(self.case_id, file, actor=actor, assessment=assessment)
            return CaseStatus.DECLINED

        self._run(change, effects)
        return DecisionMade(CaseStatus.DECLINED, self.case_number, self.assessment(), documents_needed("declined"))

    def annotate_flag(self, code: str, supervisor: OperatorRef, note: str) -> None:
        """A supervisor's note on a risk flag (a clerk cannot waive a flag; a supervisor may annotate it): audited."""
        if supervisor.role != Role.SUPERVISOR.value:
            raise IntakeError("只有负责人可以批注风险提示")
        if not clean_reason(note):
            raise IntakeError("批注风险提示须写明意见")
        if code not in {f.code for f in self.assessment().flags}:
            raise IntakeError(f"本案件没有风险提示“{code}”")
        entry = FlagNote(code=code, by=supervisor.actor, at=self.now(), note=clean_reason(note))

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit("flag_note", actor=supervisor.actor, case_number=self.case_number, flag=code)

        self._run(lambda f: f.model_copy(update={"flag_notes": (*f.flag_notes, entry)}), effects)

    def hand_over(self) -> None:
        """An agent's pre-verified case (预审) goes to the window: a clerk there opens it by its number."""
        self._require_draft()
        handoff = Handoff(by=self.operator.actor, at=self.now())

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit("handoff", actor=self.operator.actor, case_number=self.case_number)

        self._run(lambda f: f.model_copy(update={"handoff": handoff}), effects)

    def void(self, supervisor: OperatorRef, reason: str) -> None:
        """作废: only a supervisor, with a reason; the case is closed and the platform told (audited)."""
        if supervisor.role != Role.SUPERVISOR.value:
            raise IntakeError("只有负责人可以作废案件")
        if not clean_reason(reason):
            raise IntakeError("作废案件须写明原因")
        void = Void(by=supervisor.actor, at=self.now(), reason=clean_reason(reason))

        def effects(file: CaseFile, assessment: Assessment) -> CaseStatus:
            target = CaseStatus.REJECTED if self.status is not CaseStatus.DRAFT else CaseStatus.DECLINED
            self._repo.move_status(
                self.case_id, target, actor=supervisor.actor, reason=f"作废：{void.reason}", supervisor=True
            )
            self._repo.audit("supervisor_override", actor=supervisor.actor, case_number=self.case_number, what="void")
            if target is CaseStatus.REJECTED:
                self._repo.queue_for_platform(self.case_id, file, actor=supervisor.actor, assessment=assessment)
            return target

        self._run(lambda f: f.model_copy(update={"void": void}), effects)

    def reopen(self) -> None:
        """A declined case comes back as a draft when the applicant returns with what was missing."""
        if self.status is not CaseStatus.DECLINED:
            raise IntakeError("只有不予受理的案件可以重新办理")

        def change(file: CaseFile) -> CaseFile:
            if self.status is not CaseStatus.DECLINED:
                raise IntakeError("只有不予受理的案件可以重新办理")
            return file.model_copy(update={"decision": None})

        def effects(file: CaseFile, assessment: Assessment) -> CaseStatus:
            self._repo.move_status(self.case_id, CaseStatus.DRAFT, actor=self.operator.actor)
            return CaseStatus.DRAFT

        self._run(change, effects)

    def receive_supplement(self, code: str, operator: OperatorRef) -> None:
        """补件: a waived material comes in; the shortfall closes and the platform hears of it, together."""
        supplement = Supplement(code=code, at=self.now(), by=operator.actor)

        def change(file: CaseFile) -> CaseFile:
            if code not in self._repo.open_shortfall_codes(self.case_id):
                name = self.policy.materials.get(code).name if code in self.policy.materials.codes() else code
                raise IntakeError(f"案件 {self.case_number} 没有待补交的“{name}”")
            line = MaterialState(code=code, status=MaterialStatus.RECEIVED, received=Receipt(form="original", count=1))
            file = file.with_line(line)
            return file.model_copy(update={"supplements": (*file.supplements, supplement)})

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.fulfil_shortfall(self.case_id, code)
            self._repo.audit("supplement", actor=operator.actor, case_number=self.case_number, material=code)
            self._repo.queue_for_platform(self.case_id, file, actor=operator.actor, assessment=assessment)

        self._run(change, effects)

    def hand_out(self, operator: OperatorRef, *, collected_by: str, items: str) -> None:
        """出件: the platform reported the case done; record who collected what (no ID number in clear)."""
        if not collected_by.strip() or not items.strip():
            raise IntakeError("出件须登记领取人和领取的文书")
        handout = Handout(by=operator.actor, at=self.now(), collected_by=collected_by.strip(), items=items.strip())

        def change(file: CaseFile) -> CaseFile:
            if self.status is not CaseStatus.COMPLETED:
                label = CASE_STATUS_LABELS.get(self.status, self.status.value)
                raise IntakeError(f"案件 {self.case_number} 当前为“{label}”，平台办结后才能出件")
            if file.handout is not None:
                raise IntakeError(f"案件 {self.case_number} 已出件")
            return file.model_copy(update={"handout": handout})

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit("handout", actor=operator.actor, case_number=self.case_number)
            self._repo.queue_for_platform(self.case_id, file, actor=operator.actor, assessment=assessment)

        self._run(change, effects)
