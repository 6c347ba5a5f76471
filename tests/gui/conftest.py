"""GUI fixtures: offscreen Qt, a qasync loop riding on pytest-qt, and the real services.

How asyncio runs in these tests: `qloop` attaches a qasync `QEventLoop` to pytest-qt's
QApplication with ``already_running=True``. qasync delivers asyncio callbacks as Qt timer and
socket-notifier events and marks itself as the thread's running loop, so whenever Qt processes
events — `qtbot.waitUntil`, `qtbot.waitSignal`, `qtbot.mouseClick` — background tasks advance too,
exactly as under `QApplication.exec()` in the app. `arun(coro)` runs a coroutine to completion
that way. The test function itself is plain sync code, never a task, so waiting in it cannot
re-enter the loop.

After each test the cycle collector runs on the main thread (`collect_qt_garbage`). Left to
itself, Python may collect a finished test's Qt objects — a closed qasync loop's timer object,
a window — on whichever thread allocates next, here a worker thread running a keyring or SQLite
call; a QObject destroyed off its thread leaves its timers registered, and Qt later fires one
into freed memory (a segfault in QTimerInfoList::activateTimers, seen under gnome-keyring).

Teardown never calls `loop.stop()`: qasync's stop calls `QApplication.exit()`, which, with no
`exec()` running, leaves Qt's quit flag set and breaks every later nested event loop of the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

# Before any QApplication exists (pytest-qt creates it lazily in the `qapp` fixture). The
# offscreen screen is a 1920x1200 desktop (its default, 800x600, is smaller than the window's
# three panes need, and would clamp a restored window).
os.environ.setdefault(
    "QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).with_name('offscreen-screen.json')}"
)

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests.helpers.library_window import OpenLibrary

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.event_loop import AppEventLoop
from assetdesk.ui.tasks import BackgroundTasks

T = TypeVar("T")
Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def collect_qt_garbage(qapp: QApplication) -> Iterator[None]:
    """Free what a test leaves behind on the main thread, after pytest-qt closed its widgets."""
    yield
    gc.collect()


@pytest.fixture
def qloop(qapp: QApplication, qtbot: QtBot) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop driven by whatever processes Qt events in the test."""
    loop = AppEventLoop(qapp, already_running=True)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            qtbot.waitUntil(lambda: all(task.done() for task in pending), timeout=10_000)
        asyncio.events._set_running_loop(None)
        # qasync has no public "detach": mark it stopped without QApplication.exit() (see above).
        loop._QEventLoop__is_running = False
        loop.close()


@pytest.fixture
def arun(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Callable[..., Any]:
    """`arun(coro, timeout_ms=10_000)`: run `coro` on the qasync loop until done; its result."""

    def run(coro: Coroutine[Any, Any, T], timeout_ms: int = 10_000) -> T:
        task = qloop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout_ms)
        return task.result()

    return run


@pytest.fixture
def services(app_paths: AppPaths, arun: Run) -> Iterator[AppServices]:
    """The real services over the test's data folder; closed after the test.

    Under `make test` (ASSETDESK_TEST_KEYRING=secret-service) secrets go to the throw-away
    gnome-keyring of the test run; otherwise to no keyring at all, never the developer's own.
    """
    if os.environ.get("ASSETDESK_TEST_KEYRING") == "secret-service":
        built = build_services(app_paths)
    else:
        built = build_services(app_paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    try:
        yield built
    finally:
        # The test keyring lives for the whole run and account ids restart at 1 in every data
        # folder: what a test saved must not be found by the next one.
        for account in arun(built.accounts.list()):
            if not account.session_only:
                with contextlib.suppress(Exception):
                    built.secrets.delete_all(account.id)
        arun(built.aclose())


@pytest.fixture
def tasks(arun: Run) -> Iterator[BackgroundTasks]:
    """The window's task owner; every task it still holds is cancelled and awaited afterwards."""
    owner = BackgroundTasks()
    try:
        yield owner
    finally:
        arun(owner.aclose())


@pytest.fixture
def sandbox_accounts(services: AppServices, sb: SandboxProcess, arun: Run) -> list[Any]:
    """The two session-only sandbox accounts, added as `assetdesk --sandbox` adds them."""
    demo = sb.demo
    useapi = arun(
        services.accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=demo["useapi_token"]
        )
    )
    wordbee = arun(
        services.accounts.add_session_account(
            name="Sandbox Wordbee",
            kind="wordbee",
            base_url=sb.wordbee_url,
            secret=demo["wordbee_key"],
            wordbee_account_id=str(demo["wordbee_account_id"]),
        )
    )
    return [useapi, wordbee]


@pytest.fixture
def open_library(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    tasks: BackgroundTasks,
    arun: Run,
    tmp_path: Path,
) -> OpenLibrary:
    """`open_library(added=10)`: the window on the Library with the sandbox's accounts and the
    assets asked for in the catalog (tests/helpers/library_window.py)."""
    return OpenLibrary(qtbot, services, sandbox_accounts, sb, tasks, arun, tmp_path)
