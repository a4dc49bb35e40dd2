"""Issue 14, found-item 7: logins cannot be probed, and a command without a password source burns no tries.

An unknown login, a wrong password and a locked account all get the same words; the lockout is still audited and
shown to supervisors (audit viewer, ``counter operators list``). ``counter print`` with neither a terminal nor
``--password-stdin`` fails at once (exit 2) without counting a failed login.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from app_driver import open_counter, store_of

from counter_app.services.case_types import LoginError
from counter_app.services.workstation import LOGIN_REFUSED, Workstation
from counter_app.settings import Settings
from local_cache import AuthenticationError
from local_cache.admin import list_operators
from tests.cli_helpers import run_counter


def _clock() -> datetime:
    return datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def _refusal(ws: Workstation, login: str, password: str) -> str:
    try:
        ws.login(login, password)
    except LoginError as exc:
        return str(exc)
    raise AssertionError(f"{login} logged in")


def test_unknown_wrong_and_locked_logins_read_the_same_and_the_lockout_reaches_supervisors(tmp_path: Path) -> None:
    ws = open_counter(Settings(data_dir=tmp_path), clock=_clock)
    store = store_of(ws)
    store.operators.add("li", "李主任", "supervisor", "long-enough-1")
    try:
        unknown = {_refusal(ws, "nobody", "wrong-pass-1") for _ in range(5)}
        wrong = {_refusal(ws, "demo", "wrong-pass-1") for _ in range(5)}  # the fifth locks the account
        locked = _refusal(ws, "demo", "demo1234")
        assert unknown == wrong == {locked} == {LOGIN_REFUSED}
        assert "还可尝试" not in LOGIN_REFUSED and "锁定至" not in LOGIN_REFUSED
        # The store's own message says nothing about tries left either (its callers may show it).
        assert "还可尝试" not in str(AuthenticationError(3))

        # Supervisors see it: the operators list and the audit viewer.
        demo_row = next(row for row in list_operators(store) if row.login == "demo")
        assert demo_row.state.startswith("已锁定至")
        supervisor = ws.login("li", "long-enough-1")
        view = ws.audit_log().view(supervisor, action="lockout")
        assert [(row.actor, row.action) for row in view.rows] == [("demo", "lockout")]
    finally:
        store.close()


def test_print_without_a_password_source_fails_at_once_and_never_locks(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ws = open_counter(Settings(data_dir=data), clock=_clock)  # creates the demo clerk
    store_of(ws).close()
    os.environ["COUNTER_DATA_DIR"] = str(data)
    try:
        for _ in range(5):  # stdin is not a terminal and --password-stdin is not given
            run = run_counter(["print", "QD01-20260930-0001", "--doc", "form", "--login", "demo"], stdin="")
            assert run.code == 2 and run.clean, run
            assert "--password-stdin" in run.err and "未尝试登录" in run.err
        # An empty line with --password-stdin is refused the same way, without a try.
        run = run_counter(["print", "QD01-20260930-0001", "--doc", "form", "--login", "demo", "--password-stdin"])
        assert run.code == 2 and "没有密码" in run.err
    finally:
        del os.environ["COUNTER_DATA_DIR"]
    # Once in a real process, stdin from /dev/null.
    env = {**os.environ, "COUNTER_DATA_DIR": str(data), "COUNTER_CONFIG": os.devnull}
    proc = subprocess.run(
        [sys.executable, "-m", "counter_app", "print", "QD01-20260930-0001", "--doc", "form", "--login", "demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--password-stdin" in proc.stderr

    ws = open_counter(Settings(data_dir=data), clock=_clock)
    try:
        assert ws.login("demo", "demo1234").login == "demo"  # not locked
        actions = [e.action for e in store_of(ws).audit.entries()]
        assert "login_failed" not in actions and "lockout" not in actions
    finally:
        store_of(ws).close()
