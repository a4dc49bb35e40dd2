"""Nothing typed is ever readable in the database files: the real ``counter`` in tmux, keys at 30 ms.

A clerk types a name, an ID number with a wrong check digit and a bank card number, none of them confirmed with
Enter (the ID is refused when focus leaves it, the card is still being typed). The database, its ``-wal`` and its
``-shm`` are then scanned byte for byte: once after a clean quit (Ctrl+Q), once after a SIGKILL of the running
program. Half-typed text is saved with the case, encrypted, on every keystroke; the clear screen state holds only
the step and the focused widget.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from tmux_helpers import COUNTER, TMUX, keys, open_new_case_at_people, start, tmux, type_text, wait_for

NAME = "欧阳测扫"  # fictitious, and rare enough that a match could only come from this test
BAD_ID = "370202198803159133"  # T01's applicant with the check digit changed (valid is ...9132)
CARD = "6222020200112345679"


def _type_a_case(session: str) -> None:
    deadline = time.monotonic() + 40
    open_new_case_at_people(session, deadline)
    type_text(session, BAD_ID)  # focus starts on the applicant's ID number
    keys(session, "Tab")  # refused when focus leaves: it stays half-typed
    wait_for(session, "校验位", deadline)
    type_text(session, NAME)
    # No pause anywhere: Tab and PageDown act the moment they are read, so the card lands in its own field.
    keys(session, "Tab", "PageDown", "PageDown")
    # From the first field of step 4 (the contract number) to the repayment card: twelve fields on.
    keys(session, *["Tab"] * 12)
    type_text(session, CARD)
    time.sleep(0.5)  # the last keystroke's autosave


def _scan(data: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for suffix in ("", "-wal", "-shm"):
        part = data / f"counter.db{suffix}"
        if not part.exists():
            continue
        raw = part.read_bytes()
        hits = [text for text in (NAME, BAD_ID, CARD, CARD[-8:], BAD_ID[6:14]) if text.encode("utf-8") in raw]
        if hits:
            found[part.name] = hits
    return found


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.skipif(not COUNTER.exists(), reason="the counter command is not installed in this environment")
@pytest.mark.parametrize("ending", ["quit", "sigkill"])
def test_typed_personal_data_is_never_in_the_database_files(tmp_path: Path, ending: str) -> None:
    data = tmp_path / "data"
    session = start(data, "bytes")
    try:
        _type_a_case(session)
        screen = tmux("capture-pane", "-p", "-t", session)
        assert CARD in screen, f"the card number was not typed where expected:\n{screen}"
        if ending == "quit":
            keys(session, "Escape")
            wait_for(session, "今日案件", time.monotonic() + 10)
            keys(session, "C-q")
            deadline = time.monotonic() + 10
            while tmux("has-session", "-t", session) == "" and time.monotonic() < deadline:
                if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode:
                    break
                time.sleep(0.1)
        else:
            pid = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.3)
            assert (data / "counter.db-wal").exists(), "a killed counter leaves its WAL behind"
        assert _scan(data) == {}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
    # And the case did keep every keystroke: the half-typed values come back encrypted with the case.
    from local_cache import Store

    with Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", create_key=False) as store:
        [draft] = store.cases.list_drafts()
        payload = store.cases.get(draft.id).payload
    assert payload["drafts"].get("applicant.id_number") == BAD_ID
    assert payload["drafts"].get("repayment_account.card_number") == CARD
    assert payload["application"]["applicant"]["name"] == NAME
