"""Shared fixtures. The sandbox: one emulator process per test session, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assetdesk.sandbox.launcher import SandboxProcess


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """The session's sandbox (three origins on free ports, with the /_sandbox/ control surface)."""
    process = SandboxProcess.start(control=True, data_dir=tmp_path_factory.mktemp("sandbox-data"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def sb(sandbox: SandboxProcess) -> SandboxProcess:
    """The session's sandbox, reset to the seeded demo (no faults, clock at real time)."""
    sandbox.reset()
    return sandbox
