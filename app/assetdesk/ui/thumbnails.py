"""Small thumbnails of images and videos (and a plain tile for audio), made without stalling the
event loop.

Images are decoded in a worker thread by QImageReader, already scaled while decoding (a 12 MP
JPEG never becomes a 12 MP QImage). A video's first frame comes from QtMultimedia: a muted
QMediaPlayer on the GUI thread (its backend decodes on its own threads), at most `video_slots` at
once; only the frame's scaling runs in a worker. Results are QImages (safe in any thread), never
QPixmaps, which the GUI thread alone may make. With a cache folder and a key, each thumbnail is
also kept in the folder's packed cache (ui/thumbnail_cache.py), so the Library grid shows known
assets without their sources.
Whether a file is an image, a video or audio is read from its bytes (`core.sniff`), not its name.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QUrl, Slot
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter, QPalette
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from assetdesk.core.errors import AssetDeskError, LocalFileError, as_sentence
from assetdesk.core.media import MediaKind
from assetdesk.core.redact import MARK
from assetdesk.core.sniff import HEAD_SIZE, sniff
from assetdesk.store.thumbnail_pack import DEFAULT_LIMIT
from assetdesk.ui import players
from assetdesk.ui.image_files import read_image
from assetdesk.ui.media_quiet import quiet_ffmpeg
from assetdesk.ui.thumbnail_cache import ThumbnailCache, normalized

__all__ = ["ThumbnailError", "ThumbnailMaker"]

log = logging.getLogger("assetdesk.ui.thumbnails")

# What `sniff` names without a media type of AssetDesk's, sorted into what QImageReader decodes
# and what QtMultimedia plays (the known types go by their `media.kind`).
_IMAGE_LABELS = frozenset({"BMP", "TIFF", "ICO", "SVG"})
_VIDEO_LABELS = frozenset({"WMV"})


class ThumbnailError(AssetDeskError):
    """No thumbnail could be made; `str()` is one sentence naming the file.

    An AssetDeskError, so a background task that fails with it is logged as an expected failure.
    The player's own error text, when there is one, is also in `service_text`.
    """

    kind = "thumbnail"


class ThumbnailMaker(QObject):
    """Makes thumbnails that fit in `size` x `size` (aspect kept, never enlarged).

    One maker serves a pane; its players are its children, so `active_players` (and
    `findChildren(QMediaPlayer)`) tell what is still alive. `cache_limit` bounds the cache in
    `cache_dir` in bytes: a number, or a function that reads it when the cache first opens.
    """

    def __init__(
        self,
        *,
        size: int = 96,
        cache_dir: Path | None = None,
        cache_limit: int | Callable[[], int] = DEFAULT_LIMIT,
        video_slots: int = 2,
        video_timeout: float = 15.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if size < 1 or video_slots < 1 or video_timeout <= 0:
            raise ValueError("size, video_slots and video_timeout must be positive")
        self._size = size
        self._cache = (
            None if cache_dir is None else ThumbnailCache(cache_dir, size, limit=cache_limit)
        )
        self._video_timeout = video_timeout
        self._video_slots = asyncio.Semaphore(video_slots)
        self._players: set[QMediaPlayer] = set()

    @property
    def size(self) -> int:
        return self._size

    @property
    def cache(self) -> ThumbnailCache | None:
        return self._cache

    @property
    def active_players(self) -> int:
        """How many media players are open right now (torn down ones are not counted)."""
        return len(self._players)

    # -- public API ---------------------------------------------------------------------------

    async def for_file(
        self, path: Path, *, video: bool | None = None, key: str | None = None
    ) -> QImage:
        """The thumbnail of a local file; `video=None` decides by the file's first bytes (audio
        then gets a plain tile, never cached: it is drawn in the palette of the moment)."""
        hit = await self._cached_in_thread(key)
        if hit is not None:
            return hit
        head, absolute = await asyncio.to_thread(_read_head, path)
        if video is None:
            found = sniff(head)
            kind = found.media.kind if found.media is not None else None
            if kind is MediaKind.AUDIO:
                return audio_tile(self._size)
            if kind is MediaKind.VIDEO or found.label in _VIDEO_LABELS:
                video = True
            elif kind is MediaKind.IMAGE or found.label in _IMAGE_LABELS:
                video = False
            else:
                raise ThumbnailError(
                    f"{path.name} is not an image or a video, so it has no thumbnail."
                )
        if video:
            url = QUrl.fromLocalFile(str(absolute))
            image = await self._video_thumbnail(url, path.name)
        else:
            image = await asyncio.to_thread(_decode_image, path, path.name, self._size)
        return await self._store_in_thread(key, image)

    async def for_image_bytes(self, data: bytes, *, key: str | None = None) -> QImage:
        """The thumbnail of an image held in memory (a pasted image, a downloaded preview)."""
        hit = await self._cached_in_thread(key)
        if hit is not None:
            return hit
        image = await asyncio.to_thread(_decode_image, data, "The image", self._size)
        return await self._store_in_thread(key, image)

    async def for_video_url(self, url: QUrl, *, key: str | None = None) -> QImage:
        """The thumbnail of a video's first frame, from a file:// or http(s):// URL."""
        hit = await self._cached_in_thread(key)
        if hit is not None:
            return hit
        image = await self._video_thumbnail(url, _url_name(url))
        return await self._store_in_thread(key, image)

    def cached(self, key: str) -> QImage | None:
        """The cached thumbnail for `key`, or None (no cache, none stored, a damaged one, or a
        cache that cannot be opened). Blocking: call it in a worker thread."""
        if self._cache is None:
            return None
        try:
            return self._cache.get(key)
        except (LocalFileError, OSError, sqlite3.Error) as error:
            log.warning("could not read the thumbnail cache: %s", error)
            return None

    # -- cache ----------------------------------------------------------------------------------

    async def _cached_in_thread(self, key: str | None) -> QImage | None:
        if key is None or self._cache is None:
            return None
        return await asyncio.to_thread(self.cached, key)

    async def _store_in_thread(self, key: str | None, image: QImage) -> QImage:
        """`image` kept for `key`; the image as the cache gives it back from now on."""
        if key is None or self._cache is None:
            return image
        return await asyncio.to_thread(self._store, key, image)

    def _store(self, key: str, image: QImage) -> QImage:
        assert self._cache is not None
        try:
            return self._cache.put(key, image)
        except (LocalFileError, OSError, sqlite3.Error) as error:
            log.warning("could not write the thumbnail cache: %s", error)
            return image

    # -- video ----------------------------------------------------------------------------------

    async def _video_thumbnail(self, url: QUrl, name: str) -> QImage:
        async with self._video_slots:
            frame = await self._first_frame(url, name)
        return await asyncio.to_thread(_fit, frame, self._size)

    async def _first_frame(self, url: QUrl, name: str) -> QImage:
        """Play `url` muted until its first valid frame; the player is gone when this returns."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[QImage] = loop.create_future()
        loop_thread = threading.get_ident()

        def settle(result: QImage | ThumbnailError) -> None:  # on the loop's thread only
            if done.done():
                return
            if isinstance(result, ThumbnailError):
                done.set_exception(result)
            else:
                done.set_result(result)

        def deliver(result: QImage | ThumbnailError) -> None:
            if threading.get_ident() == loop_thread:
                settle(result)
            else:
                loop.call_soon_threadsafe(settle, result)

        def on_frame(frame: QVideoFrame) -> None:
            if done.done() or not frame.isValid():
                return
            image = frame.toImage()
            if not image.isNull():
                deliver(image)

        def on_error(error: QMediaPlayer.Error, text: str) -> None:
            if error != QMediaPlayer.Error.NoError:
                deliver(_player_error(name, url, text))

        def on_status(status: QMediaPlayer.MediaStatus) -> None:
            Status = QMediaPlayer.MediaStatus
            if status == Status.InvalidMedia:
                deliver(_player_error(name, url, player.errorString()))
            elif status in (Status.LoadedMedia, Status.BufferedMedia) and not player.hasVideo():
                deliver(ThumbnailError(f"{name} has no video picture, so it has no thumbnail."))
            elif status == Status.EndOfMedia:
                deliver(ThumbnailError(f"{name} ended before showing a picture."))

        quiet_ffmpeg()  # before the first player; once per process
        # No QAudioOutput is attached: the player decodes no sound and plays none.
        player = QMediaPlayer(self)
        sink = QVideoSink(player)
        player.setVideoSink(sink)
        events = _PlayerEvents(on_frame, on_error, on_status, parent=player)
        self._players.add(player)
        try:
            sink.videoFrameChanged.connect(events.frame, Qt.ConnectionType.QueuedConnection)
            player.errorOccurred.connect(events.error)
            player.mediaStatusChanged.connect(events.status)
            player.setSource(url)
            player.play()
            try:
                async with asyncio.timeout(self._video_timeout):
                    return await done
            except TimeoutError:
                seconds = f"{self._video_timeout:g} second" + (
                    "" if self._video_timeout == 1 else "s"
                )
                raise ThumbnailError(
                    f"{name} showed no picture within {seconds}, so it has no thumbnail."
                ) from None
        finally:
            self._players.discard(player)
            events.close()  # stopping and clearing the source emit signals of their own
            players.release(player)  # with its sink and `events`; never stop() (ui/players.py)


class _PlayerEvents(QObject):
    """Hands a player's signals to Python callbacks, always on the GUI thread.

    QVideoSink emits videoFrameChanged on the backend's render thread. A Python callable
    connected there directly would run, and be freed, on that thread and need the GIL, while
    `QMediaPlayer.stop()` on the GUI thread holds the GIL and waits for that very thread: a
    deadlock (every few dozen thumbnails here). A queued connection to a Qt slot of this
    GUI-thread object keeps Python off the render thread entirely.
    """

    def __init__(
        self,
        on_frame: Callable[[QVideoFrame], None],
        on_error: Callable[[QMediaPlayer.Error, str], None],
        on_status: Callable[[QMediaPlayer.MediaStatus], None],
        *,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._on_frame: Callable[[QVideoFrame], None] | None = on_frame
        self._on_error: Callable[[QMediaPlayer.Error, str], None] | None = on_error
        self._on_status: Callable[[QMediaPlayer.MediaStatus], None] | None = on_status

    def close(self) -> None:
        """Drop the callbacks: what arrives from now on (queued frames, teardown) is ignored."""
        self._on_frame = self._on_error = self._on_status = None

    @Slot(QVideoFrame)
    def frame(self, frame: QVideoFrame) -> None:
        if self._on_frame is not None:
            self._on_frame(frame)

    @Slot(QMediaPlayer.Error, str)
    def error(self, error: QMediaPlayer.Error, text: str) -> None:
        if self._on_error is not None:
            self._on_error(error, text)

    @Slot(QMediaPlayer.MediaStatus)
    def status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self._on_status is not None:
            self._on_status(status)


def audio_tile(size: int) -> QImage:
    """A square tile that says "audio": a note on the palette's button colour (GUI thread)."""
    palette = QGuiApplication.palette()
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Button))
        radius = size / 8
        painter.drawRoundedRect(QRectF(0, 0, size, size), radius, radius)
        font = QFont(painter.font())
        font.setPixelSize(max(1, round(size * 0.6)))
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "\u266a")
    finally:
        painter.end()
    return image


