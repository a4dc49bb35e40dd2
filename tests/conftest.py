"""Test-wide settings: deterministic hypothesis, no colour suppression, no stray config files."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Property tests must give the same answer on every run and every machine (shared, noisy CI).
settings.register_profile(
    "counter",
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("counter")

# Snapshot tests compare colours; NO_COLOR in a developer's shell would change every SVG.
os.environ.pop("NO_COLOR", None)
# Never read a developer's own settings file during tests.
os.environ["COUNTER_CONFIG"] = os.devnull
for _name in [k for k in os.environ if k.startswith("COUNTER_") and k != "COUNTER_CONFIG"]:
    os.environ.pop(_name)

# -- the counter application (tests/test_app_*.py) ------------------------------------------------------------------
# The Pilot driver, the frozen clock and the sandbox test cases live in scripts/app_driver.py, shared with the
# user-guide screenshots and the benchmark.
import asyncio  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from app_driver import T01, FrozenClock, prepare_case  # noqa: E402


@pytest.fixture
def frozen_clock() -> FrozenClock:
    """2026-09-30 10:00 China time (02:00 UTC); ``advance(seconds)`` moves it."""
    return FrozenClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data directory (database, key file, spool) for one application."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def t01_prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data directory holding the reference case T01 filled in, looked up and checked off (a draft at review).

    Built once through the services; tests copy it (``copy_prepared``) so none changes another's.
    """
    folder = tmp_path_factory.mktemp("t01") / "data"
    case_id = asyncio.run(prepare_case(folder, T01))
    return folder, case_id


@pytest.fixture
def copy_prepared(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a prepared data directory into this test's own temp folder."""

    def copy(source: Path) -> Path:
        target = tmp_path / "copy"
        shutil.copytree(source, target)
        return target

    return copy


# -- the local store (tests/test_store_*.py) and other clock-driven tests -------------------------------------------
# One settable clock and one store per test, so each store test file does not open its own copy.
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from local_cache import Store  # noqa: E402
from tests.store_helpers import Clock  # noqa: E402


@pytest.fixture
def clock() -> Clock:
    """A settable clock at 2026-11-22 09:30 China time; a module overrides this fixture for another start."""
    return Clock()


@pytest.fixture
def store_options() -> dict[str, Any]:
    """Extra ``Store.open`` keywords; a test module overrides this fixture (e.g. a lockout or a lookup-cache TTL)."""
    return {}


@pytest.fixture
def store(tmp_path: Path, clock: Clock, store_options: dict[str, Any]) -> Iterator[Store]:
    """A fresh store (``c.db``, ``k.key`` in the test's temp folder, workstation QD01) on ``clock``; a cheap scrypt."""
    s = Store.open(
        tmp_path / "c.db",
        tmp_path / "k.key",
        workstation_id="QD01",
        clock=clock,
        scrypt_n=2**10,
        **store_options,
    )
    yield s
    s.close()
