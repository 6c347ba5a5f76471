"""The one window: a navigation list on the left, the three panes on the right, a status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QWidget,
)

import assetdesk
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.thumbnail_queue import MAX_TILE as LIBRARY_TILE
from assetdesk.ui.main_thread_gc import settle_now
from assetdesk.ui.media_quiet import quiet_ffmpeg
from assetdesk.ui.style import follow_palette
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnails import ThumbnailMaker
from assetdesk.ui.uploads.pane import UploadsPane
from assetdesk.ui.uploads.queue_view import THUMBNAIL_SIZE

if TYPE_CHECKING:
    from assetdesk.services.app import AppServices
    from assetdesk.services.library_refresher import RefreshReport

log = logging.getLogger("assetdesk.ui.window")

DEFAULT_SIZE = (980, 640)


class MainWindow(QMainWindow):
    """Emits `closed` once the user closed it (after its layout was saved)."""

    closed = Signal()

    def __init__(
        self,
        services: AppServices,
        tasks: BackgroundTasks,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._services = services
        self.setWindowTitle("AssetDesk")
        self.style_follower = follow_palette(self)

        self.accounts_pane = AccountsPane(services.accounts, tasks)
        self.accounts_pane.store_changed.connect(self.show_secret_store)
        self._tasks = tasks
        # Closing cancels them (closeEvent); so does the window's end without a close (a window
        # dropped by its last reference): no task resumes into deleted widgets.
        self.destroyed.connect(tasks.close)
        # No Qt parent: a thumbnail still being made when the window goes keeps its maker (and
        # the maker's media players) alive until it ends, instead of losing them under it.
        self.thumbnails = ThumbnailMaker(size=THUMBNAIL_SIZE)
        self.uploads_pane = UploadsPane(
            services.uploads,
            services.accounts,
            tasks,
            paste_folder=services.paths.root / "pasted",
            thumbnails=self.thumbnails,
            settings=settings,
            followed_projects=services.library.followed_projects,
        )
        self.accounts_pane.accounts_changed.connect(self._accounts_changed)
        self.uploads_pane.queue_finished.connect(self._uploads_finished)
        self.uploads_pane.library_changed.connect(self._uploads_catalogued)
        #: (title, text) of every desktop notification shown, newest last.
        self.notifications: list[tuple[str, str]] = []
        self._tray: QSystemTrayIcon | None = None
        self.library_thumbnails = ThumbnailMaker(
            size=LIBRARY_TILE, cache_dir=services.paths.thumbnails
        )
        self.library_pane = LibraryPane(
            services.library,
            services.accounts,
            tasks,
            thumbnails=self.library_thumbnails,
            preview_folder=services.paths.cache / "preview",
            copies_folder=services.paths.cache / "copies",
        )
        self.library_pane.refreshed.connect(self._library_refreshed)
        panes: list[tuple[str, QWidget]] = [
            ("Accounts", self.accounts_pane),
            ("Uploads", self.uploads_pane),
            ("Library", self.library_pane),
        ]

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget()
        for title, pane in panes:
            self.navigation.addItem(title)
            self.stack.addWidget(pane)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([170, DEFAULT_SIZE[0] - 170])
        self.setCentralWidget(self.splitter)

        self.secret_label = QLabel(_secret_store_text(services))
        self.secret_label.setObjectName("secretStore")
        self.sandbox_label = QLabel()
        self.sandbox_label.setObjectName("sandboxState")
        self.sandbox_label.hide()
        self.statusBar().addPermanentWidget(self.sandbox_label)
        self.statusBar().addPermanentWidget(self.secret_label)

        self.about_box: QMessageBox | None = None
        #: The "Quit AssetDesk?" box, once a quit found transfers running.
        self.quit_box: QMessageBox | None = None
        self._quit_confirmed = False
        self._refresh_when_shown = False
        self._build_menus()
        self.resize(*DEFAULT_SIZE)
        self.navigation.setCurrentRow(0)
        self._restore_layout()
        # FFmpeg's start (~20-40 ms, once per process, and its console output silenced before
        # any player exists) now, while the window is built, not at the first video a user drops.
        quiet_ffmpeg()
        settle_now()  # what lives as long as the app leaves the cycle collector's scans now

    # ------------------------------------------------------------------- menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.request_quit)
        file_menu.addAction(self.quit_action)

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction("&About AssetDesk", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def show_about(self) -> QMessageBox:
        """Open the About box (window-modal, without a nested event loop) and return it."""
        if self.about_box is None:
            box = QMessageBox(self)
            box.setWindowTitle("About AssetDesk")
            box.setIcon(QMessageBox.Icon.Information)
            box.setTextFormat(Qt.TextFormat.RichText)
            box.setText(
                f"<h3>AssetDesk {assetdesk.__version__}</h3>"
                "<p>Upload, browse and download the images and videos you make with Google Flow "
                "and Runway (through useapi.net) and localise in Wordbee Translator.</p>"
            )
            box.setStandardButtons(QMessageBox.StandardButton.Close)
            self.about_box = box
        self.about_box.open()
        return self.about_box

    # ------------------------------------------------------------------- quitting

    def request_quit(self) -> QMessageBox | None:
        """The user's Quit: closes at once when nothing transfers; otherwise opens the quit box
        (window-modal, without a nested event loop) and returns it."""
        running = self.running_transfers()
        if running == (0, 0):
            self.close()
            return None
        return self._ask_to_quit(*running)

    def running_transfers(self) -> tuple[int, int]:
        """(uploads, downloads) still to finish: sending, waiting or queued uploads, and the
        Library's running downloads."""
        summary = self._services.uploads.summary()
        uploads = summary.active + summary.waiting + summary.queued
        downloads = self.library_pane.downloads.downloads()
        return uploads, sum(1 for download in downloads if download.state == "running")

    def _ask_to_quit(self, uploads: int, downloads: int) -> QMessageBox:
        if self.quit_box is None:
            box = QMessageBox(self)
            box.setWindowTitle("Quit AssetDesk")
            box.setIcon(QMessageBox.Icon.Question)
            box.setText("Quit AssetDesk?")
            quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
            cancel = box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(cancel)
            box.setEscapeButton(cancel)
            box.buttonClicked.connect(
                lambda button: self._quit_now() if button is quit_button else None
            )
            self.quit_box = box
        self.quit_box.setInformativeText(_running_text(uploads, downloads))
        self.quit_box.open()
        return self.quit_box

    def _quit_now(self) -> None:
        self._quit_confirmed = True
        self.close()

    # ------------------------------------------------------------- panes talking

    def refresh_library_at_start(self) -> None:
        """Refresh the Library in the background once the window shows (now, if it does)."""
        if self.isVisible():
            self.library_pane.refresher.start()
        else:
            self._refresh_when_shown = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._refresh_when_shown:  # after this show has been handled, never before it
            self._refresh_when_shown = False
            QTimer.singleShot(0, self.library_pane.refresher.start)

    def _library_refreshed(self, report: RefreshReport) -> None:
        """What a refresh found wrong with an account shows on it in Accounts (refused token,
        Google account to reconnect, throttled until a time), as a check would show it."""
        for account_id, health in report.health.items():
            self.accounts_pane.model.set_health(account_id, health)

    def _accounts_changed(self) -> None:
        if not self._tasks.closing:
            self._tasks.spawn(
                self.uploads_pane.reload_targets(), name="uploads.targets", key="uploads.targets"
            )
            if self.library_pane.isVisible():
                self.library_pane.refresh()

    def _uploads_catalogued(self) -> None:
        """A lost upload was found on its service: the Library shows it (now, if shown)."""
        if self.library_pane.isVisible():  # otherwise it reads the catalog when shown
            self.library_pane.refresh()

    def _uploads_finished(self, succeeded: int, failed: int) -> None:
        """The queue ran out of work: say so, on the desktop when the window is not in front."""
        if self.library_pane.isVisible():  # otherwise it reads the catalog when shown
            self.library_pane.refresh()
        text = f"{succeeded} uploaded" if succeeded != 1 else "1 file uploaded"
        if failed:
            text += f", {failed} failed"
        text += "."
        self.statusBar().showMessage(f"Uploads finished: {text}", 15_000)
        if self.isActiveWindow() and not self.isMinimized():
            return
        self.notify("Uploads finished", text)

    def notify(self, title: str, text: str) -> None:
        """A desktop notification (the system tray's message), or the taskbar's attention."""
        self.notifications.append((title, text))
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                icon = self.windowIcon()
                if icon.isNull():
                    icon = QApplication.windowIcon()
                self._tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon(), self)
                self._tray.setToolTip("AssetDesk")
                self._tray.activated.connect(self._bring_to_front)
                self._tray.messageClicked.connect(self._bring_to_front)
            self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        QApplication.alert(self)

    def open_files(self, paths: list[Path]) -> None:
        """Files handed to the app (its command line, a second start, the OS's "Open with"):
        queued for upload to the current target, the window brought to the front."""
        self.navigation.setCurrentRow(1)
        self.uploads_pane.add_paths(paths)
        self._bring_to_front()

    def _bring_to_front(self, *_: object) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # ------------------------------------------------------------- status bar

    def set_sandbox_state(self, text: str | None) -> None:
        """Show what the offline sandbox is doing in the status bar; None hides it."""
        if text is None:
            self.sandbox_label.hide()
            return
        self.sandbox_label.setText(text)
        self.sandbox_label.show()

    def set_secret_store_text(self, text: str) -> None:
        self.secret_label.setText(text)

    def show_secret_store(self) -> None:
        """The status bar's word on where secrets go (after the keyring was tried)."""
        self.set_secret_store_text(_secret_store_text(self._services))

    # ------------------------------------------------------------------ layout

    def _restore_layout(self) -> None:
        if self._settings is None:
            return
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self._settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = self._settings.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        library = self._settings.value("window/library_splitter")  # sources | grid | preview
        if isinstance(library, QByteArray) and not library.isEmpty():
            self.library_pane.splitter.restoreState(library)
        pane = self._settings.value("window/pane", 0, type=int)
        if isinstance(pane, int) and 0 <= pane < self.stack.count():
            self.navigation.setCurrentRow(pane)

    def save_layout(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.setValue("window/splitter", self.splitter.saveState())
        self._settings.setValue("window/library_splitter", self.library_pane.splitter.saveState())
        self._settings.setValue("window/pane", self.navigation.currentRow())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The title bar's close button (a spontaneous close) asks as the Quit action does; a
        # close from code (a signal, the Dock's Quit, the test hook) never waits for an answer.
        if event.spontaneous() and not self._quit_confirmed:
            running = self.running_transfers()
            if running != (0, 0):
                event.ignore()
                self._ask_to_quit(*running)
                return
        self._services.uploads.stop()  # nothing new starts while the app shuts down
        self._tasks.close()  # the shutdown awaits them; none resumes into a closed window
        self.save_layout()
        event.accept()
        log.debug("main window closed")
        self.closed.emit()


def _running_text(uploads: int, downloads: int) -> str:
    """What runs and what becomes of it: uploads resume at the next start (the queue is kept in
    the database); the Library's downloads keep no partial file, so they start again by hand."""
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((uploads, "upload"), (downloads, "download"))
        if count
    ]
    running = f"{' and '.join(parts)} {'is' if uploads + downloads == 1 else 'are'} running"
    if not downloads:
        resume = "it resumes where it" if uploads == 1 else "they resume where they"
        return f"{running}; {resume} stopped when AssetDesk starts again."
    restart = "has to be started again" if downloads == 1 else "have to be started again"
    if not uploads:
        return f"{running}; {'it' if downloads == 1 else 'they'} {restart} next time."
    resume = "the upload resumes where it" if uploads == 1 else "the uploads resume where they"
    the_downloads = "the download" if downloads == 1 else "the downloads"
    return f"{running}; {resume} stopped when AssetDesk starts again, {the_downloads} {restart}."


def _secret_store_text(services: AppServices) -> str:
    accounts = services.accounts
    if accounts.secret_store_problem:
        return "Secrets: no keyring found"
    return f"Secrets: {accounts.secret_store_where}"
