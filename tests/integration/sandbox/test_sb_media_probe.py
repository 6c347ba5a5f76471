"""The sandbox reads real dimensions from the bytes (assetdesk.sandbox.media_probe)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assetdesk.sandbox.media_probe import MediaInfo, ProbeError, probe


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("sunrise-640x360.png", "image/png", MediaInfo(640, 360)),
        ("pattern-512x512.jpg", "image/jpeg", MediaInfo(512, 512)),
        ("portrait-320x480.webp", "image/webp", MediaInfo(320, 480)),
        ("bars-800x450.jpg", "image/jpeg", MediaInfo(800, 450)),
        ("clip-320x180.mp4", "video/mp4", MediaInfo(320, 180, 2.0)),
    ],
)
def test_demo_media(demo_dir: Path, name: str, content_type: str, expected: MediaInfo) -> None:
    assert probe(demo_dir / name, content_type) == expected


def test_webp_lossless_and_extended_headers(tmp_path: Path) -> None:
    lossless = tmp_path / "l.webp"
    bits = (300 - 1) | ((200 - 1) << 14)
    lossless.write_bytes(b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f" + struct.pack("<I", bits) + bytes(8))
    assert probe(lossless, "image/webp") == MediaInfo(300, 200)
    extended = tmp_path / "x.webp"
    canvas = (1023).to_bytes(3, "little") + (767).to_bytes(3, "little")
    extended.write_bytes(b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\x10\0\0\0" + canvas + bytes(8))
    assert probe(extended, "image/webp") == MediaInfo(1024, 768)


def test_mp4_with_moov_at_the_end() -> None:
    # The demo clip cut to 1 s by ffmpeg without faststart (tests/fixtures/media/make.sh).
    late = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "moov-at-end.mp4"
    info = probe(late, "video/mp4")
    assert (info.width, info.height) == (320, 180)
    assert info.duration is not None and 0.9 <= info.duration <= 1.1


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"", "image/png"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff\xd9", "image/jpeg"),
        (b"RIFF\0\0\0\0WAVEfmt ", "image/webp"),
        (b"\0\0\0\x18ftypisom" + bytes(12), "video/mp4"),
        (b"\0\0\0\xffmoov", "video/mp4"),
    ],
)
def test_bytes_that_are_not_the_declared_type(
    tmp_path: Path, data: bytes, content_type: str
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(data)
    with pytest.raises(ProbeError):
        probe(path, content_type)
