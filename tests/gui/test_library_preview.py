"""The Library's preview panel against the sandbox's storage: images fetched from signed URLs with
the plain download client and decoded for real, videos streamed by a real QMediaPlayer (FFmpeg).

Offscreen, a QVideoWidget may show nothing, so the video tests look at the player (state,
position, duration) and at what the storage host was asked, not at pixels.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QWheelEvent
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests.helpers.media_files import DEMO

from assetdesk.net.clients import make_download_client
from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.sources import storage_error
from assetdesk.ui.library.preview import EMPTY_TEXT, PreviewPanel
from assetdesk.ui.library.preview_pages import format_time
from assetdesk.ui.tasks import BackgroundTasks

#: QtMultimedia without a GPU (offscreen), once per converting thread.
NO_RHI = "No RHI backend"
#: FFmpeg refusing a URL (the expired or tampered link these tests hand it on purpose).
CANNOT_OPEN = "Could not open media"
#: The demuxer of a stream the sandbox cut short on purpose.
DEMUX_FAILED = "Demuxing failed"
NO_PTS = "AV_NOPTS_VALUE"

#: The first audio output of the process on a machine with no sound server (CI, offscreen).
NO_SOUND_SERVER = "PulseAudioService: pa_context_connect"

pytestmark = pytest.mark.qt_log_ignore(NO_RHI, NO_SOUND_SERVER)

Status = QMediaPlayer.MediaStatus
State = QMediaPlayer.PlaybackState


# -- helpers --------------------------------------------------------------------------------------


def serve(sb: SandboxProcess, tmp_path: Path, name: str, content_type: str) -> str:
    """Put a copy of the demo file `name` in the sandbox's storage; its object key."""
    copy = tmp_path / name
    shutil.copyfile(DEMO / name, copy)
    sb.put_wordbee_asset(copy, content_type, name=name, segment_id=7)
    return str(next(o["key"] for o in sb.objects() if o["file"] == str(copy)))


def rgb_rows(image: QImage) -> list[bytes]:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data, line, row = bytes(rgb.constBits()), rgb.bytesPerLine(), rgb.width() * 3
    return [data[y * line : y * line + row] for y in range(rgb.height())]


def storage_requests(sb: SandboxProcess) -> list[dict[str, Any]]:
    return [r for r in sb.requests("storage") if r["method"] == "GET"]


@pytest.fixture
def panel(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tasks: BackgroundTasks
) -> Iterator[PreviewPanel]:
    """A shown panel; cleared afterwards, its players gone before it is deleted (not through
    qtbot.addWidget, which deletes widgets before fixtures tear down)."""
    widget = PreviewPanel(tasks)
    widget.resize(480, 360)
    widget.show()
    qtbot.waitExposed(widget)
    try:
        yield widget
    finally:
        widget.clear()
        qtbot.waitUntil(lambda: not widget.findChildren(QMediaPlayer))
        widget.close()
        widget.deleteLater()


@pytest.fixture
def http(arun: Any) -> Iterator[httpx.AsyncClient]:
    client = make_download_client()
    try:
        yield client
    finally:
        arun(client.aclose())


class Fetcher:
    """What the Library pane hands the panel: a signed URL per call, fetched with the plain
    client, a refusal turned into the transfer layer's typed error."""

    def __init__(
        self,
        sb: SandboxProcess,
        http: httpx.AsyncClient,
        key: str,
        label: str,
        *,
        urls: list[str] | None = None,
    ) -> None:
        self.sb, self.http, self.key, self.label = sb, http, key, label
        self.urls = urls or []  # handed out first, in order, before signing new ones
        self.calls: list[bool] = []

    async def resolve(self, fresh: bool) -> str:
        self.calls.append(fresh)
        if self.urls:
            return self.urls.pop(0)
        return await asyncio.to_thread(self.sb.signed_url, self.key)

    async def fetch(self, fresh: bool) -> bytes:
        url = await self.resolve(fresh)
        response = await self.http.get(url)
        if response.status_code != 200:
            raise storage_error(response, response.content, label=self.label)
        return response.content


