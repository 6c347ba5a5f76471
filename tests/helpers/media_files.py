"""Where the tests find real media: the sandbox's demo media (resources/demo) and the files
encoded once for the sniffing tests (tests/fixtures/media); the `demo_dir` fixture; an MP4 of
any size made from the demo clip."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
MEDIA = REPO / "tests" / "fixtures" / "media"


@pytest.fixture
def demo_dir() -> Path:
    """The sandbox's demo media folder."""
    return DEMO


def padded_clip(size: int) -> bytes:
    """The demo clip grown to `size` bytes by a trailing `free` box of random bytes: a real MP4
    that the sandbox accepts, and no two alike."""
    clip = (DEMO / "clip-320x180.mp4").read_bytes()
    box = size - len(clip)
    return clip + struct.pack(">I4s", box, b"free") + os.urandom(box - 8)


def write_padded_clip(path: Path, size: int) -> Path:
    """`padded_clip(size)` written to `path`."""
    path.write_bytes(padded_clip(size))
    return path
