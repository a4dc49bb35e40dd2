"""Every sandbox test case through intake (``counter trial``): the verdict, the flags and the decision the roster
expects (docs/sandbox.md lists them for trainers)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import FrozenClock, make_settings, make_workstation

from counter_app.commands.trial import trial_case
from counter_app.services.sandbox.roster import load_roster
from counter_app.services.trial import run_trial
from counter_app.services.workstation import Workstation

ROSTER = load_roster()


@pytest.fixture(scope="module")
def workstation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workstation]:
    ws = make_workstation(make_settings(tmp_path_factory.mktemp("trial") / "data"), FrozenClock())
    yield ws
    asyncio.run(ws.aclose())


@pytest.mark.parametrize("code", [h.code for h in ROSTER.households])
def test_every_test_case_gets_the_verdict_and_flags_it_should(workstation: Workstation, code: str) -> None:
    household = ROSTER.household(code)
    assert household.expected_verdict is not None, f"{code}: the roster must say what the counter should judge"
    clerk = workstation.login("demo", "demo1234")
    report = asyncio.run(run_trial(workstation, clerk, trial_case(household), accept=True))
    assert report.verdict == household.expected_verdict, report.verdict_reasons
    assert sorted(f["code"] for f in report.flags) == sorted(household.expected_flags)
    assert report.decision == household.expected_decision, report.blocking
    # A refusing flag always refuses the case; a case is accepted only when nothing refuses.
    if any(f["severity"] == "refuse" for f in report.flags):
        assert report.verdict == "refuse" and report.decision == "不予受理"


def test_the_household_is_looked_up_person_by_person(workstation: Workstation) -> None:
    clerk = workstation.login("demo", "demo1234")
    report = asyncio.run(run_trial(workstation, clerk, trial_case(ROSTER.household("T01"))))
    spouse = {(x["kind"], x["outcome"]) for x in report.lookups if x["person"] == "配偶"}
    assert spouse == {
        ("身份信息（公安）", "一致"),
        ("公积金账户", "一致"),
        ("贷款次数", "一致"),
        ("个人征信（人民银行）", "一致"),
    }
    # The spouse's ID card is exempt by the spouse's own identity lookup.
    assert next(m for m in report.materials if m["code"] == "spouse_id")["status"] == "免提交（核验一致）"


def test_counter_trial_command_prints_json_and_documents(tmp_path: Path) -> None:
    env = {**os.environ, "COUNTER_DATA_DIR": str(tmp_path / "data"), "COUNTER_CONFIG": os.devnull}
    done = subprocess.run(
        [sys.executable, "-m", "counter_app", "trial", "T11", "T12", "--json", "--accept", "--print"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    t11, t12 = json.loads(done.stdout)
    assert t11["verdict"] == "refuse" and t11["decision"] == "不予受理"
    assert {f["code"] for f in t11["flags"]} == {"loans_outstanding", "too_many_loans"}
    assert any("notice" in name for name in t11["printed"])
    assert t12["verdict"] == "manual" and t12["decision"] == "受理"
    assert any("receipt" in name for name in t12["printed"])
    spool = tmp_path / "data" / "spool"
    assert {p.name for p in spool.glob("*.pdf")} >= set(t11["printed"] + t12["printed"])
    # A trial never touches the counter's own cases.
    assert not (tmp_path / "data" / "counter.db").exists()


def test_counter_trial_refuses_unknown_codes(tmp_path: Path) -> None:
    env = {**os.environ, "COUNTER_DATA_DIR": str(tmp_path), "COUNTER_CONFIG": os.devnull}
    done = subprocess.run(
        [sys.executable, "-m", "counter_app", "trial", "T99"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2 and "T99" in done.stderr and "Traceback" not in done.stderr
