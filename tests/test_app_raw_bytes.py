"""Nothing typed is ever readable in the database files: the real ``counter`` in tmux, keys at 30 ms.

A clerk types a name, an ID number with a wrong check digit and a bank card number, none of them confirmed with
Enter (the ID is refused when focus leaves it, the card is still being typed). The database, its ``-wal`` and its
``-shm`` are then scanned byte for byte: once after a clean quit (Ctrl+Q), once after a SIGKILL of the running
program. Half-typed text is saved with the case, encrypted, on every keystroke; the clear screen state holds only
the step and the focused widget.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
COUNTER = Path(sys.executable).with_name("counter")
KEY_DELAY = 0.03
NAME = "欧阳测扫"  # fictitious, and rare enough that a match could only come from this test
BAD_ID = "370202198803159133"  # T01's applicant with the check digit changed (valid is ...9132)
CARD = "6222020200112345679"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def _wait_for(session: str, text: str, deadline: float) -> str:
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"“{text}” did not appear; the pane shows:\n{screen}")


def _keys(session: str, *keys: str) -> None:
    """Named keys (Tab, Enter, PageDown) one at a time, as a practised clerk types them."""
    for key in keys:
        _tmux("send-keys", "-t", session, key)
        time.sleep(KEY_DELAY)


def _type(session: str, text: str) -> None:
    for char in text:
        _tmux("send-keys", "-t", session, "-l", char)
        time.sleep(KEY_DELAY)


def _start(data: Path) -> str:
    session = f"counter-bytes-{uuid.uuid4().hex[:8]}"
    pinned = [f"COUNTER_DATA_DIR={data}", f"COUNTER_CONFIG={os.devnull}", "TERM=xterm-256color", "LANG=C.UTF-8"]
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36"]
        + [arg for item in pinned for arg in ("-e", item)]
        + [str(COUNTER)],
        env={**os.environ, "COUNTER_DATA_DIR": str(data), "COUNTER_CONFIG": os.devnull},
        check=True,
    )
    return session


def _type_a_case(session: str) -> None:
    deadline = time.monotonic() + 40
    _wait_for(session, "操作员登录", deadline)
    _type(session, "demo")
    _keys(session, "Enter")
    _type(session, "demo1234")
    _keys(session, "Enter")
    _wait_for(session, "今日案件", deadline)
    _keys(session, "n")
    _wait_for(session, "1 办理情形", deadline)
    _keys(session, "PageDown")
    _wait_for(session, "身份证号码", deadline)
    time.sleep(0.5)  # keys typed during a step change can still be lost (issue 13); here only the bytes matter
    _type(session, BAD_ID)  # focus starts on the applicant's ID number
    _keys(session, "Tab")  # refused when focus leaves: it stays half-typed
    _wait_for(session, "校验位", deadline)
    _type(session, NAME)
    _keys(session, "Tab", "PageDown", "PageDown")
    _wait_for(session, "银行卡号", deadline)
    time.sleep(0.5)
    # From the first field of step 4 (the contract number) to the repayment card: twelve fields on.
    _keys(session, *["Tab"] * 12)
    # Keys typed at once after a run of Tabs can still land a field early (issue 13 is about that); here we
    # only need the card number in its own field.
    time.sleep(0.5)
    _type(session, CARD)
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
    session = _start(data)
    try:
        _type_a_case(session)
        screen = _tmux("capture-pane", "-p", "-t", session)
        assert CARD in screen, f"the card number was not typed where expected:\n{screen}"
        if ending == "quit":
            _keys(session, "Escape")
            _wait_for(session, "今日案件", time.monotonic() + 10)
            _keys(session, "C-q")
            deadline = time.monotonic() + 10
            while _tmux("has-session", "-t", session) == "" and time.monotonic() < deadline:
                if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode:
                    break
                time.sleep(0.1)
        else:
            pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
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
