"""Step 1, the scenario (办理情形): it decides the linked items and the material list."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, Select, Static

from forms.scenario import Scenario
from forms.vocabulary import LINKED_ITEM_LABELS, LoanKind, MaritalStatus, Presence, PropertyKind
from screens.steps import Step
from screens.widgets import ChoiceSelect

CHOICES: dict[str, list[tuple[str, str]]] = {
    "property_kind": [
        ("新建商品房（期房/现房）", PropertyKind.NEW.value),
        ("再交易住房（二手房）", PropertyKind.RESALE.value),
    ],
    "loan_kind": [("纯公积金贷款", LoanKind.FUND.value), ("组合贷款（公积金+商业）", LoanKind.COMBINED.value)],
    "presence": [("申请人本人办理", Presence.SELF.value), ("帮办代办", Presence.AGENT.value)],
    "marital_status": [
        ("未婚", MaritalStatus.UNMARRIED.value),
        ("已婚", MaritalStatus.MARRIED.value),
        ("离异", MaritalStatus.DIVORCED.value),
        ("丧偶", MaritalStatus.WIDOWED.value),
    ],
    "co_borrower_count": [("无", "0"), ("1 人", "1"), ("2 人", "2"), ("3 人", "3")],
}
LABELS = {
    "property_kind": "房屋类型",
    "loan_kind": "贷款类型",
    "presence": "办理方式",
    "marital_status": "婚姻状况",
    "co_borrower_count": "共同借款人",
}


class ScenarioStep(Step):
    """Five choices, each a Select reachable with Tab (Right and Left change it in one key); the linked items update
    at once."""

    class Changed(Message):
        """The scenario changed: the screen reshapes the steps that depend on it."""

    TITLE = "办理情形"
    DEFAULT_CSS = """
    ScenarioStep .choice {
        height: 3;
    }
    ScenarioStep .choice > Label {
        width: 16;
        padding: 1 1 0 0;
        text-align: right;
    }
    ScenarioStep .choice > Select {
        width: 40;
    }
    ScenarioStep #linked {
        margin-top: 1;
        padding: 0 2;
    }
    """

    def compose(self) -> ComposeResult:
        scenario = self.case.application.scenario
        current = scenario.model_dump(mode="json")
        for name, options in CHOICES.items():
            with Horizontal(classes="choice"):
                yield Label(LABELS[name])
                yield ChoiceSelect(options, value=str(current[name]), allow_blank=False, id=f"sc-{name}")
        yield Static("", id="linked")

    def on_mount(self) -> None:
        self.refresh_from_case()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        if not self.case.editable or event.value is Select.NULL:
            return
        scenario = self.chosen()
        if scenario == self.case.application.scenario:
            return
        self.case.set_scenario(scenario)
        self.refresh_from_case()
        self.post_message(self.Changed())

    def chosen(self) -> Scenario:
        values = {name: self.query_one(f"#sc-{name}", Select).value for name in CHOICES}
        values["co_borrower_count"] = int(str(values["co_borrower_count"]))
        return Scenario.model_validate(values)

    def refresh_from_case(self) -> None:
        items = "；".join(LINKED_ITEM_LABELS[i] for i in self.case.application.scenario.linked_items())
        guide = self.case.policy.materials
        from forms.materials import guide as material_guide

        g = material_guide(guide, self.case.application.scenario)
        self.query_one("#linked", Static).update(
            f"联办事项：{items}\n材料：核验一致时需提交 {len(g.to_hand_in)} 项，数据共享免提交 {len(g.exempted)} 项"
        )
