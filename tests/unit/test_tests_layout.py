"""The test tree keeps its shape: what several test modules share lives in tests/helpers/
(loaded as a pytest plugin, imported as `tests.helpers.X`); no test module imports another test
module or a conftest, whose names pytest may import under another name or twice."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> list[str]:
    """The modules a file imports, relative ones with their leading dots."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
    return found


def is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    in_tests = name.startswith("tests.") and not name.startswith("tests.helpers")
    return name.startswith(".") or last.startswith("test_") or last == "conftest" or in_tests


def test_no_test_module_imports_another_test_module() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert TESTS / "conftest.py" in files and Path(__file__).resolve() in files
    wrong = [
        f"{path.relative_to(TESTS)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if is_test_module(name)
    ]
    assert wrong == [], "shared helpers belong in tests/helpers/"


def test_no_two_test_modules_share_a_name() -> None:
    """pytest imports test modules by their base name (the folders are not packages): a second
    module of the same name stops the whole run at collection."""
    modules = sorted(TESTS.rglob("test_*.py"))
    assert Path(__file__).resolve() in modules
    by_name: dict[str, list[str]] = {}
    for path in modules:
        by_name.setdefault(path.name, []).append(str(path.relative_to(TESTS)))
    assert {name: paths for name, paths in by_name.items() if len(paths) > 1} == {}
