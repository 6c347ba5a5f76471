"""ThumbnailMaker on real files: QImageReader for images, QtMultimedia (FFmpeg) for videos.

Every video here is really played by a QMediaPlayer: the frames compared below come from the
FFmpeg backend, which QImageReader cannot stand in for (it reads no MP4; see the first test).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot
from tests.helpers.media_files import DEMO, MEDIA

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.store.thumbnail_pack import PACK_FILE, key_name
from assetdesk.ui.image_files import image_file, read_image
from assetdesk.ui.thumbnails import ThumbnailError, ThumbnailMaker, _decode_image

# QtMultimedia's own chatter when it plays a file; none of it is AssetDesk's warning.
#: Converting a frame without a GPU (offscreen platform): once per thread that converts.
NO_RHI = "No RHI backend"
#: FFmpeg refusing a damaged file, before the player reports the error the test expects.
CANNOT_OPEN = "Could not open media"

pytestmark = pytest.mark.qt_log_ignore(NO_RHI)


# -- helpers --------------------------------------------------------------------------------------


def rgb_bytes(image: QImage) -> list[bytes]:
    """The image's rows as packed RGB bytes (no padding, no alpha)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    row = rgb.width() * 3
    return [
        data[y * rgb.bytesPerLine() : y * rgb.bytesPerLine() + row] for y in range(rgb.height())
    ]


