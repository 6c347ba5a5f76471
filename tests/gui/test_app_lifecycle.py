"""`python -m assetdesk --sandbox` as a user starts it: it opens, closes, exits 0, leaves nothing.

The app runs as a child process (offscreen). `ASSETDESK_QUIT_AFTER_MS` is ui/app.py's test hook:
the window closes itself that long after it is ready, through the normal close path. The sandbox
child's pid is read from the app's log in the data folder; every process started for the test
carries a marker in its environment, so a leftover one is found even if the log were wrong.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from tests.helpers.secrets_on_disk import assert_no_file_holds
from tests.helpers.waiting import wait_until

from assetdesk.services.sandbox_child import SandboxChild

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

SANDBOX_PID = re.compile(r"sandbox running \(pid (\d+)\)")


def app_env(marker: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ASSETDESK_QUIT_AFTER_MS", None)
    env.update(QT_QPA_PLATFORM="offscreen", ASSETDESK_TEST_RUN=marker, **extra)
    if env.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        # Outside `make test`, keep the app away from the developer's own keyring.
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def processes_with(marker: str) -> list[int]:
    """Live (non-zombie) processes whose environment carries `marker`."""
    needle = f"ASSETDESK_TEST_RUN={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def read_log(data_dir: Path) -> str:
    log = data_dir / "logs" / "assetdesk.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def sandbox_pid(log: str) -> int:
    match = SANDBOX_PID.search(log)
    assert match, f"the app never reported a running sandbox; log:\n{log}"
    return int(match.group(1))


def assert_clean_exit(returncode: int, stderr: str) -> None:
    assert "Fatal Python error" not in stderr, stderr[-4000:]
    assert "Traceback" not in stderr, stderr[-4000:]
    assert returncode == 0, f"exit status {returncode}\n{stderr[-4000:]}"


def test_sandbox_session_closes_itself_exits_0_and_stops_the_sandbox(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    marker = uuid.uuid4().hex
    done = subprocess.run(
        [sys.executable, "-m", "assetdesk", "--sandbox", "--data-dir", str(data_dir)],
        env=app_env(marker, ASSETDESK_QUIT_AFTER_MS="1500"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert_clean_exit(done.returncode, done.stderr)

    log = read_log(data_dir)
    pid = sandbox_pid(log)
    assert "window closed; shutting down" in log
    assert "sandbox stopped" in log
    assert not Path(f"/proc/{pid}").exists(), f"sandbox pid {pid} is still there"
    assert processes_with(marker) == []

    # The layout went to the data folder, not to the user's settings.
    settings = (data_dir / "settings.ini").read_text(encoding="latin-1")
    assert "[window]" in settings and "geometry=" in settings
    # The sandbox accounts were session-only: their secrets reached no file.
    secrets = [b"SandboxDemoToken", b"SandboxDemoKey"]
    expected = [data_dir / "settings.ini", data_dir / "assetdesk.sqlite3"]
    assert_no_file_holds(data_dir, secrets, expected=expected)


QUIT_FROM_QT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from assetdesk.ui import app as ui_app

def quit_from_qt(window):
    # As the Dock's Quit or a logout would: QApplication.quit(), not a window close.
    QTimer.singleShot(300, QApplication.quit)

ui_app._arm_quit_hook = quit_from_qt
sys.exit(ui_app.run_gui(data_dir=sys.argv[1], sandbox=True, argv=["assetdesk"]))
"""


def test_qapplication_quit_still_shuts_down_in_order(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    marker = uuid.uuid4().hex
    done = subprocess.run(
        [sys.executable, "-c", QUIT_FROM_QT, str(data_dir)],
        env=app_env(marker),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert_clean_exit(done.returncode, done.stderr)
    log = read_log(data_dir)
    pid = sandbox_pid(log)
    assert "Qt was asked to quit; closing the window first" in log
    assert "window closed; shutting down" in log
    assert "sandbox stopped" in log
    assert not Path(f"/proc/{pid}").exists(), f"sandbox pid {pid} is still there"
    assert processes_with(marker) == []


def test_sigterm_closes_the_window_and_stops_the_sandbox(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    marker = uuid.uuid4().hex
    app = subprocess.Popen(
        [sys.executable, "-m", "assetdesk", "--sandbox", "--data-dir", str(data_dir)],
        env=app_env(marker),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: SANDBOX_PID.search(read_log(data_dir)), "the sandbox started", 60, 0.05)
        pid = sandbox_pid(read_log(data_dir))
        assert Path(f"/proc/{pid}").exists()
        app.send_signal(signal.SIGTERM)
        _, stderr = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    assert_clean_exit(app.returncode, stderr)
    assert "sandbox stopped" in read_log(data_dir)
    assert not Path(f"/proc/{pid}").exists(), f"sandbox pid {pid} is still there"
    assert processes_with(marker) == []


def test_closing_while_the_sandbox_starts_still_stops_it(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    arun: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The window closed during start-up: the start is cancelled, yet the child is reaped."""
    marker = uuid.uuid4().hex
    monkeypatch.setenv("ASSETDESK_TEST_RUN", marker)  # inherited by the sandbox child
    child = SandboxChild()
    starting = qloop.create_task(child.start())
    qtbot.waitUntil(lambda: child.starting)
    starting.cancel()
    qtbot.waitUntil(starting.done)
    assert starting.cancelled()
    assert child.process is None
    with caplog.at_level(logging.INFO, logger="assetdesk.services.sandbox_child"):
        arun(child.stop(), timeout_ms=30_000)
    assert any(r.getMessage().startswith("sandbox stopped") for r in caplog.records)
    assert processes_with(marker) == []
    arun(child.stop())  # a second stop is harmless


def test_closing_while_the_accounts_are_read_at_start_exits_0(tmp_path: Path) -> None:
    """Closing the window cancels its tasks and refuses new ones; start-up then went on to
    start the sandbox session and crashed on that refusal ("cannot start 'sandbox.start'")."""
    child = Path(__file__).with_name("close_during_startup_child.py")
    marker = uuid.uuid4().hex
    done = subprocess.run(
        [sys.executable, str(child), str(tmp_path / "data")],
        env=app_env(marker),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    log = (tmp_path / "data" / "logs" / "assetdesk.log").read_text(encoding="utf-8")
    assert "the window closed while the accounts were read" in log
    assert processes_with(marker) == []
