"""The Library's preview panel: an image fit to view with zoom and pan, or a video streamed
from its signed URL.

Signed URLs are never kept: the panel asks its caller for one when it needs it (`resolve(False)`),
and for a fresh one (`resolve(True)`) once when the current one is refused, which is what an
expired link looks like (the storage host answers 400 or 403). Images arrive as bytes through the
caller's own plain client, so no useapi.net credentials ever go to the storage host; they are
decoded to a QImage in a worker thread (QPixmap is made on the GUI thread only). One task at a time
(key "preview"): a new `show_*` cancels the load before it and tears its player down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import (
    QCursor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.core.units import format_duration
from assetdesk.ui import players
from assetdesk.ui.image_files import read_image
from assetdesk.ui.media_quiet import quiet_ffmpeg
from assetdesk.ui.tasks import BackgroundTasks

__all__ = ["FetchBytes", "ImageView", "PreviewError", "PreviewPanel", "Resolve", "format_time"]

log = logging.getLogger("assetdesk.ui.preview")

#: resolve(fresh) -> a signed URL; fresh=True asks the service again.
Resolve = Callable[[bool], Awaitable[str]]
#: fetch(fresh) -> the image's bytes; fresh=True with a newly resolved link.
FetchBytes = Callable[[bool], Awaitable[bytes]]

EMPTY_TEXT = "Select an asset to preview it."
#: What a refused signed link answers (expired: 400 on GCS, 403 on S3-style hosts).
REFUSED_LINK = frozenset({400, 401, 403})
#: The player errors a fresh link can cure; a FormatError cannot be.
_LINK_ERRORS = frozenset(
    {
        QMediaPlayer.Error.ResourceError,
        QMediaPlayer.Error.NetworkError,
        QMediaPlayer.Error.AccessDeniedError,
    }
)
#: A video that neither loads nor fails within this long is reported (generous: a slow host).
LOAD_TIMEOUT = 30.0
#: How long a started video may take to report that it plays before its task ends anyway.
PLAY_WAIT = 5.0
ZOOM_STEP = 1.25
MIN_ZOOM = 0.05
MAX_ZOOM = 16.0


class PreviewError(AssetDeskError):
    """An asset could not be previewed; `str()` is one sentence naming it."""

    kind = "preview"


def format_time(ms: int) -> str:
    """A player's position in whole seconds gone: 3_000 -> '0:03'; 3_723_000 -> '1:02:03'."""
    return format_duration(max(0, ms) // 1000)


def _decode(data: bytes, title: str) -> QImage:
    """Bytes -> an upright QImage in a format QPixmap takes without converting (worker thread)."""
    image, error = read_image(data)  # never through a QBuffer: see ui/image_files.py
    if image.isNull():
        reason = as_sentence(error).rstrip(".").lower()
        raise PreviewError(f"{title} could not be decoded as an image ({reason}).")
    wanted = (
        QImage.Format.Format_ARGB32_Premultiplied
        if image.hasAlphaChannel()
        else QImage.Format.Format_RGB32
    )
    return image if image.format() == wanted else image.convertToFormat(wanted)


class ImageView(QGraphicsView):
    """One image, fit to the view (never enlarged) or zoomed around a point; dragging pans."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self._image = QImage()
        self._fitting = True
        self.setInteractive(False)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # No scroll bars: a steady viewport keeps "fit" steady; dragging pans all the same.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def current_image(self) -> QImage:
        """The image shown, at its full size (a null QImage when none)."""
        return self._image

    @property
    def fitting(self) -> bool:
        return self._fitting

    def scale_factor(self) -> float:
        return float(self.transform().m11())

    def set_image(self, image: QImage) -> None:
        self._image = image
        self._item.setPixmap(QPixmap.fromImage(image))
        self._scene.setSceneRect(self._item.boundingRect())
        self.fit()

    def clear_image(self) -> None:
        self._image = QImage()
        self._item.setPixmap(QPixmap())

    def fit(self) -> None:
        """Show the whole image, shrunk to the view when larger, at 100 % when it fits."""
        self._fitting = True
        self._apply(self._fit_scale(), None)
        self.centerOn(self._item)

    def actual_size(self) -> None:
        self._fitting = False
        self._apply(1.0, self._cursor_point())

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by `factor` keeping the image point under `anchor` (viewport coordinates; None:
        under the mouse when it is over the view, else the centre) where it was."""
        self._fitting = False
        self._apply(self.scale_factor() * factor, anchor or self._cursor_point())

    def _fit_scale(self) -> float:
        size = self._image.size()
        if size.isEmpty():
            return 1.0
        view = self.viewport().size()
        return min(1.0, view.width() / size.width(), view.height() / size.height())

    def _cursor_point(self) -> QPoint | None:
        point = self.viewport().mapFromGlobal(QCursor.pos())
        return point if self.viewport().rect().contains(point) else None

    def _apply(self, scale: float, anchor: QPoint | None) -> None:
        scale = max(min(MIN_ZOOM, self._fit_scale()), min(MAX_ZOOM, scale))
        anchor = anchor or self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self.setTransform(QTransform.fromScale(scale, scale))
        # Crisp pixels when enlarged, smooth ones when shrunk.
        self._item.setTransformationMode(
            Qt.TransformationMode.FastTransformation
            if scale >= 1
            else Qt.TransformationMode.SmoothTransformation
        )
        moved = self.mapFromScene(before) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())
        self.zoom_changed.emit(scale)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps or self._image.isNull():
            event.ignore()
            return
        self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitting and not self._image.isNull():
            self.fit()


