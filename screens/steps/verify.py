"""Step 3, verification (数据共享核验): every lookup of every person with its live state; results arrive while the
clerk types. The applicant's rows are the scenario's lookups; the spouse's and each co-borrower's are their own
(identity, fund account, loan history, credit); the agent's identity when the agent was looked up."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from counter_app.services.intake import CHINA_TZ
from forms.case import LookupRecord
from forms.case.household import MEMBER_KINDS, member_label, members
from forms.materials import Whose
from forms.vocabulary import OUTCOME_MARKS, VERIFICATION_LABELS, VerificationKind, VerificationOutcome
from screens.steps import Step

# The marks are forms.vocabulary's one table of outcome labels for live tables.
OUTCOME_LABELS = OUTCOME_MARKS


def row_key(kind: VerificationKind, who: Whose = Whose.APPLICANT, position: int = 0) -> str:
    """A row's key: the kind alone for the applicant (``identity``), else ``spouse:0:identity`` and the like."""
    return kind.value if who is Whose.APPLICANT else f"{who.value}:{position}:{kind.value}"


def kind_of(key: str) -> VerificationKind:
    """The kind a row is about, whoever it is about (a re-run runs the kind for every person)."""
    return VerificationKind(key.rsplit(":", 1)[-1])


class VerifyStep(Step):
    """One row per person and lookup; Enter re-runs the selected kind (for everyone), F8 runs them all."""

    class Rerun(Message):
        """Enter on a lookup: run just that one again (the screen owns the lookup worker)."""

        def __init__(self, kind: VerificationKind) -> None:
            super().__init__()
            self.kind = kind

    TITLE = "核验"
    DEFAULT_CSS = """
    VerifyStep DataTable {
        height: auto;
        max-height: 16;
    }
    VerifyStep #verify-summary {
        margin-top: 1;
    }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Lookups asked and not answered yet: the case screen's own set (CaseLookups.lookups_running), shared.
        self.running: set[VerificationKind] = set()

    def compose(self) -> ComposeResult:
        yield DataTable(id="lookups", cursor_type="row", zebra_stripes=True)
        yield Static("", id="verify-summary")

    def on_mount(self) -> None:
        table = self.query_one("#lookups", DataTable)
        table.add_column("人员", key="person", width=12)
        table.add_column("核验项目", key="kind", width=24)
        table.add_column("状态", key="state", width=20)
        table.add_column("数据来源", key="source", width=26)
        table.add_column("时间", key="time", width=8)
        table.add_column("说明", key="detail")
        self.refresh_from_case()

    def state_of(
        self,
        kind: VerificationKind,
        result: LookupRecord | None = None,
        waiting: dict[VerificationKind, str] | None = None,
    ) -> str:
        if kind in self.running:
            return "⟳ 查询中…"
        if result is None:
            # Not asked yet: either its input is still to be typed (待录入), or it goes with the next step change.
            return "待录入" if waiting and kind in waiting else "待发起"
        return OUTCOME_LABELS[result.outcome]

    def rows(self) -> list[tuple[Whose, int, VerificationKind, LookupRecord | None]]:
        """(who, position, kind, latest answer) for every row: the applicant's, each member's, the agent's."""
        needed = self.case.application.scenario.verifications()
        file = self.case.file
        results = self.case.results
        found: list[tuple[Whose, int, VerificationKind, LookupRecord | None]] = [
            (Whose.APPLICANT, 0, kind, results.get(kind)) for kind in needed
        ]
        # Members are looked up for the member kinds the scenario needs, as the service asks for them.
        for member in members(file)[1:]:
            for kind in (k for k in MEMBER_KINDS if k in needed):
                found.append((member.who, member.position, kind, file.lookup(kind, member.who, member.position)))
        agent = self.case.agent_result
        if agent is not None:
            found.append((Whose.AGENT, 0, VerificationKind.IDENTITY, agent))
        return found

    def refresh_from_case(self) -> None:
        table = self.query_one("#lookups", DataTable)
        cursor = table.cursor_row
        table.clear()
        rows = self.rows()
        waiting = self.case.waiting_for_input() if self.case.editable else {}
        for who, position, kind, result in rows:
            source = result.source if result else ""
            when = result.checked_at.astimezone(CHINA_TZ).strftime("%H:%M:%S") if result else ""
            detail = (result.problem if result else "") or (str(result.data.get("summary", "")) if result else "")
            if result is None and who is Whose.APPLICANT and kind in waiting:
                detail = f"待录入{waiting[kind]}"
            table.add_row(
                member_label(who, position),
                VERIFICATION_LABELS[kind],
                self.state_of(kind, result, waiting if who is Whose.APPLICANT else None),
                source,
                when,
                detail
                or (f"待录入{waiting[kind]}" if result is None and kind in waiting and who is Whose.APPLICANT else ""),
                key=row_key(kind, who, position),
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        outcomes = self.case.outcomes()
        matched = sum(1 for o in outcomes.values() if o is VerificationOutcome.MATCH)
        pending = sum(1 for o in outcomes.values() if o is VerificationOutcome.PENDING)
        total = len(self.case.application.scenario.verifications())
        evaluation = self.case.evaluation()
        text = f"申请人已一致 {matched}/{total} 项；免提交材料 {len(evaluation.exempted)} 项。"
        others = [r for w, _, _, r in rows if w in (Whose.SPOUSE, Whose.CO_BORROWER)]
        if others:
            agreed = sum(1 for r in others if r is not None and r.outcome is VerificationOutcome.MATCH)
            text += f"\n配偶及共同借款人已一致 {agreed}/{len(others)} 项（征信须本人签署授权书，见第 2 步）。"
        if pending:
            text += f"\n离线：{pending} 项待核验，联网后自动补查；受理回执将注明核验待完成。"
        if self.case.notes:
            text += "\n" + "\n".join(self.case.notes[-3:])
        self.query_one("#verify-summary", Static).update(text)

    @on(DataTable.RowSelected, "#lookups")
    def _rerun_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key and self.case.editable:
            self.post_message(self.Rerun(kind_of(key)))

    def selected_kind(self) -> VerificationKind | None:
        table = self.query_one("#lookups", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return kind_of(key) if key else None
