"""View → "Thumbnail cache size…": how much disk the Library's packed thumbnails may take (the
catalog setting `thumbnails.cache_bytes`, store/thumbnail_pack.py) and what they take now.
Lowering it drops the least recently shown thumbnails at once, in a worker thread (they are made
again when shown)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QWidget

from assetdesk.core.units import format_size
from assetdesk.store.db import open_database
from assetdesk.store.thumbnail_pack import limit_setting, put_limit_setting
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnails import ThumbnailMaker

MB = 1000 * 1000
#: The choices, in MB: a few screens' worth at least, 100 GB at most.
LEAST_MB, MOST_MB = 20, 100_000


class ThumbnailCacheSetting:
    """The action, its dialog, and the change applied to the setting and the open cache."""

    def __init__(
        self, parent: QWidget, maker: ThumbnailMaker, database: Path, tasks: BackgroundTasks
    ) -> None:
        self._parent, self._maker, self._database, self._tasks = parent, maker, database, tasks
        self.action = QAction("Thumbnail cache size…", parent)
        self.action.setToolTip("How much disk the Library's thumbnails may take")
        self.action.setEnabled(maker.cache is not None)
        self.action.triggered.connect(self.ask)
        self.dialog: QInputDialog | None = None

    def ask(self) -> None:
        self._tasks.spawn(self._ask(), name="thumbnails.cache_setting")

    async def _ask(self) -> None:
        limit, used = await asyncio.to_thread(self._read)
        dialog = QInputDialog(self._parent)
        dialog.setWindowTitle("Thumbnail cache size")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(LEAST_MB, MOST_MB)
        dialog.setIntStep(100)
        dialog.setIntValue(max(LEAST_MB, min(MOST_MB, round(limit / MB))))
        dialog.setLabelText(
            f"Thumbnails kept on disk, at most (MB). They take {format_size(used)} now; "
            "past the limit, the least recently shown go first (made again when shown)."
        )
        dialog.intValueSelected.connect(
            lambda mb: self._tasks.spawn(self.apply(mb * MB), name="thumbnails.cache_limit")
        )
        dialog.open()
        self.dialog = dialog

    async def apply(self, limit: int) -> None:
        """Keep `limit` bytes of thumbnails at most, from now on and in later starts."""
        await asyncio.to_thread(self._write, limit)

    def _read(self) -> tuple[int, int]:
        conn = open_database(self._database)
        try:
            limit = limit_setting(conn)
        finally:
            conn.close()
        cache = self._maker.cache
        return limit, 0 if cache is None else cache.pack().stored_bytes()

    def _write(self, limit: int) -> None:
        conn = open_database(self._database)
        try:
            put_limit_setting(conn, limit)
        finally:
            conn.close()
        if self._maker.cache is not None:
            self._maker.cache.set_limit(limit)
