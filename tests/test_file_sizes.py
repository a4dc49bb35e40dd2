"""The project rule "no file is over 400 lines", checked for every Python file in the repository.

Walks the repository's ``*.py`` files, skipping virtual environments, build output, caches and the snapshot
folder, and fails with the list of every file over the limit (split it by responsibility, re-exporting what moved).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400

# Folders never walked: environments, build output, caches, and generated test data.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".import_linter_cache",
}
SKIPPED_PATHS = {Path("tests") / "__snapshots__"}


def _skipped(folder: Path) -> bool:
    relative = folder.relative_to(ROOT)
    return (
        folder.name in SKIPPED_DIRS
        or folder.name.endswith(".egg-info")
        or relative in SKIPPED_PATHS
        or (folder / "pyvenv.cfg").exists()  # any virtual environment, whatever its name
    )


def python_files(root: Path = ROOT) -> list[Path]:
    """Every ``*.py`` file under ``root`` outside the skipped folders, sorted."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not _skipped(here / d))
        found.extend(here / name for name in files if name.endswith(".py"))
    return sorted(found)


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_python_file_is_over_400_lines() -> None:
    files = python_files()
    assert len(files) > 50, f"the walk found only {len(files)} Python files: is ROOT ({ROOT}) right?"
    counts = [(path.relative_to(ROOT).as_posix(), line_count(path)) for path in files]
    too_long = [(where, lines) for where, lines in counts if lines > MAX_LINES]
    listing = "\n".join(f"  {where}: {lines} lines" for where, lines in too_long)
    assert too_long == [], f"{len(too_long)} file(s) over {MAX_LINES} lines; split by responsibility:\n{listing}"


def test_the_walk_skips_environments_builds_and_snapshots() -> None:
    walked = {path.relative_to(ROOT).parts[0] for path in python_files()}
    assert {"counter_app", "forms", "tests"} <= walked
    assert not walked & {".venv", "build", "dist"}
    snapshots = ROOT / "tests" / "__snapshots__"
    assert not [path for path in python_files() if snapshots in path.parents]
    assert Path(__file__).resolve() in python_files()
