"""Quitting after a cancelled upload and a cancelled download leaves stderr empty.

A reader that stops early (a cancel, an error, a segment's end) used to leave httpx's body
generators suspended with their stream open; the garbage collector closed them later, outside
the task that opened them (under qasync, at quit): "async generator ignored GeneratorExit" and
"Attempted to exit cancel scope in a different task" from httpcore and anyio. Bodies are now
closed where they are read (net/response_body.py).

The whole app runs in a child process (quit_after_cancel_child.py) on the test's sandbox, capped
in bandwidth so that both transfers are mid-way when cancelled; the asset is larger than the
segment threshold, so the download that follows runs in segments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetdesk.transfer.options import DownloadOptions

MIB = 1024 * 1024


def test_quit_after_a_cancelled_upload_and_download_leaves_stderr_empty(
    sb: Any, tmp_path: Path, padded_video: Callable[..., Path]
) -> None:
    upload = padded_video(8 * MIB, "long-take.mp4")
    large = padded_video(DownloadOptions().segment_threshold + 8 * MIB, "rushes.mp4")
    sb.put_google_flow_asset(large, "video/mp4")
    sb.bandwidth("api", 400_000)  # the upload would take 20 s
    sb.bandwidth("storage", 4_000_000)  # each of the download's streams about 1.5 s
    folder = tmp_path / "downloads"
    folder.mkdir()
    sandbox = {"api_url": sb.api_url, "wordbee_url": sb.wordbee_url, "demo": sb.demo}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    child = Path(__file__).with_name("quit_after_cancel_child.py")
    args = [str(tmp_path / "data"), json.dumps(sandbox), str(upload), large.name, str(folder)]
    done = subprocess.run(
        [sys.executable, str(child), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.splitlines() == ["CANCELLED", "DOWNLOADED"], done.stderr[-4000:]
    assert (folder / "rushes.mp4").read_bytes() == large.read_bytes()
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stderr == ""
