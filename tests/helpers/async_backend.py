"""The async backend of every `@pytest.mark.anyio` test: asyncio only (the app runs on asyncio,
under qasync in the window), never trio even when it is installed."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Overrides anyio's plugin, which would run each test once per installed backend."""
    return "asyncio"
