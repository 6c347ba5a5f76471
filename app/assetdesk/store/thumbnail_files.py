"""The old thumbnail cache, one PNG file per thumbnail named by its key's hash, taken into the
pack (store/thumbnail_pack.py): each file's bytes as they are, its modification time as its last
use; then the file is removed, with the old cache's unfinished temporary files.

Two ways in, both safe to run at once: `adopt_file` takes the one file of a key that is asked
for; `adopt_files` takes the whole folder in batches, and is meant for a background thread:
removing 100,000 files took minutes on a busy disk here (~2 ms an unlink), and no thumbnail
should wait for that. Sync and Qt-free.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path

from assetdesk.store.thumbnail_pack import ThumbnailPack, is_image, key_name

__all__ = ["ADOPT_BATCH", "adopt_file", "adopt_files", "has_old_files"]

log = logging.getLogger("assetdesk.store.thumbnail_pack")

#: How many old files are taken into the pack per transaction.
ADOPT_BATCH = 500
_TEMP_PREFIX, _TEMP_SUFFIX = ".thumb-", ".part"


def _is_old_thumbnail(name: str) -> bool:
    stem, dot, suffix = name.rpartition(".")
    return bool(dot) and suffix == "png" and len(stem) == 32


def _is_old_temp(name: str) -> bool:
    return name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX)


def has_old_files(folder: Path) -> bool:
    """Whether `folder` still holds files of the old cache."""
    try:
        with os.scandir(folder) as entries:
            return any(_is_old_thumbnail(e.name) or _is_old_temp(e.name) for e in entries)
    except OSError:
        return False


def adopt_file(pack: ThumbnailPack, folder: Path, key: str, size: int) -> bytes | None:
    """The old file of `key`, taken into `pack` (as made at `size`) and removed; None when
    there is none (or it holds no image: it is removed all the same)."""
    path = folder / f"{key_name(key)}.png"
    try:
        data = path.read_bytes()
        used = path.stat().st_mtime
    except OSError:
        return None
    pack.keep([(key_name(key), size, data, used)])
    with contextlib.suppress(OSError):
        path.unlink()
    return data if is_image(data) else None


def adopt_files(
    pack: ThumbnailPack, folder: Path, size: int, stop: threading.Event | None = None
) -> int:
    """Every old file in `folder` taken into `pack` (as made at `size`) and removed, ADOPT_BATCH
    files per transaction; `stop`, once set, ends it after the batch under way. How many
    thumbnails were taken."""
    try:
        with os.scandir(folder) as found:
            names = [entry.name for entry in found]
    except OSError:
        return 0
    taken = 0
    for start in range(0, len(names), ADOPT_BATCH):
        if stop is not None and stop.is_set():
            break
        taken += _adopt_batch(pack, folder, size, names[start : start + ADOPT_BATCH])
    if taken:
        log.info("took %d thumbnail files into the thumbnail cache", taken)
    return taken


def _adopt_batch(pack: ThumbnailPack, folder: Path, size: int, names: list[str]) -> int:
    rows: list[tuple[str, int, bytes, float]] = []
    done: list[Path] = []
    for name in names:
        path = folder / name
        if _is_old_temp(name):
            done.append(path)
            continue
        if not _is_old_thumbnail(name):
            continue
        try:
            data = path.read_bytes()
            used = path.stat().st_mtime
        except OSError:
            continue  # gone meanwhile (asked for, and taken by `adopt_file`)
        done.append(path)
        if is_image(data):
            rows.append((name[:-4], size, data, used))
    pack.keep(rows)
    for path in done:
        with contextlib.suppress(OSError):
            path.unlink()
    return len(rows)
