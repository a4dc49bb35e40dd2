"""Help (F1): the keys of the screen underneath and the flow of a case, in Chinese."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from screens.builtin_keys import chinese_description

FLOW = """\
## 办理流程（一件事）

1. **办理情形**：新房或二手房、纯公积金或组合贷款、本人或代办、婚姻状况、共同借款人人数。
   情形决定联办事项和材料清单。
2. **申请人**：先录身份证号码，出生日期、性别、年龄自动显示；校验位错误会立即提示。再录姓名、手机。
   签署征信查询授权后才能查询征信。
3. **核验**：所需核验同时发起，每项实时显示状态；一致的结果自动回填表单，并使对应材料免提交。
   断网时核验为“待核验”，联网后自动补查。
4. **房屋与贷款**：合同信息由网签备案回填；可贷额度、最长期限和月供随输入实时计算，超限不能受理。
5. **材料清单**：核心要件必须收取或核验免提交；非核心材料可容缺受理，约定补交期限并签署承诺书。
6. **审核与决定**：受理（生成承诺办结日期）或不予受理（打印一次性告知书）。
7. **打印**：受理回执、申请表（一表）、承诺书、授权书，按决定需要打印。

每一步自动保存：断电、崩溃或锁屏都不会丢失已录入的内容。
"""


class HelpScreen(ModalScreen[None]):
    """Keys and flow; Esc or F1 closes it."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [Binding("escape,f1", "close", "关闭帮助")]
    AUTO_FOCUS = "#help-body"

    def __init__(self, underneath: Screen[object]) -> None:
        super().__init__()
        self.underneath = underneath

    def _keys(self) -> str:
        lines = ["## 本页快捷键", "", "| 按键 | 功能 |", "|---|---|"]
        seen: set[str] = set()
        for key, active in self.underneath.active_bindings.items():
            binding = active.binding
            # Textual's own widget keys read Chinese (screens/builtin_keys.py); one it has not translated is left
            # out rather than shown in English.
            description = chinese_description(binding) if binding.description else None
            if description is None or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = self.app.get_key_display(binding)
            lines.append(f"| {shown or key} | {description} |")
        lines += ["", "Ctrl+P 打开命令面板，可按名称查找以上所有操作。", ""]
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(self._keys() + "\n" + FLOW)

    def action_close(self) -> None:
        self.dismiss(None)
