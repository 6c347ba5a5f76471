"""The Library's refresh from the services: F5 / Refresh, the progress line while it runs, and
the summary after (services/library_refresher.py does the listing; this is its Qt side).

One refresh at a time: F5 or Refresh while one runs does nothing (the button says "Refreshing…"
and is disabled, its tooltip says why). The progress line is written at most ten times a second
however fast the listing reports; when the refresh ends the grid reloads (keeping the selection)
and the notice holds the summary, a line per account, failures said on theirs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.services.library import LibraryService
from assetdesk.services.library_refresher import RefreshReport
from assetdesk.services.refresh_progress import RefreshProgress, progress_line
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pane_action
from assetdesk.ui.widgets.plain_text import plain_label

#: The progress line is rewritten at most this often (seconds): ~10 updates a second.
PROGRESS_INTERVAL = 0.1

IDLE_TIP = "List every asset of every account again (F5)."
BUSY_TIP = "A refresh is running; F5 waits until it has finished."


class RefreshRunner:
    """Runs `library.refresh()` in the background and shows how it goes in the pane."""

    def __init__(
        self,
        pane: QWidget,
        library: LibraryService,
        tasks: BackgroundTasks,
        notice: Notice,
        button: QPushButton,
        *,
        reload: Callable[[], Awaitable[None]],
        alive: Callable[[], bool],
        on_busy: Callable[[], None] = lambda: None,
        on_report: Callable[[RefreshReport], None] = lambda _report: None,
    ) -> None:
        """`on_busy()` is called when `busy` changes (the pane's empty state says it);
        `on_report(report)` when a refresh ends (the window hands its health to Accounts)."""
        self._library = library
        self._tasks = tasks
        self._notice = notice
        self._reload = reload
        self._alive = alive
        self._on_busy = on_busy
        self._on_report = on_report
        #: True while the services are being listed (not during the reload after).
        self.busy = False
        self.button = button
        self.button.setToolTip(IDLE_TIP)
        self.button.clicked.connect(self.start)
        self.action = pane_action(
            pane, "Refresh", QKeySequence(QKeySequence.StandardKey.Refresh), self.start
        )
        self.progress = plain_label(QLabel())  # account and project names
        self.progress.setObjectName("refreshProgress")
        self.progress.hide()
        self._task: asyncio.Task[None] | None = None
        self._shown_at = 0.0
        self._latest: RefreshProgress | None = None
        # What came within the interval is shown when it ends (a listing may then be quiet for
        # seconds: the line must not stay on an older step).
        self._trailing = QTimer(self.progress)
        self._trailing.setSingleShot(True)
        self._trailing.timeout.connect(self._show_latest)
        #: How many times the progress line was written (the throttle's test reads it).
        self.updates = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Start a refresh; False (nothing started) while one runs or the window closes."""
        if self.running or self._tasks.closing:
            return False
        self._task = self._tasks.spawn(self._run(), name="library.refresh")
        return True

    async def wait(self) -> None:
        """Until the running refresh (if any) has ended."""
        if self._task is not None:
            await asyncio.wait({self._task})

    def _on_progress(self, progress: RefreshProgress) -> None:
        self._latest = progress
        waited = time.monotonic() - self._shown_at
        if waited >= PROGRESS_INTERVAL:
            self._show_latest()
        elif not self._trailing.isActive():
            self._trailing.start(max(1, int((PROGRESS_INTERVAL - waited) * 1000)))

    def _show_latest(self) -> None:
        if self._latest is None or not self._alive() or not self.running:
            return
        self._shown_at = time.monotonic()
        self.updates += 1
        self.progress.setText(f"Refreshing — {progress_line(self._latest)}")

    async def _run(self) -> None:
        self.button.setEnabled(False)
        self.button.setText("Refreshing…")
        self.button.setToolTip(BUSY_TIP)
        self.progress.setText("Refreshing — reading your accounts…")
        self.progress.show()
        self.busy = True
        self._on_busy()
        self._shown_at = 0.0
        self._latest = None
        try:
            report = await self._library.refresh(self._on_progress)
        except AssetDeskError as error:
            if self._alive():
                self._notice.show_message(f"Not refreshed: {as_sentence(str(error))}", "error")
            return
        finally:
            self.busy = False
            if self._alive():
                self._on_busy()
                self._trailing.stop()
                self.progress.hide()
                self.button.setEnabled(True)
                self.button.setText("Refresh")
                self.button.setToolTip(IDLE_TIP)
        if not self._alive():
            return
        self._on_report(report)
        await self._reload()
        if not self._alive():
            return
        if report.lines:
            kind = "error" if report.failures else "info"
            self._notice.show_message("\n".join(report.lines), kind)
        else:
            self._notice.show_message("Nothing to refresh: add a useapi.net account first.", "info")