def settle(qtbot: QtBot, task: asyncio.Task[None]) -> None:
    """Let the panel's task run to its end (the loop runs while Qt processes events)."""
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.exception() is None


def show_image(qtbot: QtBot, panel: PreviewPanel, title: str, fetcher: Fetcher) -> None:
    settle(qtbot, panel.show_image(title, fetcher.fetch))


def wheel(panel: PreviewPanel, at: QPoint, notches: int) -> None:
    viewport = panel.image_view.viewport()
    event = QWheelEvent(
        QPointF(at),
        QPointF(viewport.mapToGlobal(at)),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def mouse(panel: PreviewPanel, kind: QEvent.Type, at: QPoint, held: bool) -> None:
    viewport = panel.image_view.viewport()
    left = Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind,
        QPointF(at),
        QPointF(viewport.mapToGlobal(at)),
        Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else left,
        left if held else Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def scene_at(panel: PreviewPanel, point: QPoint) -> QPointF:
    return panel.image_view.mapToScene(point)


# -- images ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("sunrise-640x360.png", "image/png"),
        ("bars-800x450.jpg", "image/jpeg"),
        ("portrait-320x480.webp", "image/webp"),
    ],
)
def test_image_pixels_match_the_source(
    qtbot: QtBot,
    sb: SandboxProcess,
    tmp_path: Path,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
    name: str,
    content_type: str,
) -> None:
    fetcher = Fetcher(sb, http, serve(sb, tmp_path, name, content_type), name)
    show_image(qtbot, panel, name, fetcher)

    source = QImage(str(DEMO / name))
    shown = panel.image_view.current_image()
    assert shown.size() == source.size()
    assert rgb_rows(shown) == rgb_rows(source)
    assert panel.state_text.text() == name
    assert fetcher.calls == [False]
    # One plain GET of the signed URL: no credentials go to the storage host.
    (request,) = storage_requests(sb)
    assert "Signature=" in request["query"]
    assert "authorization" not in request["headers"]

    # Fit: the whole image in the view, never enlarged; the level is shown.
    view = panel.image_view
    viewport = view.viewport().size()
    fit = min(1.0, viewport.width() / source.width(), viewport.height() / source.height())
    assert view.scale_factor() == pytest.approx(fit)
    assert panel.image_page.zoom_text.text() == f"{round(fit * 100)} %"

    # At 100 % the pixels on screen are the source's own.
    panel.image_page.actual_button.click()
    assert view.scale_factor() == 1.0
    assert panel.image_page.zoom_text.text() == "100 %"
    screen = view.viewport().grab().toImage()
    origin = view.mapFromScene(QPointF(0, 0))
    left, top = max(0, origin.x()), max(0, origin.y())
    width = min(screen.width(), origin.x() + source.width()) - left
    height = min(screen.height(), origin.y() + source.height()) - top
    assert width > 100 and height > 100
    on_screen = screen.copy(left, top, width, height)
    in_source = source.copy(left - origin.x(), top - origin.y(), width, height)
    assert rgb_rows(on_screen) == rgb_rows(in_source)


