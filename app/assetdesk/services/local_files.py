"""Checking a local file before anything is sent: its real type from its bytes, its size."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, LocalFileError
from assetdesk.core.media import MediaType
from assetdesk.core.sniff import HEAD_SIZE, classify_upload, extension_note


@dataclass(frozen=True)
class UploadCandidate:
    """A file that passed the local checks: what it really is, how big, and a note on its name."""

    path: Path
    size: int
    media_type: MediaType
    note: str | None


def _inspect(path: Path) -> UploadCandidate:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LocalFileError(f"{path.name}: there is no such file.") from None
    except OSError as error:
        raise LocalFileError(f"{path.name}: cannot be read ({error.strerror or error}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise LocalFileError(f"{path.name} is a folder; add the files inside it instead.")
    if not stat.S_ISREG(info.st_mode):
        raise LocalFileError(f"{path.name} is not a regular file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_SIZE)
    except OSError as error:
        raise LocalFileError(f"{path.name}: cannot be read ({error.strerror or error}).") from None
    try:
        media_type = classify_upload(head, info.st_size, path.name)
    except AssetDeskError as error:
        # The core's sentences are about "the file"; name it for the item it concerns.
        error.message = f"{path.name}: {error.message}"
        error.args = (error.message,)
        raise
    return UploadCandidate(path, info.st_size, media_type, extension_note(path.name, media_type))


async def inspect_upload(path: Path | str) -> UploadCandidate:
    """Check one file off the event loop; raises the typed error that says why it cannot go."""
    return await asyncio.to_thread(_inspect, Path(os.fspath(path)))
