"""Step 2, the people (申请人、配偶、共同借款人、代办人): ID number first, facts derived at once."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Select

from forms.application import CO_BORROWER_RELATION_LABELS, CoBorrowerRelation
from forms.case.household import member_label
from forms.materials import Whose
from forms.scenario import Scenario
from forms.vocabulary import MaritalStatus, Presence, VerificationKind, VerificationOutcome
from screens.steps import Step
from screens.widgets import FormRow, SectionTitle, TickBox


def authorization_id(who: Whose, position: int = 0) -> str:
    """The checkbox of one person's own credit authorization: ``credit-auth-spouse``, ``credit-auth-co-0``."""
    return "credit-auth-spouse" if who is Whose.SPOUSE else f"credit-auth-co-{position}"


def person_of(checkbox_id: str) -> tuple[Whose, int]:
    if checkbox_id == "credit-auth-spouse":
        return Whose.SPOUSE, 0
    return Whose.CO_BORROWER, int(checkbox_id.removeprefix("credit-auth-co-"))


def person_rows(prefix: str) -> list[FormRow]:
    return [
        FormRow(f"{prefix}.id_number", "身份证号码", placeholder="18 位，末位可为 X"),
        FormRow(f"{prefix}.name", "姓名"),
        FormRow(f"{prefix}.phone", "手机号码", placeholder="11 位手机号"),
    ]


class PeopleStep(Step):
    """Applicant, spouse (when married), co-borrowers and the agent (when by agent), and the credit authorization."""

    TITLE = "申请人"
    DEFAULT_CSS = """
    PeopleStep Checkbox {
        margin: 1 0 0 17;
        border: none;
    }
    PeopleStep Select {
        width: 36;
        margin-left: 17;
    }
    """

    def shape(self, scenario: Scenario) -> tuple[object, ...]:
        return (scenario.marital_status, scenario.presence, scenario.co_borrower_count)

    def compose(self) -> ComposeResult:
        scenario = self.case.application.scenario
        yield SectionTitle("申请人（主借款人）")
        yield from person_rows("applicant")
        if scenario.marital_status is MaritalStatus.MARRIED:
            yield SectionTitle("配偶")
            yield from person_rows("spouse")
        for index in range(scenario.co_borrower_count):
            yield SectionTitle(f"共同借款人{index + 1}")
            options = [(label, rel.value) for rel, label in CO_BORROWER_RELATION_LABELS.items()]
            co = self.case.application.co_borrowers
            relation = co[index].relation if index < len(co) else None
            value = relation.value if relation is not None else Select.NULL
            yield Select(options, value=value, prompt="与申请人关系", id=f"rel-{index}")
            yield from person_rows(f"co_borrowers.{index}")
        if scenario.presence is Presence.AGENT:
            yield SectionTitle("代办人（帮办代办员）")
            yield from person_rows("agent")
            yield FormRow("agent.relation", "与申请人关系", placeholder="如：亲属、单位同事、帮办代办员")
            agent = self.case.application.agent
            yield Checkbox(
                "已收取授权委托书（核心要件）",
                value=bool(agent and agent.power_of_attorney),
                id="poa",
            )
        yield SectionTitle("征信查询授权")
        # Typed or scanned off the signed authorization: Enter records it (the tick below follows).
        yield FormRow("credit_authorization.reference", "授权书编号", placeholder="扫描或录入授权书上的编号")
        auth = self.case.application.credit_authorization
        yield TickBox(
            "申请人已签署《个人征信查询授权书》（未签署不能查询征信）",
            value=bool(auth and auth.recorded),
            id="credit-auth",
        )
        # The spouse and each co-borrower sign their own: without it their credit lookup is refused.
        others = [(Whose.SPOUSE, 0)] if scenario.marital_status is MaritalStatus.MARRIED else []
        others += [(Whose.CO_BORROWER, index) for index in range(scenario.co_borrower_count)]
        for who, position in others:
            yield TickBox(
                f"{member_label(who, position)}已签署本人征信查询授权书",
                value=self.case.file.authorization(who, position) is not None,
                id=authorization_id(who, position),
                classes="member-auth",
            )

    def refresh_from_case(self) -> None:
        # An authorization number typed and taken records the signed authorization: the tick follows the case.
        auth = self.case.application.credit_authorization
        box = self.query_one("#credit-auth", Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = bool(auth and auth.recorded)

    def relation_for(self, index: int) -> CoBorrowerRelation | None:
        value = self.query_one(f"#rel-{index}", Select).value
        return CoBorrowerRelation(str(value)) if value is not Select.NULL else None

    @on(Select.Changed)
    def _relation(self, event: Select.Changed) -> None:
        event.stop()
        select_id = event.select.id or ""
        if select_id.startswith("rel-") and event.value is not Select.NULL:
            self.apply(f"co_borrowers.{int(select_id.removeprefix('rel-'))}.relation", str(event.value))

    @on(Checkbox.Changed, "#poa")
    def _poa(self, event: Checkbox.Changed) -> None:
        self.apply("agent.power_of_attorney", event.value)

    @on(Checkbox.Changed, "#credit-auth")
    def _credit(self, event: Checkbox.Changed) -> None:
        if not self.case.editable:
            return
        if event.value:
            self.case.record_authorization()
            self.notify("已记录征信查询授权，可查询征信")
        else:
            self.apply("credit_authorization.recorded", False)

    @on(Checkbox.Changed, ".member-auth")
    def _member_credit(self, event: Checkbox.Changed) -> None:
        event.stop()
        who, position = person_of(event.checkbox.id or "")
        label = member_label(who, position)
        recorded = self.case.file.authorization(who, position) is not None
        if event.value == recorded:
            return
        if not self.case.editable or not event.value:
            # A decided case changes no more; a signed authorization stays on file (the service has no withdrawal).
            with event.checkbox.prevent(Checkbox.Changed):
                event.checkbox.value = recorded
            if self.case.editable:
                self.notify(f"{label}的征信查询授权书已登记，不能撤回", severity="warning")
            return
        self.case.record_authorization(person=who, position=position)
        self.notify(f"已记录{label}的征信查询授权，可查询其征信")
        credit = self.case.file.lookup(VerificationKind.CREDIT, who, position)
        if credit is not None and credit.outcome is VerificationOutcome.REFUSED:
            # Refused for want of this very authorization: ask again now (the screen runs it for everyone).
            from screens.steps.verify import VerifyStep

            self.post_message(VerifyStep.Rerun(VerificationKind.CREDIT))
