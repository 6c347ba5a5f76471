"""`assetdesk --self-test` from the source tree (the frozen build runs the same code: see
tests/packaging). It must pass, say each step, and leave nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_self_test_passes_and_says_each_step(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), TMPDIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "assetdesk", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("self-test: window open (AssetDesk")
    assert any(line.startswith("self-test: uploaded sunrise-640x360.png") for line in lines)
    assert any("verified (size, crc32c)" in line for line in lines)
    assert lines[-1] == "self-test: passed"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith("assetdesk-self-test")]
    assert left == [], "the self-test left its scratch folder behind"


def test_self_test_says_what_failed(tmp_path: Path) -> None:
    """A bundle without its demo media (a packaging mistake) fails at the upload, exit 1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), TMPDIR=str(tmp_path))
    code = (
        "import sys, pathlib; import assetdesk.sandbox.server as s; "
        f"s.default_seed_dir = lambda: pathlib.Path({str(tmp_path / 'nothing')!r}); "
        "from assetdesk.cli import main; sys.exit(main(['--self-test']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("self-test: FAILED at the upload: ")
