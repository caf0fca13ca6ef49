"""The package layout's rules (README, "Architecture"), read from the code itself.

Arrows point one way: `salesboard.calendar` / `.layout` / `.dbt` / `.company` (the base)
<- `ingestion` <- `publishing` (the board library) <- `orchestration` (Dagster only)
<- `salesboard.cli` (the console script); onboarding (`salesboard.accounts`, `.check`,
`.discover`) sits on `ingestion`'s clients. Only `orchestration` may import Dagster.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "ingestion": ROOT / "ingestion",
    "publishing": ROOT / "publishing",
    "orchestration": ROOT / "orchestration",
    "salesboard": ROOT / "salesboard",
    "salesboard_dbt_plugins": ROOT / "dbt_project" / "salesboard_dbt_plugins",
}
DAGSTER = ("dagster", "dagster_dbt", "dagster_shared", "dagster_webserver", "dagster_dg_cli")
BASE = ("salesboard.calendar", "salesboard.layout", "salesboard.dbt", "salesboard.company")
ONBOARDING = ("salesboard.accounts", "salesboard.check", "salesboard.discover")


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            found[".".join((package, *parts))] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` names anywhere in the file (nested
    and lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


MODULES = _modules()


def _violations(modules, forbidden) -> list[str]:
    return [
        f"{module} imports {name}"
        for module in modules
        for name in sorted(_imports(MODULES[module]))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def _in(*prefixes: str) -> list[str]:
    return [m for m in MODULES if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_the_rules_see_every_package():
    assert {"ingestion.pull", "publishing.board.model", "orchestration.defs.jobs"} <= set(MODULES)
    assert {"salesboard.calendar", "salesboard.cli", "salesboard_dbt_plugins.phone_salt"} <= set(
        MODULES
    )


def test_only_orchestration_imports_dagster():
    outside = [m for m in MODULES if not m.startswith("orchestration")]
    assert _violations(outside, DAGSTER) == []
    assert _violations(["orchestration.defs.jobs"], DAGSTER), "the rule can see a violation"


def test_no_private_dagster_imports_anywhere():
    folders = [*PACKAGES.values(), ROOT / "tests", ROOT / "bench"]
    python_files = [path for folder in folders for path in folder.rglob("*.py")]
    assert ROOT / "tests" / "test_architecture.py" in python_files
    private = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files
        for name in _imports(path)
        if name.startswith(DAGSTER) and any(part.startswith("_") for part in name.split(".")[1:])
    ]
    assert private == []


def test_ingestion_imports_neither_the_board_library_nor_orchestration():
    assert _violations(_in("ingestion"), ("publishing", "orchestration", "salesboard.cli")) == []


def test_the_board_library_imports_no_ingestion_nor_orchestration():
    assert _violations(_in("publishing"), ("ingestion", "orchestration", "salesboard.cli")) == []


def test_the_base_and_the_dbt_plugin_import_no_other_package():
    others = ("ingestion", "publishing", "orchestration", "salesboard.cli")
    assert _violations(_in(*BASE), others) == []
    assert _violations(_in("salesboard_dbt_plugins"), (*others, "salesboard")) == []


def test_onboarding_imports_the_base_and_the_clients_only():
    assert _violations(_in(*ONBOARDING), ("publishing", "orchestration", "salesboard.cli")) == []
    assert set(ONBOARDING) <= set(MODULES)


@pytest.mark.parametrize("package", ["ingestion", "publishing", "salesboard.calendar", *ONBOARDING])
def test_importing_a_library_loads_no_dagster(package):
    """The rule in force at run time: every module of the library imported in a fresh
    interpreter, and still no Dagster among the loaded modules."""
    modules = [m for m in _in(package) if not m.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('dagster')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
