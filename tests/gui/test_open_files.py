"""Files handed to the app: `assetdesk FILE...` (a second start hands its files to the running
window over a local socket and exits), the OS's open-file event, and a crashed run's leftovers.

The app runs as child processes (offscreen) on a throw-away data folder; what reached the
queue is read from that folder's SQLite file, as the window wrote it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import MEDIA
from tests.helpers.waiting import wait_until

from assetdesk.services.app import AppServices
from assetdesk.ui.handed_files import FileOpenEvents, HandedFiles
from assetdesk.ui.single_instance import (
    LOCK_FILE,
    SOCKET_NAME,
    HandoffServer,
    WindowClaim,
    decode_message,
    encode_message,
    server_name,
)
from assetdesk.ui.tasks import BackgroundTasks

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Unix sockets in /tmp, /proc")

ASSETDESK = (sys.executable, "-m", "assetdesk")
MIB = 1024 * 1024
REAL_KEYRING = os.environ.get("ASSETDESK_TEST_KEYRING") == "secret-service"


def app_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", **extra)
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    else:
        env["ASSETDESK_TEST_KEYRING"] = "secret-service"
    return env


def assetdesk(*args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ASSETDESK, *args],
        cwd=cwd,
        env=app_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def log_of(data_dir: Path) -> str:
    log = data_dir / "logs" / "assetdesk.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def queued(data_dir: Path) -> dict[str, str]:
    """The upload queue on disk: each row's path and state."""
    database = data_dir / "assetdesk.sqlite3"
    if not database.exists():
        return {}
    with sqlite3.connect(database) as conn:
        try:
            return dict(conn.execute("SELECT path, state FROM upload_queue").fetchall())
        except sqlite3.OperationalError:  # not created yet
            return {}


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM closes the window as a user would; the status and stderr that follow."""
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    return process.returncode, err


def test_a_second_start_hands_its_files_to_the_running_window(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    there, elsewhere = tmp_path / "there", tmp_path / "elsewhere"
    there.mkdir()
    elsewhere.mkdir()
    first_file = there / "first.png"
    first_file.write_bytes((MEDIA / "picture.png").read_bytes())
    (elsewhere / "second.jpg").write_bytes((MEDIA / "picture.jpg").read_bytes())

    first = assetdesk("--sandbox", "--data-dir", str(data_dir), str(first_file), cwd=there)
    try:
        wait_until(lambda: str(first_file) in queued(data_dir), "the first start's file", 60)
        # Relative names, from another folder: resolved against the second start's folder.
        started = time.monotonic()
        second = subprocess.run(
            [*ASSETDESK, "--data-dir", str(data_dir), "second.jpg", "no-such-file.png"],
            cwd=elsewhere,
            env=app_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        took = time.monotonic() - started
        assert second.returncode == 0, second.stderr
        assert second.stderr == ""
        assert took < 10, f"the second start took {took:.1f} s"
        wait_until(
            lambda: (
                {str(elsewhere / "second.jpg"), str(elsewhere / "no-such-file.png")}
                <= queued(data_dir).keys()
            ),
            "the second start's files in the first's queue",
            30,
        )
        # A name that is not there is listed with its reason, not dropped.
        assert queued(data_dir)[str(elsewhere / "no-such-file.png")] == "refused"
        assert "a later start handed over 2 path(s)" in log_of(data_dir)
    finally:
        status, err = stop(first)
    assert status == 0, err[-4000:]
    assert "Traceback" not in err, err[-4000:]
    # The folder is let go: no lock, no socket left behind.
    assert not (data_dir / LOCK_FILE).exists()
    assert not (Path("/tmp") / server_name(data_dir.resolve())).exists()


def test_a_crashed_runs_lock_and_socket_do_not_block_the_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # What a SIGKILLed window leaves: a lock naming a process that is gone, and its socket file.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    pid = int(gone.stdout)
    (data_dir / LOCK_FILE).write_text(f"{pid}\nassetdesk\n{os.uname().nodename}\n")
    leftover = Path("/tmp") / server_name(data_dir.resolve())
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(leftover))
    listener.close()  # the file stays; nobody listens on it
    assert leftover.exists()
    picture = tmp_path / "picture.png"
    picture.write_bytes((MEDIA / "picture.png").read_bytes())

    app = assetdesk("--sandbox", "--data-dir", str(data_dir), "picture.png", cwd=tmp_path)
    try:
        wait_until(lambda: str(picture) in queued(data_dir), "the file in the queue", 60)
        # The new window listens: a later start reaches it (and not the dead one's socket).
        later = subprocess.run(
            [*ASSETDESK, "--data-dir", str(data_dir)],
            env=app_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert later.returncode == 0, later.stderr
        wait_until(lambda: "handed over 0 path(s)" in log_of(data_dir), "the handoff logged", 30)
    finally:
        status, err = stop(app)
    assert status == 0, err[-4000:]


def test_a_file_open_event_queues_the_file_once_the_queue_is_active(
    qapp: QApplication,
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    arun: Callable[..., Any],
    sandbox_accounts: list[Any],
    tmp_path: Path,
) -> None:
    early, late = tmp_path / "early.png", tmp_path / "late.jpg"
    early.write_bytes((MEDIA / "picture.png").read_bytes())
    late.write_bytes((MEDIA / "picture.jpg").read_bytes())
    inbox = HandedFiles()
    events = FileOpenEvents(inbox)
    qapp.installEventFilter(events)
    try:
        # Before the window exists (macOS sends the launch's files first): kept.
        QApplication.sendEvent(qapp, QFileOpenEvent(str(early)))
        assert inbox.waiting == [early]
        window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS)
        inbox.deliver_to(window.open_files, window.raise_)
        QApplication.sendEvent(qapp, QFileOpenEvent(str(late)))
        queued_names = lambda: {item.row.name for item in services.uploads.items}  # noqa: E731
        qtbot.waitUntil(lambda: queued_names() >= {"early.png", "late.jpg"}, timeout=10_000)
        assert inbox.waiting == []
    finally:
        qapp.removeEventFilter(events)


def test_other_events_pass_the_filter(qapp: QApplication) -> None:
    inbox = HandedFiles()
    events = FileOpenEvents(inbox)
    assert events.eventFilter(qapp, QEvent(QEvent.Type.Show)) is False
    assert inbox.waiting == []


def test_the_handoff_message_is_a_length_then_json_paths() -> None:
    paths = [Path("/tmp/a b.png"), Path("/tmp/é.mp4")]
    message = encode_message(paths)
    assert int.from_bytes(message[:4], "big") == len(message) - 4
    assert json.loads(message[4:]) == {"paths": ["/tmp/a b.png", "/tmp/é.mp4"]}
    assert decode_message(message) == paths
    assert decode_message(message[:-1]) is None  # not all there yet
    with pytest.raises(ValueError):
        decode_message(len(b'{"paths": 3}').to_bytes(4, "big") + b'{"paths": 3}')
    with pytest.raises(ValueError):
        decode_message(b"\xff\xff\xff\xff")  # absurdly long: not ours


def test_the_self_test_never_runs_on_a_folder_a_window_holds(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    claim = WindowClaim.take(data_dir)  # this process stands for the running window
    assert claim is not None
    try:
        done = subprocess.run(
            [*ASSETDESK, "--self-test", "--data-dir", str(data_dir)],
            env=app_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        claim.release()
    assert done.returncode == 1
    assert "the self-test needs a folder of its own" in done.stderr
    again = WindowClaim.take(data_dir)  # released: the folder is free again
    assert again is not None
    again.release()


def flow_uploads(sb: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in sb.requests("api")
        if r["method"] == "POST" and r["path"].startswith("/v1/google-flow/assets")
    ]


@pytest.mark.skipif(
    not REAL_KEYRING, reason="needs the Secret Service of `make test` (a saved account)"
)
def test_a_second_start_on_a_folder_whose_holder_does_not_answer_names_it_and_sends_nothing(
    services: AppServices,
    sb: Any,
    arun: Callable[..., Any],
    padded_video: Callable[..., Path],
    tmp_path: Path,
) -> None:
    """Two real processes on one data folder. The first holds it and is sending a video (slowly:
    in flight when the second starts) but answers no later start. The second, a real `assetdesk`
    with the same saved account and keyring, would send the first's in-flight item again if it
    opened the queue; it must say who holds the folder, exit non-zero, and send nothing."""
    account = arun(
        services.accounts.add(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
        )
    )
    video = padded_video(8 * MIB, "interview.mp4")
    picture = tmp_path / "picture.png"
    picture.write_bytes((MEDIA / "picture.png").read_bytes())
    sb.bandwidth("api", 200_000)  # some 40 s in flight
    root = services.paths.root
    holder = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("window_claim_child.py")),
            str(root),
            str(account.id),
            str(video),
        ],
        env=app_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "SENDING"
        assert queued(root) == {str(video): "uploading"}
        second = subprocess.run(
            [*ASSETDESK, "--data-dir", str(root), str(picture)],
            env=app_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1, second.stderr
        assert f"process {holder.pid} on {os.uname().nodename}" in second.stderr
        assert "does not answer" in second.stderr and str(root) in second.stderr
        assert len(flow_uploads(sb)) == 1  # the holder's own, never a second one
        assert queued(root) == {str(video): "uploading"}  # the second never opened the queue
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait(10)
        sb.bandwidth("api", None)


def test_a_second_start_names_a_holder_that_takes_the_message_but_never_answers(
    tmp_path: Path,
) -> None:
    """A hung window: its socket accepts the connection and the message, and answers nothing."""
    data_dir = tmp_path / "data"
    claim = WindowClaim.take(data_dir)  # this process stands for the hung window
    assert claim is not None
    address = Path("/tmp") / server_name(data_dir.resolve())
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(address))
        listener.listen(1)
        done = subprocess.run(
            [*ASSETDESK, "--data-dir", str(data_dir)],
            env=app_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        accepted, _ = listener.accept()  # it did reach the "window"
        accepted.close()
    finally:
        listener.close()
        address.unlink(missing_ok=True)
        claim.release()
    assert done.returncode == 1
    assert f"process {os.getpid()} on {os.uname().nodename}" in done.stderr
    assert "does not answer" in done.stderr
    assert queued(data_dir) == {}  # it never opened the folder's queue


def test_the_handoff_socket_lives_in_the_data_folder_when_its_path_fits(tmp_path: Path) -> None:
    """Not in the shared temp folder, where another user could take the name first."""
    data_dir = tmp_path / "data"
    assert server_name(data_dir) == str(data_dir / SOCKET_NAME)
    deep = tmp_path / ("d" * 120)
    assert "/" not in server_name(deep) and server_name(deep).startswith("assetdesk-")


def test_a_window_that_is_closing_refuses_handed_files_instead_of_losing_them(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Files handed over after the window closed would never be queued: the later start gets
    no answer and says so (exit 1), never a false "taken"."""
    root = tmp_path / "data"
    root.mkdir()
    inbox = HandedFiles()
    server = HandoffServer(root, taking=lambda: inbox.taking)
    received: list[list[Path]] = []
    server.received.connect(received.append)
    assert server.listen()
    try:
        inbox.close()  # the window closed
        client = subprocess.Popen(
            [sys.executable, "-c", HAND_OVER, str(root), str(tmp_path / "late.png")],
            env=app_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: client.poll() is not None, timeout=30_000)
        assert client.stdout is not None and client.stdout.read().strip() == "False"
        assert received == []
    finally:
        server.close()


HAND_OVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from assetdesk.ui.single_instance import hand_over
app = QCoreApplication([])
print(hand_over(Path(sys.argv[1]), [Path(sys.argv[2])], wait=2))
"""
