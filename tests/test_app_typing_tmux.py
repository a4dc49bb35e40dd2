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
from tmux_helpers import COUNTER, TMUX, keys, log_in, open_new_case_at_people, start, tmux, type_text, wait_for

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
        wait_for(session, "1988-03-15", deadline)  # the ID's facts: it is exactly the 18 typed
        # All keys are sent; a loaded machine may still be working through them: wait for the last value.
        wait_for(session, PHONE, deadline)
        time.sleep(0.5)  # the refused 12th digit would come after it
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


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.skipif(not COUNTER.exists(), reason="the counter command is not installed in this environment")
def test_choices_then_pagedown_then_people_at_typing_speed(tmp_path: Path) -> None:
    """Two scenario choices (each reshapes the later steps), PageDown and the applicant, all 30 ms apart: the
    choices hold, and every value lands in its own field of the reshaped people step."""
    data = tmp_path / "data"
    session = start(data, "choices")
    try:
        deadline = time.monotonic() + 40
        log_in(session, deadline)
        wait_for(session, "今日案件", deadline)
        keys(session, "n", "Tab", "Enter", "Down", "Enter", "Tab", "Enter", "Down", "Enter", "PageDown")
        type_text(session, ID18)
        keys(session, "Enter")
        type_text(session, NAME)
        keys(session, "Enter")
        type_text(session, PHONE)
        wait_for(session, "代办人（帮办代办员）", deadline)  # the agent's rows: the second choice reshaped the step
        # All keys are sent; a loaded machine may still be working through them: wait for the last value.
        wait_for(session, PHONE, deadline)
        screen = wait_for(session, "1988-03-15", deadline)
        lines = screen.splitlines()
        assert any(f" {ID18} " in line for line in lines if "身份证号码" in line), screen
        assert any(NAME in line for line in lines if "姓名" in line), screen
        assert any(PHONE in line for line in lines if "手机号码" in line), screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.skipif(not COUNTER.exists(), reason="the counter command is not installed in this environment")
def test_a_scanned_case_number_at_home_loses_no_key(tmp_path: Path) -> None:
    """A keyboard-wedge scanner types a receipt's QR code (a case number) and Enter at 30 ms, with nothing pressed
    before it: the whole number is searched (here and on the platform), and the answer names it whole."""
    data = tmp_path / "data"
    session = start(data, "scan")
    try:
        deadline = time.monotonic() + 40
        log_in(session, deadline)
        wait_for(session, "今日案件", deadline)
        type_text(session, "QD01-20991231-0042")
        keys(session, "Enter")
        wait_for(session, "未找到“QD01-20991231-0042”", deadline)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
