"""The Library's preview panel: an image fit to view with zoom and pan, or a video streamed
from its signed URL.

Signed URLs are never kept: the panel asks its caller for one when it needs it (`resolve(False)`),
and for a fresh one (`resolve(True)`) once when the current one is refused, which is what an
expired link looks like (the storage host answers 400 or 403). Images arrive as bytes through the
caller's own plain client, so no useapi.net credentials ever go to the storage host; they are
decoded to a QImage in a worker thread (QPixmap is made on the GUI thread only). One task at a time
(its `key`, "preview" for the side panel): a new `show_*` cancels the load before it and tears
its player down. With an image shown, the zoom keys are the panel's (Ctrl+= / Ctrl++, Ctrl+-,
Ctrl+0 for 100 %, Ctrl+9 to fit), ahead of any shortcut of the window on the same keys.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.core.redact import without_url_queries
from assetdesk.ui import players
from assetdesk.ui.library.image_view import ZOOM_STEP, decode_image
from assetdesk.ui.library.media_player import MediaPlayer
from assetdesk.ui.library.preview_pages import ImagePage, VideoPage
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.plain_text import plain_label

__all__ = ["FetchBytes", "PreviewPanel", "Resolve"]

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


class PreviewPanel(QWidget):
    """Shows one asset: `show_image`, `show_video`, `clear`. Focus it and Space plays/pauses."""

    duration_known = Signal(int)

    def __init__(
        self, tasks: BackgroundTasks, parent: QWidget | None = None, *, key: str = "preview"
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._key = key
        # A load still under way would resume into deleted widgets (the window closed).
        self.destroyed.connect(lambda: tasks.cancel(key))
        self._recovering = False
        self._failures = 0  # refused loads in a row; a fresh link is asked for after the first
        self._resume_from: int | None = None
        self._duration = 0
        self._generation = 0
        self._title = ""
        self._resolve: Resolve | None = None
        self._last_position = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.state_text = plain_label(QLabel(EMPTY_TEXT))  # a service's error, an asset's name
        self.state_text.setObjectName("previewState")
        self.state_text.setWordWrap(True)

        self.image_page = ImagePage()
        self.image_view = self.image_page.image_view

        self.video_page = VideoPage()
        self.video_page.play_clicked.connect(self.toggle_play)
        self.video_page.seek_requested.connect(self._seek)
        self.video_page.volume_changed.connect(self._apply_volume)
        self.media = MediaPlayer(self, self.video_page.video_widget)

        self.pages = QStackedWidget()
        self._blank = QWidget()
        for page in (self._blank, self.image_page, self.video_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_text)
        layout.addWidget(self.pages, 1)

    # -- public API ---------------------------------------------------------------------------

    @property
    def player(self) -> QMediaPlayer | None:
        """The player of the video shown (None when none is)."""
        return self.media.player

    def show_image(self, title: str, fetch: FetchBytes) -> asyncio.Task[None]:
        """Fetch, decode (in a worker thread) and show an image; a failure shows its sentence."""
        generation = self._begin(title)
        return self._tasks.spawn(
            self._load_image(generation, title, fetch), name=f"{self._key} {title}", key=self._key
        )

    def show_video(self, title: str, resolve: Resolve) -> asyncio.Task[None]:
        """Stream a video from `resolve(False)`; the task ends once it plays or has failed."""
        generation = self._begin(title)
        return self._tasks.spawn(
            self._start_video(generation, title, resolve),
            name=f"{self._key} {title}",
            key=self._key,
        )

    def clear(self) -> None:
        """Stop whatever is shown and release the player."""
        self._tasks.cancel(self._key)
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
            image = await asyncio.to_thread(decode_image, data, title)
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
            failure = await self.media.load(url)
            if generation != self._generation:
                return
            if failure is None:
                break
            error, text = failure
            if fresh or error not in _LINK_ERRORS:
                self._show_failure(generation, f"{title} could not be played ({_reason(text)}).")
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
            await self.media.until_playing(player)

    def _open_player(self) -> None:
        self.media.open(
            on_error=self._on_error,
            on_duration=self._on_duration,
            on_position=self._on_position,
            on_playback_state=self._on_playback_state,
        )
        self._failures, self._duration, self._resume_from = 0, 0, None
        self._apply_volume()
        self._show_time(0)

    def _close_player(self) -> None:
        """Stop and release the player (its threads end with it)."""
        self._recovering = False
        if self.media.close():
            self.video_page.show_playing(False)

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError or self.player is None:
            return
        self.media.failed((error, text))
        if self.media.loading:
            return
        if self._recovering:
            return  # the old source's last complaints, while the fresh link is on its way
        if error not in _LINK_ERRORS or self._failures:
            why = _reason(text)
            self._show_failure(self._generation, f"{self._title} could not be played ({why}).")
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
            name=f"{self._key} {self._title} (fresh link)",
            key=self._key,
        )

    def _on_duration(self, duration: int) -> None:
        self.video_page.set_duration(duration)
        if duration > 0 and duration != self._duration:
            self._duration = duration
            self.duration_known.emit(duration)
        self._show_time(self._last_position)

    def _on_position(self, position: int) -> None:
        if self.media.loading or self._recovering:
            return  # a source being replaced reports 0; the place to go back to is kept
        self._last_position = position
        if self._resume_from is not None and position > self._resume_from:
            self._resume_from = None
            self._failures = 0  # it plays again: a later failure may ask for a fresh link
        self.video_page.show_position(position)
        self._show_time(position)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing:
            self.media.started()
        self.video_page.show_playing(playing)

    def _seek(self, position: int) -> None:
        if self.player is not None:
            players.seek(self.player, position)

    def _apply_volume(self) -> None:
        self.media.set_volume(*self.video_page.volume())

    def _show_time(self, position: int) -> None:
        self.video_page.show_time(position, self._duration)

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

    def zoom_for(self, event: QKeyEvent) -> Callable[[], None] | None:
        """What a zoom key does to the image shown; None for another key or when none is."""
        if self.pages.currentIndex() != 1:
            return None
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        view = self.image_view
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (ctrl and key == Qt.Key.Key_Equal):
            return lambda: view.zoom_by(ZOOM_STEP)
        if event.matches(QKeySequence.StandardKey.ZoomOut) or (ctrl and key == Qt.Key.Key_Minus):
            return lambda: view.zoom_by(1 / ZOOM_STEP)
        if ctrl and key == Qt.Key.Key_0:
            return view.actual_size
        if ctrl and key == Qt.Key.Key_9:
            return view.fit
        return None

    def event(self, event: QEvent) -> bool:
        overridden = event.type() == QEvent.Type.ShortcutOverride
        if overridden and isinstance(event, QKeyEvent) and self.zoom_for(event) is not None:
            event.accept()  # the image's zoom, not the thumbnail size of the same keys
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        zoom = self.zoom_for(event)
        if event.key() == Qt.Key.Key_Space and self.player is not None:
            self.toggle_play()
        elif zoom is not None:
            zoom()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


def _reason(text: str) -> str:
    """The player's words for a failure, without a quoted link's signed query."""
    return as_sentence(without_url_queries(text or "the player gave no reason")).rstrip(".")
