"""Textual's own widget keys in the counter's Chinese: the footer, the help (F1) and the palette read these.

Textual declares English descriptions on its widgets (``DataTable`` "Cursor up", ``Select`` "Show menu", the
``SelectOverlay`` footer's "Dismiss menu"…) and merges each class's ``BINDINGS`` into ``_merged_bindings`` when the
class is created; every widget copies that map when it is built. ``use_chinese_key_texts()`` rewrites the
descriptions of the classes below and re-merges them and all their subclasses, once, before the first widget (the
App itself included) is made. ``BUILTIN_KEYS`` is the only copy of the translations.
"""

from __future__ import annotations

import re
from dataclasses import replace

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.containers import ScrollableContainer
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, OptionList, Select, TextArea, Tree
from textual.widgets._select import SelectOverlay
from textual.widgets._toggle_button import ToggleButton

# Per Textual class: its English description -> what the counter calls it. Only the widgets the counter uses;
# tests/test_chinese_ui.py fails when a screen brings in another Textual widget with an English key text.
BUILTIN_KEYS: dict[type[DOMNode], dict[str, str]] = {
    App: {"Quit": "退出"},
    Screen: {
        "Focus Next": "下一项",
        "Focus Previous": "上一项",
        "Copy selected text": "复制选中文字",
    },
    ScrollableContainer: {
        "Scroll Up": "向上滚动",
        "Scroll Down": "向下滚动",
        "Scroll Left": "向左滚动",
        "Scroll Right": "向右滚动",
        "Scroll Home": "滚到顶部",
        "Scroll End": "滚到底部",
        "Page Up": "向上翻页",
        "Page Down": "向下翻页",
        "Page Left": "向左翻页",
        "Page Right": "向右翻页",
    },
    DataTable: {
        "Select": "打开选中行",
        "Cursor up": "上一行",
        "Cursor down": "下一行",
        "Cursor left": "左一列",
        "Cursor right": "右一列",
        "Page up": "向上翻页",
        "Page down": "向下翻页",
        "Top": "第一行",
        "Bottom": "最后一行",
        "Home": "第一列",
        "End": "最后一列",
    },
    Input: {
        "Move cursor left": "光标左移",
        "Move cursor left and select": "向左选字",
        "Move cursor left a word": "光标左移一词",
        "Move cursor left a word and select": "向左选一词",
        "Move cursor right or accept the completion suggestion": "光标右移（或采用提示）",
        "Move cursor right and select": "向右选字",
        "Move cursor right a word": "光标右移一词",
        "Move cursor right a word and select": "向右选一词",
        "Delete character left": "删除前一字",
        "Select all": "全选",
        "Go to start": "到开头",
        "Go to end": "到末尾",
        "Select line start": "选到开头",
        "Select line end": "选到末尾",
        "Delete character right": "删除后一字",
        "Submit": "确认",
        "Delete left to start of word": "删除前一词",
        "Delete all to the left": "删除光标前全部",
        "Delete right to start of word": "删除后一词",
        "Delete all to the right": "删除光标后全部",
        "Cut selected text": "剪切",
        "Copy selected text": "复制",
        "Paste text from the clipboard": "粘贴",
    },
    TextArea: {
        "Cursor up": "光标上移",
        "Cursor down": "光标下移",
        "Cursor left": "光标左移",
        "Cursor right": "光标右移",
        "Cursor word left": "光标左移一词",
        "Cursor word right": "光标右移一词",
        "Cursor line start": "到行首",
        "Cursor line end": "到行尾",
        "Cursor page up": "向上翻页",
        "Cursor page down": "向下翻页",
        "Cursor left word select": "向左选一词",
        "Cursor right word select": "向右选一词",
        "Cursor line start select": "选到行首",
        "Cursor line end select": "选到行尾",
        "Cursor up select": "向上选择",
        "Cursor down select": "向下选择",
        "Cursor left select": "向左选字",
        "Cursor right select": "向右选字",
        "Select line": "选中本行",
        "Select all": "全选",
        "Delete character left": "删除前一字",
        "Delete left to start of word": "删除前一词",
        "Delete character right": "删除后一字",
        "Delete right to start of word": "删除后一词",
        "Cut": "剪切",
        "Copy": "复制",
        "Paste": "粘贴",
        "Delete to line start": "删除到行首",
        "Delete to line end": "删除到行尾",
        "Delete line": "删除本行",
        "Undo": "撤销",
        "Redo": "重做",
    },
    OptionList: {
        "Up": "上一项",
        "Down": "下一项",
        "First": "第一项",
        "Last": "最后一项",
        "Page Up": "向上翻页",
        "Page Down": "向下翻页",
        "Select": "选定",
    },
    # The help's Markdown brings in Tree (its table of contents), so a Tree can be listed too.
    Tree: {
        "Cursor Up": "上一项",
        "Cursor Down": "下一项",
        "Cursor to parent": "到上一级",
        "Cursor to next ancestor": "到上一级的下一项",
        "Cursor to previous sibling": "同级上一项",
        "Cursor to next sibling": "同级下一项",
        "Select": "选定",
        "Toggle": "展开/收起",
        "Expand or collapse all": "全部展开/收起",
    },
    Select: {"Show menu": "展开选项"},
    # A tuple in Textual's source ("escape", "dismiss", "Dismiss menu"): the footer shows it while a Select is open.
    SelectOverlay: {"Dismiss menu": "收起选项"},
    ToggleButton: {"Toggle": "勾选/取消"},
    Button: {"Press button": "按下按钮"},
    CommandPalette: {
        "Exit the command palette": "关闭命令面板",
        "Previous command": "上一条",
        "Next command": "下一条",
        "Previous page": "上一页",
        "Next page": "下一页",
        "Go to top": "第一条",
        "Go to bottom": "最后一条",
    },
}

_CJK = re.compile(r"[\u3400-\u9fff]")
_applied = False


def is_chinese(text: str) -> bool:
    """True when ``text`` has Chinese in it (a key text may name a key, such as "F9 受理", but never only English)."""
    return bool(_CJK.search(text))


def use_chinese_key_texts() -> None:
    """Rewrite Textual's key texts in Chinese; safe to call again (the app calls it as each App is made)."""
    global _applied
    if _applied:
        return
    for cls, texts in BUILTIN_KEYS.items():
        # Only the class's own list: a subclass that declares the same key keeps its own text.
        cls.BINDINGS = [_translated(item, texts) for item in cls.__dict__.get("BINDINGS", [])]
    for cls in BUILTIN_KEYS:
        _remerge(cls)
    _applied = True


def _translated(item: BindingType, texts: dict[str, str]) -> BindingType:
    # Tuples are how some Textual classes declare a binding: (key, action) or (key, action, description).
    binding = Binding(*item) if isinstance(item, tuple) else item
    chinese = texts.get(binding.description)
    return replace(binding, description=chinese) if chinese else item


def _remerge(cls: type[DOMNode]) -> None:
    # Textual merged BINDINGS into _merged_bindings when each class was created: every class below this one, the
    # counter's own widgets and screens included, holds a merge of the English texts until it is merged again.
    cls._merged_bindings = cls._merge_bindings()
    for subclass in cls.__subclasses__():
        _remerge(subclass)


def chinese_description(binding: Binding) -> str | None:
    """What the help lists for ``binding``: its Chinese text, or None for an English one (a Textual widget the
    table does not name yet), which the help leaves out rather than show English."""
    return binding.description if is_chinese(binding.description) else None
