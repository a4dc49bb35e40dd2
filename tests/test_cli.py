"""The `counter` command through a subprocess: exit codes, JSON keys, DOMAIN.md check values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def run_json(*args: str) -> Any:
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_help_lists_the_tools() -> None:
    out = run("--help")
    assert out.returncode == 0
    for name in ("calc", "materials", "deadline", "config"):
        assert name in out.stdout


def test_deadline_national_day() -> None:
    data = run_json("deadline", "--accepted", "2026-09-30", "--policy", "qingdao")
    assert data["due"] == "2026-10-14"
    assert data["estimate"] is False
    assert data["working_days"] == 6


def test_deadline_2027_is_an_estimate_not_an_error() -> None:
    data = run_json("deadline", "--accepted", "2027-03-01", "--days", "6")
    assert data["estimate"] is True
    assert data["due"] == "2027-03-09"


def test_deadline_across_the_year_end() -> None:
    data = run_json("deadline", "--accepted", "2026-12-30", "--days", "6")
    assert data["estimate"] is True
    assert data["due"].startswith("2027-01-")


@pytest.mark.parametrize(
    "args",
    [
        ("deadline", "--accepted", "2026-13-01"),
        ("deadline", "--accepted", "2026-09-30", "--days", "-3"),
        ("deadline", "--accepted", "2026-09-30", "--policy", "atlantis"),
        ("deadline",),
        ("nonsense",),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: tuple[str, ...]) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.strip()
    assert "Traceback" not in out.stderr


def test_config_show_masks_the_secret(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('workstation_id = "SC07"\napp_secret = "top-secret-value"\n', encoding="utf-8")
    out = run("config", "show", env={"COUNTER_CONFIG": str(cfg), "COUNTER_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["workstation_id"] == "SC07"
    assert data["app_secret"] == "********"
    assert "top-secret-value" not in out.stdout
    assert data["database_file"] == str(tmp_path / "counter.db")


def test_config_env_beats_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('workstation_id = "SC07"\n', encoding="utf-8")
    out = run("config", "show", env={"COUNTER_CONFIG": str(cfg), "COUNTER_WORKSTATION_ID": "GS02"})
    assert json.loads(out.stdout)["workstation_id"] == "GS02"


def test_config_bad_value_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('policy = "atlantis"\n', encoding="utf-8")
    out = run("config", "show", env={"COUNTER_CONFIG": str(cfg)})
    assert out.returncode == 2
    assert "atlantis" in out.stderr
    assert "Traceback" not in out.stderr
