"""Real media files for the sniffing, probing and upload-rules tests.

They were encoded by ffmpeg once and are committed under tests/fixtures/media (make.sh there
re-makes them), so the tests need no encoder; PSD and HEIC, which ffmpeg cannot write, are built
byte by byte in test_sniff.py. Demo media under resources/demo/ is used too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers.media_files import DEMO, MEDIA

MADE = (
    "picture.png", "picture.jpg", "picture.webp", "picture.gif", "picture.bmp", "picture.tiff",
    "picture.avif", "clip.mp4", "clip.mov", "clip.3gp", "clip.webm", "clip.mkv", "sound.m4a",
    "picture-lossless.webp", "picture-alpha.webp", "moov-at-end.mp4", "clip.flv", "clip.mpg",
    "clip.ts", "clip.avi", "clip.ogv", "sound.wav", "sound.mp3", "sound-frames.mp3",
    "sound.flac", "sound.ogg", "sound.opus", "sound.weba",
)  # fmt: skip


@pytest.fixture(scope="session")
def made_media() -> dict[str, Path]:
    """Real files encoded by ffmpeg, keyed by file name ('picture.png', 'clip.mp4', ...)."""
    made = {name: MEDIA / name for name in MADE}
    missing = [name for name, path in made.items() if not path.is_file()]
    assert not missing, f"tests/fixtures/media lacks {missing}; run its make.sh"
    return made


@pytest.fixture(scope="session")
def demo_media() -> list[Path]:
    """The sandbox's demo media, when another part of the project has put it in place."""
    if not DEMO.is_dir():
        return []
    return sorted(p for p in DEMO.rglob("*") if p.is_file() and not p.name.startswith("."))