# -- worker-thread helpers --------------------------------------------------------------------


def _read_head(path: Path) -> tuple[bytes, Path]:
    """The file's first bytes (for sniffing) and its absolute path (for a file:// URL)."""
    try:
        with path.open("rb") as file:
            return file.read(HEAD_SIZE), path.absolute()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ThumbnailError(f"{path.name} could not be read ({reason.lower()}).") from None


def _target_size(source: QSize, size: int) -> QSize:
    """`source` shrunk to fit in size x size, aspect kept; unchanged when it already fits."""
    if source.width() <= size and source.height() <= size:
        return QSize(source)
    fitted = source.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio)
    return QSize(max(1, fitted.width()), max(1, fitted.height()))


def _fit(image: QImage, size: int) -> QImage:
    target = _target_size(image.size(), size)
    if target != image.size():
        image = image.scaled(
            target,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return normalized(image)


def _decode_image(source: Path | bytes, name: str, size: int) -> QImage:
    """Decode `source` already scaled down to fit, EXIF orientation applied (worker thread)."""
    image, error = read_image(source, lambda found: _target_size(found, size))
    if image.isNull():
        reason = as_sentence(error).rstrip(".").lower()
        raise ThumbnailError(f"{name} could not be decoded as an image ({reason}).")
    return _fit(image, size)  # a format that tells no size up front comes out full size


# -- messages ---------------------------------------------------------------------------------


def _url_name(url: QUrl) -> str:
    """What to call a URL in a message: its file name or host, never its (signed) query."""
    return url.fileName() or url.host() or "This video"


def _player_error(name: str, url: QUrl, text: str) -> ThumbnailError:
    detail = _without_query(" ".join(text.split()), url)
    sentence = f"{name} could not be played to make its thumbnail"
    message = f"{sentence} ({detail.rstrip('.')})." if detail else f"{sentence}."
    return ThumbnailError(message, service_text=detail or None)


def _without_query(text: str, url: QUrl) -> str:
    """`text` with the URL's query (which may carry a signature) hidden."""
    for form in (
        url.query(QUrl.ComponentFormattingOption.FullyEncoded),
        url.query(QUrl.ComponentFormattingOption.FullyDecoded),
    ):
        if form:
            text = text.replace(form, MARK)
    return text
