"""The code location's layout keeps wiring apart from logic: orchestration/lib does the work and
imports no Dagster (so it is tested directly), orchestration/defs only declares what Dagster
runs, and the product package holds no sample data generator."""

import ast
from pathlib import Path

from orchestration.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "orchestration"


def imported_modules(path: Path, *, lazily_too: bool = True) -> set[str]:
    """The modules a file imports (with `lazily_too`, inside functions as well)."""
    modules = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree) if lazily_too else tree.body:
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_logic_imports_no_dagster() -> None:
    importing = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] in ("dagster", "dagster_dbt")
        )
        for path in (PACKAGE / "lib").rglob("*.py")
    }
    assert {name: found for name, found in importing.items() if found} == {}
    assert len(importing) > 40


def test_the_logic_never_reaches_into_the_wiring() -> None:
    reaching = {
        str(path.relative_to(PACKAGE)): sorted(
            m
            for m in imported_modules(path)
            if m.startswith(("orchestration.defs", "orchestration.cli"))
        )
        for path in (PACKAGE / "lib").rglob("*.py")
    }
    assert {name: found for name, found in reaching.items() if found} == {}


def test_the_product_package_holds_no_sample_generator() -> None:
    """`careaudit generate-sample` runs the repository's sample/ package, imported when asked."""
    assert not (PACKAGE / "sample_data").exists()
    assert not [
        p for p in PACKAGE.rglob("*.py") if "sample" in imported_modules(p, lazily_too=False)
    ]
