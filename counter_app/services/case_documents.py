"""A case's documents: the data each prints (from the case and its assessment), first prints (frozen after the
decision) and authorised reprints. Rendering is ``printouts``' job; every print is logged and audited in the same
transaction as the case remembering it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import IntakeError, OperatorRef
from counter_app.services.risk_view import risk_view
from counter_app.services.sanitize import clean_reason
from forms.application import Severity
from forms.case import Assessment, CaseFile, Prints
from forms.vocabulary import Role
from forms.workdays import WorkdayResult
from printouts.kinds import DocKind
from printouts.models import (
    AuthorizationData,
    CommitmentData,
    FlagNoteRow,
    FlagRow,
    FormData,
    NoticeData,
    Office,
    ReceiptData,
    VerificationRow,
)

if TYPE_CHECKING:
    from printouts.api import DocumentData
    from printouts.spool import PrintRecord

FINAL_AFTER_DRAFT = "受理决定后打印定稿"
DRAFT_AGAIN = "受理前更新后重新打印"


class PrintCommands(CaseCore):
    """The documents of a case."""

    def document_number(self) -> str:
        seq = self.case_number.rsplit("-", 1)[-1].lstrip("0") or "0"
        return f"〔{self.today().year}〕第{seq}号"

    def verification_rows(self) -> list[VerificationRow]:
        rows = []
        results = self.results
        for kind in self.application.scenario.verifications():
            record = results.get(kind)
            if record is not None:
                rows.append(
                    VerificationRow(
                        kind=kind,
                        outcome=record.outcome,
                        source=record.source,
                        checked_at=record.checked_at,
                        detail=record.problem,
                    )
                )
        return rows

    def document_data(self, kind: DocKind) -> DocumentData:
        """The data a document prints, built from the case and its assessment as they stand (first print)."""
        now = self.now()
        assessment = self.assessment()
        office = Office.from_policy(self.policy, self._printing.window)
        clerk = self.operator.name
        decision = self.file.decision
        if kind is DocKind.FORM:
            risk = risk_view(assessment, self.file.flag_notes)
            return FormData(
                case_no=self.case_number,
                application=self.application,
                office=office,
                printed_at=now,
                verifications=self.verification_rows(),
                clerk=clerk,
                # The back office's 机审 section: the assessment's verdict and flags as plain rows.
                verdict=risk.verdict_label,
                flags=[
                    FlagRow(
                        severity=e.severity_label,
                        message=e.message,
                        evidence=e.evidence,
                        notes=[FlagNoteRow(by=n.by, at=n.at, note=n.note) for n in e.notes],
                    )
                    for e in risk.entries
                ],
            )
        if kind is DocKind.RECEIPT:
            if decision is None or decision.outcome != "accepted":
                raise IntakeError("案件尚未受理，不能打印受理回执")
            return ReceiptData(
                case_no=self.case_number,
                document_no=self.document_number(),
                accepted_at=decision.at,
                clerk=clerk,
                office=office,
                application=self.application,
                evaluation=assessment.evaluation,
                promised_days=assessment.promised_days,
                # The date promised at acceptance, as the decision recorded it: never worked out again.
                promised=WorkdayResult(assessment.promised, assessment.promised_estimate),
                verifications=self.verification_rows(),
                checklist=list(self.file.checklist),
            )
        if kind is DocKind.NOTICE:
            if decision is not None and decision.outcome == "accepted":
                raise IntakeError("案件已受理，不能打印不予受理告知书")
            return NoticeData(
                case_no=self.case_number,
                document_no=self.document_number(),
                issued_at=now,
                clerk=clerk,
                office=office,
                application=self.application,
                evaluation=assessment.evaluation,
                form_issues=[i.message for i in assessment.form_issues if i.severity is Severity.ERROR],
                reasons=list(decision.reasons) if decision is not None else [],
            )
        if kind is DocKind.COMMITMENT:
            return CommitmentData(
                case_no=self.case_number,
                accepted_at=decision.at if decision is not None else now,
                clerk=clerk,
                office=office,
                application=self.application,
                evaluation=assessment.evaluation,
            )
        if kind is DocKind.AUTHORIZATION:
            auth = self.application.credit_authorization
            return AuthorizationData(
                case_no=self.case_number,
                printed_at=now,
                office=office,
                application=self.application,
                reference=(auth.reference if auth is not None and auth.reference else f"SQ-{self.case_number}"),
            )
        raise IntakeError(f"案件不能打印 {kind.value}")

    def printed(self) -> set[str]:
        """Documents printed since the decision (frozen: printing them again is a reprint)."""
        return set(self.file.prints.frozen)

    def printed_any(self) -> set[str]:
        return set(self.file.prints.frozen) | set(self.file.prints.drafts)

    def print(
        self, kind: DocKind, *, reason: str | None = None, authorized_by: OperatorRef | None = None
    ) -> PrintRecord:
        """Print a document: the first print after the decision freezes its data; a later one is an authorised
        reprint of the same content. Before the decision a print is a working copy for signature, never frozen."""
        # The reason is stored, logged and printed on the reprint: no control or escape characters, capped.
        reason = (clean_reason(reason) or None) if reason is not None else None
        # reportlab loads on the first print, not at start-up.
        from printouts.api import load_data, print_document, reprint

        setup = self._printing
        options = {
            "spool_dir": setup.spool_dir,
            "actor": self.operator.actor,
            "printer": setup.printer,
            "font_path": setup.font_path,
            "now": self.now(),
        }
        prints = self.file.prints
        snapshot = prints.frozen.get(kind.value)
        if self.editable:
            record = print_document(self.document_data(kind), **options)  # type: ignore[arg-type]
            log_reason = reason or (DRAFT_AGAIN if kind.value in prints.drafts else None)
            drafts = tuple(sorted({*prints.drafts, kind.value}))
            self._remember_print(prints.model_copy(update={"drafts": drafts}), kind, log_reason, record)
            return record
        if snapshot is not None and (authorized_by is None or authorized_by.role != Role.SUPERVISOR.value):
            raise IntakeError("补打须经负责人授权：请负责人输入账号密码")
        if snapshot is None:
            data = self.document_data(kind)
            record = print_document(data, **options)  # type: ignore[arg-type]
            if kind.value in prints.drafts and not reason:
                # The copy signed before the decision was a working copy; this is the final one, not a reprint.
                reason = FINAL_AFTER_DRAFT
            frozen = {**prints.frozen, kind.value: data.model_dump_json()}
            self._remember_print(prints.model_copy(update={"frozen": frozen}), kind, reason, record)
            return record
        if not (reason and reason.strip()):
            raise IntakeError("补打须说明原因（例如：申请人遗失、打印机卡纸）")
        reason = f"{reason.strip()}（负责人 {authorized_by.actor if authorized_by else ''} 授权）"
        # 第 N 次补打, counted in the case itself (working copies before the decision and the first print after it
        # are not reprints).
        number = prints.reprints.get(kind.value, 0) + 1
        record = reprint(load_data(kind, snapshot), reason=reason, number=number, **options)  # type: ignore[arg-type]
        counted = prints.model_copy(update={"reprints": {**prints.reprints, kind.value: number}})
        self._remember_print(counted, kind, reason, record)
        return record

    def follow_print(self, record: PrintRecord) -> PrintRecord:
        """Follow a job ``lp`` queued (``lpstat``, up to print_follow_seconds) and say what became of it; once the
        printer confirms it, the PDF is deleted: every reprint of a case's document is rebuilt from the stored data
        (``prints.frozen`` after the decision, the case itself before), so no printed personal data lingers.

        Blocks for up to the deadline and touches no store, so the app runs it in a thread; then :meth:`note_print`.
        """
        from printouts.jobs import settle

        return settle(record, deadline_seconds=self._printing.follow_seconds, discard_when_printed=True)

    def note_print(self, record: PrintRecord) -> None:
        """Write a followed job's outcome into the case's print log (printed, or 打印机未完成 and why)."""
        if record.job_id and record.job_state:
            self._repo.settle_print(
                self.case_id, record.job_id, printer_state=record.job_state, printer_message=record.printer_message
            )

    def _remember_print(self, prints: Prints, kind: DocKind, reason: str | None, record: PrintRecord) -> None:
        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.log_print(
                self.case_id,
                kind.value,
                actor=self.operator.actor,
                reason=reason,
                job_id=record.job_id,
                printer_state=record.job_state,
                printer_message=record.printer_message,
            )

        self._run(lambda f: f.model_copy(update={"prints": prints}), effects)
