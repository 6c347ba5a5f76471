"""The Library's thumbnail queue: made only for the items a view paints, newest wish first.

A few workers take the newest wish still on screen; an image is decoded off the event loop and
cached on disk by asset id and the maker's size (`ui/thumbnails.py`), then drawn on a square of
the grid's current tile size (`model.icon_size`): a maker of MAX_TILE serves every size without
a small picture ever stretched. A failed thumbnail is tried again after a while
(the network or the account may recover), not on every paint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage

from assetdesk.core.errors import AccountGone, AssetDeskError, NetworkError
from assetdesk.core.provider import Provider
from assetdesk.services.library import Asset, LibraryService
from assetdesk.ui.library.model import LibraryModel, local_copy
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnails import audio_tile
from assetdesk.ui.widgets.square_thumbnail import square_thumbnail

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

log = logging.getLogger("assetdesk.ui.library")

#: The grid's thumbnail size at first, and the range its slider offers (tile_size.py).
TILE = 128
MIN_TILE = 96
MAX_TILE = 256
THUMBNAILS_AT_ONCE = 4
#: Wishes scrolled past that a worker drops in one turn of the loop: after a long scroll there
#: are hundreds, each asked of the view (dropped all at once: a 100 ms stall).
SKIPPED_PER_TURN = 32
#: Wishes kept (two screens of the smallest tiles on a large monitor): a scroll paints new rows
#: faster than thumbnails are made, and the oldest wishes, long scrolled past, were kept with
#: their assets (68,000 of them, 70 MB, after a scroll through 100,000). The oldest go first,
#: asked for again if they are painted again.
WISHES_KEPT = 1000
THUMBNAIL_RETRY_AFTER = 60.0  # seconds before a failed thumbnail is tried again


class ThumbnailQueue:
    """Takes `want(asset)` from the model's paints and hands `model` square thumbnails.

    `on_screen(asset_id)` says whether the asset is still visible; `alive()` whether the pane
    still has its widgets (a late task must not touch them).
    """

    def __init__(
        self,
        maker: ThumbnailMaker | None,
        library: LibraryService,
        tasks: BackgroundTasks,
        model: LibraryModel,
        *,
        on_screen: Callable[[int], bool],
        alive: Callable[[], bool],
    ) -> None:
        self._maker = maker
        self._library = library
        self._tasks = tasks
        self._model = model
        self._on_screen = on_screen
        self._alive = alive
        #: Thumbnails wanted, newest last; a few workers take the newest still on screen.
        self._wanted: dict[int, Asset] = {}
        self._workers = 0

    def want(self, asset: Asset) -> None:
        """A view painted the asset: queue its thumbnail (newest first, a few at a time)."""
        if self._maker is None or self._tasks.closing:
            return
        self._wanted.pop(asset.id, None)
        self._wanted[asset.id] = asset
        if len(self._wanted) > WISHES_KEPT:
            oldest = next(iter(self._wanted))
            del self._wanted[oldest]
            self._model.forget_asked(oldest)
        while self._workers < THUMBNAILS_AT_ONCE and self._wanted:
            self._workers += 1
            self._tasks.spawn(self._worker(), name="library.thumbnails")

    async def _worker(self) -> None:
        skipped = 0
        try:
            while self._wanted and self._alive():
                asset_id, asset = self._wanted.popitem()  # the newest wish
                if not self._on_screen(asset_id):
                    # Scrolled past: asked for again when it is painted again.
                    self._model.forget_asked(asset_id)
                    skipped += 1
                    if skipped % SKIPPED_PER_TURN == 0:
                        await asyncio.sleep(0)  # a long scroll's stale wishes, a few a turn
                    continue
                await self._thumbnail(asset)
        finally:
            self._workers -= 1

    async def _thumbnail(self, asset: Asset) -> None:
        assert self._maker is not None
        maker = self._maker
        # With the maker's size: a cache made by a smaller maker must not serve a larger tile.
        key = f"{asset.provider}:{asset.remote_id}@{maker.size}"
        try:
            image = await asyncio.to_thread(maker.cached, key)
            if image is None:
                image = await self._image(maker, asset, key)
        except AssetDeskError as error:
            log.info("no thumbnail for asset %d: %s", asset.id, error)
            if not self._alive():
                return
            if error.status is not None or isinstance(error, NetworkError | AccountGone):
                self._model.set_error(asset.id, error)
            # Tried again later (the network or the account may recover), not on every paint.
            asyncio.get_running_loop().call_later(
                THUMBNAIL_RETRY_AFTER, self._model.forget_asked, asset.id
            )
            return
        if image is not None and self._alive():
            self._model.set_thumbnail(asset.id, square_thumbnail(image, self._model.icon_size))

    async def _image(self, maker: ThumbnailMaker, asset: Asset, key: str) -> QImage | None:
        if asset.kind == "audio":  # nothing to picture: a tile that says so, no download
            return audio_tile(self._model.icon_size)
        local = await asyncio.to_thread(local_copy, asset)
        if local is not None:
            return await maker.for_file(Path(local), video=asset.kind == "video", key=key)
        # Runway: its preview image (a video's poster), when it has one.
        if asset.provider == Provider.RUNWAY:
            preview = await self._library.preview_link(asset)
            if preview.url != (await self._library.signed_link(asset)).url:
                data = await self._library.fetch_bytes(asset, preview=True)
                return await maker.for_image_bytes(data, key=key)
        if asset.kind == "image":
            return await maker.for_image_bytes(await self._library.fetch_bytes(asset), key=key)
        if asset.kind == "video" and asset.provider != Provider.WORDBEE:
            link = await self._library.signed_link(asset)
            return await maker.for_video_url(QUrl(link.url), key=key)
        return None
