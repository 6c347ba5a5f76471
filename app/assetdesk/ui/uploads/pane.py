"""The Uploads pane: drop, paste or pick files; each is checked, queued and sent, with progress.

The queue itself (checks, persistence, scheduling, retries) is `services.upload_queue.UploadQueue`;
this pane shows it. Progress is repainted on a 100 ms clock from the rows that changed, never per
chunk, so that a busy queue leaves the event loop free. A container: the target row
(`target_picker.py`, filled and applied by `target_switch.py`), the queue table and its buttons
(`queue_view.py`, `queue_actions.py`), the drop zone (`drop_zone.py`) and the sentences under the
queue (`status_text.py`) are wired here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QProgressBar,
    QStackedWidget,
    QWidget,
)
from shiboken6 import isValid

from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, QueueSummary, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.add_files_dialog import AddFilesDialog
from assetdesk.ui.uploads.drop_zone import (
    can_take,
    drag_prompt,
    drop_zone,
    local_paths,
    save_png,
    set_drop_active,
)
from assetdesk.ui.uploads.model import ItemIdRole, UploadQueueModel
from assetdesk.ui.uploads.queue_actions import QueueActions
from assetdesk.ui.uploads.queue_view import THUMBNAIL_SIZE, queue_view
from assetdesk.ui.uploads.row_thumbnails import RowThumbnails
from assetdesk.ui.uploads.status_text import checked_text, details_text, overall_text, queue_total
from assetdesk.ui.uploads.target_memory import read_target
from assetdesk.ui.uploads.target_picker import TargetPicker
from assetdesk.ui.uploads.target_switch import FollowedProjects, TargetSwitch
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise
from assetdesk.ui.widgets.pane_layout import pane_layout
from assetdesk.ui.widgets.plain_text import plain_label

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

log = logging.getLogger("assetdesk.ui.uploads")

REPAINT_MS = 100
#: The overall bar repaints at once on each change (~2 ms with the style sheet): at most this often.
OVERALL_BAR_MS = 400


class UploadsPane(QWidget):
    """Emits `queue_finished(succeeded, failed)` when the queue runs out of work, and
    `library_changed()` when a check found a lost upload on its service (it is in the catalog).

    `settings` keep the last target across starts; `followed_projects` lists the Wordbee projects
    the Library follows (the target row offers them)."""

    queue_finished = Signal(int, int)
    library_changed = Signal()
    #: A sent row was opened (double-click, Enter): its service and the id it has there.
    reveal_requested = Signal(str, str)

    def __init__(
        self,
        queue: UploadQueue,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        *,
        paste_folder: Path,
        thumbnails: ThumbnailMaker | None = None,
        settings: QSettings | None = None,
        followed_projects: FollowedProjects | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._accounts = accounts
        self._tasks = tasks
        self._paste_folder = paste_folder
        self._activated = False
        self.setAcceptDrops(True)

        self.notice = Notice()
        self.picker = TargetPicker(queue.concurrency, read_target(settings))
        self.picker.concurrency_changed.connect(self._concurrency_changed)
        self.target_switch = TargetSwitch(
            self.picker,
            queue,
            accounts,
            tasks,
            self.notice,
            settings=settings,
            followed_projects=followed_projects,
        )

        self.model = UploadQueueModel(queue)
        if thumbnails is not None:
            rows = RowThumbnails(thumbnails, queue, self.model, tasks, THUMBNAIL_SIZE, self)
            self.model.want_thumbnail = rows.want
        self.model.icon_size = THUMBNAIL_SIZE
        queue.on_added = self._items_added
        queue.on_removed = self._items_removed
        queue.on_idle = self.queue_finished.emit

        self.view = queue_view(self.model)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.activated.connect(self._row_opened)

        self.empty = drop_zone()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.details = plain_label(QLabel())  # file names, service errors
        self.details.setObjectName("paneHint")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Room for a path and a sentence, so that selecting a row does not shift the layout.
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 2 + 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self._bar_set_at = 0.0
        self.overall_bar = QProgressBar()
        self.overall_bar.setObjectName("overallProgress")
        self.overall_bar.setRange(0, 1000)
        self.overall_bar.setTextVisible(False)
        self.overall_bar.setMaximumHeight(8)
        self.overall = QLabel("Nothing queued.")
        self.overall.setObjectName("overallLine")

        self.queue_actions = QueueActions(
            self,
            queue,
            tasks,
            selected_ids=self.selected_ids,
            selected_items=self._selected_items,
            target=self.target,
            pick_files=self.pick_files,
            pick_folder=self.pick_folder,
            paste=self.paste,
            cleared=self._update_view,
            checked=self._checked,
        )
        layout = pane_layout(
            self,
            "Uploads",
            "Files for Google Flow, Runway or a Wordbee segment: drop them anywhere in the window.",
        )
        layout.addWidget(self.notice)
        layout.addWidget(self.picker)
        layout.addLayout(self.queue_actions.button_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.details)
        layout.addLayout(self.queue_actions.unknown_row)
        layout.addWidget(self.overall_bar)
        layout.addWidget(self.overall)

        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self.repaint_progress)
        self._timer.start()
        self._update_view()

    # ------------------------------------------------------------------ start-up

    async def activate(self) -> None:
        """Read the queue from disk, list the targets, and start sending (once accounts exist)."""
        if not self._activated:
            self._activated = True
            await self._queue.load()
            self.model.reset_from_queue()
            self.picker.set_concurrency(self._queue.concurrency)
            self._update_view()
        await self.reload_targets()
        self._queue.start()

    async def reload_targets(self) -> None:
        """List the accounts in "Upload to", keeping the current choice."""
        await self.target_switch.reload()

    def target(self) -> UploadTarget | None:
        """Where new files go (None: no account, or a Wordbee segment not named yet)."""
        return self.picker.target()

    def _concurrency_changed(self, value: int) -> None:
        self._tasks.spawn(self._queue.set_concurrency(value), name="uploads.concurrency")

    # ------------------------------------------------------------------ adding files

    def add_paths(self, paths: Iterable[Path]) -> asyncio.Task[None]:
        """Queue `paths` (folders recursively), checked in the background."""
        return self._tasks.spawn(self._add(list(paths)), name="uploads.add")

    async def _add(self, paths: list[Path]) -> None:
        target = self.target()
        if target is None and self.picker.provider() is Provider.WORDBEE:
            missing = self.picker.missing() or "Choose where the files go."
            self.notice.show_message(f"Nothing was added. {missing}", "warning")
            return
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
        """Queue the files chosen or typed; a typed name that is not there is listed, refused."""
        dialog = AddFilesDialog(self)
        dialog.picked.connect(self.add_paths)
        dialog.open()
        self.file_dialog: QFileDialog = dialog

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
        paths = local_paths(mime)
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
        path = await asyncio.to_thread(save_png, image, self._paste_folder, stamp)
        if path is None:
            self.notice.show_message(
                f"The pasted image could not be saved in {self._paste_folder}.", "error"
            )
            return
        await self._add([path])

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # A drag started in AssetDesk (a Library asset's copy) is not an upload, here as on
        # the rest of the window.
        if event.source() is None and self.drag_offered(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drag_withdrawn()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        if event.source() is None and self.dropped(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    # The window routes drags over the other panes here (a drop anywhere queues the files).

    def drag_offered(self, mime: QMimeData) -> bool:
        """A drag came over the window: True (and the pane shows it) when it holds files or an
        image to queue."""
        if not can_take(mime):
            return False
        self._set_drop_state(True, drag_prompt(mime))
        return True

    def drag_withdrawn(self) -> None:
        self._set_drop_state(False)

    def dropped(self, mime: QMimeData) -> bool:
        """Queue what a drop holds; False when it holds nothing to upload."""
        self._set_drop_state(False)
        if not can_take(mime):
            return False
        self._take_mime(mime, "The drop")
        return True

    def _set_drop_state(self, active: bool, text: str = "") -> None:
        set_drop_active((self.empty, self.view), active)
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

    def _row_opened(self, index: QModelIndex) -> None:
        item = self._queue.item(index.siblingAtColumn(0).data(ItemIdRole))
        if item is not None and item.state is ItemState.DONE and item.row.remote_id:
            self.reveal_requested.emit(str(item.row.provider), item.row.remote_id)

    def _context_menu(self, point: QPoint) -> None:
        self.queue_actions.context_menu(self.view, point)

    def _selection_changed(self, *_: object) -> None:
        self.queue_actions.update()
        self._update_details()

    def _update_details(self) -> None:
        self.details.setText(details_text(self._selected_items()))

    def _checked(self, said: dict[int, str]) -> None:
        """What "Check the service" found, in the notice; a found upload is in the Library."""
        if not said or not isValid(self):
            return
        items = {item_id: self._queue.item(item_id) for item_id in said}
        text, found = checked_text(said, items)
        self.notice.show_message(text, "info" if found else "warning")
        self.repaint_progress()
        if found:
            self.library_changed.emit()

    # ------------------------------------------------------------------ repainting

    def repaint_progress(self) -> None:
        """The clock's tick: repaint changed rows and the overall line."""
        if self.model.refresh():
            self.queue_actions.update()
            self._update_details()
        self.model.follow_palette(QGuiApplication.palette())
        self._update_overall(self._queue.summary())

    def _update_view(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.view if has_rows else self.empty)
        self.queue_actions.update()

    def _update_overall(self, summary: QueueSummary) -> None:
        total = queue_total(summary)
        self.overall_bar.setVisible(total > 0)
        text = overall_text(summary, self.model.rowCount() > 0)
        if total:
            fraction = summary.bytes_done / summary.bytes_total if summary.bytes_total else 0.0
            value = round(fraction * 1000)
            now = time.monotonic()
            due = now - self._bar_set_at >= OVERALL_BAR_MS / 1000 or value in (0, 1000)
            if self.overall_bar.value() != value and due:
                self.overall_bar.setValue(value)
                self._bar_set_at = now
        if self.overall.text() != text:
            self.overall.setText(text)

    # ------------------------------------------------------------------ thumbnails
