"""The log file: personal data masked, configured once, `counter --log-level`, a line per sync round."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

from counter_app.logs import LOG_LEVELS, configure_logging, log_file, mask_personal_data, unconfigure_logging
from counter_app.services.sandbox import EMBEDDED_BASE_URL, make_transport
from counter_app.services.sync import SyncEngine
from counter_app.settings import Settings
from forms.identifiers import make_id_number
from forms.vocabulary import CaseStatus
from local_cache import Store

ID_NUMBER = make_id_number("370202", dt.date(1990, 1, 1), 123)  # a valid check character
ID_WITH_X = "11010519491231002X"
MOBILE = "13812345678"
CARD = "6222021234567890123"


@pytest.fixture(autouse=True)
def clean_root_logger() -> Iterator[None]:
    """Each test starts and ends without the counter's handler, at the level it found."""
    root = logging.getLogger()
    level = root.level
    unconfigure_logging()
    yield
    unconfigure_logging()
    root.setLevel(level)


def logged(data_dir: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return log_file(data_dir).read_text(encoding="utf-8")


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if type(h).__name__ == "_CounterLogHandler"]


def test_personal_data_is_masked_in_the_file(tmp_path: Path) -> None:
    path = configure_logging(tmp_path, "INFO")
    request_id = str(uuid.uuid4())
    logging.getLogger("counter_app.test").warning(
        "applicant %s (agent %s), mobile %s, card %s, request %s", ID_NUMBER, ID_WITH_X, MOBILE, CARD, request_id
    )
    assert path == log_file(tmp_path).resolve()
    text = logged(tmp_path)
    for raw in (ID_NUMBER, ID_WITH_X, MOBILE, CARD):
        assert raw not in text
    assert f"applicant {ID_NUMBER[:4]}{'*' * 10}{ID_NUMBER[-4:]}" in text
    assert "agent 1101**********002X" in text
    assert "mobile 138****5678" in text
    assert "card ****0123" in text
    assert f"request {request_id}" in text  # ids are not mangled
    assert "WARNING counter_app.test:" in text


def test_tracebacks_are_masked_too(tmp_path: Path) -> None:
    configure_logging(tmp_path, "INFO")
    try:
        raise ValueError(f"bad mobile {MOBILE}")
    except ValueError:
        logging.getLogger("counter_app.test").exception("lookup failed")
    text = logged(tmp_path)
    assert "ValueError: bad mobile 138****5678" in text and MOBILE not in text


@pytest.mark.parametrize(
    "text",
    [
        "case QD01-20261123-0001 v3",  # case numbers
        "at 1700000000123 ms",  # 13-digit timestamps
        "hash 0123456789abcdef13812345678901230123456789abcdef0123456789abcdef",  # digits inside hex ids
        "request 3f1c2d4e-1234-5678-9abc-138123456789",
    ],
)
def test_what_is_not_personal_data_is_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_mobile_with_country_code_and_18_digits_failing_the_checksum_are_masked() -> None:
    assert mask_personal_data("+8613812345678") == "+86138****5678"
    assert mask_personal_data("no 370202199001011230.") == "no ****1230."


def test_configure_is_idempotent(tmp_path: Path) -> None:
    configure_logging(tmp_path, "INFO")
    configure_logging(tmp_path, "DEBUG")
    assert len(ours()) == 1
    assert ours()[0].level == logging.DEBUG and logging.getLogger().level == logging.DEBUG
    logging.getLogger("counter_app.test").debug("once")
    assert logged(tmp_path).count("once") == 1
    # Another data folder moves the one handler, never adds a second.
    configure_logging(tmp_path / "other", "WARNING")
    assert len(ours()) == 1
    with pytest.raises(ValueError, match="log level"):
        configure_logging(tmp_path, "LOUD")


def test_nothing_is_created_until_something_is_logged(tmp_path: Path) -> None:
    configure_logging(tmp_path, "INFO")
    assert not (tmp_path / "logs").exists()
    logging.getLogger("counter_app.test").info("first")
    assert log_file(tmp_path).stat().st_mode & 0o777 == 0o600


def test_setting_accepts_the_levels_of_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_args(Settings.model_fields["log_level"].annotation) == LOG_LEVELS
    monkeypatch.setenv("COUNTER_CONFIG", "/nonexistent/config.toml")
    monkeypatch.setenv("COUNTER_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTER_DATA_DIR": str(data_dir), "COUNTER_CONFIG": str(data_dir / "none.toml")}
    env.pop("COUNTER_LOG_LEVEL", None)
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_log_level_option(tmp_path: Path) -> None:
    out = run_cli("--log-level", "DEBUG", "config", "show", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert '"log_level": "INFO"' in out.stdout  # the option is for this run, the setting is unchanged
    assert run_cli("--log-level", "warning", "config", "show", data_dir=tmp_path).returncode == 0
    bad = run_cli("--log-level", "LOUD", "config", "show", data_dir=tmp_path)
    assert bad.returncode == 2 and "--log-level" in bad.stderr


def test_cli_logs_to_the_data_dir(tmp_path: Path) -> None:
    # A quiet sync round is a DEBUG line: it reaches the file only at --log-level DEBUG.
    assert run_cli("sync", "--once", data_dir=tmp_path).returncode == 0
    assert "sync round" not in (log_file(tmp_path).read_text("utf-8") if log_file(tmp_path).exists() else "")
    out = run_cli("--log-level", "DEBUG", "sync", "--once", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "counter_app.services.sync: sync round: pushed 0" in log_file(tmp_path).read_text("utf-8")


async def test_a_sync_round_writes_a_log_line(tmp_path: Path) -> None:
    configure_logging(tmp_path, "INFO")
    with Store.open(tmp_path / "counter.db", tmp_path / "counter.key", workstation_id="QD01") as store:
        case = store.cases.create(actor="t")
        store.cases.set_status(case.id, CaseStatus.ACCEPTED, actor="t")
        store.outbox.enqueue(case.id, 1, {"case_number": case.case_number}, actor="t")
        async with SyncEngine(store, make_transport(), base_url=EMBEDDED_BASE_URL) as engine:
            summary = await engine.run_once()
    assert summary.sent == 1
    line = next(x for x in logged(tmp_path).splitlines() if "sync round" in x)
    assert "INFO counter_app.services.sync: sync round: pushed 1, failed 0, conflicts 0" in line
