"""A case's documents: the data each prints, first prints (frozen after the decision) and authorised reprints.

Functions over an :class:`~counter_app.services.intake.IntakeCase`; rendering is ``printouts``' job.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from counter_app.services.case_types import CHINA_TZ, IntakeError
from forms.application import Severity
from forms.vocabulary import CaseStatus, Role
from printouts.kinds import DocKind
from printouts.models import AuthorizationData, CommitmentData, FormData, NoticeData, Office, ReceiptData

if TYPE_CHECKING:
    from counter_app.services.intake import IntakeCase, OperatorRef
    from printouts.api import DocumentData
    from printouts.spool import PrintRecord


def document_number(case: IntakeCase) -> str:
    seq = case.case_number.rsplit("-", 1)[-1].lstrip("0") or "0"
    return f"〔{case.today().year}〕第{seq}号"


def _office(case: IntakeCase) -> Office:
    return Office.from_policy(case.policy, case._printing.window)


def document_data(case: IntakeCase, kind: DocKind) -> DocumentData:
    """The data a document prints, built from the case as it stands (first print)."""
    now = case.now()
    evaluation = case.evaluation()
    office = _office(case)
    clerk = case.operator.name
    if kind is DocKind.FORM:
        return FormData(
            case_no=case.case_number,
            application=case.application,
            office=office,
            printed_at=now,
            verifications=case.verification_rows(),
            clerk=clerk,
        )
    if kind is DocKind.RECEIPT:
        if case.status is not CaseStatus.ACCEPTED and case.decision.get("status") != "accepted":
            raise IntakeError("案件尚未受理，不能打印受理回执")
        promised = case._calendar.add_working_days(
            datetime.fromisoformat(case.decision["at"]).astimezone(CHINA_TZ).date(),
            case.policy.promised_working_days.value,
        )
        return ReceiptData(
            case_no=case.case_number,
            document_no=document_number(case),
            accepted_at=datetime.fromisoformat(case.decision["at"]),
            clerk=clerk,
            office=office,
            application=case.application,
            evaluation=evaluation,
            promised_days=case.policy.promised_working_days.value,
            promised=promised,
            verifications=case.verification_rows(),
            checklist=list(case.checklist.values()),
        )
    if kind is DocKind.NOTICE:
        return NoticeData(
            case_no=case.case_number,
            document_no=document_number(case),
            issued_at=now,
            clerk=clerk,
            office=office,
            application=case.application,
            evaluation=evaluation,
            form_issues=[i.message for i in case.issues() if i.severity is Severity.ERROR],
        )
    if kind is DocKind.COMMITMENT:
        return CommitmentData(
            case_no=case.case_number,
            accepted_at=datetime.fromisoformat(case.decision["at"]) if case.decision.get("at") else now,
            clerk=clerk,
            office=office,
            application=case.application,
            evaluation=evaluation,
        )
    if kind is DocKind.AUTHORIZATION:
        auth = case.application.credit_authorization
        return AuthorizationData(
            case_no=case.case_number,
            printed_at=now,
            office=office,
            application=case.application,
            reference=(auth.reference if auth is not None and auth.reference else f"SQ-{case.case_number}"),
        )
    raise IntakeError(f"案件不能打印 {kind.value}")


def print_case_document(
    case: IntakeCase, kind: DocKind, *, reason: str | None = None, authorized_by: OperatorRef | None = None
) -> PrintRecord:
    # reportlab loads on the first print, not at start-up.
    from printouts.api import load_data, print_document, reprint

    """Print a document: the first print freezes its data; a later one is a reprint of the same content.

    Every print and reprint goes to the print log and the audit log.
    """
    setup = case._printing
    snapshot = case.snapshots.get(kind.value)
    if case.editable:
        # Before the decision a print is a working copy for signature: it shows the form as it is now
        # and is never frozen, so a later print after corrections is not a reprint of stale content.
        data = document_data(case, kind)
        record = print_document(
            data,
            spool_dir=setup.spool_dir,
            actor=case.operator.actor,
            printer=setup.printer,
            font_path=setup.font_path,
            now=case.now(),
        )
        again = kind.value in case.draft_prints
        case.draft_prints.add(kind.value)
        case._store.prints.record(
            case.case_id,
            kind.value,
            actor=case.operator.actor,
            reason=reason or ("受理前更新后重新打印" if again else None),
        )
        case.save()
        return record
    if snapshot is not None and (authorized_by is None or authorized_by.role != Role.SUPERVISOR.value):
        raise IntakeError("补打须经负责人授权：请负责人输入账号密码")
    if snapshot is None:
        data = document_data(case, kind)
        record = print_document(
            data,
            spool_dir=setup.spool_dir,
            actor=case.operator.actor,
            printer=setup.printer,
            font_path=setup.font_path,
            now=case.now(),
        )
        case.snapshots[kind.value] = data.model_dump_json()
        if kind.value in case.draft_prints and not reason:
            # The copy signed before the decision was a working copy; this is the final one, not a reprint.
            reason = "受理决定后打印定稿"
    else:
        if not (reason and reason.strip()):
            raise IntakeError("补打须说明原因（例如：申请人遗失、打印机卡纸）")
        reason = f"{reason.strip()}（负责人 {authorized_by.actor if authorized_by else ''} 授权）"
        record = reprint(
            load_data(kind, snapshot),
            reason=reason,
            spool_dir=setup.spool_dir,
            actor=case.operator.actor,
            printer=setup.printer,
            font_path=setup.font_path,
            now=case.now(),
        )
    case._store.prints.record(case.case_id, kind.value, actor=case.operator.actor, reason=reason)
    case.save()
    return record