def test_zoom_keeps_the_point_under_the_cursor_and_drag_pans(
    qtbot: QtBot,
    sb: SandboxProcess,
    tmp_path: Path,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    name = "bars-800x450.jpg"
    show_image(qtbot, panel, name, Fetcher(sb, http, serve(sb, tmp_path, name, "image/jpeg"), name))
    view = panel.image_view
    fit = view.scale_factor()
    assert fit < 0.7 and view.fitting

    # The wheel zooms around the cursor: the image point under it stays under it.
    at = QPoint(view.viewport().width() // 3, view.viewport().height() // 2)
    before = scene_at(panel, at)
    wheel(panel, at, 2)
    assert view.scale_factor() == pytest.approx(fit * 1.25**2)
    assert not view.fitting
    after = scene_at(panel, at)
    assert abs(after.x() - before.x()) <= 2 and abs(after.y() - before.y()) <= 2, (before, after)
    assert panel.image_page.zoom_text.text() == f"{round(fit * 1.25**2 * 100)} %"
    wheel(panel, at, -1)
    assert view.scale_factor() == pytest.approx(fit * 1.25)

    # Keys, with the focus in the panel.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(fit * 1.25**2)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(fit)

    # Dragging pans by as much as the mouse moved (at 100 % a pixel is a pixel).
    panel.image_page.actual_button.click()
    assert view.scale_factor() == 1.0
    centre = view.viewport().rect().center()
    before = scene_at(panel, centre)
    mouse(panel, QEvent.Type.MouseButtonPress, centre, held=True)
    mouse(panel, QEvent.Type.MouseMove, centre + QPoint(-40, -30), held=True)
    mouse(panel, QEvent.Type.MouseButtonRelease, centre + QPoint(-40, -30), held=False)
    after = scene_at(panel, centre)
    assert (after.x() - before.x(), after.y() - before.y()) == (40, 30)

    panel.image_page.fit_button.click()
    assert view.scale_factor() == pytest.approx(fit)
    assert view.fitting
    # A fitted image follows the panel's size.
    panel.resize(800, 600)
    qtbot.waitUntil(lambda: view.scale_factor() > fit * 1.3)
    assert view.scale_factor() == pytest.approx(min(1.0, view.viewport().width() / 800))


def test_expired_link_is_fetched_again_silently(
    qtbot: QtBot, sb: SandboxProcess, tmp_path: Path, http: httpx.AsyncClient, panel: PreviewPanel
) -> None:
    name = "sunrise-640x360.png"
    key = serve(sb, tmp_path, name, "image/png")
    expired = sb.signed_url(key, ttl=5)
    sb.advance_clock(60)
    fetcher = Fetcher(sb, http, key, name, urls=[expired])
    show_image(qtbot, panel, name, fetcher)
    assert fetcher.calls == [False, True]
    assert rgb_rows(panel.image_view.current_image()) == rgb_rows(QImage(str(DEMO / name)))
    assert panel.state_text.text() == name
    assert len(storage_requests(sb)) == 2


def test_refused_link_and_undecodable_bytes_show_a_sentence(
    qtbot: QtBot, sb: SandboxProcess, tmp_path: Path, http: httpx.AsyncClient, panel: PreviewPanel
) -> None:
    name = "sunrise-640x360.png"
    key = serve(sb, tmp_path, name, "image/png")
    tampered = sb.signed_url(key)[:-4] + "0000"
    fetcher = Fetcher(sb, http, key, name, urls=[tampered, tampered])
    show_image(qtbot, panel, name, fetcher)
    assert fetcher.calls == [False, True]  # refused once: a fresh link; refused again: said so
    host = f"127.0.0.1:{httpx.URL(tampered).port}"
    expected = f"{host} refused to send {name} (403): the download link is not valid."
    assert panel.state_text.text() == expected
    assert panel.image_view.current_image().isNull()
    assert "Signature" not in panel.state_text.text()

    async def not_an_image(fresh: bool) -> bytes:
        return b"hello, world\n" * 20

    settle(qtbot, panel.show_image("notes.png", not_an_image))
    assert panel.state_text.text() == (
        "notes.png could not be decoded as an image (unsupported image format)."
    )


def test_a_newer_preview_cancels_the_load_before_it(
    qtbot: QtBot, sb: SandboxProcess, tmp_path: Path, http: httpx.AsyncClient, panel: PreviewPanel
) -> None:
    never = asyncio.Event()

    async def stuck(fresh: bool) -> bytes:
        await never.wait()
        return b""

    first = panel.show_image("slow.png", stuck)
    assert panel.state_text.text() == "Loading slow.png…"
    name = "swatch-256x256.png"
    show_image(qtbot, panel, name, Fetcher(sb, http, serve(sb, tmp_path, name, "image/png"), name))
    assert first.cancelled()
    assert panel.state_text.text() == name
    assert panel.image_view.current_image().size().width() == 256

    panel.clear()
    assert panel.state_text.text() == EMPTY_TEXT
    assert panel.image_view.current_image().isNull()


def test_a_panel_deleted_mid_load_cancels_the_load(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tasks: BackgroundTasks
) -> None:
    """The load would resume into the deleted panel ("Internal C++ object already deleted")."""
    widget = PreviewPanel(tasks)
    never = asyncio.Event()

    async def stuck(fresh: bool) -> str:
        await never.wait()
        return ""

    loading = widget.show_video("clip.mp4", stuck)
    widget.deleteLater()
    qtbot.waitUntil(loading.done)
    assert loading.cancelled()


# -- video ----------------------------------------------------------------------------------------


@pytest.fixture
def clip_key(sb: SandboxProcess, tmp_path: Path) -> str:
    return serve(sb, tmp_path, "clip-320x180.mp4", "video/mp4")


def wait_playing_past(qtbot: QtBot, panel: PreviewPanel, ms: int) -> None:
    def past() -> bool:
        player = panel.player
        return player is not None and player.position() > ms

    qtbot.waitUntil(past, timeout=15_000)


def test_video_plays_reports_its_duration_and_space_toggles(
    qtbot: QtBot,
    sb: SandboxProcess,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    fetcher = Fetcher(sb, http, clip_key, "clip")
    with qtbot.waitSignal(panel.duration_known, timeout=15_000) as duration:
        task = panel.show_video("clip-320x180.mp4", fetcher.resolve)
        assert panel.state_text.text() == "Loading clip-320x180.mp4…"
    assert 1900 <= duration.args[0] <= 2100  # a 2 s clip
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    assert panel.state_text.text() == "clip-320x180.mp4"
    wait_playing_past(qtbot, panel, 300)
    player = panel.player
    assert player is not None
    assert player.playbackState() == State.PlayingState
    assert panel.video_page.play_button.text() == "Pause"
    assert panel.video_page.time_text.text().endswith(" / 0:02")
    assert fetcher.calls == [False]
    (request,) = storage_requests(sb)
    assert "authorization" not in request["headers"]

    # Space pauses and resumes when the panel has the focus.
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == State.PausedState)
    assert panel.video_page.play_button.text() == "Play"
    held = player.position()
    qtbot.wait(300)  # paused playback must stay put for a while: the check is that it does
    assert player.position() == held
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.position() > held, timeout=10_000)

    # Volume and mute reach the audio output.
    panel.video_page.volume_slider.setValue(30)
    panel.video_page.mute_button.click()
    audio = player.audioOutput()
    assert audio.volume() == pytest.approx(0.3) and audio.isMuted()
    assert panel.video_page.mute_button.text() == "Unmute"

    qtbot.waitUntil(lambda: player.mediaStatus() == Status.EndOfMedia, timeout=15_000)
    assert panel.video_page.time_text.text() == "0:02 / 0:02"

    panel.clear()
    assert panel.player is None
    assert panel.state_text.text() == EMPTY_TEXT
    qtbot.waitUntil(lambda: not panel.findChildren(QMediaPlayer))


def test_seek_slider_moves_the_player(
    qtbot: QtBot,
    sb: SandboxProcess,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    fetcher = Fetcher(sb, http, clip_key, "clip")
    settle(qtbot, panel.show_video("clip.mp4", fetcher.resolve))
    player = panel.player
    assert player is not None
    panel.video_page.play_button.click()  # pause
    qtbot.waitUntil(lambda: player.playbackState() == State.PausedState)
    qtbot.waitUntil(lambda: panel.video_page.seek_slider.maximum() >= 1900)
    panel.video_page.seek_slider.setValue(1500)
    qtbot.waitUntil(lambda: abs(player.position() - 1500) < 100, timeout=10_000)
    assert panel.video_page.time_text.text() == "0:01 / 0:02"


@pytest.mark.qt_log_ignore(CANNOT_OPEN)
def test_an_expired_link_is_resolved_again_once_and_plays(
    qtbot: QtBot,
    sb: SandboxProcess,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    expired = sb.signed_url(clip_key, ttl=5)
    sb.advance_clock(60)
    fetcher = Fetcher(sb, http, clip_key, "clip", urls=[expired])
    task = panel.show_video("clip.mp4", fetcher.resolve)
    qtbot.waitUntil(task.done, timeout=20_000)
    assert fetcher.calls == [False, True]
    wait_playing_past(qtbot, panel, 300)
    assert panel.state_text.text() == "clip.mp4"
    assert len(storage_requests(sb)) == 2


@pytest.mark.qt_log_ignore(DEMUX_FAILED, NO_PTS)
def test_a_stream_broken_mid_play_goes_on_from_where_it_was(
    qtbot: QtBot,
    sb: SandboxProcess,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    # The first answer trickles and is cut after 12 000 of its 21 541 bytes: the player stops
    # with a resource error a good way in, as when a signed link dies under it. The fresh link
    # is served at full speed.
    sb.bandwidth("storage", 6000)
    sb.fault("storage", "/*", method="GET", drop_after_bytes=12_000)
    fetcher = Fetcher(sb, http, clip_key, "clip")
    stopped_at: list[int] = []
    positions: list[int] = []
    mark: list[int] = []

    async def resolve(fresh: bool) -> str:
        if fresh:
            assert panel.player is not None
            stopped_at.append(panel.player.position())
            mark.append(len(positions))
            await asyncio.to_thread(sb.bandwidth, "storage", None)
        return await fetcher.resolve(fresh)

    settle(qtbot, panel.show_video("clip.mp4", resolve))
    player = panel.player
    assert player is not None
    player.positionChanged.connect(positions.append)
    qtbot.waitUntil(lambda: fetcher.calls == [False, True], timeout=15_000)
    qtbot.waitUntil(lambda: player.mediaStatus() == Status.EndOfMedia, timeout=15_000)
    assert stopped_at[0] > 200, stopped_at
    # Back where it was, not from the start: nothing before that point is played again.
    after = positions[mark[0] :]
    assert max(after) >= 1900, after
    replayed = [p for p in after if 0 < p < stopped_at[0] - 50]
    assert not replayed, (stopped_at, after)
    assert panel.state_text.text() == "clip.mp4"
    assert panel.player is player
    assert len(storage_requests(sb)) == 2


@pytest.mark.qt_log_ignore(CANNOT_OPEN)
def test_a_second_refusal_in_a_row_shows_the_error(
    qtbot: QtBot,
    sb: SandboxProcess,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    tampered = sb.signed_url(clip_key)[:-4] + "0000"
    fetcher = Fetcher(sb, http, clip_key, "clip", urls=[tampered, tampered])
    task = panel.show_video("clip.mp4", fetcher.resolve)
    qtbot.waitUntil(task.done, timeout=20_000)
    assert fetcher.calls == [False, True]
    assert panel.state_text.text() == "clip.mp4 could not be played (Could not open file)."
    assert panel.player is None
    qtbot.waitUntil(lambda: not panel.findChildren(QMediaPlayer))


def test_switching_to_an_image_tears_the_player_down(
    qtbot: QtBot,
    sb: SandboxProcess,
    tmp_path: Path,
    clip_key: str,
    http: httpx.AsyncClient,
    panel: PreviewPanel,
) -> None:
    fetcher = Fetcher(sb, http, clip_key, "clip")
    settle(qtbot, panel.show_video("clip.mp4", fetcher.resolve))
    wait_playing_past(qtbot, panel, 100)
    name = "swatch-256x256.png"
    show_image(qtbot, panel, name, Fetcher(sb, http, serve(sb, tmp_path, name, "image/png"), name))
    assert panel.player is None
    qtbot.waitUntil(lambda: not panel.findChildren(QMediaPlayer))
    assert panel.state_text.text() == name


def test_format_time() -> None:
    assert [format_time(ms) for ms in (0, 999, 3_000, 12_400, 61_000, 3_723_000)] == [
        "0:00",
        "0:00",
        "0:03",
        "0:12",
        "1:01",
        "1:02:03",
    ]


def test_empty_panel(qtbot: QtBot, panel: PreviewPanel) -> None:
    assert panel.state_text.text() == EMPTY_TEXT
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Space)  # nothing to play: nothing happens
    panel.clear()
    assert panel.state_text.text() == EMPTY_TEXT
    assert panel.player is None
