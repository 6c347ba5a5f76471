"""Shared fixtures. The sandbox: one emulator process per test session, reset for each test."""

from __future__ import annotations

import faulthandler
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assetdesk.sandbox.launcher import SandboxProcess

#: The fixtures of tests/helpers/ (its plain functions are imported where used). Its asserts are
#: rewritten as a test module's are, so that a helper's failure shows the values.
pytest.register_assert_rewrite("tests.helpers")
pytest_plugins = [
    "tests.helpers.async_backend",
    "tests.helpers.data_folder",
    "tests.helpers.media_files",
    "tests.helpers.session_accounts",
]

#: A test still running after this long is stuck where pytest-timeout's signal cannot reach it
#: (inside Qt or another C call): every thread's stack is written and the run ends, rather than
#: waiting for CI's own limit. pytest-timeout (120 s) handles the ordinary cases first.
HANG_SECONDS = float(os.environ.get("ASSETDESK_HANG_SECONDS", 180))


#: The terminal's stderr, copied before any test captures fd 2 (a dump written to the captured
#: fd would vanish with the process).
_terminal_stderr: int | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _terminal_stderr
    _terminal_stderr = os.dup(2)  # pytest's capture is suspended while plugins configure


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Arm the hang report for one test: the file names the test, then gets the stacks.

    `tests/run-under-keyring.sh` sets ASSETDESK_HANG_REPORT and prints a summary of the file at
    the end of the run, where a log's tail shows it; without it the stacks go to the terminal.
    """
    path = os.environ.get("ASSETDESK_HANG_REPORT")
    report = Path(path).open("w", encoding="utf-8") if path else None  # noqa: SIM115
    if report is not None:
        report.write(f"{item.nodeid}\n")
        report.flush()
    out = report if report is not None else _terminal_stderr
    if out is not None:
        faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=out)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        if report is not None:
            report.close()
            Path(report.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """The session's sandbox (three origins on free ports, with the /_sandbox/ control surface)."""
    process = SandboxProcess.start(control=True, data_dir=tmp_path_factory.mktemp("sandbox-data"))
    try:
        yield process
    finally:
        process.stop()


#: Lines in the sandbox's stderr that mean one of its handlers crashed.
SANDBOX_CRASH_MARKERS = ("Traceback", "Exception in ASGI application")


@pytest.fixture
def sb(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """The session's sandbox, reset to the seeded demo (no faults, clock at real time).

    The test fails when the sandbox crashed during it: it exited, or it wrote a traceback.
    """
    sandbox.reset()
    mark = sandbox.stderr_mark()
    yield sandbox
    if sandbox.process.poll() is not None:
        pytest.fail(
            f"the sandbox exited with status {sandbox.process.returncode} during this test; "
            f"its stderr:\n{sandbox.stderr_tail[-6000:]}",
            pytrace=False,
        )
    text = "".join(sandbox.stderr_since(mark))
    if any(marker in text for marker in SANDBOX_CRASH_MARKERS):
        pytest.fail(
            f"the sandbox crashed during this test; its stderr:\n{text[-6000:]}", pytrace=False
        )


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def collect_qt_leftovers() -> None:
    """Once GUI tests have run in this process, run the cycle collector on the main thread before
    each test. Otherwise a Qt object a GUI test left in a reference cycle may be collected on
    whichever thread allocates next, such as a worker thread running SQLite, and Qt warns
    "QObject::~QObject: Timers cannot be stopped from another thread" into the current test."""
    if "PySide6.QtCore" in sys.modules:
        gc.collect()


@pytest.fixture(autouse=True)
def fail_on_unexpected_error_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test fails when AssetDesk logs an ERROR it did not expect (qutebrowser's `logfail`).

    Mark a test `allow_error_logs` when such a record is the point of the test.
    """
    handler = _ErrorRecords()
    logger = logging.getLogger("assetdesk")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("allow_error_logs") is None:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"unexpected error log records:\n{lines}", pytrace=False)


@pytest.fixture
def padded_video(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Callable[..., Path]:
    """`padded_video(size, name="clip.mp4")`: the demo clip grown to `size` bytes by a trailing
    `free` box, so a real, probe-able MP4 of any size (uploads long enough to cancel)."""
    demo = demo_dir / "clip-320x180.mp4"
    folder = tmp_path_factory.mktemp("videos")

    def make(size: int, name: str = "clip.mp4") -> Path:
        data = demo.read_bytes()
        pad = size - len(data)
        if pad < 8:
            raise ValueError(f"a padded video must be over {len(data) + 8} bytes")
        path = folder / name
        with path.open("wb") as out:
            out.write(data)
            out.write(pad.to_bytes(4, "big") + b"free")
            out.truncate(size)
        return path

    return make
