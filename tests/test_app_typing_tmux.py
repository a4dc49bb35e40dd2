"""A missed Enter cannot merge two fields: the real ``counter`` in tmux, keys at 30 ms (issue 13).

The clerk types an ID number with one digit too many (19 keys), then Enter, the name, Enter, and a mobile number
with a digit too many, all without a pause: not after ``n`` (the case screen is still opening), not after PageDown
(the step is still changing). The ID field holds exactly 18 characters (the 19th key is refused as it is typed),
the phone 11, and each value is in its own field, on screen and in the case once it is saved.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from tmux_helpers import COUNTER, TMUX, keys, open_new_case_at_people, start, tmux, type_text, wait_for

ID18 = "370202198803159132"  # T01's applicant (docs/sandbox.md)
NAME = "王建国"
PHONE = "13800000001"


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.skipif(not COUNTER.exists(), reason="the counter command is not installed in this environment")
def test_an_id_takes_18_characters_at_typing_speed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session = start(data, "typing")
    try:
        deadline = time.monotonic() + 40
        open_new_case_at_people(session, deadline)
        type_text(session, ID18 + "7")  # a 19th digit: refused as it is typed
        keys(session, "Enter")
        type_text(session, NAME)
        keys(session, "Enter")
        type_text(session, PHONE + "9")
        screen = wait_for(session, "1988-03-15", deadline)  # the ID's facts: it is exactly the 18 typed
        time.sleep(0.5)
        screen = tmux("capture-pane", "-p", "-t", session)
        assert ID18 + "7" not in screen and PHONE + "9" not in screen, screen
        id_line = next(line for line in screen.splitlines() if "身份证号码" in line)
        assert f" {ID18} " in id_line and NAME not in id_line, id_line
        keys(session, "Enter")
        time.sleep(0.5)
        keys(session, "Escape")
        wait_for(session, "今日案件", time.monotonic() + 10)
        keys(session, "C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode:
                break
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
    from local_cache import Store

    with Store.open(data / "counter.db", data / "counter.key", workstation_id="QD01", create_key=False) as store:
        [draft] = store.cases.list_drafts()
        payload = store.cases.get(draft.id).payload
    applicant = payload["application"]["applicant"]
    assert (applicant["id_number"], applicant["name"], applicant["phone"]) == (ID18, NAME, PHONE)
    assert not payload["drafts"]
