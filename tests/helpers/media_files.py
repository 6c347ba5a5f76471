"""Where the tests find real media: the sandbox's demo media (resources/demo) and the files
encoded once for the sniffing tests (tests/fixtures/media); the `demo_dir` fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
MEDIA = REPO / "tests" / "fixtures" / "media"


@pytest.fixture
def demo_dir() -> Path:
    """The sandbox's demo media folder."""
    return DEMO
