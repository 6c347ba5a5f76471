"""The import contracts of pyproject.toml bite: each kind of bad import, planted in a copy of
the package, breaks the contract meant to catch it (and the tree as it is keeps them all)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts over the package found under `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree / "app")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and pyproject.toml, to plant imports in."""
    shutil.copytree(
        ROOT / "app" / "assetdesk",
        tmp_path / "app" / "assetdesk",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(tree: Path, module: str, line: str) -> None:
    path = tree / "app" / "assetdesk" / module
    assert path.is_file(), path
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        (
            "core/units.py",
            "import assetdesk.services.library",
            "Layers:",
            "assetdesk.core.units -> assetdesk.services.library",
        ),
        (
            "transfer/pieces.py",
            "import assetdesk.providers.runway",
            "Layers:",
            "assetdesk.transfer.pieces -> assetdesk.providers.runway",
        ),
        (
            "services/library_links.py",
            "from PySide6 import QtCore",
            "Qt only in ui",
            "assetdesk.services.library_links -> PySide6",
        ),
        (
            "sandbox/blobs.py",
            "import assetdesk.core.units",
            "The sandbox imports nothing of the app",
            "assetdesk.sandbox.blobs -> assetdesk.core.units",
        ),
        (
            "ui/library/views.py",
            "import assetdesk.ui.uploads.model",
            "Panes do not import each other",
            "assetdesk.ui.library.views -> assetdesk.ui.uploads.model",
        ),
        (
            "store/library.py",
            "import assetdesk.store.uploads",
            "No import cycles between sibling modules",
            "No cycles are allowed in assetdesk.store",
        ),
    ],
)
def test_a_planted_import_breaks_its_contract(
    tree: Path, module: str, line: str, contract: str, named: str
) -> None:
    plant(tree, module, line)
    result = lint(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert len(broken) >= 1 and any(row.startswith(contract) for row in broken), result.stdout
    assert named in result.stdout
