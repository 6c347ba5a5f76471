"""Where the Library's preview gets an asset from: an image's bytes, a video's URL to stream.

Signed links are resolved when needed by the library service, never kept past their validity;
a Wordbee video has no signed link (its API serves it), so a copy is saved and played from disk.
A failure is noted on the asset's row as well as in the preview.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.services.library import Asset, LibraryService
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.library.playable_copy import playable_copy


class PreviewSources:
    """`image_bytes(asset, fresh)` and `video_url(asset, fresh)`, as `PreviewPanel` asks them."""

    def __init__(
        self,
        library: LibraryService,
        model: LibraryModel,
        preview_folder: Path | None,
    ) -> None:
        self._library = library
        self._model = model
        self._preview_folder = preview_folder
        self._image_errors: dict[int, AssetDeskError] = {}
        # The errors it put on rows: a preview that works clears only those.
        self._shown: set[int] = set()

    async def image_bytes(self, asset: Asset, fresh: bool) -> bytes:
        # The service already tried a fresh link once when storage refused one; the panel's own
        # second try (fresh=True) would only repeat that, so it gets the same answer.
        if fresh and asset.id in self._image_errors:
            raise self._image_errors.pop(asset.id)
        try:
            data = await self._library.fetch_bytes(asset)
        except AssetDeskError as error:
            self._image_errors[asset.id] = error
            self._show_error(asset.id, error)
            raise
        self._image_errors.pop(asset.id, None)
        self._show_error(asset.id, None)
        return data

    async def video_url(self, asset: Asset, fresh: bool) -> str:
        try:
            if asset.provider == Provider.WORDBEE:
                # No signed link: the API serves it, so save a copy.
                if self._preview_folder is None:
                    raise AssetDeskError("Download this Wordbee video to play it.")
                folder = self._preview_folder / str(asset.id)  # same names across locales
                ready = await playable_copy(self._library, asset, folder)
                return QUrl.fromLocalFile(str(ready)).toString()
            link = await self._library.signed_link(asset, fresh=fresh)
        except AssetDeskError as error:
            self._show_error(asset.id, error)
            raise
        self._show_error(asset.id, None)
        return link.url

    def _show_error(self, asset_id: int, sentence: AssetDeskError | None) -> None:
        if sentence is not None:
            self._shown.add(asset_id)
        elif asset_id not in self._shown:
            return  # another action's reason (a refused delete, a failed download) stays
        else:
            self._shown.discard(asset_id)
        self._model.set_error(asset_id, sentence)
