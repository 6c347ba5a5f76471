"""Thumbnails for the Uploads queue's painted rows.

The model asks for a row's thumbnail when the row is painted. Drops land in bursts (a folder, a
few drops in a row), and decoding files or starting video players while each drop's rows are laid
out made the event loop stall (benchmarks/ui_stall.py, mixed queue: p99 22 ms, max 59 ms). So the
rows' wishes are gathered and served shortly after the last one, one file after another: the
thumbnails follow a fraction of a second later and the window stays smooth (p99 11 ms, max 18 ms).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from shiboken6 import isValid

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.media import MediaKind
from assetdesk.services.upload_items import UploadItem
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.model import UploadQueueModel
from assetdesk.ui.widgets.square_thumbnail import square_thumbnail

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

log = logging.getLogger("assetdesk.ui.uploads")

#: Thumbnails start this long after the last painted row asked for one.
AFTER_MS = 250


class RowThumbnails(QObject):
    """`want(item)` (the model's hook) gathers the rows; a short quiet spell later they are
    made, in order, and handed to the model at `size`."""

    def __init__(
        self,
        maker: ThumbnailMaker,
        queue: UploadQueue,
        model: UploadQueueModel,
        tasks: BackgroundTasks,
        size: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._maker = maker
        self._queue = queue
        self._model = model
        self._tasks = tasks
        self._size = size
        self._wanted: list[UploadItem] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AFTER_MS)
        self._timer.timeout.connect(self._start)

    def want(self, item: UploadItem) -> None:
        if self._tasks.closing:
            return
        self._wanted.append(item)
        self._timer.start()  # again: the spell starts from the last wish

    def _start(self) -> None:
        wanted, self._wanted = self._wanted, []
        if wanted and not self._tasks.closing:
            self._tasks.spawn(self._make_all(wanted), name="uploads.thumbnails")

    async def _make_all(self, items: list[UploadItem]) -> None:
        for item in items:
            if not isValid(self) or self._queue.item(item.id) is not item:
                continue  # the pane is gone, or the item was removed meanwhile
            await self._make(item)

    async def _make(self, item: UploadItem) -> None:
        media_type = item.media_type
        kind = media_type.kind if media_type is not None else None
        # Images and videos by their known kind; the rest (audio's tile) by the file's bytes.
        video = {MediaKind.VIDEO: True, MediaKind.IMAGE: False}.get(kind) if kind else None
        try:
            image = await self._maker.for_file(item.path, video=video)
        except AssetDeskError as error:
            log.info("no thumbnail for queue item %d: %s", item.id, error)
            return
        if isValid(self):
            self._model.set_thumbnail(item.id, square_thumbnail(image, self._size))
