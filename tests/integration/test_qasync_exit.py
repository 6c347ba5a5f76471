"""Regression guard for the PySide6 pin (<6.12) in pyproject.toml.

PySide6 6.12.0 aborts at interpreter exit ("Fatal Python error: bool_dealloc", or none_dealloc:
a refcount bug hit while finalizing) after a qasync loop has moved a lot of data through sockets.
The child script does that — 64 MB over asyncio streams and 64 MB each way over httpx against
uvicorn, read 4 KiB at a time, all on one qasync loop — then exits normally. If a PySide6 upgrade
brings the crash back, this test fails. Checked by hand against 6.12.0: the child aborts with
status 134 from 8 MB up (1 MB passes), so 64 MB leaves a wide margin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("qasync_traffic_child.py")
MEGABYTES = 64


@pytest.mark.slow
def test_heavy_socket_traffic_under_qasync_then_clean_exit(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    done = subprocess.run(
        [sys.executable, str(CHILD), str(MEGABYTES)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert "Fatal Python error" not in done.stderr, done.stderr[-4000:]
    assert done.returncode == 0, f"exit status {done.returncode}\n{done.stderr[-4000:]}"

    legs = json.loads(done.stdout.strip().splitlines()[-1])
    total = MEGABYTES * 1024 * 1024
    tcp, http = legs["tcp"], legs["http"]
    # Every byte arrived intact, and through many small reads (the pattern that triggered the bug).
    assert (tcp["received"], tcp["crc"]) == (total, tcp["sent_crc"])
    assert tcp["reads"] >= total // 4096
    assert (http["received"], http["crc"]) == (total, http["sent_crc"])
    assert http["reads"] >= total // 4096
    assert (http["uploaded"], http["uploaded_crc"]) == (total, http["sent_crc"])