class PreviewPanel(QWidget):
    """Shows one asset: `show_image`, `show_video`, `clear`. Focus it and Space plays/pauses."""

    duration_known = Signal(int)

    def __init__(self, tasks: BackgroundTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        # A load still under way would resume into deleted widgets (the window closed).
        self.destroyed.connect(lambda: tasks.cancel("preview"))
        self.player: QMediaPlayer | None = None
        self._audio: QAudioOutput | None = None
        self._pending: asyncio.Future[tuple[QMediaPlayer.Error, str] | None] | None = None
        self._playing: asyncio.Future[None] | None = None  # resolved when playback starts
        self._loading = False  # from setting a source until it loaded or failed
        self._recovering = False
        self._failures = 0  # refused loads in a row; a fresh link is asked for after the first
        self._resume_from: int | None = None
        self._duration = 0
        self._syncing = False
        self._generation = 0
        self._title = ""
        self._resolve: Resolve | None = None
        self._last_position = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.state_text = QLabel(EMPTY_TEXT)
        self.state_text.setObjectName("previewState")
        self.state_text.setWordWrap(True)

        self.image_view = ImageView()
        self.fit_button = self._button("Fit", "Show the whole image (Ctrl+0)", self.image_view.fit)
        self.actual_button = self._button(
            "100 %", "Show the image at its real size", self.image_view.actual_size
        )
        self.zoom_text = QLabel("")
        self.image_view.zoom_changed.connect(
            lambda scale: self.zoom_text.setText(f"{round(scale * 100)} %")
        )
        image_page = self._page(
            self.image_view, [self.fit_button, self.actual_button], [self.zoom_text]
        )

        self.video_widget = QVideoWidget()
        self.play_button = self._button("Play", "Play or pause (Space)", self.toggle_play)
        self.seek_slider = QSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setAccessibleName("Position")
        self.seek_slider.valueChanged.connect(self._seek)
        self.time_text = QLabel(format_time(0) + " / " + format_time(0))
        self.mute_button = self._button("Mute", "Mute the sound", self._apply_volume)
        self.mute_button.setCheckable(True)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setAccessibleName("Volume")
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setMaximumWidth(100)
        self.volume_slider.valueChanged.connect(self._apply_volume)
        video_page = self._page(
            self.video_widget,
            [self.play_button, self.seek_slider, self.time_text],
            [self.mute_button, self.volume_slider],
        )

        self.pages = QStackedWidget()
        self._blank = QWidget()
        for page in (self._blank, image_page, video_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_text)
        layout.addWidget(self.pages, 1)

    # -- public API ---------------------------------------------------------------------------

    def show_image(self, title: str, fetch: FetchBytes) -> asyncio.Task[None]:
        """Fetch, decode (in a worker thread) and show an image; a failure shows its sentence."""
        generation = self._begin(title)
        return self._tasks.spawn(
            self._load_image(generation, title, fetch), name=f"preview {title}", key="preview"
        )

    def show_video(self, title: str, resolve: Resolve) -> asyncio.Task[None]:
        """Stream a video from `resolve(False)`; the task ends once it plays or has failed."""
        generation = self._begin(title)
        return self._tasks.spawn(
            self._start_video(generation, title, resolve), name=f"preview {title}", key="preview"
        )

    def clear(self) -> None:
        """Stop whatever is shown and release the player."""
        self._tasks.cancel("preview")
        self._generation += 1
        self._close_player()
        self.image_view.clear_image()
        self.pages.setCurrentWidget(self._blank)
        self.state_text.setText(EMPTY_TEXT)

    def toggle_play(self) -> None:
        player = self.player
        if player is None:
            return
        if player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            player.pause()
        else:
            player.play()

    # -- images --------------------------------------------------------------------------------

    async def _load_image(self, generation: int, title: str, fetch: FetchBytes) -> None:
        try:
            try:
                data = await fetch(False)
            except AssetDeskError as error:
                if error.status not in REFUSED_LINK:
                    raise
                log.info("the link of %s was refused (%s); fetching a fresh one", title, error.kind)
                data = await fetch(True)
            image = await asyncio.to_thread(_decode, data, title)
        except AssetDeskError as error:
            self._show_failure(generation, str(error))
            return
        except Exception:
            self._show_failure(generation, f"{title} could not be shown (an unexpected error).")
            raise
        if generation != self._generation:
            return
        self.image_view.set_image(image)
        self.pages.setCurrentIndex(1)
        self.state_text.setText(title)

    # -- video ---------------------------------------------------------------------------------

    async def _start_video(self, generation: int, title: str, resolve: Resolve) -> None:
        self._resolve = resolve
        try:
            url = await resolve(False)
            if generation != self._generation:
                return
            self._open_player()
            self.pages.setCurrentIndex(2)
            await self._play(generation, title, resolve, url, 0, True)
        except AssetDeskError as error:
            self._show_failure(generation, str(error))
        except Exception:
            self._show_failure(generation, f"{title} could not be shown (an unexpected error).")
            raise

    async def _recover(
        self, generation: int, title: str, resolve: Resolve, position: int, playing: bool
    ) -> None:
        """A playing video failed: a fresh link, back to `position`, playing as it was."""
        try:
            url = await resolve(True)
            if generation == self._generation:
                await self._play(generation, title, resolve, url, position, playing, fresh=True)
        except AssetDeskError as error:
            self._show_failure(generation, str(error))
        finally:
            self._recovering = False

    async def _play(
        self,
        generation: int,
        title: str,
        resolve: Resolve,
        url: str,
        position: int,
        playing: bool,
        *,
        fresh: bool = False,
    ) -> None:
        """Load `url`; when refused, once a fresh link; then seek to `position` and play."""
        while True:
            failure = await self._load(url)
            if generation != self._generation:
                return
            if failure is None:
                break
            error, text = failure
            if fresh or error not in _LINK_ERRORS:
                detail = as_sentence(text or "the player gave no reason").rstrip(".")
                self._show_failure(generation, f"{title} could not be played ({detail}).")
                return
            log.info("%s was refused by the player (%s); resolving a fresh link", title, error)
            fresh = True
            self._failures = 1  # until it plays again, a new failure is the second in a row
            url = await resolve(True)
            if generation != self._generation:
                return
        player = self.player
        if player is None:
            return
        self._recovering = False  # the fresh source loaded: a complaint from now on is new
        self._resume_from = position if fresh else None
        if position:
            players.seek(player, position)
        self.state_text.setText(title)
        if playing:
            players.play(player)
            await self._until_playing(player)

    async def _until_playing(self, player: QMediaPlayer) -> None:
        """Wait until the queued play() took effect (at most PLAY_WAIT seconds): the task ends
        once the video plays, so a Play/Pause right after it sees the state it expects."""
        if player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            return
        started = asyncio.get_running_loop().create_future()
        self._playing = started
        try:
            async with asyncio.timeout(PLAY_WAIT):
                await started
        except TimeoutError:
            log.info("the player did not report playing within %g s", PLAY_WAIT)
        finally:
            if self._playing is started:
                self._playing = None

    async def _load(self, url: str) -> tuple[QMediaPlayer.Error, str] | None:
        """Set the source; None once loaded, else the player's error and its text."""
        player = self.player
        assert player is not None
        self._loading = True
        source = QUrl(url)
        if player.source() == source:
            player.setSource(QUrl())  # the same URL again would be ignored: no load, no answer
        # Only now listen: replacing a playing source reports "loaded" for the old one first.
        player.setSource(source)
        pending: asyncio.Future[tuple[QMediaPlayer.Error, str] | None]
        pending = asyncio.get_running_loop().create_future()
        self._pending = pending
        self._on_status(player.mediaStatus())
        try:
            async with asyncio.timeout(LOAD_TIMEOUT):
                return await pending
        except TimeoutError:
            seconds = f"{LOAD_TIMEOUT:g} seconds"
            return QMediaPlayer.Error.NetworkError, f"it did not start within {seconds}"
        finally:
            if self._pending is pending:
                self._pending = None
                self._loading = False

    def _open_player(self) -> None:
        quiet_ffmpeg()  # before the first player; once per process
        player = QMediaPlayer(self)
        audio = QAudioOutput(player)
        player.setAudioOutput(audio)
        player.setVideoOutput(self.video_widget)
        player.mediaStatusChanged.connect(self._on_status)
        player.errorOccurred.connect(self._on_error)
        player.durationChanged.connect(self._on_duration)
        player.positionChanged.connect(self._on_position)
        player.playbackStateChanged.connect(self._on_playback_state)
        self.player, self._audio = player, audio
        self._failures, self._duration, self._resume_from = 0, 0, None
        self._apply_volume()
        self._show_time(0)

    def _close_player(self) -> None:
        """Stop and release the player (its threads end with it)."""
        player, self.player, self._audio = self.player, None, None
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
        self._pending = None
        if self._playing is not None and not self._playing.done():
            self._playing.set_result(None)  # nothing will play: stop waiting for it
        self._playing = None
        self._loading = self._recovering = False
        if player is None:
            return
        for signal in (
            player.mediaStatusChanged,
            player.errorOccurred,
            player.durationChanged,
            player.positionChanged,
            player.playbackStateChanged,
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect()
        players.release(player)  # stopped now without holding the GIL, deleted from the loop
        # Only after the stop (no playback engine left to wait for): None detaches, as in C++.
        player.setVideoOutput(None)  # type: ignore[arg-type]
        self.play_button.setText("Play")

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        Status = QMediaPlayer.MediaStatus
        pending = self._pending
        if pending is None or pending.done():
            return
        if status in (Status.LoadedMedia, Status.BufferingMedia, Status.BufferedMedia):
            pending.set_result(None)
        elif status == Status.InvalidMedia and self.player is not None:
            pending.set_result((self.player.error(), self.player.errorString()))

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError or self.player is None:
            return
        if self._playing is not None and not self._playing.done():
            self._playing.set_result(None)  # it will not start playing: stop waiting for it
        pending = self._pending
        if pending is not None and not pending.done():
            pending.set_result((error, text))
        if self._loading:
            return
        if self._recovering:
            return  # the old source's last complaints, while the fresh link is on its way
        if error not in _LINK_ERRORS or self._failures:
            detail = as_sentence(text or "the player gave no reason").rstrip(".")
            self._show_failure(self._generation, f"{self._title} could not be played ({detail}).")
            return
        resolve = self._resolve
        if resolve is None or self._tasks.closing:
            return
        self._failures += 1
        self._recovering = True
        player = self.player
        playing = player.playbackState() != QMediaPlayer.PlaybackState.PausedState
        position = self._last_position
        log.info("%s stopped playing (%s); resolving a fresh link", self._title, error)
        self._tasks.spawn(
            self._recover(self._generation, self._title, resolve, position, playing),
            name=f"preview {self._title} (fresh link)",
            key="preview",
        )

    def _on_duration(self, duration: int) -> None:
        self.seek_slider.setRange(0, max(0, duration))
        if duration > 0 and duration != self._duration:
            self._duration = duration
            self.duration_known.emit(duration)
        self._show_time(self._last_position)

    def _on_position(self, position: int) -> None:
        if self._loading or self._recovering:
            return  # a source being replaced reports 0; the place to go back to is kept
        self._last_position = position
        if self._resume_from is not None and position > self._resume_from:
            self._resume_from = None
            self._failures = 0  # it plays again: a later failure may ask for a fresh link
        self._syncing = True
        try:
            self.seek_slider.setValue(position)
        finally:
            self._syncing = False
        self._show_time(position)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing and self._playing is not None and not self._playing.done():
            self._playing.set_result(None)
        self.play_button.setText("Pause" if playing else "Play")

    def _seek(self, position: int) -> None:
        if not self._syncing and self.player is not None:
            players.seek(self.player, position)

    def _apply_volume(self) -> None:
        muted = self.mute_button.isChecked()
        self.mute_button.setText("Unmute" if muted else "Mute")
        if self._audio is not None:
            self._audio.setVolume(self.volume_slider.value() / 100)
            self._audio.setMuted(muted)

    def _show_time(self, position: int) -> None:
        self.time_text.setText(f"{format_time(position)} / {format_time(self._duration)}")

    # -- shared --------------------------------------------------------------------------------

    def _begin(self, title: str) -> int:
        """Tear down what was shown and say what is loading; the new load's generation."""
        self._generation += 1
        self._close_player()
        self.image_view.clear_image()
        self.pages.setCurrentWidget(self._blank)
        self.state_text.setText(f"Loading {title}…")
        self._title = title
        self._last_position = 0
        return self._generation

    def _show_failure(self, generation: int, sentence: str) -> None:
        if generation != self._generation:
            return
        self._close_player()
        self.pages.setCurrentWidget(self._blank)
        self.state_text.setText(sentence)

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        # Clicking keeps the focus on the panel, so Space goes on toggling playback.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _page(self, view: QWidget, left: list[QWidget], right: list[QWidget]) -> QWidget:
        """`view` above a row of controls; a slider on the left takes the spare width."""
        page = QWidget()
        row = QHBoxLayout()
        for control in left:
            row.addWidget(control, 1 if isinstance(control, QSlider) else 0)
        if not any(isinstance(control, QSlider) for control in left):
            row.addStretch(1)
        for control in right:
            row.addWidget(control)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(view, 1)
        column.addLayout(row)
        return page

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        showing_image = self.pages.currentIndex() == 1
        if key == Qt.Key.Key_Space and self.player is not None:
            self.toggle_play()
        elif showing_image and (
            event.matches(QKeySequence.StandardKey.ZoomIn) or (ctrl and key == Qt.Key.Key_Equal)
        ):
            self.image_view.zoom_by(ZOOM_STEP)
        elif showing_image and (
            event.matches(QKeySequence.StandardKey.ZoomOut) or (ctrl and key == Qt.Key.Key_Minus)
        ):
            self.image_view.zoom_by(1 / ZOOM_STEP)
        elif showing_image and ctrl and key == Qt.Key.Key_0:
            self.image_view.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
