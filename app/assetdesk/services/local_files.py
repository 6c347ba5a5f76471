"""Checking a local file before anything is sent: its real type from its bytes and its size,
against what the chosen target takes (Google Flow unless told), and what its headers say of its
width, height and duration."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, LocalFileError
from assetdesk.core.media import MediaType
from assetdesk.core.probe import Probe, probe
from assetdesk.core.provider import Provider
from assetdesk.core.sniff import HEAD_SIZE, extension_note, sniff
from assetdesk.core.upload_rules import check_for_target


@dataclass(frozen=True)
class UploadCandidate:
    """A file that passed the local checks: what it really is, how big, a note on its name, and
    what its headers tell of its width, height and duration."""

    path: Path
    size: int
    media_type: MediaType
    note: str | None
    probe: Probe


def _inspect(path: Path, provider: Provider) -> UploadCandidate:
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
        media_type = check_for_target(provider, sniff(head), info.st_size, path.name)
    except AssetDeskError as error:
        # The core's sentences are about "the file"; name it for the item it concerns.
        error.message = f"{path.name}: {error.message}"
        error.args = (error.message,)
        raise
    note = extension_note(path.name, media_type)
    return UploadCandidate(path, info.st_size, media_type, note, probe(path, media_type))


async def inspect_upload(
    path: Path | str, provider: Provider = Provider.GOOGLE_FLOW
) -> UploadCandidate:
    """Check one file against `provider` off the event loop; raises the typed error that says
    why it cannot go there."""
    return await asyncio.to_thread(_inspect, Path(os.fspath(path)), provider)


@dataclass(frozen=True)
class Checked:
    """One file found in what the user added: the candidate, or why it cannot go.

    `folder` is the file's folder relative to the folder that was dropped ("shots/day 1", with
    "/"), "" for a file at its top or named directly: a Wordbee target keeps it as the file's
    relative path.
    """

    path: Path
    candidate: UploadCandidate | None
    error: AssetDeskError | None
    folder: str = ""


@dataclass(frozen=True)
class Collected:
    """The files found in a drop, in order, and what was passed over on the way."""

    files: list[Checked]
    hidden_skipped: int


def _check(path: Path, provider: Provider, folder: str = "") -> Checked:
    try:
        return Checked(path, _inspect(path, provider), None, folder)
    except AssetDeskError as error:
        return Checked(path, None, error, folder)


def _refused(path: Path, sentence: str) -> Checked:
    return Checked(path, None, LocalFileError(sentence))


def _collect(paths: list[Path], provider: Provider) -> Collected:
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
                        relative = base.relative_to(path).as_posix()
                        found.append(_check(child, provider, "" if relative == "." else relative))
        else:
            found.append(_check(path, provider))
    return Collected(found, hidden)


async def collect_uploads(
    paths: list[Path], provider: Provider = Provider.GOOGLE_FLOW
) -> Collected:
    """Every file in `paths` (folders walked recursively, hidden files skipped), each checked
    against `provider`.

    Runs off the event loop. A file or link named directly is followed; links met inside a
    folder are refused rather than followed.
    """
    return await asyncio.to_thread(_collect, [Path(os.fspath(p)) for p in paths], provider)
