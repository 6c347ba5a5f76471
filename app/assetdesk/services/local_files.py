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


@dataclass(frozen=True)
class Checked:
    """One file found in what the user added: the candidate, or why it cannot go."""

    path: Path
    candidate: UploadCandidate | None
    error: AssetDeskError | None


@dataclass(frozen=True)
class Collected:
    """The files found in a drop, in order, and what was passed over on the way."""

    files: list[Checked]
    hidden_skipped: int


def _check(path: Path) -> Checked:
    try:
        return Checked(path, _inspect(path), None)
    except AssetDeskError as error:
        return Checked(path, None, error)


def _refused(path: Path, sentence: str) -> Checked:
    return Checked(path, None, LocalFileError(sentence))


def _collect(paths: list[Path]) -> Collected:
    found: list[Checked] = []
    hidden = 0
    for path in paths:
        if path.is_symlink() and not path.exists():
            found.append(_refused(path, f"{path.name} is a link to a file that is not there."))
        elif path.is_dir():
            # Links inside a folder are not followed: they may loop or lead anywhere on the disk.
            def unreadable(error: OSError, top: Path = path) -> None:
                where = Path(error.filename or top)
                reason = error.strerror or str(error)
                found.append(
                    _refused(where, f"{where.name}: the folder cannot be read ({reason}).")
                )

            for folder, subfolders, names in os.walk(path, onerror=unreadable, followlinks=False):
                base = Path(folder)
                hidden += sum(1 for name in subfolders if name.startswith("."))
                visible = sorted(name for name in subfolders if not name.startswith("."))
                # os.walk lists links to folders here but does not enter them: say so.
                for name in visible:
                    if (base / name).is_symlink():
                        found.append(
                            _refused(
                                base / name,
                                f"{name} is a link to a folder inside a dropped folder; links "
                                "are not followed there — drop that folder itself.",
                            )
                        )
                subfolders[:] = [name for name in visible if not (base / name).is_symlink()]
                for name in sorted(names):
                    if name.startswith("."):
                        hidden += 1
                        continue
                    child = base / name
                    if child.is_symlink():
                        found.append(
                            _refused(
                                child,
                                f"{name} is a link inside a dropped folder; links are not "
                                "followed there — add the file it points to instead.",
                            )
                        )
                    else:
                        found.append(_check(child))
        else:
            found.append(_check(path))
    return Collected(found, hidden)


async def collect_uploads(paths: list[Path]) -> Collected:
    """Every file in `paths` (folders walked recursively, hidden files skipped), each checked.

    Runs off the event loop. A file or link named directly is followed; links met inside a
    folder are refused rather than followed.
    """
    return await asyncio.to_thread(_collect, [Path(os.fspath(p)) for p in paths])
