"""Thumbnails decide image, video or audio by the file's bytes (core.sniff's media kind): every
video type a target takes gets its first frame (Ogg video, MPEG and MPEG-TS included), and audio
a plain tile in the palette's colours, whatever the file is named."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from tests.helpers.media_files import MEDIA

from assetdesk.ui.thumbnails import ThumbnailMaker

VIDEOS = ["clip.ogv", "clip.mpg", "clip.ts", "clip.flv", "clip.avi", "clip.mkv", "clip.3gp"]
AUDIO = ["sound.wav", "sound.mp3", "sound-frames.mp3", "sound.flac", "sound.ogg", "sound.weba"]


def mean_difference(a: QImage, b: QImage) -> float:
    assert a.size() == b.size()
    total = 0
    for y in range(a.height()):
        for x in range(a.width()):
            ca, cb = a.pixelColor(x, y), b.pixelColor(x, y)
            total += abs(ca.red() - cb.red()) + abs(ca.green() - cb.green())
            total += abs(ca.blue() - cb.blue())
    return total / (a.width() * a.height() * 3)


@pytest.fixture
def dark_palette() -> Iterator[QPalette]:
    """The application in a dark palette for the test; the old one afterwards."""
    before = QGuiApplication.palette()
    dark = QPalette(QColor("#2d2d2d"))
    dark.setColor(QPalette.ColorRole.Button, QColor("#3a3a3a"))
    dark.setColor(QPalette.ColorRole.ButtonText, QColor("#f0f0f0"))
    QGuiApplication.setPalette(dark)
    try:
        yield dark
    finally:
        QGuiApplication.setPalette(before)


@pytest.mark.parametrize("name", VIDEOS)
def test_every_video_type_gets_its_first_frame(arun: Any, name: str, tmp_path: Path) -> None:
    # A name that says nothing of the type (the player's demuxer takes an image suffix at its
    # word, so not one of those): the bytes decide that it is a video.
    disguised = tmp_path / f"{name.replace('.', '-')}.bin"
    shutil.copy(MEDIA / name, disguised)
    thumb = arun(ThumbnailMaker(size=96).for_file(disguised), timeout_ms=20_000)
    assert thumb.size() == QSize(64, 48)
    assert mean_difference(thumb, QImage(str(MEDIA / "picture.png"))) < 16


def tile_colours(tile: QImage) -> set[str]:
    return {tile.pixelColor(x, y).name() for x in range(tile.width()) for y in range(tile.height())}


@pytest.mark.parametrize("name", AUDIO)
def test_audio_gets_a_plain_tile_in_the_palettes_colours(
    arun: Any, name: str, tmp_path: Path
) -> None:
    disguised = tmp_path / f"{name}.mp4"  # a name that says video: the bytes say audio
    shutil.copy(MEDIA / name, disguised)
    tile = arun(ThumbnailMaker(size=40).for_file(disguised))
    assert tile.size() == QSize(40, 40)
    palette = QGuiApplication.palette()
    assert tile.pixelColor(20, 2) == palette.color(QPalette.ColorRole.Button)
    assert tile.pixelColor(0, 0).alpha() < 255  # a rounded corner
    assert palette.color(QPalette.ColorRole.ButtonText).name() in tile_colours(tile)


def test_the_audio_tile_follows_a_dark_palette(arun: Any, dark_palette: QPalette) -> None:
    tile = arun(ThumbnailMaker(size=48).for_file(MEDIA / "sound.wav"))
    assert tile.pixelColor(24, 2) == QColor("#3a3a3a")
    assert "#f0f0f0" in tile_colours(tile)
