"""The workstation: everything the screens need from one counter, behind one object.

Built by the composition root (:func:`counter_app.compose.open_workstation`) from the settings, an open store
and, when no URLs are configured, in-process transports to the embedded sandbox: the workstation itself never
imports the sandbox. It holds the policy pack, the calendar, the gateway clients (one per logged-in operator) and
the sync engine. Screens call this and :class:`~counter_app.services.intake.IntakeCase`; they never see the store,
SQL or HTTP (the store is private: ``tests/test_layers.py`` fails if a screen reaches for it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from counter_app.services.audit_view import AuditLog
from counter_app.services.case_ratings import RATING_REVIEW
from counter_app.services.case_repo import CaseRepository, Loaded
from counter_app.services.case_types import LoginError
from counter_app.services.deferred import DeferredReport, resolve_pending
from counter_app.services.gateway import GatewayClient
from counter_app.services.intake import CHINA_TZ, IntakeCase, IntakeError, OperatorRef, PrintSetup
from counter_app.services.sanitize import clean_reason
from counter_app.services.sync import SyncEngine, SyncSummary, make_engine
from counter_app.services.workstation_master import MasterDataMixin
from counter_app.services.workstation_views import (
    CaseRow,
    ConflictRow,
    FlagRow,
    HomeData,
    ShortfallRow,
    SyncCounts,
    case_row,
    query_kind,
)
from counter_app.settings import Settings
from forms.case import CaseFile, CaseFileError, fresh_checklist
from forms.materials import guide
from forms.scenario import Scenario
from forms.vocabulary import CaseStatus, Role, ShortfallStatus
from printouts.models import GuideData

if TYPE_CHECKING:
    import httpx

    from local_cache import Store
    from printouts.retention import PurgeResult
    from printouts.spool import PrintRecord

LOGIN_REFUSED = "用户名或密码错误；连续输错多次账号将被锁定，请联系负责人"


class Workstation(MasterDataMixin):
    """One counter's services; built by :func:`counter_app.compose.open_workstation`, closed with :meth:`aclose`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Callable[[], datetime] | None = None,
        gateway_transport: httpx.AsyncBaseTransport | None = None,
        platform_transport: httpx.AsyncBaseTransport | None = None,
        platform_base_url: str = "http://platform.invalid",
    ) -> None:
        """``gateway_transport`` / ``platform_transport`` (with ``platform_base_url``) stand in for HTTP when the
        settings give no URL; the composition root passes the embedded sandbox's here."""
        self.settings = settings
        # Private: screens reach the store only through the methods below (tests/test_layers.py checks).
        self._store = store
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._open_master_data()  # self.master, self.policy, self.calendar: the versions in force
        self._gateway_transport = gateway_transport
        self._platform_transport = platform_transport
        self._platform_base_url = platform_base_url
        self._sync: SyncEngine | None = None
        self.last_sync: SyncSummary | None = None
        self.last_deferred: DeferredReport | None = None
        self._gateways: dict[int, GatewayClient] = {}
        self.printing = PrintSetup(
            spool_dir=settings.spool_folder,
            printer=settings.printer or None,
            font_path=settings.font_path,
            window=settings.window_name,
            follow_seconds=settings.print_follow_seconds,
        )

    def today(self) -> date:
        return self.clock().astimezone(CHINA_TZ).date()

    # -- operators -------------------------------------------------------------------------------------------------

    def login(self, login: str, password: str) -> OperatorRef:
        from local_cache import AuthenticationError, LockedOutError, NotFoundError, StoreError

        try:
            op = self._store.operators.authenticate(login.strip(), password)
        except (LockedOutError, AuthenticationError, NotFoundError) as exc:
            # One message for an unknown login, a wrong password and a locked account: anything else ("还可尝试
            # N 次", "已锁定") would tell a prober which logins exist. The store audits each failure and the
            # lockout; supervisors see locks in the audit viewer and `counter operators list`, and unlock there.
            raise LoginError(LOGIN_REFUSED) from exc
        except StoreError as exc:
            raise LoginError(str(exc)) from exc
        return OperatorRef(id=op.id, login=op.login, name=op.name, role=op.role.value)

    def supervisor(self, login: str, password: str) -> OperatorRef:
        """A supervisor's own credentials, for an exception at someone else's counter (audited by the caller)."""
        operator = self.login(login, password)
        if operator.role != Role.SUPERVISOR.value:
            raise LoginError("该账号不是负责人，不能授权")
        return operator

    def demo_hint(self) -> str | None:
        """Shown on the login screen only beside the sandbox, and only while the demo account exists."""
        if not self.settings.uses_sandbox:
            return None
        if any(op.is_demo and op.active for op in self._store.operators.list()):
            return "测试环境：演示账号 demo，密码 demo1234"
        return None

    def is_supervisor(self, operator: OperatorRef) -> bool:
        return operator.role == Role.SUPERVISOR.value

    def record_lock(self, operator: OperatorRef) -> None:
        """The screen was locked (idle or Ctrl+L) while ``operator`` was at the counter: audited."""
        self._store.audit.append("lock", actor=operator.actor)

    # -- the audit viewer (supervisors only) -----------------------------------------------------------------------

    def audit_log(self) -> AuditLog:
        """The audit viewer on this counter's store; it checks the operator's role on every call."""
        return AuditLog(self._store)

    # -- the gateway -----------------------------------------------------------------------------------------------

    def gateway_for(self, operator: OperatorRef) -> GatewayClient:
        client = self._gateways.get(operator.id)
        if client is None:
            from counter_app.services.verification_sink import client_for_store

            client = client_for_store(
                self.settings,
                self._store,
                operator_id=operator.login,
                transport=self._gateway_transport,
                clock=self.clock,
            )
            self._gateways[operator.id] = client
        return client

    @property
    def online(self) -> bool:
        """False while a client is offline or lookups wait in the queue: they are queued only because the gateway
        could not be reached, and a restart (fresh clients, all "online") must not hide them."""
        return all(client.online for client in self._gateways.values()) and self._store.pending.count() == 0

    async def aclose(self) -> None:
        for client in self._gateways.values():
            await client.aclose()
        self._gateways.clear()
        if self._sync is not None:
            await self._sync.aclose()
            self._sync = None
        self._store.close()

    # -- sync and deferred lookups -----------------------------------------------------------------------------------

    def sync_engine(self) -> SyncEngine:
        if self._sync is None:
            if self.settings.platform_url or self._platform_transport is None:
                self._sync = make_engine(self.settings, self._store)
            else:
                self._sync = SyncEngine(self._store, self._platform_transport, base_url=self._platform_base_url)
        return self._sync

    async def background_round(self) -> SyncSummary:
        """One round of the counter's background work: replay deferred lookups, push the outbox, pull statuses."""
        system = OperatorRef(id=0, login="system", name="系统", role=Role.CLERK.value)
        # Each replayed answer is taken into its case as the system operator (re-planned from the case as it is now).
        self.last_deferred = await resolve_pending(
            self.gateway_for(system), self._store, lambda case_id: self.open_case(case_id, system)
        )
        self.last_sync = await self.sync_engine().run_once()
        return self.last_sync

    def purge_spool(self, now: datetime | None = None) -> PurgeResult:
        """Delete spooled PDFs older than the retention (spool_retention_days): they hold personal data in clear,
        and reprints are rebuilt from the case's stored document data. Never raises."""
        from printouts.retention import purge_spool

        days = timedelta(days=self.settings.spool_retention_days)
        return purge_spool(self.printing.spool_dir, older_than=days, now=now or self.clock())

    def outbox_entries(self) -> list[Any]:
        return self._store.outbox.entries()

    def retry_sync(self) -> int:
        return self._store.outbox.retry_now()

    def sync_counts(self) -> SyncCounts:
        return SyncCounts(outbox_states=self._store.outbox.counts(), pending_lookups=self._store.pending.count())

    def conflicts(self) -> list[ConflictRow]:
        """Open conflicts with both versions: the platform's view and the payload this counter wanted to send."""
        return [
            ConflictRow(
                case_id=c.case_id,
                case_number=c.case_number,
                local_version=c.local_version,
                platform_version=c.platform_version,
                platform_view=c.platform_view,
                local_payload=self._store.outbox.get(c.outbox_id).payload,
                message=c.message,
            )
            for c in self.sync_engine().conflicts()
        ]

    def resolve_conflict(self, case_id: str, keep: str, operator: OperatorRef) -> None:
        if keep not in ("local", "platform"):
            raise IntakeError("冲突处理只能选择保留本地版本或平台版本")
        self.sync_engine().resolve_conflict(case_id, keep, actor=operator.actor)  # type: ignore[arg-type]

    def review_flags(self, case_id: str | None = None) -> list[FlagRow]:
        """Open review flags: all of them (home and sync screens), or those of one case (follow-up screen)."""
        rows = []
        for flag in self._store.flags.open_flags(case_id):
            rows.append(
                FlagRow(
                    id=flag.id,
                    case_id=flag.case_id,
                    case_number=self._store.cases.case_number_of(flag.case_id),
                    message=flag.message,
                    action=flag.action,
                )
            )
        return rows

    def resolve_flag(self, flag_id: int, operator: OperatorRef, resolution: str) -> None:
        settled = clean_reason(resolution)  # stored and sent: no control characters, capped (sanitize.REASON_MAX)
        if not settled:
            raise IntakeError("处理复核提示须写明处理结果")
        with self._store.transaction():
            row = self._store.flags.resolve(flag_id, actor=operator.actor, resolution=settled)
            now = self.clock()

            def resolve(file: CaseFile) -> CaseFile:
                flag = next((f for f in file.flags if f.request_id == row.request_id), None)
                if flag is None:
                    return file  # raised before flags were part of the case (schema v1): the table has it
                done = flag.model_copy(
                    update={"resolved_at": now, "resolved_by": operator.actor, "resolution": settled}
                )
                return file.with_flag(done)

            CaseRepository(self._store).update(row.case_id, resolve)
            if row.kind == RATING_REVIEW:  # a bad rating: its handling goes into the rating, and to the platform
                self.open_case(row.case_id, operator).rating_handled(row.outcome_before, settled, operator)

    # -- cases -----------------------------------------------------------------------------------------------------

    def _intake(
        self, loaded: Loaded, operator: OperatorRef, create: Callable[[CaseFile], Loaded] | None = None
    ) -> IntakeCase:
        return IntakeCase(
            create=create,
            repo=CaseRepository(self._store),
            loaded=loaded,
            policy=self.policy_of(loaded.file),  # the pack version the case started with, until re-assessed
            calendar=self.calendar,
            operator=operator,
            clock=self.clock,
            gateway=lambda: self.gateway_for(operator),
            printing=self.printing,
        )

    def new_case(self, operator: OperatorRef, scenario: Scenario | None = None) -> IntakeCase:
        # The case is created whole, in one insert, at its first change: scenario and checklist included.
        file = CaseFile(policy_code=self.policy.code, policy_version=self.policy.meta.version)
        if scenario is not None:
            application = file.application.with_scenario(scenario, today=self.today())
            file = file.model_copy(update={"application": application})
        file = file.with_checklist(fresh_checklist(file, self.policy))
        repo = CaseRepository(self._store)
        unsaved = Loaded(case_id="", case_number="", status=CaseStatus.DRAFT, revision=-1, file=file, ui_state={})

        def create(current: CaseFile) -> Loaded:
            return repo.create(current, actor=operator.actor, operator_id=operator.id)

        # Not stored yet: the first value typed inserts it (and numbers it) together with that value.
        return self._intake(unsaved, operator, create=create)

    def open_case(self, case_id: str, operator: OperatorRef) -> IntakeCase:
        from local_cache import NotFoundError

        try:
            loaded = CaseRepository(self._store).load(case_id, today=self.today())
        except NotFoundError as exc:
            raise IntakeError(str(exc)) from exc
        except CaseFileError as exc:
            raise IntakeError(str(exc)) from exc
        return self._intake(loaded, operator)

    def find(self, query: str) -> list[CaseRow]:
        """Open any case by number, full ID number or full name."""
        from local_cache import NotFoundError

        kind, text = query_kind(query)
        if not text:
            return []
        if kind == "number":
            try:
                return [case_row(self._store.cases.by_number(text).summary)]
            except NotFoundError:
                return []
        if kind == "id":
            return [case_row(s) for s in self._store.cases.find_by_id_number(text)]
        return [case_row(s) for s in self._store.cases.find_by_name(text)]

    def draft_left_open(self, operator: OperatorRef) -> CaseRow | None:
        """The draft this operator had open on the case screen when the counter last stopped, if any (newest)."""
        left = self._store.cases.drafts_left_open(operator.id)
        return case_row(max(left, key=lambda s: s.updated_at)) if left else None

    async def pull_from_hall(self, query: str, operator: OperatorRef) -> CaseRow | None:
        """A case accepted at another window of the hall, asked of the platform by case number or by ID number (as
        a keyed hash: the number never travels) and kept here, whole; None when the platform holds none (a name is
        not asked). Raises ``hall.HallError`` when the platform cannot be reached: nothing is half-pulled."""
        from counter_app.services.hall import adopt, find_on_platform
        from counter_app.services.hall_ids import hall_id_hash

        kind, text = query_kind(query)
        if kind == "number":
            params = {"number": text}
        elif kind == "id" and len(text) == 18:
            params = {"id_hash": hall_id_hash(self.settings.app_secret.get_secret_value(), text)}
        else:
            return None
        engine = self.sync_engine()
        found = await find_on_platform(engine.client, timeout=engine.policy.request_timeout, **params)
        if not found:
            return None
        case_id = adopt(self._store, found[0], actor=operator.actor, today=self.today())
        return case_row(self._store.cases.get(case_id).summary)

    def home(self) -> HomeData:
        today = self.today()
        self._store.records.mark_overdue(today)
        todays = [case_row(s) for s in self._store.cases.list_for_date(today)]
        drafts = [case_row(s) for s in self._store.cases.list_drafts()]
        shortfalls: list[ShortfallRow] = []
        numbers: dict[str, str] = {}
        # Overdue ones and those due within a week: what the clerk should chase today.
        for item in self._store.records.shortfalls_due(today + timedelta(days=7)):
            number = numbers.get(item.case_id) or self._store.cases.case_number_of(item.case_id)
            numbers[item.case_id] = number
            name = self._material_name(item.material_code)
            shortfalls.append(
                ShortfallRow(item.case_id, number, name, item.due_date, item.status is ShortfallStatus.OVERDUE)
            )
        return HomeData(
            today=todays,
            drafts=drafts,
            shortfalls=shortfalls,
            online=self.online and (self.last_sync is None or self.sync_engine().online is not False),
            outbox_states=self._store.outbox.counts(),
            review_flags=self.review_flags(),
            pending_lookups=self._store.pending.count(),
        )

    def _material_name(self, code: str) -> str:
        try:
            return self.policy.materials.get(code).name
        except KeyError:
            return code

    # -- walk-in questions (consult mode) ----------------------------------------------------------------------------

    def material_guide(self, scenario: Scenario) -> Any:
        return guide(self.policy.materials, scenario)

    def print_guide(self, scenario: Scenario, operator: OperatorRef) -> PrintRecord:
        """The material list and service guide of a scenario, printed without creating a case."""
        from printouts.api import print_document

        data = GuideData(scenario=scenario, policy=self.policy, printed_on=self.today(), window=self.printing.window)
        return print_document(
            data,
            spool_dir=self.printing.spool_dir,
            actor=operator.actor,
            printer=self.printing.printer,
            font_path=self.printing.font_path,
            now=self.clock(),
        )
