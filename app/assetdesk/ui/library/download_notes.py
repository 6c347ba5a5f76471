"""The records that keep the user's downloads for the next start (the `pending_downloads` table,
through the library service): what each download notes, a batch's records written in one
transaction in the worker thread, and the records of files the user cancelled before they ran
forgotten together."""

from __future__ import annotations

import asyncio
import contextlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assetdesk.services.pending_downloads import PendingDownloads

__all__ = ["Note", "Notes"]


@dataclass(frozen=True)
class Note:
    """A user download as the database keeps it until it ends (`pending_id` once written).
    A file of a "Download to folder" has its record in its batch's one write: `written`'s
    `index`-th."""

    folder: Path
    filename: str | None
    keep_folders: bool
    pending_id: int | None = None
    written: asyncio.Future[array[int]] | None = None
    index: int = 0


class Notes:
    """The notes of the files to a folder that have not ended, by download id."""

    def __init__(self, pending: PendingDownloads) -> None:
        self._pending = pending
        self._writing: set[asyncio.Future[array[int]]] = set()
        self._held: dict[int, Note] = {}

    def write(
        self, asset_ids: Sequence[int], folder: Path, keep_folders: bool
    ) -> asyncio.Future[array[int]]:
        """The records of files to a folder, in one transaction in the worker thread: their ids
        in the files' order."""
        written = asyncio.ensure_future(
            self._pending.add_ids(asset_ids, folder, keep_folders=keep_folders)
        )
        self._writing.add(written)
        written.add_done_callback(self._writing.discard)
        return written

    def hold(self, download_id: int, note: Note) -> None:
        self._held[download_id] = note

    def release(self, download_id: int) -> Note | None:
        return self._held.pop(download_id, None)

    async def forget(self, notes: list[Note]) -> None:
        """The records of files the user cancelled before they ran, in one write."""
        ids: list[int] = []
        for note in notes:
            if note.pending_id is not None:
                ids.append(note.pending_id)
            elif note.written is not None:
                with contextlib.suppress(Exception):  # not written: nothing to forget
                    ids.append((await asyncio.shield(note.written))[note.index])
        await self._pending.remove_many(ids)
