"""FFmpeg inside QtMultimedia must not print signed links to the console (ui/media_quiet.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLoggingCategory
from tests.helpers.media_files import DEMO

from assetdesk.ui import OPTIONAL_LIBRARIES_CATEGORY
from assetdesk.ui.media_quiet import quiet_ffmpeg

CHILD = Path(__file__).with_name("media_quiet_child.py")


def signed_clip(sb: Any, tmp_path: Path) -> str:
    copy = tmp_path / "clip.mp4"
    shutil.copyfile(DEMO / "clip-320x180.mp4", copy)
    sb.put_wordbee_asset(copy, "video/mp4", name="clip.mp4", segment_id=7)
    key = next(o["key"] for o in sb.objects() if o["file"] == str(copy))
    return str(sb.signed_url(key))


def run_child(url: str, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), url, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_ffmpeg_prints_no_signed_link_once_quieted(sb: Any, tmp_path: Path) -> None:
    url = signed_clip(sb, tmp_path)
    query = url.split("?", 1)[1]

    loud = run_child(url, "loud")  # the reason for the module: FFmpeg names the URL
    assert loud.returncode == 0, loud.stderr[-2000:]
    assert "frame " in loud.stdout
    assert query in loud.stderr

    quiet = run_child(url, "quiet")
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "frame 64x" in quiet.stdout
    assert query not in quiet.stderr and "Input #0" not in quiet.stderr


def test_missing_optional_media_libraries_are_not_warned_about() -> None:
    # Without libva (hardware decoding) Qt warned "Couldn't load va-drm library" when its FFmpeg
    # backend started, on every machine without a GPU stack (CI's), and a test that opened the
    # window failed on it; this machine lacks PipeWire, which Qt looks for at import.
    assert quiet_ffmpeg()  # starts the backend: would warn here (pytest-qt fails on warnings)
    assert not QLoggingCategory(OPTIONAL_LIBRARIES_CATEGORY).isWarningEnabled()
    assert QLoggingCategory("qt.multimedia.ffmpeg").isWarningEnabled()  # the rest still speaks
