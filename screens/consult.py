"""Consult mode (材料咨询): pick a scenario, see and print its material list without creating a case."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Label, Select, Static

from counter_app.services.intake import OperatorRef
from counter_app.services.workstation import Workstation
from forms.scenario import Scenario
from forms.vocabulary import LINKED_ITEM_LABELS, VERIFICATION_LABELS, MaterialClass
from screens.steps.scenario import CHOICES, LABELS
from screens.widgets import CounterFooter


class ConsultScreen(Screen[None]):
    """For walk-in questions: what to bring for each scenario."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#cs-property_kind"
    BINDINGS = [
        Binding("f12", "print_guide", "打印材料清单"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, workstation: Workstation, operator: OperatorRef) -> None:
        super().__init__()
        self.workstation = workstation
        self.operator = operator

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="consult-body"):
            with VerticalScroll(id="consult-choices"):
                defaults = Scenario().model_dump(mode="json")
                for name, options in CHOICES.items():
                    yield Label(LABELS[name])
                    yield Select(options, value=str(defaults[name]), allow_blank=False, id=f"cs-{name}")
            with VerticalScroll(id="consult-list"):
                yield Static("", id="consult-text")
        yield CounterFooter()

    def on_mount(self) -> None:
        self._update()

    def scenario(self) -> Scenario:
        values = {name: self.query_one(f"#cs-{name}", Select).value for name in CHOICES}
        values["co_borrower_count"] = int(str(values["co_borrower_count"]))
        return Scenario.model_validate(values)

    @on(Select.Changed)
    def _update(self) -> None:
        scenario = self.scenario()
        guide = self.workstation.material_guide(scenario)
        policy = self.workstation.policy
        lines = [
            f"[b]{escape(policy.meta.name)} 公积金贷款购房“一件事” 材料清单[/b]",
            "联办事项：" + "；".join(LINKED_ITEM_LABELS[i] for i in scenario.linked_items()),
            "",
            f"[b]需提交材料（{len(guide.to_hand_in)} 项）[/b]",
        ]
        for n, material in enumerate(guide.to_hand_in, 1):
            klass = "核心" if material.material_class is MaterialClass.CORE else "非核心"
            waiver = f"，可容缺：{material.shortfall.due_label()}" if material.shortfall.waivable else ""
            lines.append(f"{n:>2}. {escape(material.name)}（{klass}{waiver}）")
        lines += ["", f"[b]数据共享免提交（{len(guide.exempted)} 项）[/b]"]
        for n, item in enumerate(guide.exempted, 1):
            lines.append(f"{n:>2}. {escape(item.material.name)} —— 由{VERIFICATION_LABELS[item.kind]}核验代替")
        lines += ["", f"承诺办结时限：{policy.promised_working_days.value} 个工作日"]
        self.query_one("#consult-text", Static).update("\n".join(lines))

    def action_print_guide(self) -> None:
        try:
            record = self.workstation.print_guide(self.scenario(), self.operator)
        except (ValueError, OSError) as exc:
            self.notify(f"打印失败：{escape(str(exc))}", severity="error")
            return
        self.notify(f"已打印材料清单 → {record.path.name}")
        for warning in record.warnings:
            self.notify(escape(warning), severity="warning")

    def action_back(self) -> None:
        self.dismiss(None)
