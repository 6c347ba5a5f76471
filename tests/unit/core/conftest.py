"""Real media files for the sniffing tests, made once per session.

Demo media under resources/demo/ is used when present; everything else is encoded by ffmpeg at
test time (PSD and HEIC, which ffmpeg cannot write, are built byte by byte in test_sniff.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "resources" / "demo"

# name -> ffmpeg output arguments; the input is a tiny test pattern (plus a tone for audio).
_FFMPEG_OUTPUTS: dict[str, list[str]] = {
    "picture.png": ["-frames:v", "1"],
    "picture.jpg": ["-frames:v", "1"],
    "picture.webp": ["-frames:v", "1", "-c:v", "libwebp"],
    "picture.gif": ["-frames:v", "1"],
    "picture.bmp": ["-frames:v", "1"],
    "picture.tiff": ["-frames:v", "1"],
    "picture.avif": ["-frames:v", "1", "-c:v", "libaom-av1", "-cpu-used", "8"],
    "clip.mp4": ["-t", "0.5", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "clip.mov": ["-t", "0.5", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "clip.3gp": ["-t", "0.5", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "clip.webm": ["-t", "0.5", "-c:v", "libvpx", "-deadline", "realtime"],
    "clip.mkv": ["-t", "0.5", "-c:v", "libx264"],
}


def _ffmpeg(out: Path, args: list[str]) -> None:
    cmd = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
        *args, str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60, capture_output=True)


@pytest.fixture(scope="session")
def made_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real files encoded by ffmpeg, keyed by file name ('picture.png', 'clip.mp4', ...)."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is needed to make real media for these tests (apt-get install ffmpeg)")
    folder = tmp_path_factory.mktemp("media")
    made = {}
    for name, args in _FFMPEG_OUTPUTS.items():
        out = folder / name
        _ffmpeg(out, args)
        made[name] = out
    audio = folder / "sound.m4a"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=0.3", "-c:a", "aac", str(audio)],
        check=True, timeout=60, capture_output=True,
    )  # fmt: skip
    made["sound.m4a"] = audio
    return made


@pytest.fixture(scope="session")
def demo_media() -> list[Path]:
    """The sandbox's demo media, when another part of the project has put it in place."""
    if not DEMO.is_dir():
        return []
    return sorted(p for p in DEMO.rglob("*") if p.is_file() and not p.name.startswith("."))
