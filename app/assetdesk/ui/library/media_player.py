"""The preview's media player: one QMediaPlayer at a time with its sound output, and the two waits
on it: a load (until the source loaded or failed) and a play (until it reports playing).

What to do when a load or a playing video fails (a fresh link, back to the same place) is the
panel's business (`preview.py`); this module only starts, answers and releases the player.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget

from assetdesk.ui import players
from assetdesk.ui.media_quiet import quiet_ffmpeg

log = logging.getLogger("assetdesk.ui.preview")

#: A video that neither loads nor fails within this long is reported (generous: a slow host).
LOAD_TIMEOUT = 30.0
#: How long a started video may take to report that it plays before its task ends anyway.
PLAY_WAIT = 5.0

#: The player's error and its text.
Failure = tuple[QMediaPlayer.Error, str]


class MediaPlayer:
    """Owns the player shown in `output` (None when closed); `owner` parents it."""

    def __init__(self, owner: QObject, output: QVideoWidget) -> None:
        self._owner = owner
        self._output = output
        self.player: QMediaPlayer | None = None
        self._audio: QAudioOutput | None = None
        self._pending: asyncio.Future[Failure | None] | None = None
        self._playing: asyncio.Future[None] | None = None  # resolved when playback starts
        self.loading = False  # from setting a source until it loaded or failed

    def open(
        self,
        *,
        on_error: Callable[..., Any],
        on_duration: Callable[..., Any],
        on_position: Callable[..., Any],
        on_playback_state: Callable[..., Any],
    ) -> QMediaPlayer:
        quiet_ffmpeg()  # before the first player; once per process
        player = QMediaPlayer(self._owner)
        audio = QAudioOutput(player)
        player.setAudioOutput(audio)
        player.setVideoOutput(self._output)
        player.mediaStatusChanged.connect(self._on_status)
        player.errorOccurred.connect(on_error)
        player.durationChanged.connect(on_duration)
        player.positionChanged.connect(on_position)
        player.playbackStateChanged.connect(on_playback_state)
        self.player, self._audio = player, audio
        return player

    def close(self) -> bool:
        """Stop and release the player (its threads end with it); False when there was none."""
        player, self.player, self._audio = self.player, None, None
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
        self._pending = None
        if self._playing is not None and not self._playing.done():
            self._playing.set_result(None)  # nothing will play: stop waiting for it
        self._playing = None
        self.loading = False
        if player is None:
            return False
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
        return True

    def set_volume(self, volume: float, muted: bool) -> None:
        if self._audio is not None:
            self._audio.setVolume(volume)
            self._audio.setMuted(muted)

    async def load(self, url: str) -> Failure | None:
        """Set the source; None once loaded, else the player's error and its text."""
        player = self.player
        assert player is not None
        self.loading = True
        source = QUrl(url)
        if player.source() == source:
            player.setSource(QUrl())  # the same URL again would be ignored: no load, no answer
        # Only now listen: replacing a playing source reports "loaded" for the old one first.
        player.setSource(source)
        pending: asyncio.Future[Failure | None]
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
                self.loading = False

    async def until_playing(self, player: QMediaPlayer) -> None:
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

    def failed(self, failure: Failure) -> None:
        """The player reported an error: it will not start playing, and a load has its answer."""
        if self._playing is not None and not self._playing.done():
            self._playing.set_result(None)  # it will not start playing: stop waiting for it
        pending = self._pending
        if pending is not None and not pending.done():
            pending.set_result(failure)

    def started(self) -> None:
        """The player reports playing: a wait for it is over."""
        if self._playing is not None and not self._playing.done():
            self._playing.set_result(None)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        Status = QMediaPlayer.MediaStatus
        pending = self._pending
        if pending is None or pending.done():
            return
        if status in (Status.LoadedMedia, Status.BufferingMedia, Status.BufferedMedia):
            pending.set_result(None)
        elif status == Status.InvalidMedia and self.player is not None:
            pending.set_result((self.player.error(), self.player.errorString()))