def difference(a: QImage, b: QImage) -> tuple[float, int]:
    """Mean and largest per-channel difference (0..255) of two images of the same size."""
    assert a.size() == b.size()
    total = largest = count = 0
    for row_a, row_b in zip(rgb_bytes(a), rgb_bytes(b), strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            delta = abs(x - y)
            total += delta
            largest = max(largest, delta)
            count += 1
    return total / count, largest


def same_pixels(a: QImage, b: QImage) -> bool:
    return a.size() == b.size() and rgb_bytes(a) == rgb_bytes(b)


def scaled_reference(path: Path, size: QSize) -> QImage:
    return QImage(str(path)).scaled(
        size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def close_to(color: QColor, expected: QColor, tolerance: int = 24) -> bool:
    pairs = [
        (color.red(), expected.red()),
        (color.green(), expected.green()),
        (color.blue(), expected.blue()),
    ]
    return all(abs(a - b) <= tolerance for a, b in pairs)


def kept_blob(cache: Path, key: str, size: int) -> bytes:
    """What the cache in `cache` holds for `key` at `size`, read by a connection of the test's
    own (KeyError when it holds nothing)."""
    with sqlite3.connect(cache / PACK_FILE) as conn:
        row = conn.execute(
            "SELECT data FROM thumbnails JOIN blobs USING (id) WHERE name = ? AND size = ?",
            (key_name(key), size),
        ).fetchone()
    if row is None:
        raise KeyError(key)
    return bytes(row[0])


def raises_thumbnail_error(arun: Any, coro: Any, timeout_ms: int = 20_000) -> ThumbnailError:
    async def catch() -> ThumbnailError:
        try:
            await coro
        except ThumbnailError as error:
            return error
        raise AssertionError("no ThumbnailError was raised")

    result: ThumbnailError = arun(catch(), timeout_ms=timeout_ms)
    return result


def exif_oriented_jpeg(image: QImage, orientation: int) -> bytes:
    """`image` as JPEG with an EXIF APP1 segment holding only the Orientation tag."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPEG", 95)  # type: ignore[call-overload]  # see test_large_jpeg
    jpeg = bytes(data.data())
    # Big-endian TIFF header, one IFD with one SHORT entry (0x0112 Orientation), no next IFD.
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + app1 + jpeg[2:]


# -- images ---------------------------------------------------------------------------------------


def test_qimagereader_cannot_read_the_test_videos() -> None:
    """So a video thumbnail that matches its first frame came through QtMultimedia."""
    for name in ("clip.mp4", "clip.webm", "moov-at-end.mp4"):
        assert QImageReader(str(MEDIA / name)).read().isNull()


@pytest.mark.parametrize("name", ["picture.png", "picture.jpg", "picture.webp"])
def test_image_is_decoded_scaled_and_close_to_the_source(arun: Any, name: str) -> None:
    maker = ThumbnailMaker(size=32)
    thumb = arun(maker.for_file(MEDIA / name))
    assert thumb.size() == QSize(32, 24)
    mean, largest = difference(thumb, scaled_reference(MEDIA / name, QSize(32, 24)))
    assert mean < 6 and largest < 96, (mean, largest)


@pytest.mark.parametrize("name", ["picture.png", "picture.jpg", "picture.webp"])
def test_small_image_is_never_enlarged(arun: Any, name: str) -> None:
    thumb = arun(ThumbnailMaker(size=96).for_file(MEDIA / name))
    assert thumb.size() == QSize(64, 48)
    assert difference(thumb, QImage(str(MEDIA / name))) == (0.0, 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("portrait-320x480.webp", QSize(64, 96)),
        ("bars-800x450.jpg", QSize(96, 54)),
        ("sunrise-640x360.png", QSize(96, 54)),
    ],
)
def test_demo_images_fit_the_box_with_their_aspect(arun: Any, name: str, expected: QSize) -> None:
    thumb = arun(ThumbnailMaker().for_file(DEMO / name))
    assert thumb.size() == expected
    mean, _ = difference(thumb, scaled_reference(DEMO / name, expected))
    assert mean < 6, mean


def test_large_jpeg_is_scaled_into_the_box_with_its_aspect(arun: Any, tmp_path: Path) -> None:
    colors = [QColor("#d02020"), QColor("#20b020"), QColor("#2040d0"), QColor("#e0c020")]
    big = QImage(4000, 3000, QImage.Format.Format_RGB32)
    painter = QPainter(big)
    for index, color in enumerate(colors):
        painter.fillRect((index % 2) * 2000, (index // 2) * 1500, 2000, 1500, color)
    painter.end()
    path = tmp_path / "big.jpg"
    # PySide6 6.11 wants the format as str (bytes raise ValueError), whatever its stubs say.
    assert big.save(str(path), "JPEG", 90)  # type: ignore[call-overload]

    # Decoding it whole takes 46 MB; with 8 MB allowed, only a decode scaled by libjpeg fits.
    limit = QImageReader.allocationLimit()
    QImageReader.setAllocationLimit(8)
    try:
        thumb = arun(ThumbnailMaker(size=96).for_file(path))
    finally:
        QImageReader.setAllocationLimit(limit)
    assert thumb.size() == QSize(96, 72)
    for index, color in enumerate(colors):
        x, y = 24 + (index % 2) * 48, 18 + (index // 2) * 36
        assert close_to(thumb.pixelColor(x, y), color), (index, thumb.pixelColor(x, y).name())


def test_exif_orientation_is_applied(arun: Any, tmp_path: Path) -> None:
    # 80x40: red left half, blue right half; EXIF 6 = "rotate 90° clockwise to display".
    source = QImage(80, 40, QImage.Format.Format_RGB32)
    source.fill(QColor("#e01010"))
    QPainter(source).fillRect(40, 0, 40, 40, QColor("#1010e0"))
    path = tmp_path / "rotated.jpg"
    path.write_bytes(exif_oriented_jpeg(source, 6))

    thumb = arun(ThumbnailMaker(size=20).for_file(path))
    assert thumb.size() == QSize(10, 20)  # upright: portrait, not landscape
    assert close_to(thumb.pixelColor(5, 4), QColor("#e01010"), 40)  # the left became the top
    assert close_to(thumb.pixelColor(5, 15), QColor("#1010e0"), 40)


def test_image_bytes(arun: Any) -> None:
    maker = ThumbnailMaker(size=32)
    thumb = arun(maker.for_image_bytes((MEDIA / "picture.png").read_bytes()))
    assert same_pixels(thumb, arun(maker.for_file(MEDIA / "picture.png")))
    assert thumb.size() == QSize(32, 24)


def test_image_bytes_that_are_no_image(arun: Any) -> None:
    error = raises_thumbnail_error(arun, ThumbnailMaker().for_image_bytes(b"hello, world" * 20))
    assert str(error) == "The image could not be decoded as an image (unsupported image format)."


def test_non_media_and_missing_files(arun: Any, tmp_path: Path) -> None:
    maker = ThumbnailMaker()
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all\n" * 10)
    error = raises_thumbnail_error(arun, maker.for_file(notes))
    assert str(error) == "notes.mp4 is not an image or a video, so it has no thumbnail."
    error = raises_thumbnail_error(arun, maker.for_file(MEDIA / "sound.m4a"))
    assert str(error) == "sound.m4a is not an image or a video, so it has no thumbnail."
    error = raises_thumbnail_error(arun, maker.for_file(tmp_path / "ghost.png"))
    assert str(error) == "ghost.png could not be read (no such file or directory)."


def test_damaged_image(arun: Any, tmp_path: Path) -> None:
    path = tmp_path / "half.png"
    path.write_bytes((MEDIA / "picture.png").read_bytes()[:60])
    error = raises_thumbnail_error(arun, ThumbnailMaker().for_file(path))
    assert str(error).startswith("half.png could not be decoded as an image (")


# -- videos ---------------------------------------------------------------------------------------


async def first_frame_with_player(maker: ThumbnailMaker, url: QUrl) -> QImage:
    """`for_video_url`, checking on the way that a QMediaPlayer plays exactly that URL."""
    task = asyncio.ensure_future(maker.for_video_url(url))
    for _ in range(50):
        if maker.findChildren(QMediaPlayer) or task.done():
            break
        await asyncio.sleep(0)
    players = maker.findChildren(QMediaPlayer)
    assert [player.source() for player in players] == [url]
    assert maker.active_players == 1
    image = await task
    assert maker.active_players == 0
    return image


@pytest.mark.parametrize("name", ["clip.mp4", "clip.webm"])
def test_video_first_frame_is_testsrc_frame_zero(arun: Any, qtbot: QtBot, name: str) -> None:
    maker = ThumbnailMaker(size=96)
    thumb = arun(first_frame_with_player(maker, QUrl.fromLocalFile(str(MEDIA / name))))
    assert thumb.size() == QSize(64, 48)
    mean, _ = difference(thumb, QImage(str(MEDIA / "picture.png")))
    assert mean < 12, mean
    qtbot.waitUntil(lambda: not maker.findChildren(QMediaPlayer))


def test_video_file_is_sniffed_and_scaled(arun: Any) -> None:
    thumb = arun(ThumbnailMaker(size=32).for_file(MEDIA / "clip.mp4"))
    assert thumb.size() == QSize(32, 24)
    mean, _ = difference(thumb, scaled_reference(MEDIA / "picture.png", QSize(32, 24)))
    assert mean < 12, mean


@pytest.mark.parametrize("clip", [DEMO / "clip-320x180.mp4", MEDIA / "moov-at-end.mp4"])
def test_demo_clip_and_moov_at_end(arun: Any, clip: Path) -> None:
    thumb = arun(ThumbnailMaker(size=96).for_file(clip))
    assert thumb.size() == QSize(96, 54)
    poster = scaled_reference(DEMO / "clip-320x180-poster.jpg", QSize(96, 54))
    mean, _ = difference(thumb, poster)
    assert mean < 12, mean


@pytest.mark.qt_log_ignore(CANNOT_OPEN)
def test_truncated_and_garbage_videos_fail_with_a_sentence(arun: Any, tmp_path: Path) -> None:
    maker = ThumbnailMaker(video_timeout=15)
    truncated = tmp_path / "cut short.mp4"
    truncated.write_bytes((MEDIA / "clip.mp4").read_bytes()[:600])  # ftyp, half a moov
    garbage = tmp_path / "noise.mp4"
    garbage.write_bytes(bytes(range(256)) * 40)
    started = time.monotonic()
    error = raises_thumbnail_error(arun, maker.for_file(truncated))
    assert (
        str(error)
        == "cut short.mp4 could not be played to make its thumbnail (Could not open file)."
    )
    assert error.service_text == "Could not open file"
    error = raises_thumbnail_error(arun, maker.for_file(garbage, video=True))
    assert (
        str(error) == "noise.mp4 could not be played to make its thumbnail (Could not open file)."
    )
    assert time.monotonic() - started < 12  # the player's error, not the 15 s timeout
    assert maker.active_players == 0


def test_audio_only_file_played_as_video_has_no_picture(arun: Any) -> None:
    maker = ThumbnailMaker(video_timeout=15)
    error = raises_thumbnail_error(arun, maker.for_file(MEDIA / "sound.m4a", video=True))
    assert str(error) == "sound.m4a has no video picture, so it has no thumbnail."


@pytest.mark.qt_log_ignore(
    "Could not open media. FFmpeg error description: Immediate exit requested"
)
def test_cancelling_tears_the_player_down(arun: Any, qtbot: QtBot) -> None:
    maker = ThumbnailMaker()
    url = QUrl.fromLocalFile(str(DEMO / "clip-320x180.mp4"))

    async def start_then_cancel() -> None:
        task = asyncio.ensure_future(maker.for_video_url(url))
        for _ in range(50):
            if maker.active_players or task.done():
                break
            await asyncio.sleep(0)
        assert maker.active_players == 1
        assert len(maker.findChildren(QMediaPlayer)) == 1
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled()
        assert maker.active_players == 0

    arun(start_then_cancel())
    qtbot.waitUntil(lambda: not maker.findChildren(QMediaPlayer))


def test_video_slots_limit_the_players(arun: Any, qtbot: QtBot) -> None:
    maker = ThumbnailMaker(video_slots=2)
    seen: list[int] = []  # players alive as each one starts (sampling on a timer missed some)

    class Counted(set[QMediaPlayer]):
        def add(self, player: QMediaPlayer) -> None:
            super().add(player)
            seen.append(len(self))

    maker._players = Counted()
    clips = [MEDIA / "clip.mp4", MEDIA / "clip.webm", DEMO / "clip-320x180.mp4"] * 2

    async def all_of_them() -> list[QImage]:
        tasks = [asyncio.ensure_future(maker.for_file(clip, video=True)) for clip in clips]
        return list(await asyncio.gather(*tasks))

    thumbs = arun(all_of_them(), timeout_ms=30_000)
    assert [thumb.size() for thumb in thumbs] == [QSize(64, 48), QSize(64, 48), QSize(96, 54)] * 2
    assert len(seen) == 6 and max(seen) == 2
    qtbot.waitUntil(lambda: not maker.findChildren(QMediaPlayer))


def test_many_videos_in_a_row_do_not_deadlock(arun: Any, qtbot: QtBot) -> None:
    """The sink emits frames on the render thread; a Python slot there deadlocked `stop()`.

    With the slot connected directly, this test hung in 4 of 5 runs (the GUI thread in
    QMediaPlayer.stop() holding the GIL, the render thread waiting for it).
    """
    maker = ThumbnailMaker(size=48)
    clips = [DEMO / "clip-320x180.mp4", MEDIA / "clip.mp4", MEDIA / "moov-at-end.mp4"]

    async def in_a_row() -> list[QSize]:
        return [(await maker.for_file(clips[i % 3], video=True)).size() for i in range(300)]

    sizes = arun(in_a_row(), timeout_ms=90_000)
    assert sizes == [QSize(48, 27), QSize(48, 36), QSize(48, 27)] * 100
    qtbot.waitUntil(lambda: not maker.findChildren(QMediaPlayer))


# -- cache ----------------------------------------------------------------------------------------


def test_cache_hit_needs_no_source_and_a_damaged_blob_is_made_again(
    arun: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "thumbs"
    source = tmp_path / "picture.jpg"
    shutil.copyfile(MEDIA / "picture.jpg", source)
    maker = ThumbnailMaker(size=32, cache_dir=cache)
    assert maker.cached("asset:1") is None

    first = arun(maker.for_file(source, key="asset:1"))
    stored = kept_blob(cache, "asset:1", 32)
    assert stored[:4] == b"RIFF" and stored[8:12] == b"WEBP"  # Qt writes WebP here
    assert same_pixels(QImage.fromData(stored), first)  # what it gave is what it kept
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(PACK_FILE)) == []

    source.unlink()
    again = arun(maker.for_file(source, key="asset:1"))
    assert same_pixels(again, first)
    hit = maker.cached("asset:1")
    assert hit is not None and same_pixels(hit, first)

    with sqlite3.connect(cache / PACK_FILE) as conn:  # a WebP header, then garbage
        conn.execute("UPDATE blobs SET data = ?", (stored[:12] + b"garbage" * 10,))
    assert maker.cached("asset:1") is None
    with pytest.raises(KeyError):  # dropped
        kept_blob(cache, "asset:1", 32)
    shutil.copyfile(MEDIA / "picture.jpg", source)
    rebuilt = arun(maker.for_file(source, key="asset:1"))
    assert same_pixels(rebuilt, first)
    assert same_pixels(QImage.fromData(kept_blob(cache, "asset:1", 32)), first)


def test_video_cache_hit_opens_no_player(arun: Any, tmp_path: Path) -> None:
    cache = tmp_path / "thumbs"
    clip = tmp_path / "clip.mp4"
    shutil.copyfile(MEDIA / "clip.mp4", clip)
    maker = ThumbnailMaker(cache_dir=cache)
    url = QUrl.fromLocalFile(str(clip))
    first = arun(maker.for_video_url(url, key="flow:42"))
    clip.unlink()

    async def from_cache() -> QImage:
        task = asyncio.ensure_future(maker.for_video_url(url, key="flow:42"))
        while not task.done():
            assert maker.active_players == 0
            await asyncio.sleep(0)
        return await task

    assert same_pixels(arun(from_cache()), first)


def test_no_cache_without_a_folder(arun: Any) -> None:
    maker = ThumbnailMaker()
    arun(maker.for_file(MEDIA / "picture.png", key="asset:1"))
    assert maker.cached("asset:1") is None


# -- a video over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def thumbs_clip_url(sb: SandboxProcess, tmp_path: Path) -> str:
    """A signed sandbox storage URL of tests/fixtures/media/clip.mp4 (a copy served in place)."""
    clip = tmp_path / "served.mp4"
    shutil.copyfile(MEDIA / "clip.mp4", clip)
    sb.put_wordbee_asset(clip, "video/mp4", name="served.mp4", segment_id=7)
    key = next(o["key"] for o in sb.objects() if o["file"] == str(clip))
    return sb.signed_url(key)


def test_video_over_signed_http_url(arun: Any, thumbs_clip_url: str) -> None:
    assert "Signature=" in thumbs_clip_url
    thumb = arun(ThumbnailMaker().for_video_url(QUrl(thumbs_clip_url)), timeout_ms=20_000)
    assert thumb.size() == QSize(64, 48)
    mean, _ = difference(thumb, QImage(str(MEDIA / "picture.png")))
    assert mean < 12, mean


@pytest.mark.qt_log_ignore(CANNOT_OPEN)
def test_refused_http_url_names_no_signature(arun: Any, thumbs_clip_url: str) -> None:
    tampered = QUrl(thumbs_clip_url[:-4] + "0000")
    error = raises_thumbnail_error(arun, ThumbnailMaker(video_timeout=15).for_video_url(tampered))
    # The sandbox names its objects by uuid; the message names the object, never the query.
    assert str(error) == (
        f"{tampered.fileName()} could not be played to make its thumbnail (Could not open file)."
    )


@pytest.mark.qt_log_ignore(CANNOT_OPEN)
def test_a_video_too_slow_to_start_times_out(
    arun: Any, qtbot: QtBot, sb: SandboxProcess, thumbs_clip_url: str
) -> None:
    sb.bandwidth("storage", 40)  # the 2.4 KB clip would take a minute
    maker = ThumbnailMaker(video_timeout=1.0)
    gaps: list[float] = []

    async def thumbnail_while_ticking() -> QImage:
        task = asyncio.ensure_future(maker.for_video_url(QUrl(thumbs_clip_url)))
        last = time.monotonic()
        while not task.done():
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        return await task

    started = time.monotonic()
    try:
        error = raises_thumbnail_error(arun, thumbnail_while_ticking())
    finally:
        sb.bandwidth("storage", None)
    elapsed = time.monotonic() - started
    name = QUrl(thumbs_clip_url).fileName()
    assert str(error) == f"{name} showed no picture within 1 second, so it has no thumbnail."
    assert 0.9 < elapsed < 10, elapsed
    # Tearing down a player stuck in a 40 B/s read must not wait for it on the GUI thread.
    assert max(gaps) < 1.0, max(gaps)
    assert maker.active_players == 0
    qtbot.waitUntil(lambda: not maker.findChildren(QMediaPlayer))


def test_decoding_in_several_threads_at_once_never_deadlocks() -> None:
    """The preview's decoder (bytes) and the thumbnails' (files) in worker threads at once: with
    the bytes behind a Python QBuffer, two workers stopped for good within a second, each
    holding what the other waited for (the GIL and Qt's image-plugin lock; ui/image_files.py).
    In a child process, so that a deadlock fails this test instead of hanging the run."""
    child = Path(__file__).with_name("decode_threads_child.py")
    try:
        done = subprocess.run(
            [sys.executable, str(child), "3"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("image decoding in worker threads deadlocked (no answer within 60 s)")
    assert done.returncode == 0, done.stderr[-2000:]
    decoded = int(done.stdout.split()[1].rstrip(","))
    assert decoded > 100 and done.stdout.strip().endswith("stuck 0")


def test_bytes_are_decoded_from_a_private_temporary_file_that_goes_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = (DEMO / "swatch-256x256.png").read_bytes()
    with image_file(data) as name:
        assert Path(name).parent == tmp_path and Path(name).read_bytes() == data
        assert Path(name).stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ThumbnailError, match="could not be decoded"):
        _decode_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "broken.png", 64)
    assert list(tmp_path.iterdir()) == []  # gone after a failed decode too
    source = DEMO / "swatch-256x256.png"
    with image_file(source) as name:  # a path is used as it is
        assert name == str(source)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/fd")
def test_the_temporary_file_is_closed_before_it_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows cannot remove an open file: the reader held it open at the removal, so every
    decoded preview would have stayed in %TEMP%."""
    open_at_removal: list[bool] = []
    remove = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        targets = set()
        for fd in Path("/proc/self/fd").iterdir():
            with contextlib.suppress(OSError):
                targets.add(str(fd.readlink()))
        open_at_removal.append(str(self) in targets)
        remove(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    image, _ = read_image((DEMO / "swatch-256x256.png").read_bytes())
    assert image.width() == 256
    broken, error = read_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert broken.isNull() and error
    assert open_at_removal == [False, False]
