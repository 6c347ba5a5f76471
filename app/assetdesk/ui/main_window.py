"""The one window: Accounts, the Library and the transfers (uploads over downloads) side by side
in splitters (`pane_splitter.py`), the menus (`window_menus.py`), a status bar; a file dropped
anywhere on it is queued for upload (`drop_anywhere.py`)."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QSystemTrayIcon,
    QWidget,
)

import assetdesk
from assetdesk.core.provider import Provider
from assetdesk.store.thumbnail_pack import limit_in_catalog
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.drop_anywhere import DropAnywhere
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.reveal import reveal
from assetdesk.ui.library.thumbnail_queue import MAX_TILE as LIBRARY_TILE
from assetdesk.ui.main_thread_gc import settle_now
from assetdesk.ui.media_quiet import quiet_ffmpeg
from assetdesk.ui.pane_splitter import PaneSplitter
from assetdesk.ui.quit_box import quit_box, running_text
from assetdesk.ui.style import follow_palette
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnail_cache_setting import ThumbnailCacheSetting
from assetdesk.ui.thumbnails import ThumbnailMaker
from assetdesk.ui.uploads.pane import UploadsPane
from assetdesk.ui.uploads.queue_view import THUMBNAIL_SIZE
from assetdesk.ui.window_layout import restore_layout, save_layout
from assetdesk.ui.window_menus import WindowActions, build_menus, scope_shared_shortcuts

if TYPE_CHECKING:
    from assetdesk.services.app import AppServices
    from assetdesk.services.library_refresher import RefreshReport

log = logging.getLogger("assetdesk.ui.window")

#: The smallest first size, and the largest (the window takes 90% of the screen between them).
SMALLEST_SIZE = (960, 600)
LARGEST_SIZE = (2560, 1600)
#: The panes by their place in the splitter.
ACCOUNTS, LIBRARY, TRANSFERS = range(3)


def first_size(available: QSize) -> tuple[int, int]:
    """A first start's window size on a screen with `available` room (never larger than it)."""
    width = min(max(int(available.width() * 0.9), SMALLEST_SIZE[0]), LARGEST_SIZE[0])
    height = min(max(int(available.height() * 0.9), SMALLEST_SIZE[1]), LARGEST_SIZE[1])
    return min(width, available.width()), min(height, available.height())


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

        self.accounts_pane = AccountsPane(services.accounts, tasks, redactor=services.redactor)
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
            size=LIBRARY_TILE,
            cache_dir=services.paths.thumbnails,
            cache_limit=partial(limit_in_catalog, services.paths.database),
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
        self.uploads_pane.reveal_requested.connect(self.reveal_upload)

        # Uploads above, the Library's downloads under them: both directions in one column.
        self.transfers = QSplitter(Qt.Orientation.Vertical)
        self.transfers.setObjectName("transfers")
        self.transfers.addWidget(self.uploads_pane)
        self.transfers.addWidget(self.library_pane.downloads_box)
        self.transfers.setStretchFactor(0, 3)
        self.transfers.setStretchFactor(1, 1)
        self.transfers.setCollapsible(0, False)
        self.panes = PaneSplitter([self.accounts_pane, self.library_pane, self.transfers])
        self.setCentralWidget(self.panes)

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
        self._fitted = False
        self.window_actions = WindowActions(self, self)
        self.quit_action = self.window_actions.quit
        self.about_action = self.window_actions.about
        self.thumbnail_cache = ThumbnailCacheSetting(
            self, self.library_thumbnails, services.paths.database, tasks
        )
        self.menus = build_menus(self, self.window_actions)
        self.panes.panes_changed.connect(self._panes_changed)
        scope_shared_shortcuts([self.accounts_pane, self.library_pane, self.uploads_pane])
        self.drop_anywhere = DropAnywhere(self, self.uploads_pane)
        self.resize(*first_size(self.screen().availableGeometry().size()))
        widths = self.panes.apply_defaults(self.width())
        self.library_pane.first_split(widths[LIBRARY])
        self._restore_layout()
        # FFmpeg's start (~20-40 ms, once per process, and its console output silenced before
        # any player exists) now, while the window is built, not at the first video a user drops.
        quiet_ffmpeg()
        settle_now()  # what lives as long as the app leaves the cycle collector's scans now

    # ------------------------------------------------------------------- panes

    def set_pane_open(self, index: int, open_: bool) -> None:
        """Show or collapse a pane (the View menu); the last open pane stays."""
        if not self.panes.set_open(index, open_):
            self.window_actions.follow_panes(self.panes.open_panes())

    def fit_to(self, available: QSize) -> list[int]:
        """On a screen too small for the three panes, fold Accounts, then the transfers, until
        the window fits (never clipped); returns the panes folded. The View menu and Ctrl+1/2/3
        bring them back."""
        frame = self.width() - self.panes.width()
        folded = self.panes.fold_to_fit(available.width() - frame, (ACCOUNTS, TRANSFERS))
        layout = self.layout()
        if folded and layout is not None:
            layout.activate()  # the window's minimum follows the panes left open, now
            self.resize(min(self.width(), available.width()), self.height())
        return folded

    def _panes_changed(self) -> None:
        self.window_actions.follow_panes(self.panes.open_panes())

    def focus_pane(self, index: int) -> QWidget:
        """Ctrl+1/2/3: open pane `index` if collapsed and put the focus in its list."""
        self.panes.open_pane(index)
        target: QWidget | None
        if index == LIBRARY:
            library = self.library_pane
            target = library.current_view if library.current_view.isVisible() else library.search
        elif index == TRANSFERS:
            target = self.uploads_pane.stack.currentWidget()
        else:
            views = [v for v in self.accounts_pane.findChildren(QAbstractItemView) if v.isVisible()]
            target = views[0] if views else self.accounts_pane
        target = target or self.uploads_pane
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return target

    def reveal_upload(self, provider: str, remote_id: str) -> None:
        """An upload row opened: its asset selected and previewed in the Library."""
        self.panes.open_pane(LIBRARY)
        self._tasks.spawn(
            reveal(self.library_pane, Provider(provider), remote_id),
            name="library.reveal",
            key="library.reveal",
        )

    def open_files(self, paths: list[Path]) -> None:
        """Files handed to the app (its command line, a second start, the OS's "Open with"):
        queued for upload to the current target, the window brought to the front."""
        if self._tasks.closing:  # handed over while the window shuts down: logged, no crash
            log.warning(
                "%d file(s) handed over while AssetDesk was closing: not queued", len(paths)
            )
            return
        self.panes.open_pane(TRANSFERS)
        self.uploads_pane.add_paths(paths)
        self._bring_to_front()

    # A file dropped anywhere on the window goes to the uploads (drop_anywhere.py).

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.drop_anywhere.enter(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.drop_anywhere.move(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_anywhere.leave(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_anywhere.drop(event)

    # ------------------------------------------------------------------- menus

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
        Library's downloads of the user's still to finish, a batch's waiting files too (a
        preview's or a drag's copy is not one)."""
        summary = self._services.uploads.summary()
        uploads = summary.active + summary.waiting + summary.queued
        return uploads, self.library_pane.download_jobs.still_to_finish()

    def _ask_to_quit(self, uploads: int, downloads: int) -> QMessageBox:
        if self.quit_box is None:
            self.quit_box = quit_box(self, self._quit_now)
        self.quit_box.setInformativeText(running_text(uploads, downloads))
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
        if not self._fitted:
            self._fitted = True
            self.fit_to(self.screen().availableGeometry().size())
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

    def _bring_to_front(self, *_: object) -> None:
        """Raise the window as it is: a minimised one is restored, a maximised or full-screen
        one stays so."""
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
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
        if self._settings is not None:
            restore_layout(self, self._settings)
        self.window_actions.follow_panes(self.panes.open_panes())

    def save_layout(self) -> None:
        if self._settings is not None:
            save_layout(self, self._settings)

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


def _secret_store_text(services: AppServices) -> str:
    accounts = services.accounts
    if accounts.secret_store_problem:
        return "Secrets: no keyring found"
    return f"Secrets: {accounts.secret_store_where}"
