"""Commands on a draft's form, lookups and checklist: each one change, one transaction, one write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from counter_app.services.case_core import CaseCore
from counter_app.services.case_types import IntakeError, OperatorRef
from counter_app.services.sanitize import clean_reason
from forms.application import Issue, Severity, issues_from_error, label_for
from forms.case import Assessment, Authorization, CaseFile, FieldOverride, Override, fresh_checklist
from forms.case import loan as loan_rules
from forms.loan import LoanLimit, TermLimit
from forms.materials import MaterialState, Receipt, Waiver, Whose
from forms.scenario import Scenario
from forms.vocabulary import FieldSource, HomeOrdinal, MaterialStatus, Role

DEFAULT_WAIVER_REASON = "申请人承诺按期补交"
LOCKED_MESSAGE = "已核验回填，不能直接修改：如确需修改，按 Ctrl+O 人工修改并写明理由"


# A tick on the people step that means a paper is in hand (已收取授权委托书): its checklist line is received.
_TICKS = {"agent.power_of_attorney": "power_of_attorney"}
AUTHORIZATION_NUMBER = "credit_authorization.reference"
RECORDED_AT = "credit_authorization.recorded_at"


def _received(file: CaseFile, code: str) -> CaseFile:
    """The material's line marked received (original, 1 copy) unless the clerk already marked it."""
    line = file.line(code)
    if line is None or line.status in (MaterialStatus.RECEIVED, MaterialStatus.WAIVED, MaterialStatus.COMMITTED):
        return file
    return file.with_line(
        MaterialState(code=code, status=MaterialStatus.RECEIVED, received=Receipt(form="original", count=1))
    )


