"""The thumbnail maker's disk cache: QImages in and out of the pack (store/thumbnail_pack.py).

Thumbnails are kept as lossy WebP (quality 85, alpha kept) when Qt can write WebP, else as JPEG
(quality 85), or PNG for an image with alpha. What `put` returns is the image decoded back from
what was kept, so a thumbnail looks the same the first time and every time after. The pack is
opened on first use (in whichever worker thread gets there first). The PNG files an older
AssetDesk kept one per thumbnail in the same folder are taken in by a background thread, and
the one of a key asked for meanwhile at once (store/thumbnail_files.py). Every method may run
in any thread;
images are encoded and decoded through files by name, never a Python QIODevice
(ui/image_files.py says why).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QImage, QImageWriter

from assetdesk.core.errors import LocalFileError
from assetdesk.store.thumbnail_files import adopt_file, adopt_files, has_old_files
from assetdesk.store.thumbnail_pack import DEFAULT_LIMIT, PACK_FILE, ThumbnailPack
from assetdesk.ui.image_files import read_image

__all__ = [
    "QUALITY",
    "ThumbnailCache",
    "blob_format",
    "decoded",
    "encoded",
    "normalized",
    "writable_formats",
]

log = logging.getLogger("assetdesk.ui.thumbnails")

QUALITY = 85


def writable_formats() -> frozenset[str]:
    """The image formats Qt's plugins can write here, lower case."""
    return frozenset(bytes(f.data()).decode().lower() for f in QImageWriter.supportedImageFormats())


def blob_format(has_alpha: bool, writable: frozenset[str]) -> tuple[str, int]:
    """The format and quality a thumbnail is kept in (-1: the format's own default)."""
    if "webp" in writable:
        return "WEBP", QUALITY
    if has_alpha:
        return "PNG", -1
    return "JPEG", QUALITY


def encoded(image: QImage, writable: frozenset[str]) -> bytes | None:
    """`image` in its kept format, or None when Qt could not write it."""
    form, quality = blob_format(image.hasAlphaChannel(), writable)
    handle, name = tempfile.mkstemp(prefix="assetdesk-thumb-")
    os.close(handle)
    try:
        # PySide6 6.11 takes the format as str, though its stubs say bytes.
        if not image.save(name, form, quality):  # type: ignore[call-overload]
            return None
        return Path(name).read_bytes()
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            Path(name).unlink()


def decoded(data: bytes) -> QImage | None:
    """A kept thumbnail as an image in the maker's pixel formats, or None when it is damaged."""
    image, _ = read_image(data)
    return None if image.isNull() else normalized(image)


def normalized(image: QImage) -> QImage:
    """One pixel format per kind, so a thumbnail and its cached copy compare equal."""
    wanted = QImage.Format.Format_ARGB32 if image.hasAlphaChannel() else QImage.Format.Format_RGB32
    return image if image.format() == wanted else image.convertToFormat(wanted)


class ThumbnailCache:
    """The pack in `folder` for a maker of `size`; `limit` is its bound in bytes, or a function
    that reads it (called once, in the worker thread that opens the pack)."""

    def __init__(self, folder: Path, size: int, *, limit: int | Callable[[], int] = DEFAULT_LIMIT):
        self._folder = folder
        self._size = size
        self._limit = limit
        self._pack: ThumbnailPack | None = None
        self._opening = threading.Lock()
        self._writable: frozenset[str] | None = None
        self._old_files = False  # the old folder had files when the pack opened
        self._swept = threading.Event()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    @property
    def path(self) -> Path:
        return self._folder / PACK_FILE

    def pack(self) -> ThumbnailPack:
        """The open pack (opened on the first call, which starts taking in the old files)."""
        with self._opening:
            if self._pack is None:
                limit = self._limit() if callable(self._limit) else self._limit
                pack = ThumbnailPack(self.path, limit=limit)
                self._writable = writable_formats()
                self._pack = pack
                self._old_files = has_old_files(self._folder)
                if self._old_files:
                    self._sweeper = threading.Thread(
                        target=self._take_old_files, args=(pack,), name="thumbnail-files"
                    )
                    self._sweeper.daemon = True  # a quit midway leaves the rest for next time
                    self._sweeper.start()
                else:
                    self._swept.set()
            return self._pack

    def wait_for_old_files(self, timeout: float | None = None) -> bool:
        """Wait until the old folder's files are all in the pack; whether they are."""
        return self._swept.wait(timeout)

    def _take_old_files(self, pack: ThumbnailPack) -> None:
        try:
            adopt_files(pack, self._folder, self._size, self._stop)
        except (LocalFileError, OSError, sqlite3.Error) as error:
            log.warning("could not take the old thumbnail files into the cache: %s", error)
        finally:
            self._swept.set()

    def get(self, key: str) -> QImage | None:
        """The kept thumbnail, or None (none kept, or damaged: then it is dropped)."""
        pack = self.pack()
        data = pack.get(key, self._size)
        if data is None and self._old_files and not self._swept.is_set():
            data = adopt_file(pack, self._folder, key, self._size)
        if data is None:
            return None
        image = decoded(data)
        if image is None:
            log.info("dropping a thumbnail the cache could not decode")
            pack.drop(key, self._size)
        return image

    def put(self, key: str, image: QImage) -> QImage:
        """Keep `image`; the image as the cache will give it back (`image` itself when it
        could not be kept: a failure only costs a miss later)."""
        pack = self.pack()
        assert self._writable is not None
        data = encoded(image, self._writable)
        back = None if data is None else decoded(data)
        if data is None or back is None:
            log.warning("could not encode a thumbnail for the cache")
            return image
        pack.put(key, self._size, data)
        return back

    def set_limit(self, limit: int) -> None:
        self._limit = limit
        self.pack().set_limit(limit)

    def close(self) -> None:
        """Write the noted last uses and close the pack (no call may run meanwhile)."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join()
        with self._opening:
            if self._pack is not None:
                self._pack.close()
                self._pack = None
