"""Layers: the domain stays pure; screens reach the store and the network only through the services; only the
composition root wires in the sandbox."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path


def test_import_forms_loads_no_heavy_library() -> None:
    code = (
        "import sys, forms, forms.application, forms.loan, forms.materials, forms.policy, forms.workdays;"
        "forms.policy.load_policy('qingdao');"
        "bad = [m for m in ('textual', 'httpx', 'sqlite_utils', 'sqlite3', 'reportlab') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- screens reach the store and the network only through the services ------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]

# The store itself, and the names of its repositories (local_cache.Store): a screen that names one of these is
# reaching past the services, whatever object it goes through.
STORE_ATTRIBUTES = {"store", "_store", "outbox", "records", "flags", "pending", "audit", "operators", "conn"}
# Never imported by a screen: the store, the sandbox, and the composition root that wires the sandbox in.
SCREEN_FORBIDDEN_IMPORTS = ("local_cache", "counter_app.services.sandbox", "counter_app.compose")


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, ``from a.b import c`` counting as both ``a.b`` and ``a.b.c``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_screens_never_touch_the_store_or_the_sandbox() -> None:
    problems = []
    files = _python_files("screens")
    assert len(files) > 10
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in STORE_ATTRIBUTES:
                problems.append(f"{where}:{node.lineno}: .{node.attr}")
        for line, module in _imported_modules(tree):
            if any(_is_within(module, bad) for bad in SCREEN_FORBIDDEN_IMPORTS):
                problems.append(f"{where}:{line}: import {module}")
    assert problems == [], "screens must go through the workstation's methods:\n" + "\n".join(problems)


def test_the_check_catches_a_screen_that_reaches_for_the_store() -> None:
    """The AST check above is only worth something if it would fail on the patterns it is meant to catch."""
    sample = (
        "from local_cache import Store\n"
        "from counter_app.services import sandbox\n"
        "def f(self):\n"
        "    self.workstation.store.outbox.counts()\n"
        "    self.workstation._store\n"
    )
    tree = ast.parse(sample)
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in STORE_ATTRIBUTES}
    assert attrs == {"store", "_store", "outbox"}
    modules = [m for _, m in _imported_modules(tree) if any(_is_within(m, b) for b in SCREEN_FORBIDDEN_IMPORTS)]
    assert modules == ["local_cache", "local_cache.Store", "counter_app.services.sandbox"]


# The composition root wires the sandbox in; `counter sandbox` serves it. Nothing else in production imports it.
SANDBOX_IMPORTERS = {
    "counter_app/compose.py",
    "counter_app/commands/sandbox.py",
    "counter_app/commands/trial.py",
}


def test_production_code_imports_the_sandbox_only_in_the_composition_root() -> None:
    problems = []
    for path in _python_files("counter_app", "screens", "printouts", "local_cache", "forms"):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith("counter_app/services/sandbox/") or where in SANDBOX_IMPORTERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
        for line, module in _imported_modules(tree):
            if _is_within(module, "counter_app.services.sandbox"):
                problems.append(f"{where}:{line}: import {module}")
    assert problems == [], "only counter_app/compose.py may wire in the sandbox:\n" + "\n".join(problems)


def test_the_workstation_exposes_no_store_and_no_sandbox(tmp_path: Path) -> None:
    from counter_app.compose import open_workstation
    from counter_app.services.sandbox import Sandbox
    from counter_app.services.workstation import Workstation
    from counter_app.settings import Settings
    from local_cache import Store

    assert not hasattr(Workstation, "store") and not hasattr(Workstation, "open")
    workstation = open_workstation(Settings(data_dir=tmp_path))
    try:
        public = {name: value for name, value in vars(workstation).items() if not name.startswith("_")}
        assert "store" not in public and "sandbox" not in public
        assert not [name for name, value in public.items() if isinstance(value, Store | Sandbox)]
    finally:
        asyncio.run(workstation.aclose())
