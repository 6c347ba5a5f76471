"""The Uploads pane: drop, paste or pick files; each is checked, queued and sent, with progress.

The queue itself (checks, persistence, scheduling, retries) is `services.uploads.UploadQueue`;
this pane shows it. Progress is repainted on a 100 ms clock from the rows that changed, never per
chunk, so that a busy queue leaves the event loop free.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QWidget,
)
from shiboken6 import isValid

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.core.media import MediaKind
from assetdesk.core.units import format_duration, format_eta, format_size, format_speed
from assetdesk.services.accounts import AccountInfo, AccountsService
from assetdesk.services.uploads import (
    MAX_CONCURRENCY,
    ItemState,
    QueueSummary,
    UploadItem,
    UploadQueue,
    UploadTarget,
)
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.model import Column, ItemIdRole, UploadQueueModel
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pane_action, pluralise
from assetdesk.ui.widgets.pane_layout import pane_layout
from assetdesk.ui.widgets.progress_delegate import ProgressDelegate
from assetdesk.ui.widgets.square_thumbnail import square_thumbnail

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

log = logging.getLogger("assetdesk.ui.uploads")

EMPTY_TEXT = (
    "Drop images, videos or whole folders here, paste an image, or press Ctrl+O.\n\n"
    "Each file is checked by its real type and size before anything is sent:\n"
    "PNG, JPEG and WEBP up to 20 MiB, MP4 up to 100 MiB."
)
AUTOMATIC = "Automatic (the service picks)"
REPAINT_MS = 100
THUMBNAIL_SIZE = 40


class UploadsPane(QWidget):
    """Emits `queue_finished(succeeded, failed)` when the queue runs out of work."""

    queue_finished = Signal(int, int)

    def __init__(
        self,
        queue: UploadQueue,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        *,
        paste_folder: Path,
        thumbnails: ThumbnailMaker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._accounts = accounts
        self._tasks = tasks
        self._paste_folder = paste_folder
        self._thumbnails = thumbnails
        self._activated = False
        self._useapi_accounts: list[AccountInfo] = []
        self.setAcceptDrops(True)

        self.notice = Notice()
        self._build_target_row()

        self.model = UploadQueueModel(queue)
        self.model.want_thumbnail = self._make_thumbnail
        self.model.icon_size = THUMBNAIL_SIZE
        queue.on_added = self._items_added
        queue.on_removed = self._items_removed
        queue.on_idle = self.queue_finished.emit

        self.view = QTableView()
        self.view.setObjectName("uploadQueue")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(self.view))
        self.view.setIconSize(QPixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE).size())
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(THUMBNAIL_SIZE + 8)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in (
            (Column.NAME, 200),
            (Column.SIZE, 72),
            (Column.TYPE, 104),
            (Column.STATE, 124),
            (Column.SPEED, 78),
            (Column.ETA, 70),
        ):
            self.view.setColumnWidth(column, width)
        header.setSectionResizeMode(Column.PROGRESS, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("dropZone")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.details = QLabel()
        self.details.setObjectName("paneHint")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Room for a path and a sentence, so that selecting a row does not shift the layout.
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 2 + 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.overall_bar = QProgressBar()
        self.overall_bar.setObjectName("overallProgress")
        self.overall_bar.setRange(0, 1000)
        self.overall_bar.setTextVisible(False)
        self.overall_bar.setMaximumHeight(8)
        self.overall = QLabel("Nothing queued.")
        self.overall.setObjectName("overallLine")

        self._build_actions()
        layout = pane_layout(
            self,
            "Uploads",
            "Images and videos for Google Flow. Drop them anywhere in this pane.",
        )
        layout.addWidget(self.notice)
        layout.addLayout(self._target_row)
        layout.addLayout(self._button_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.overall_bar)
        layout.addWidget(self.overall)

        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self.repaint_progress)
        self._timer.start()
        self._update_view()

    # ------------------------------------------------------------------ building

    def _build_target_row(self) -> None:
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("uploadAccount")
        self.account_combo.setMinimumWidth(110)
        self.account_combo.currentIndexChanged.connect(self._account_changed)
        self.email_combo = QComboBox()
        self.email_combo.setObjectName("uploadEmail")
        self.email_combo.setMinimumWidth(150)
        self.email_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.email_combo.setMinimumContentsLength(26)
        self.email_combo.addItem(AUTOMATIC, None)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("uploadConcurrency")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(self._queue.concurrency)
        self.concurrency.setToolTip("How many files are sent at the same time.")
        self.concurrency.valueChanged.connect(self._concurrency_changed)
        row = QHBoxLayout()
        row.addWidget(QLabel("Upload to"))
        row.addWidget(self.account_combo)
        row.addWidget(QLabel("Google account"))
        row.addWidget(self.email_combo)
        row.addStretch(1)
        row.addWidget(QLabel("At once"))
        row.addWidget(self.concurrency)
        self._target_row = row

    def _build_actions(self) -> None:
        self.add_files_action = pane_action(
            self, "Add files…", QKeySequence.StandardKey.Open, self.pick_files
        )
        self.add_folder_action = pane_action(self, "Add folder…", "Ctrl+Shift+O", self.pick_folder)
        self.paste_action = pane_action(self, "Paste", QKeySequence.StandardKey.Paste, self.paste)
        self.cancel_action = pane_action(self, "Cancel", "Ctrl+.", self.cancel_selected)
        self.retry_action = pane_action(self, "Retry", "Ctrl+R", self.retry_selected)
        self.remove_action = pane_action(
            self, "Remove", QKeySequence.StandardKey.Delete, self.remove_selected
        )
        self.clear_action = pane_action(
            self, "Clear finished", "Ctrl+Shift+Delete", self.clear_finished
        )
        self.copy_id_action = pane_action(
            self, "Copy mediaGenerationId", QKeySequence.StandardKey.Copy, self.copy_ids
        )
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, action in (
            ("add", self.add_files_action),
            ("folder", self.add_folder_action),
            ("paste", self.paste_action),
            (None, None),
            ("cancel", self.cancel_action),
            ("retry", self.retry_action),
            ("remove", self.remove_action),
            ("clear", self.clear_action),
        ):
            if key is None or action is None:
                row.addStretch(1)
                continue
            button = QPushButton(action.text())
            button.setObjectName(f"{key}Button")
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{action.text()} ({shortcut})" if shortcut else action.text())
            button.clicked.connect(action.trigger)
            self.buttons[key] = button
            row.addWidget(button)
        self._button_row = row

    # ------------------------------------------------------------------ start-up

    async def activate(self) -> None:
        """Read the queue from disk, list the targets, and start sending (once accounts exist)."""
        if not self._activated:
            self._activated = True
            await self._queue.load()
            self.model.reset_from_queue()
            self.concurrency.blockSignals(True)
            self.concurrency.setValue(self._queue.concurrency)
            self.concurrency.blockSignals(False)
            self._update_view()
        await self.reload_targets()
        self._queue.start()

    async def reload_targets(self) -> None:
        """List the useapi.net accounts in "Upload to", keeping the current choice."""
        accounts = [a for a in await self._accounts.list() if a.kind == "useapi"]
        if not isValid(self):  # the window was closed meanwhile
            return
        current = self.account_combo.currentData()
        self._useapi_accounts = accounts
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account in accounts:
            self.account_combo.addItem(account.name, account.id)
        if not accounts:
            self.account_combo.addItem("No useapi.net account yet", None)
        index = self.account_combo.findData(current) if current is not None else -1
        self.account_combo.setCurrentIndex(max(0, index))
        self.account_combo.setEnabled(bool(accounts))
        self.account_combo.blockSignals(False)
        self._account_changed()

    def _account_changed(self, *_: object) -> None:
        info = self._current_account()
        self.email_combo.clear()
        self.email_combo.addItem(AUTOMATIC, None)
        self.email_combo.setEnabled(info is not None)
        if info is None:
            return
        if info.default_email:
            self.email_combo.addItem(info.default_email, info.default_email)
            self.email_combo.setCurrentIndex(1)
        self._tasks.spawn(self._list_emails(info), name="uploads.emails", key="uploads.emails")

    async def _list_emails(self, info: AccountInfo) -> None:
        try:
            clients = await self._accounts.useapi(info.id)
            flow_accounts = await clients.google_flow.accounts()
        except AssetDeskError as error:
            log.info("cannot list the Google accounts of %s: %s", info.name, error)
            return
        if not isValid(self) or self._current_account() != info:
            return
        for account in flow_accounts:
            if self.email_combo.findData(account.email) < 0:
                label = account.email if account.healthy else f"{account.email} (not ready)"
                self.email_combo.addItem(label, account.email)

    def _current_account(self) -> AccountInfo | None:
        account_id = self.account_combo.currentData()
        return next((a for a in self._useapi_accounts if a.id == account_id), None)

    def target(self) -> UploadTarget | None:
        """Where new files go: the chosen account and Google account (None: no account)."""
        info = self._current_account()
        if info is None:
            return None
        return UploadTarget(info.id, info.name, self.email_combo.currentData())

    def _concurrency_changed(self, value: int) -> None:
        self._tasks.spawn(self._queue.set_concurrency(value), name="uploads.concurrency")

    # ------------------------------------------------------------------ adding files

    def add_paths(self, paths: Iterable[Path]) -> asyncio.Task[None]:
        """Queue `paths` (folders recursively), checked in the background."""
        return self._tasks.spawn(self._add(list(paths)), name="uploads.add")

    async def _add(self, paths: list[Path]) -> None:
        target = self.target()
        result = await self._queue.add_paths(paths, target)
        refused = sum(1 for item in result.items if item.state is ItemState.REFUSED)
        parts = [f"Added {pluralise(len(result.items), 'file')}"]
        if refused:
            parts.append(f"{refused} cannot be sent (see why on each)")
        if result.already_queued:
            parts.append(f"{pluralise(result.already_queued, 'file')} already in the queue")
        if result.hidden_skipped:
            parts.append(f"{pluralise(result.hidden_skipped, 'hidden file')} skipped")
        kind = "warning" if refused or target is None else "info"
        text = "; ".join(parts) + "."
        if target is None and result.items:
            text += " There is no useapi.net account to upload to: add one in Accounts."
        self.notice.show_message(text, kind)

    def _items_added(self, items: list[UploadItem]) -> None:
        self.model.items_added(items)
        self._update_view()
        if items:
            self.view.scrollTo(self.model.index(self.model.row_of(items[-1].id), 0))

    def _items_removed(self, ids: list[int]) -> None:
        self.model.items_removed(ids)
        self._update_view()

    def pick_files(self) -> None:
        dialog = QFileDialog(self, "Add files to upload")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            ["Images and videos (*.png *.jpg *.jpeg *.webp *.mp4 *.m4v)", "All files (*)"]
        )
        dialog.filesSelected.connect(lambda files: self.add_paths(Path(f) for f in files))
        dialog.open()
        self.file_dialog = dialog

    def pick_folder(self) -> None:
        dialog = QFileDialog(self, "Add a folder to upload")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda folder: self.add_paths([Path(folder)]))
        dialog.open()
        self.file_dialog = dialog

    def paste(self) -> None:
        """Files copied in a file manager, or an image (saved as PNG, then queued)."""
        self._take_mime(QGuiApplication.clipboard().mimeData(), "The clipboard")

    def _take_mime(self, mime: QMimeData | None, where: str) -> bool:
        if mime is None:
            return False
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if paths:
            self.add_paths(paths)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self._tasks.spawn(self._add_image(image), name="uploads.paste")
                return True
        self.notice.show_message(f"{where} holds no image or files to upload.", "warning")
        return False

    async def _add_image(self, image: QImage) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H.%M.%S")
        path = await asyncio.to_thread(_save_png, image, self._paste_folder, stamp)
        if path is None:
            self.notice.show_message(
                f"The pasted image could not be saved in {self._paste_folder}.", "error"
            )
            return
        await self._add([path])

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        files = [url for url in mime.urls() if url.isLocalFile()]
        if files or mime.hasImage():
            event.acceptProposedAction()
            what = pluralise(len(files), "item") if files else "the image"
            self._set_drop_state(True, f"Release to add {what} to the queue.")
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_state(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drop_state(False)
        mime = event.mimeData()
        if not any(url.isLocalFile() for url in mime.urls()) and not mime.hasImage():
            event.ignore()
            return
        event.acceptProposedAction()
        self._take_mime(mime, "The drop")

    def _set_drop_state(self, active: bool, text: str = "") -> None:
        for widget in (self.empty, self.view):
            widget.setProperty("dropActive", active)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if active:
            self.notice.show_message(text, "info")
        elif self.notice.text().startswith("Release to add"):
            self.notice.clear()

    # ------------------------------------------------------------------ selection and actions

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.index(row, 0).data(ItemIdRole) for row in rows]

    def _selected_items(self) -> list[UploadItem]:
        items = (self._queue.item(item_id) for item_id in self.selected_ids())
        return [item for item in items if item is not None]

    def cancel_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._tasks.spawn(self._queue.cancel(ids), name="uploads.cancel")

    def retry_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._tasks.spawn(self._queue.retry(ids, self.target()), name="uploads.retry")

    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._tasks.spawn(self._queue.remove(ids), name="uploads.remove")

    def clear_finished(self) -> None:
        self._tasks.spawn(self._clear(), name="uploads.clear")

    async def _clear(self) -> None:
        await self._queue.clear_finished()
        self._update_view()

    def copy_ids(self) -> None:
        ids = [i.row.media_generation_id for i in self._selected_items()]
        text = "\n".join(i for i in ids if i)
        if text:
            QGuiApplication.clipboard().setText(text)

    def _context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row()):
            self.view.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction(self.copy_id_action)
        menu.addSeparator()
        for action in (self.cancel_action, self.retry_action, self.remove_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.clear_action)
        self._update_actions()
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(point))

    def _selection_changed(self, *_: object) -> None:
        self._update_actions()
        self._update_details()

    def _update_actions(self) -> None:
        items = self._selected_items()
        states = {item.state for item in items}
        self.cancel_action.setEnabled(bool(states & {ItemState.PENDING, ItemState.UPLOADING}))
        self.retry_action.setEnabled(
            bool(states & {ItemState.FAILED, ItemState.CANCELLED, ItemState.REFUSED})
        )
        self.remove_action.setEnabled(bool(items))
        self.copy_id_action.setEnabled(any(i.row.media_generation_id for i in items))
        finished = {ItemState.DONE, ItemState.CANCELLED, ItemState.REFUSED}
        self.clear_action.setEnabled(any(i.state in finished for i in self._queue.items))
        for key, action in (
            ("cancel", self.cancel_action),
            ("retry", self.retry_action),
            ("remove", self.remove_action),
            ("clear", self.clear_action),
        ):
            self.buttons[key].setEnabled(action.isEnabled())

    def _update_details(self) -> None:
        items = self._selected_items()
        if len(items) != 1:
            self.details.setText(f"{len(items)} files selected." if items else "")
            return
        item = items[0]
        row = item.row
        parts = [row.path]
        if row.note:
            parts.append(as_sentence(row.note))
        if row.message:
            parts.append(row.message)
        if row.media_generation_id:
            who = f" on {row.used_email}" if row.used_email else ""
            parts.append(f"Uploaded{who} as {row.media_generation_id}.")
        if row.width and row.height:
            measures = f"{row.width} × {row.height}"
            if row.duration_seconds:
                measures += f", {format_duration(row.duration_seconds)}"
            parts.append(measures)
        self.details.setText("\n".join(parts))

    # ------------------------------------------------------------------ repainting

    def repaint_progress(self) -> None:
        """The clock's tick: repaint changed rows and the overall line."""
        if self.model.refresh():
            self._update_actions()
            self._update_details()
        self._update_overall(self._queue.summary())

    def _update_view(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.view if has_rows else self.empty)
        self._update_actions()

    def _update_overall(self, summary: QueueSummary) -> None:
        total = summary.done + summary.failed + summary.active + summary.waiting + summary.queued
        self.overall_bar.setVisible(total > 0)
        if total == 0:
            text = "Nothing queued." if self.model.rowCount() == 0 else "Nothing to send."
        else:
            parts = [f"{summary.done} of {total} uploaded"]
            if summary.failed:
                parts.append(f"{summary.failed} failed")
            if summary.waiting:
                parts.append(f"{summary.waiting} waiting")
            parts.append(f"{format_size(summary.bytes_done)} of {format_size(summary.bytes_total)}")
            if summary.active:
                if summary.speed > 0:
                    parts.append(format_speed(summary.speed))
                if summary.eta is not None:
                    parts.append(f"about {format_eta(summary.eta)} left")
            text = " · ".join(parts)
            fraction = summary.bytes_done / summary.bytes_total if summary.bytes_total else 0.0
            value = round(fraction * 1000)
            if self.overall_bar.value() != value:  # a repaint costs ~2 ms with the style sheet
                self.overall_bar.setValue(value)
        if self.overall.text() != text:
            self.overall.setText(text)

    # ------------------------------------------------------------------ thumbnails

    def _make_thumbnail(self, item: UploadItem) -> None:
        if self._thumbnails is None or self._tasks.closing:
            return
        self._tasks.spawn(self._thumbnail(item), name=f"uploads.thumbnail[{item.id}]")

    async def _thumbnail(self, item: UploadItem) -> None:
        assert self._thumbnails is not None
        media_type = item.media_type
        video = media_type is not None and media_type.kind is MediaKind.VIDEO
        try:
            image = await self._thumbnails.for_file(item.path, video=video)
        except AssetDeskError as error:
            log.info("no thumbnail for queue item %d: %s", item.id, error)
            return
        if not isValid(self):
            return
        self.model.set_thumbnail(item.id, square_thumbnail(image, THUMBNAIL_SIZE))


def _save_png(image: QImage, folder: Path, stamp: str) -> Path | None:
    """Write a pasted image as a new PNG in `folder` (never over an older one)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for number in range(1, 1000):
        suffix = "" if number == 1 else f" ({number})"
        path = folder / f"Pasted image {stamp}{suffix}.png"
        if path.exists():
            continue
        partial = path.with_name(path.name + ".part")
        if image.save(str(partial), "PNG"):  # type: ignore[call-overload]
            partial.replace(path)
            return path
        return None
    return None