class FormCommands(CaseCore):
    """The form, the lookups and the checklist of a draft."""

    # -- the form --------------------------------------------------------------------------------------------------

    def set_scenario(self, scenario: Scenario) -> None:
        self._require_draft()
        today = self.today()

        def change(file: CaseFile) -> CaseFile:
            updated = file.model_copy(update={"application": file.application.with_scenario(scenario, today=today)})
            return updated.with_checklist(fresh_checklist(updated, self.policy))

        self._run(change)

    def set_field(self, path: str, value: Any, ui_state: Mapping[str, Any] | None = None) -> list[Issue]:
        """Set one form value typed by the clerk; returns the problems (Chinese), empty when it was taken.

        A blank value clears the field. A refused value leaves the form unchanged (its typed text stays a draft).
        """
        self._require_draft()
        if isinstance(value, str):
            value = value.strip() or None
        if self.application.source_of(path) in (FieldSource.VERIFIED, FieldSource.OVERRIDDEN):
            if ("" if value is None else str(value)) != self.value_at(path):
                # A registry's value is changed only on purpose, with a reason (override_field).
                return [Issue(path=path, label=label_for(path), message=LOCKED_MESSAGE, severity=Severity.ERROR)]
            if path in self.file.drafts:
                self._run(lambda file: file.with_draft(path, None), ui=ui_state)
            return []  # the same value again: it stays the registry's
        today, now = self.today(), self.now()
        try:
            updated = self.application.backfill(path, value, FieldSource.TYPED, today=today)
        except ValidationError as exc:
            return issues_from_error(exc)
        except ValueError as exc:
            return [Issue(path=path, label=path, message=str(exc), severity=Severity.ERROR)]

        def change(file: CaseFile) -> CaseFile:
            # Applied to the case as loaded in the transaction (another window may have changed another field).
            application = (
                updated if file is self.file else file.application.backfill(path, value, FieldSource.TYPED, today=today)
            )
            taken = file.model_copy(update={"application": application}).with_draft(path, None).with_first_input(now)
            if path in _TICKS and value is True:
                taken = _received(taken, _TICKS[path])
            if path == AUTHORIZATION_NUMBER and value:
                # The number is typed or scanned off the signed paper: the authorization is on file, received.
                signed = taken.application
                for field_path, field_value in (("credit_authorization.recorded", True), (RECORDED_AT, now)):
                    signed = signed.backfill(field_path, field_value, FieldSource.TYPED, today=today)
                taken = _received(taken.model_copy(update={"application": signed}), "credit_authorization")
            return self._derive(taken)

        self._run(change, ui=ui_state)
        return []

    def override_field(self, path: str, value: Any, *, reason: str) -> list[Issue]:
        """人工修改: change a verified (backfilled) value on purpose. The reason, who and when are kept with the
        case and audited; the value goes to the back office marked ``overridden`` and a later lookup leaves it."""
        self._require_draft()
        if self.application.source_of(path) not in (FieldSource.VERIFIED, FieldSource.OVERRIDDEN):
            raise IntakeError(f"“{label_for(path)}”不是核验回填的数据，可直接录入")
        reason = clean_reason(reason)  # one line, no control characters, capped: it goes to the back office
        if not reason:
            raise IntakeError("人工修改核验数据须写明理由")
        if isinstance(value, str):
            value = value.strip() or None
        today, now, actor = self.today(), self.now(), self.operator.actor
        try:
            self.application.backfill(path, value, FieldSource.OVERRIDDEN, today=today)
        except ValidationError as exc:
            return issues_from_error(exc)
        except ValueError as exc:
            return [Issue(path=path, label=path, message=str(exc), severity=Severity.ERROR)]
        earlier = [o for o in self.file.field_overrides if o.path == path]
        # What the registry said: from the first override of this field (later ones change the clerk's own value).
        registry_value = earlier[0].verified_value if earlier else (self.value_at(path) or None)
        record = FieldOverride(path=path, verified_value=registry_value, reason=reason, by=actor, at=now)

        def change(file: CaseFile) -> CaseFile:
            application = file.application.backfill(path, value, FieldSource.OVERRIDDEN, today=today)
            updated = file.model_copy(
                update={"application": application, "field_overrides": (*file.field_overrides, record)}
            )
            return self._derive(updated.with_draft(path, None))

        def effects(file: CaseFile, assessment: Assessment) -> None:
            # The path and the reason only: the values stay in the (encrypted) case.
            self._repo.audit("field_override", actor=actor, case_number=self.case_number, path=path, reason=reason)

        self._run(change, effects)
        return []

    def record_authorization(
        self, reference: str | None = None, *, person: Whose = Whose.APPLICANT, position: int = 0
    ) -> None:
        """A person signed the credit-inquiry authorization (征信查询授权书): their own credit lookup may run.

        The applicant's goes on the application form; the spouse's and each co-borrower's are kept in the case."""
        self._require_draft()
        suffix = "" if person is Whose.APPLICANT else f"-{'P' if person is Whose.SPOUSE else 'G'}{position + 1}"
        if person is Whose.APPLICANT and reference is None:
            # The number already typed or scanned on the form stands (the tick only says the paper is signed).
            auth = self.application.credit_authorization
            reference = auth.reference if auth is not None and auth.reference else None
        today, now, actor = self.today(), self.now(), self.operator.actor
        ref = reference or ""

        def change(file: CaseFile) -> CaseFile:
            nonlocal ref
            # Read here: a new case gets its number in this same transaction, at its first change.
            ref = reference or f"SQ-{self.case_number}{suffix}"
            if person is not Whose.APPLICANT:
                kept = tuple(a for a in file.authorizations if (a.person, a.position) != (person, position))
                signed = Authorization(person=person, position=position, reference=ref, recorded_at=now, by=actor)
                return file.model_copy(update={"authorizations": (*kept, signed)})
            app = file.application
            for path, value in (
                ("credit_authorization.recorded", True),
                ("credit_authorization.reference", ref),
                ("credit_authorization.recorded_at", now),
            ):
                app = app.backfill(path, value, FieldSource.TYPED, today=today)
            # The signed authorization is in hand: its checklist line is received, not left 未提交.
            return _received(file.model_copy(update={"application": app}), "credit_authorization")

        def effects(file: CaseFile, assessment: Assessment) -> None:
            self._repo.audit(
                "authorization", actor=actor, case_number=self.case_number, reference=ref, person=person.value
            )

        self._run(change, effects)

    # -- loan figures (from the assessment) ------------------------------------------------------------------------

    def home_ordinal(self) -> HomeOrdinal:
        return self.assessment().home_ordinal

    def loan_limit(self) -> LoanLimit | None:
        return self.assessment().loan_limit

    def term_limit(self) -> TermLimit | None:
        return self.assessment().term_limit

    def suggested_rate(self, months: int) -> Any:
        return loan_rules.suggested_rate(self.file, self.policy, months, self.today())

    # -- checklist ---------------------------------------------------------------------------------------------------

    def _known_line(self, file: CaseFile, code: str) -> None:
        if file.line(code) is None:
            raise IntakeError(f"材料 {code} 不在本案件的材料清单中")

    def mark_received(self, code: str, *, copies: int | None = None, original: bool | None = None) -> None:
        """Received at the window: as the pack expects it (原件, or 复印件 with the count) unless told otherwise."""
        self._require_draft()
        form, count = self.policy.materials.get(code).expected_paper
        if original is not None:
            form = "original" if original else "copy"
        line = MaterialState(
            code=code,
            status=MaterialStatus.RECEIVED,
            received=Receipt(form=form, count=copies if copies is not None else count),
        )

        today = self.today()

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            taken = file.with_line(line)
            # The paper in hand is the form's tick too (已收取授权委托书): one fact, whichever way it was entered.
            for path, ticked in _TICKS.items():
                if ticked == code and file.application.agent is not None:
                    application = taken.application.backfill(path, True, FieldSource.TYPED, today=today)
                    taken = taken.model_copy(update={"application": application})
            return taken

        self._run(change)

    def adjust_receipt(self, code: str, *, toggle_form: bool = False, delta: int = 0) -> None:
        """A received line's paper: 原件 ⇄ 复印件, or one copy more or less (1 to 99)."""
        self._require_draft()

        def change(file: CaseFile) -> CaseFile:
            line = file.line(code)
            if line is None or line.status is not MaterialStatus.RECEIVED or line.received is None:
                raise IntakeError("先按空格标记已收取，再修改原件/复印件或份数")
            receipt = line.received
            form = ("copy" if receipt.form == "original" else "original") if toggle_form else receipt.form
            count = max(1, min(99, receipt.count + delta))
            return file.with_line(line.model_copy(update={"received": Receipt(form=form, count=count)}))

        self._run(change)

    def mark_missing(self, code: str) -> None:
        self._require_draft()

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            return file.with_line(MaterialState(code=code, status=MaterialStatus.MISSING))

        self._run(change)

    def commit_material(self, code: str, *, reason: str = "申请人签署告知承诺书，以承诺代替提交") -> None:
        """告知承诺: where the pack allows, a signed commitment replaces the material (nothing is owed later)."""
        self._require_draft()
        material = self.policy.materials.get(code)
        if not material.committable:
            raise IntakeError(f"按{self.policy.meta.name}政策，“{material.name}”不适用告知承诺：请收取材料或容缺受理")
        line = MaterialState(
            code=code, status=MaterialStatus.COMMITTED, waived=Waiver(commitment_signed=True, reason=reason)
        )

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            return file.with_line(line)

        self._run(change)

    def waive(self, code: str, *, reason: str = DEFAULT_WAIVER_REASON, approved_by: OperatorRef | None = None) -> None:
        """容缺: a non-core material whose rule allows it, due as the pack says.

        A core or non-waivable material only with a supervisor's approval and a reason (负责人批准的例外), due
        before disbursement; the approval is audited in the same transaction.
        """
        self._require_draft()
        material = self.policy.materials.get(code)
        override: Override | None = None
        if material.core or not material.shortfall.waivable:
            if approved_by is None:
                raise IntakeError(
                    f"“{material.name}”为核心要件或不可容缺材料，不能容缺受理；请收取原件、通过核验免提交，或报负责人批准"
                )
            if approved_by.role != Role.SUPERVISOR.value:
                raise IntakeError("只有负责人可以批准核心要件容缺")
            if not reason.strip() or reason == DEFAULT_WAIVER_REASON:
                raise IntakeError("负责人批准核心要件容缺须写明理由")
            override = Override(code=code, by=approved_by.actor, reason=reason.strip(), at=self.now())
        line = MaterialState(
            code=code, status=MaterialStatus.WAIVED, waived=Waiver(commitment_signed=True, reason=reason)
        )

        def change(file: CaseFile) -> CaseFile:
            self._known_line(file, code)
            file = file.with_line(line)
            if override is not None:
                kept = tuple(o for o in file.overrides if o.code != code)
                file = file.model_copy(update={"overrides": (*kept, override)})
            return file

        def effects(file: CaseFile, assessment: Assessment) -> None:
            if override is not None and approved_by is not None:
                self._repo.audit(
                    "supervisor_override",
                    actor=approved_by.actor,
                    case_number=self.case_number,
                    what="waive_core_material",
                    material=code,
                    clerk=self.operator.actor,
                )

        self._run(change, effects)
