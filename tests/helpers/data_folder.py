"""The `app_paths` fixture: a fresh data folder for one test, never the user's (`--data-dir`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetdesk.store.paths import AppPaths


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    """A fresh data folder for this test (never the user's)."""
    return AppPaths.from_option(str(tmp_path / "data")).ensure()
