"""Issue 14, found-item 6: ``counter print --doc`` prints only what the case's decision calls for, and a reprint
reason is stored without control characters.

The rule is ``counter_app.services.doc_rules``: the print dialog offers the same documents (screens/print_dialog.py
re-exports it) and ``DecisionCommands`` names them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_driver import T01, FrozenClock, open_counter, prepare_case, store_of

from counter_app.services import doc_rules
from counter_app.settings import Settings
from screens import print_dialog
from tests.cli_helpers import RAW_CONTROLS, run_counter


@pytest.fixture
def decided(tmp_path: Path) -> Iterator[Callable[[str], tuple[Path, str]]]:
    """A data directory with T01 decided (``accept`` or ``decline``) and a supervisor ``li``; its case number."""

    def make(decision: str) -> tuple[Path, str]:
        folder = tmp_path / decision
        case_id = asyncio.run(prepare_case(folder, T01, decide=decision))
        ws = open_counter(Settings(data_dir=folder), clock=FrozenClock())
        store_of(ws).operators.add("li", "李主任", "supervisor", "long-enough-1")
        number = store_of(ws).cases.case_number_of(case_id)
        store_of(ws).close()
        os.environ["COUNTER_DATA_DIR"] = str(folder)
        return folder, number

    yield make
    os.environ.pop("COUNTER_DATA_DIR", None)


def _print(number: str, doc: str, login: str = "demo", password: str = "demo1234", *more: str) -> tuple[int, str]:
    run = run_counter(["print", number, "--doc", doc, "--login", login, "--password-stdin", *more], f"{password}\n")
    assert run.clean, run
    return run.code, run.out + run.err


def test_the_print_dialog_and_the_cli_share_one_rule() -> None:
    assert print_dialog.documents_needed is doc_rules.documents_needed


def test_an_accepted_case_refuses_the_notice_and_prints_the_receipt(
    decided: Callable[[str], tuple[Path, str]],
) -> None:
    _, number = decided("accept")
    code, text = _print(number, "notice")
    assert code == 2 and "已受理，不需要一次性告知书" in text and "受理回执" in text
    code, text = _print(number, "receipt")
    assert code == 0 and "已打印受理回执" in text


def test_a_declined_case_refuses_the_receipt(decided: Callable[[str], tuple[Path, str]]) -> None:
    _, number = decided("decline")
    code, text = _print(number, "receipt")
    assert code == 2 and "不予受理，不需要受理回执" in text
    assert _print(number, "notice")[0] == 0


def test_a_reprint_reason_is_stored_stripped(decided: Callable[[str], tuple[Path, str]]) -> None:
    folder, number = decided("accept")
    assert _print(number, "receipt")[0] == 0
    hostile = "申请人\x1b[2J遗失\x07\u202e回执"
    code, text = _print(number, "receipt", "li", "long-enough-1", "--reason", hostile)
    assert code == 0, text
    ws = open_counter(Settings(data_dir=folder), clock=FrozenClock())
    try:
        store = store_of(ws)
        case_id = store.cases.by_number(number).summary.id
        reasons = [entry.reason for entry in store.prints.prints(case_id) if entry.reason]
    finally:
        store_of(ws).close()
    assert reasons and reasons[-1].startswith("申请人遗失回执")
    assert not any(c in reasons[-1] for c in RAW_CONTROLS)
