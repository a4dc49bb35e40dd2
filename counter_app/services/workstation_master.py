"""The workstation's master data: which pack and calendar are in force, the pull, and re-assessing a draft.

A new case records the pack version in force when it is created (``CaseFile.policy_code``/``policy_version``) and
is assessed under it for good: an open draft keeps its version after a pull, until the clerk re-assesses it
(:meth:`MasterDataMixin.reassess`, Ctrl+R on the case screen), which moves it to the version in force and re-plans
its checklist. The calendar is not per case: an official schedule replacing an estimate is a fact, not a rule,
and every case's working days follow it at once (a decision keeps the promised date it was made with).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from counter_app.services.case_repo import CaseRepository
from counter_app.services.case_types import IntakeError, OperatorRef
from counter_app.services.master_data import MasterData, PullResult, open_master_data
from counter_app.settings import Settings
from forms.case import CaseFile, fresh_checklist
from forms.master_data import CALENDAR_CODE, edition
from forms.policy import PolicyPack
from forms.vocabulary import CaseStatus
from forms.workdays import WorkingDayCalendar

if TYPE_CHECKING:
    from counter_app.services.intake import IntakeCase
    from counter_app.services.sync import SyncEngine
    from local_cache import Store

logger = logging.getLogger(__name__)

__all__ = ["MasterDataMixin", "open_master_data"]


class MasterDataMixin:
    """Mixed into :class:`~counter_app.services.workstation.Workstation` (which provides the attributes below)."""

    settings: Settings
    _store: Store
    master: MasterData
    policy: PolicyPack
    calendar: WorkingDayCalendar
    last_master: PullResult | None = None

    def sync_engine(self) -> SyncEngine:
        raise NotImplementedError

    def open_case(self, case_id: str, operator: OperatorRef) -> IntakeCase:
        raise NotImplementedError

    def _open_master_data(self) -> None:
        """The versions in force at start: the pack new cases use and the calendar every case counts with."""
        self.master = open_master_data(self.settings)
        self.policy = self.master.policy()
        self.calendar = self.master.calendar()

    def master_versions(self) -> str:
        """The versions in force, for the home screen's status line: "政策：青岛市（qingdao 第2版）  日历：第1版"."""
        calendar = self.master.in_force("calendar", CALENDAR_CODE).version
        return f"政策：{self.policy.meta.name}（{self.policy.meta.version_label}）  日历：{edition(calendar)}"

    async def pull_master_data(self) -> PullResult:
        """One pull of packs and calendars (the background round and ``counter master pull``): what is applied is
        in force for new cases at once; never raises for the platform's sake (the result says what happened)."""
        engine = self.sync_engine()
        result = await self.master.pull(engine.client, timeout=engine.policy.request_timeout)
        if result.applied:
            self.policy = self.master.policy()
            self.calendar = self.master.calendar()
        self.last_master = result
        return result

    def policy_of(self, file: CaseFile) -> PolicyPack:
        """The pack a case is assessed under: the one it recorded (a case from before master data: packaged)."""
        code = file.policy_code or self.policy.code
        if code == self.policy.code and file.policy_version == self.policy.meta.version:
            return self.policy
        return self.master.policy(code, file.policy_version)

    def reassess(self, case: IntakeCase, operator: OperatorRef) -> IntakeCase:
        """Move a draft to the pack in force (its checklist re-planned, what was already recorded kept); audited.
        A decided case keeps the rules it was decided under."""
        if case.status is not CaseStatus.DRAFT:
            raise IntakeError("已作出受理决定的案件按受理时的政策包办理，不能重新审核")
        if not case.case_id:
            return case  # not stored yet: nothing typed, and it was opened under the pack in force
        policy = self.policy

        def moved(file: CaseFile) -> CaseFile:
            file = file.model_copy(update={"policy_code": policy.code, "policy_version": policy.meta.version})
            return file.with_checklist(fresh_checklist(file, policy))

        before = case.policy.meta.version_label
        with self._store.transaction():
            CaseRepository(self._store).update(case.case_id, moved)
            self._store.audit.append(
                "case_reassessed",
                actor=operator.actor,
                case_number=case.case_number,
                from_version=before,
                to_version=policy.meta.version_label,
            )
        logger.info("case %s re-assessed: %s -> %s", case.case_number, before, policy.meta.version_label)
        return self.open_case(case.case_id, operator)
