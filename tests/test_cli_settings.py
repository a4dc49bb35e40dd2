"""The `counter` tools honour the settings (COUNTER_POLICY, holiday_file) and `calc --limit`, through a subprocess.

An explicit option still wins over the settings; invalid settings, where a tool needs them, exit 2 with the
validation message and no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import run

LIMIT = ("calc", "--limit", "--as-of", "2026-09-30", "--age", "35", "--sex", "男", "--base", "10000")
LIMIT_FIGURES = (*LIMIT, "--balance", "50000", "--price", "1500000")


def run_json(*args: str, env: dict[str, str] | None = None) -> Any:
    out = run(*args, "--json", env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# -- the policy setting ---------------------------------------------------------------------------------------------


def test_materials_take_the_policy_from_the_settings() -> None:
    from_setting = run_json("materials", "--property", "new", "--loan", "fund", env={"COUNTER_POLICY": "fujian"})
    explicit = run_json("materials", "--property", "new", "--loan", "fund", "--policy", "fujian")
    qingdao = run_json("materials", "--property", "new", "--loan", "fund")
    assert from_setting["policy"] == "fujian"
    assert from_setting == explicit
    assert qingdao["policy"] == "qingdao"
    assert from_setting["materials"] != qingdao["materials"]


def test_an_explicit_policy_wins_over_the_setting() -> None:
    data = run_json(
        "materials", "--property", "new", "--loan", "fund", "--policy", "gansu", env={"COUNTER_POLICY": "fujian"}
    )
    assert data["policy"] == "gansu"


def test_a_settings_file_gives_the_policy(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('policy = "shanxi"\n', encoding="utf-8")
    data = run_json("deadline", "--accepted", "2026-09-30", env={"COUNTER_CONFIG": str(cfg)})
    assert data["working_days"] == 10  # Shanxi's promised time limit
    calc = run_json("calc", "--amount", "600000", "--months", "360", env={"COUNTER_CONFIG": str(cfg)})
    assert calc["rate_source"] == "policy:shanxi:first"


def test_calc_with_a_given_rate_needs_no_settings() -> None:
    data = run_json(
        "calc", "--amount", "600000", "--months", "360", "--rate", "2.6", env={"COUNTER_POLICY": "atlantis"}
    )
    assert data["monthly_payment"] == "2402.04"


@pytest.mark.parametrize(
    "args",
    [
        ("materials", "--property", "new", "--loan", "fund"),
        ("deadline", "--accepted", "2026-09-30"),
        ("calc", "--amount", "600000", "--months", "360"),
        LIMIT_FIGURES,
    ],
)
def test_invalid_settings_exit_2_with_the_message(args: tuple[str, ...]) -> None:
    out = run(*args, env={"COUNTER_POLICY": "atlantis"})
    assert out.returncode == 2
    assert "atlantis" in out.stderr and "设置无效" in out.stderr
    assert "Traceback" not in out.stderr


# -- the holiday file setting ---------------------------------------------------------------------------------------


def test_the_settings_holiday_file_moves_a_deadline(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('[years.2027]\nholidays = ["2027-03-02", "2027-03-03"]\n', encoding="utf-8")
    plain = run_json("deadline", "--accepted", "2027-03-01", "--days", "6")
    assert plain == {"accepted": "2027-03-01", "working_days": 6, "due": "2027-03-09", "estimate": True}
    moved = run_json("deadline", "--accepted", "2027-03-01", "--days", "6", env={"COUNTER_HOLIDAY_FILE": str(holidays)})
    assert moved["due"] == "2027-03-11"
    assert moved["estimate"] is False  # 2027 is now an official schedule


def test_an_explicit_holiday_file_wins(tmp_path: Path) -> None:
    setting = tmp_path / "setting.toml"
    setting.write_text('[years.2027]\nholidays = ["2027-03-02", "2027-03-03"]\n', encoding="utf-8")
    option = tmp_path / "option.toml"
    option.write_text('[years.2027]\nholidays = ["2027-03-02"]\n', encoding="utf-8")
    data = run_json(
        "deadline",
        "--accepted",
        "2027-03-01",
        "--days",
        "6",
        "--holiday-file",
        str(option),
        env={"COUNTER_HOLIDAY_FILE": str(setting)},
    )
    assert data["due"] == "2027-03-10"


def test_a_missing_holiday_file_in_the_settings_is_a_clear_error(tmp_path: Path) -> None:
    out = run("deadline", "--accepted", "2026-09-30", env={"COUNTER_HOLIDAY_FILE": str(tmp_path / "none.toml")})
    assert out.returncode == 2
    assert "节假日数据文件无法读取" in out.stderr and "Traceback" not in out.stderr


# -- calc --limit ---------------------------------------------------------------------------------------------------


def test_limit_json_names_every_bound_and_the_binding_one() -> None:
    data = run_json(*LIMIT_FIGURES)
    assert data["policy"] == "qingdao" and data["as_of"] == "2026-09-30"
    assert data["max_loan"] == "900000.00"
    assert data["max_loan_in_words"] == "人民币玖拾万元整"
    assert data["binding"] == "cap"
    assert [b["key"] for b in data["bounds"]] == ["cap", "balance", "capacity", "down_payment"]
    assert [b["binding"] for b in data["bounds"]] == [True, False, False, False]
    assert data["bounds"][1]["amount"] == "1000000.00"
    assert data["max_term_months"] == 360 and data["term_binding"] == "max_term"
    assert {b["key"] for b in data["term_bounds"]} == {"max_term", "age"}
    assert data["term_months"] == 360 and data["method"] == "annuity"
    assert data["monthly_payment"] == "3603.06"
    assert data["couple"] is False and data["eligible"] is True
    assert data["problems"] == [] and data["reasons"] == []
    assert data["notes"] == ["连续缴存月数未填，按已满 6 个月估算"]


def test_limit_couple_resale_under_the_setting_policy() -> None:
    args = (*LIMIT, "--balance", "20000", "--spouse-age", "40", "--spouse-base", "6000", "--spouse-balance", "10000")
    args = (*args, "--price", "1200000", "--property", "resale", "--house-age", "35", "--term", "300")
    data = run_json(*args, env={"COUNTER_POLICY": "shanxi"})
    assert data["policy"] == "shanxi" and data["couple"] is True
    assert data["term_binding"] == "house_age" and data["max_term_months"] == 180
    assert data["term_months"] == 180 and data["problems"]
    assert data["max_loan"] == "450000.00"  # Shanxi's assumed 15 × balance: 15 × (20,000 + 10,000)
    assert data["binding"] == "balance"


def test_limit_text_names_the_binding_bound() -> None:
    out = run(*LIMIT_FIGURES)
    assert out.returncode == 0, out.stderr
    assert "可贷额度 900,000.00 元" in out.stdout
    assert "▶ 贷款最高限额" in out.stdout
    assert "最长期限 360 个月" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calc", "--limit", "--sex", "男", "--base", "1", "--balance", "1", "--price", "1"), "须填写年龄或出生日期"),
        ((*LIMIT, "--balance", "50000"), "须填写购房总价"),
        ((*LIMIT, "--balance", "-5", "--price", "1500000"), "不能为负数"),
        ((*LIMIT_FIGURES, "--term", "999"), "贷款期限（月）须在 1 至 360 之间"),
        ((*LIMIT_FIGURES, "--rate", "2.6"), "不能与 --rate 同用"),
        ((*LIMIT_FIGURES, "--amount", "600000"), "不用 --amount"),
        (("calc", "--limit", "--birth-date", "1990-02-30"), "日期“1990-02-30”无效"),
        (("calc", "--amount", "600000"), "须填写 --amount"),
    ],
)
def test_limit_bad_input_exits_2_in_chinese(args: tuple[str, ...], message: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
