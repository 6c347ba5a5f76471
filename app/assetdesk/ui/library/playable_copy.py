"""The copy of a Wordbee video that its preview plays from: a file in the preview's cache
folder, downloaded once and reused while it is whole (a later preview plays it at once)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assetdesk.services.library import Asset, LibraryService


async def playable_copy(library: LibraryService, asset: Asset, folder: Path) -> Path:
    """A file of `asset` in `folder` to play from: a previous preview's, or a new download."""
    ready = await asyncio.to_thread(_complete_copy, folder, asset.size)
    if ready is None:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        result = await library.save_copy(asset, folder)
        ready = result.path
    return ready


def _complete_copy(folder: Path, size: int | None) -> Path | None:
    """A file already in `folder` with the asset's size (a previous preview's copy), or None."""
    if not folder.is_dir():
        return None
    for candidate in folder.iterdir():
        unfinished = candidate.name.endswith((".part", ".part.json"))
        if candidate.is_file() and not unfinished and size in (None, candidate.stat().st_size):
            return candidate
    return None
