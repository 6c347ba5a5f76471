"""Start the window on one qasync loop, run it, and shut everything down in order.

Life of a GUI session:

1. The data folder is claimed (ui/single_instance.py): when a window already runs for it, the
   files given are handed to that window and `run_gui` returns at once, without a window.
2. QApplication and the app's qasync loop (`event_loop.py`); the only `asyncio.set_event_loop`.
   Files handed to the app (the command line, later starts, the OS's open-file events) wait
   in ui/handed_files.py until the upload queue is active, then go to `MainWindow.open_files`.
3. Services built for the chosen app folders; the window shown at once.
4. With `--sandbox`, or when no account is saved, the offline sandbox starts as a child process
   on a worker thread (the window says so meanwhile), then session-only "Sandbox" (useapi.net) and
   "Sandbox Wordbee" accounts pointing at it are added.
5. Closing the window (or SIGINT/SIGTERM) cancels and awaits every background task, closes the
   services' HTTP clients, stops the sandbox child, lets go of the data folder, and `run_gui`
   returns 0.

Test hook: when the environment variable ``ASSETDESK_QUIT_AFTER_MS`` holds a number, the window
closes itself that many milliseconds after it is ready (shown, and the sandbox started or failed),
through the same path as a user closing it. The GUI smoke test uses it; users have no reason to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assetdesk import __version__
from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import AccountKind
from assetdesk.services.sandbox_child import SandboxChild
from assetdesk.store.paths import AppPaths
from assetdesk.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QSettings
    from PySide6.QtWidgets import QApplication

    from assetdesk.core.redact import Redactor
    from assetdesk.services.app import AppServices
    from assetdesk.ui.handed_files import HandedFiles
    from assetdesk.ui.main_window import MainWindow

log = logging.getLogger("assetdesk.ui.app")

QUIT_AFTER_ENV = "ASSETDESK_QUIT_AFTER_MS"
SETTINGS_FILE = "settings.ini"


def run_gui(
    *,
    data_dir: str | None,
    sandbox: bool,
    argv: list[str],
    self_test: bool = False,
    files: Sequence[Path] = (),
) -> int:
    """Open the window and run until it is closed; returns the process exit status.

    `argv` is the full command line (program name first); Qt takes its own options from it.
    `files` (absolute paths) are queued for upload to the current target once the queue is
    active; when a window already runs for the data folder they go to it instead, and this
    returns 0 as soon as it took them (1 when it does not answer).
    With `self_test`, the window opens offscreen (unless QT_QPA_PLATFORM says otherwise), runs
    ui/self_test.py on a throw-away data folder and closes: 0 when it passed, 1 otherwise.
    """
    scratch: str | None = None
    if self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        if data_dir is None:  # never the user's folder
            scratch = data_dir = tempfile.mkdtemp(prefix="assetdesk-self-test-")
    from assetdesk.ui.single_instance import WindowClaim, hand_over

    root = AppPaths.from_option(data_dir).root
    claim = WindowClaim.take(root)
    if claim is None and self_test:
        log.error("AssetDesk already runs for %s; the self-test needs a folder of its own", root)
        return 1
    if claim is None:
        log.info("AssetDesk already runs for %s; handing it %d file(s)", root, len(files))
        return 0 if hand_over(root, list(files)) else 1
    try:
        return _run_claimed(
            data_dir=data_dir, sandbox=sandbox, argv=argv, self_test=self_test, files=files
        )
    finally:
        claim.release()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _run_claimed(
    *,
    data_dir: str | None,
    sandbox: bool,
    argv: list[str],
    self_test: bool,
    files: Sequence[Path],
) -> int:
    from PySide6.QtWidgets import QApplication

    from assetdesk.ui.event_loop import AppEventLoop
    from assetdesk.ui.handed_files import FileOpenEvents, HandedFiles
    from assetdesk.ui.lock_share import window_first
    from assetdesk.ui.main_thread_gc import MainThreadGarbageCollector
    from assetdesk.ui.qt_log import install_qt_message_handler
    from assetdesk.ui.single_instance import HandoffServer

    install_qt_message_handler()
    QApplication.setApplicationName("AssetDesk")
    QApplication.setOrganizationName("AssetDesk")
    QApplication.setApplicationVersion(__version__)
    app = QApplication(argv)
    # The window's `closed` signal ends the session, so that shutdown can still await things.
    app.setQuitOnLastWindowClosed(False)
    # Files from the command line, from later starts and from the OS wait here for the window.
    inbox = HandedFiles()
    inbox.put(list(files))
    file_events = FileOpenEvents(inbox, app)
    app.installEventFilter(file_events)
    server = HandoffServer(AppPaths.from_option(data_dir).root, app, taking=lambda: inbox.taking)
    server.received.connect(inbox.put)
    server.listen()
    collector = MainThreadGarbageCollector()
    loop = AppEventLoop(app)
    asyncio.set_event_loop(loop)
    lock_share = contextlib.ExitStack()
    lock_share.enter_context(window_first())  # the loop's thread first for Python's lock
    try:
        status: int = loop.run_until_complete(
            _session(loop, app, inbox, data_dir=data_dir, sandbox=sandbox, self_test=self_test)
        )
        return status
    except AssetDeskError as error:
        log.error("AssetDesk could not start: %s", error)
        return 1
    finally:
        server.close()
        app.removeEventFilter(file_events)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        collector.stop()
        lock_share.close()


async def _session(
    loop: asyncio.AbstractEventLoop,
    app: QApplication,
    inbox: HandedFiles,
    *,
    data_dir: str | None,
    sandbox: bool,
    self_test: bool = False,
) -> int:
    from assetdesk.core.redact import Redactor
    from assetdesk.services.app import build_services, configure_logging
    from assetdesk.ui.main_window import MainWindow

    paths = AppPaths.from_option(data_dir)
    await asyncio.to_thread(paths.ensure)
    async with contextlib.AsyncExitStack() as cleanup:
        # Undone in reverse: tasks cancelled, HTTP clients closed, the child stopped, and last
        # the log file closed (so the shutdown is still written to it).
        redactor = Redactor()
        cleanup.callback(_close_log_handler, configure_logging(paths, redactor))
        child = SandboxChild()
        cleanup.push_async_callback(child.stop)
        log.info("AssetDesk %s starting; data in %s", __version__, paths.root)
        # Choosing the keyring may wait on D-Bus: off the loop. Trying it (which may raise an
        # unlock prompt) waits until the window shows.
        if self_test:  # the user's keyring is not the self-test's business
            services = await asyncio.to_thread(_self_test_services, paths, redactor)
        else:
            services = await asyncio.to_thread(
                build_services, paths, redactor=redactor, probe=False
            )
        cleanup.push_async_callback(services.aclose)
        tasks = BackgroundTasks()
        cleanup.push_async_callback(tasks.aclose)

        window = MainWindow(services, tasks, settings=_open_settings(paths, data_dir is not None))
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        window.closed.connect(inbox.close)  # a later start's files now would be lost: refused
        # QApplication.quit() (the Dock's Quit, a logout) would end Qt's loop under our feet;
        # it closes the window instead, so the shutdown below runs in order.
        quit_filter = quit_closes_window(window)
        app.installEventFilter(quit_filter)
        cleanup.callback(app.removeEventFilter, quit_filter)
        cleanup.callback(_remove_signal_handlers, loop)
        _add_signal_handlers(loop, window)
        window.show()

        if self_test:
            from assetdesk.ui.self_test import run_self_test

            passed = await run_self_test(window, services, child)
            window.close()
            return 0 if passed else 1

        # A locked keyring may answer only after its unlock prompt: closing the window
        # meanwhile must not wait for it.
        probe = asyncio.ensure_future(services.accounts.probe_secret_store())
        closing = asyncio.ensure_future(closed.wait())
        await asyncio.wait({probe, closing}, return_when=asyncio.FIRST_COMPLETED)
        if not closed.is_set():
            probe.result()
            window.accounts_pane.update_store_state()
            accounts = await services.accounts.list()
            if tasks.closing:
                log.info("the window closed while the accounts were read; nothing more starts")
            elif sandbox or not accounts:
                tasks.spawn(_sandbox_session(window, services, child, inbox), name="sandbox.start")
            else:
                window.accounts_pane.model.set_accounts(accounts)
                tasks.spawn(_activate_uploads(window, inbox), name="uploads.activate")
                window.refresh_library_at_start()
                _arm_quit_hook(window)
        probe.cancel()
        await closing
        log.info("window closed; shutting down")
    return 0


def _self_test_services(paths: AppPaths, redactor: Redactor) -> AppServices:
    import keyring.backends.fail

    from assetdesk.services.app import build_services
    from assetdesk.store.secrets import SecretStore

    no_keyring = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    store = SecretStore(no_keyring, redactor=redactor, probe=False)
    services = build_services(paths, secrets=store, redactor=redactor)
    services.secrets.use_session_only()  # not remembered: the self-test's choice, not the user's
    return services


async def _activate_uploads(window: MainWindow, inbox: HandedFiles) -> None:
    """Start the upload queue and the downloads a quit cut short, then queue the files handed
    to the app (now and later)."""
    await window.uploads_pane.activate()
    await window.library_pane.download_jobs.resume()  # what a quit cut short goes on
    inbox.deliver_to(window.open_files, lambda: _to_front(window))


def _to_front(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


async def _sandbox_session(
    window: MainWindow, services: AppServices, child: SandboxChild, inbox: HandedFiles
) -> None:
    """Start the sandbox child, add its two session-only accounts, and list them."""
    pane = window.accounts_pane
    window.set_sandbox_state("Sandbox: starting…")
    pane.set_empty_text("Starting the offline sandbox…")
    try:
        process = await child.start()
    except RuntimeError as error:
        log.error("%s", error)
        window.set_sandbox_state("Sandbox: failed to start")
        pane.set_empty_text("No accounts yet.")
        pane.notice.show_message(
            "The offline sandbox could not start; see the log for what it said.", "error"
        )
    else:
        demo = process.demo
        await services.accounts.add_session_account(
            name="Sandbox",
            kind=AccountKind.USEAPI,
            base_url=process.api_url,
            secret=demo["useapi_token"],
        )
        await services.accounts.add_session_account(
            name="Sandbox Wordbee",
            kind=AccountKind.WORDBEE,
            base_url=process.wordbee_url,
            secret=demo["wordbee_key"],
            wordbee_account_id=str(demo["wordbee_account_id"]),
        )
        window.set_sandbox_state(f"Sandbox: running on {urlsplit(process.api_url).netloc}")
        pane.set_empty_text("No accounts yet.")
        await pane.reload()
        window.refresh_library_at_start()
    # Not reached when the window closed meanwhile (this task is cancelled). The queue starts
    # once its accounts exist, so items aimed at the sandbox find it; when the sandbox failed,
    # they say that their account is missing.
    await _activate_uploads(window, inbox)
    _arm_quit_hook(window)


def _arm_quit_hook(window: MainWindow) -> None:
    """The ASSETDESK_QUIT_AFTER_MS test hook (see the module docstring)."""
    value = os.environ.get(QUIT_AFTER_ENV, "").strip()
    if not value:
        return
    from PySide6.QtCore import QTimer

    try:
        delay = int(value)
    except ValueError:
        log.warning("ignoring %s=%r: not a number of milliseconds", QUIT_AFTER_ENV, value)
        return
    log.info("test hook: closing the window in %d ms", delay)
    QTimer.singleShot(delay, window.close)


def quit_closes_window(window: MainWindow) -> QObject:
    """An event filter that turns the application's Quit event into closing `window`."""
    from PySide6.QtCore import QEvent, QObject

    class _QuitClosesWindow(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Quit:
                log.info("Qt was asked to quit; closing the window first")
                window.close()
                return True
            return False

    return _QuitClosesWindow(window)


def _close_log_handler(handler: logging.Handler) -> None:
    logging.getLogger("assetdesk").removeHandler(handler)
    handler.close()


def _open_settings(paths: AppPaths, relocated: bool) -> QSettings:
    """Window layout settings: inside the data folder with --data-dir, else the platform's place."""
    from PySide6.QtCore import QSettings

    if relocated:
        return QSettings(str(paths.root / SETTINGS_FILE), QSettings.Format.IniFormat)
    return QSettings()


def _add_signal_handlers(loop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    """SIGINT/SIGTERM close the window, so the sandbox child is stopped on the way out."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, window.close)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            log.debug("cannot handle signal %s on this platform", signum)


def _remove_signal_handlers(loop: asyncio.AbstractEventLoop) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signum)
