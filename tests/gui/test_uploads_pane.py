"""The Uploads pane on the real window, offscreen, against the sandbox: drops, folders, paste,
every refusal, the service's errors, cancel / retry / remove, shortcuts and the notification."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO, MEDIA

from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.units import format_size
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.app import AppServices
from assetdesk.services.upload_items import ItemState, UploadItem
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.model import Column, ItemIdRole
from assetdesk.ui.uploads.pane import UploadsPane

MIB = 1024 * 1024
WINDOW_SIZE = (1100, 640)


def file_mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def drop(pane: UploadsPane, mime: QMimeData) -> QDropEvent:
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    pane.dropEvent(event)
    return event


def rows(pane: UploadsPane) -> dict[str, dict[str, str]]:
    """What each row shows, by name: every column's text."""
    model = pane.model
    shown: dict[str, dict[str, str]] = {}
    for row in range(model.rowCount()):
        texts = {c.name.lower(): str(model.index(row, c).data() or "") for c in Column}
        shown[texts["name"]] = texts
    return shown


def item_named(pane: UploadsPane, name: str) -> UploadItem:
    for row in range(pane.model.rowCount()):
        item = pane.model.item_at(row)
        if item is not None and item.row.name == name:
            return item
    raise AssertionError(f"no row named {name!r}")


def settled(pane: UploadsPane) -> Callable[[], bool]:
    def check() -> bool:
        pane.repaint_progress()
        items = [pane.model.item_at(r) for r in range(pane.model.rowCount())]
        return bool(items) and all(
            i is not None
            and i.state not in (ItemState.PENDING, ItemState.UPLOADING)
            and i.task is None
            for i in items
        )

    return check


def select(pane: UploadsPane, *names: str) -> None:
    pane.view.clearSelection()
    for name in names:
        row = pane.model.row_of(item_named(pane, name).id)
        pane.view.selectionModel().select(
            pane.model.index(row, 0),
            pane.view.selectionModel().SelectionFlag.Select
            | pane.view.selectionModel().SelectionFlag.Rows,
        )


def catalog(services: AppServices) -> list[sqlite3.Row]:
    conn = sqlite3.connect(services.paths.database)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM assets ORDER BY id").fetchall()
    finally:
        conn.close()


def test_dropped_files_and_folders_are_checked_uploaded_and_shown(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    assert pane.stack.currentWidget() is pane.empty
    assert pane.picker.account_combo.currentText() == "Sandbox"
    folder = tmp_path / "shoot"
    (folder / "day two").mkdir(parents=True)
    shutil.copy(DEMO / "bars-800x450.jpg", folder / "bars.jpg")
    shutil.copy(DEMO / "clip-320x180.mp4", folder / "day two" / "clip.mp4")
    (folder / ".hidden.png").write_bytes((DEMO / "swatch-256x256.png").read_bytes())
    disguised = tmp_path / "holiday.jpg"  # really a PNG
    shutil.copy(DEMO / "sunrise-640x360.png", disguised)

    event = drop(pane, file_mime([disguised, folder]))

    assert event.isAccepted()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 3)
    assert pane.stack.currentWidget() is pane.view
    assert pane.notice.text() == "Added 3 files; 1 hidden file skipped."
    qtbot.waitUntil(settled(pane), timeout=20_000)
    shown = rows(pane)
    assert list(shown) == ["holiday.jpg", "bars.jpg", "clip.mp4"]
    assert shown["holiday.jpg"]["type"] == "PNG (renamed)"
    assert shown["bars.jpg"]["type"] == "JPEG"
    assert shown["clip.mp4"]["type"] == "MP4"
    assert {r["state"] for r in shown.values()} == {"Uploaded"}
    assert {r["progress"] for r in shown.values()} == {"100 %"}
    assert shown["bars.jpg"]["size"] == "11.4 KB"  # 11,356 bytes
    total = format_size(sum(p.stat().st_size for p in (disguised, folder / "bars.jpg")) + 21541)
    assert pane.overall.text() == f"3 of 3 uploaded · {total} of {total}"
    # A thumbnail for each (the video's is its first frame).
    qtbot.waitUntil(lambda: all(pane.model.thumbnail(i.id) for i in pane._queue.items))

    select(pane, "holiday.jpg")
    assert "Named .jpg but is really PNG; it is sent as PNG." in pane.details.text()
    assert "Uploaded on " in pane.details.text()

    entries = catalog(services)
    assert sorted(e["source_path"] for e in entries) == sorted(
        [str(disguised), str(folder / "bars.jpg"), str(folder / "day two" / "clip.mp4")]
    )
    clip = next(e for e in entries if e["kind"] == "video")
    assert (clip["width"], clip["height"]) == (320, 180)
    assert clip["account_email"] == MediaGenerationId.parse(clip["remote_id"]).email


def test_drag_over_says_whether_the_drop_is_taken(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane

    def enter(mime: QMimeData) -> QDragEnterEvent:
        event = QDragEnterEvent(
            QPoint(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        pane.dragEnterEvent(event)
        return event

    files = enter(file_mime([DEMO / "swatch-256x256.png", DEMO / "bars-800x450.jpg"]))
    assert files.isAccepted()
    assert pane.notice.text() == "Release to add 2 items to the queue."
    assert pane.empty.property("dropActive") is True

    text = QMimeData()
    text.setText("just words")
    refused = enter(text)
    assert not refused.isAccepted()
    pane._set_drop_state(False)
    assert pane.notice.isHidden() and pane.empty.property("dropActive") is False


def test_every_local_refusal_is_on_its_row_and_nothing_is_sent(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
    padded_video: Callable[..., Path],
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "layers.psd").write_bytes(b"8BPS" + bytes(100))
    (folder / "notes.txt").write_text("not an image\n" * 10)
    (folder / "empty.png").write_bytes(b"")
    shutil.copy(MEDIA / "picture.gif", folder / "anim.gif")
    shutil.copy(MEDIA / "clip.mov", folder / "clip.mov")
    with (folder / "poster.png").open("wb") as big:  # a real PNG header, 21 MiB in all
        big.write((DEMO / "swatch-256x256.png").read_bytes())
        big.truncate(21 * MIB)
    shutil.move(padded_video(131_200_000, "long.mp4"), folder / "long.mp4")
    (folder / "elsewhere.png").symlink_to(DEMO / "swatch-256x256.png")
    os.mkfifo(folder / "pipe.png")  # not a regular file: never opened (it would block)
    broken = tmp_path / "gone.png"
    broken.symlink_to(tmp_path / "nothing-here.png")

    drop(pane, file_mime([folder, broken]))
    qtbot.waitUntil(lambda: pane.model.rowCount() == 10)
    shown = {name: r["progress"] for name, r in rows(pane).items()}
    assert shown == {
        "anim.gif": "anim.gif: Google Flow does not take GIF images — "
        "use PNG, JPEG, WEBP or MP4; Runway takes .gif.",
        "clip.mov": "clip.mov: Google Flow does not take MOV videos — "
        "use PNG, JPEG, WEBP or MP4; Runway takes .mov.",
        "elsewhere.png": "elsewhere.png is a link inside a dropped folder; links are not "
        "followed there — add the file it points to instead.",
        "empty.png": "empty.png: the file is empty (0 bytes).",
        "layers.psd": "layers.psd: Google Flow does not take PSD files — "
        "use PNG, JPEG, WEBP or MP4; Wordbee takes any file.",
        "long.mp4": "long.mp4: this MP4 is 125.1 MiB; "
        "Google Flow takes videos up to 100 MiB; Runway takes .mp4.",
        "notes.txt": "notes.txt: this file is not an image or video Google Flow takes — "
        "use PNG, JPEG, WEBP or MP4; Wordbee takes any file.",
        "poster.png": "poster.png: this PNG is 21 MiB; "
        "Google Flow takes images up to 20 MiB; Wordbee takes any file.",
        "gone.png": "gone.png is a link to a file that is not there.",
        "pipe.png": "pipe.png is not a regular file.",
    }
    assert {r["state"] for r in rows(pane).values()} == {"Not sent"}
    assert pane.notice.text() == "Added 10 files; 10 cannot be sent (see why on each)."
    qtbot.wait(300)  # a window for an upload that must not start: the check is that none does
    assert [r for r in sb.requests("api") if r["method"] == "POST"] == []


def test_a_pasted_image_is_saved_as_png_and_uploaded(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    QGuiApplication.clipboard().setImage(image)

    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=3000)
    qtbot.waitUntil(settled(pane), timeout=15_000)
    (item,) = pane._queue.items
    assert item.row.name.startswith("Pasted image ") and item.row.name.endswith(".png")
    assert item.path.parent == services.paths.root / "pasted"
    saved = QImage(str(item.path))
    assert (saved.width(), saved.height()) == (120, 80)
    assert saved.pixelColor(60, 40) == QColor("#336699")
    assert item.state is ItemState.DONE
    (post,) = [r for r in sb.requests("api") if r["method"] == "POST"]
    assert post["headers"]["content-type"] == "image/png"
    assert post["headers"]["content-length"] == str(item.path.stat().st_size)


def test_service_errors_show_on_their_rows(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    throttled, broken = sb.demo["google_flow_emails"][:2]
    sb.set_google_flow_account(throttled, throttled_for=1800)
    sb.set_google_flow_account(broken, session_error=True)
    sb.set_google_flow_account("third.account@gmail.com")  # what automatic uploads go to
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    qtbot.waitUntil(lambda: pane.picker.email_combo.findData(throttled) >= 0)

    pane.picker.email_combo.setCurrentIndex(pane.picker.email_combo.findData(throttled))
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    pane.picker.email_combo.setCurrentIndex(pane.picker.email_combo.findData(broken))
    arun(pane._add([DEMO / "sunrise-640x360.png"]))
    pane.picker.email_combo.setCurrentIndex(0)  # automatic
    arun(pane._add([DEMO / "policy-refused.png"]))
    # The 502s below are for the next file only.
    qtbot.waitUntil(lambda: item_named(pane, "policy-refused.png").state is ItemState.FAILED)
    sb.fault("api", "/v1/google-flow/assets", method="POST", count=9, status=502, body={})
    pane._queue.retry_policy = RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1)
    arun(pane._add([DEMO / "bars-800x450.jpg"]))

    swatch = item_named(pane, "swatch-256x256.png")
    qtbot.waitUntil(lambda: swatch.waiting, timeout=10_000)
    qtbot.waitUntil(lambda: item_named(pane, "bars-800x450.jpg").state is ItemState.FAILED)
    qtbot.waitUntil(lambda: item_named(pane, "policy-refused.png").state is ItemState.FAILED)
    qtbot.waitUntil(lambda: item_named(pane, "sunrise-640x360.png").state is ItemState.FAILED)
    pane.repaint_progress()
    shown = rows(pane)
    assert shown["swatch-256x256.png"]["state"].startswith("Waits until ")
    assert shown["swatch-256x256.png"]["progress"].startswith("Throttled by the service until ")
    assert shown["sunrise-640x360.png"]["progress"] == (
        f"Reconnect this Google account ({broken}) at useapi.net: its session expired. Then retry."
    )
    assert "public figure" in shown["policy-refused.png"]["progress"]
    assert "PUBLIC_ERROR" not in shown["policy-refused.png"]["progress"]
    refused = item_named(pane, "policy-refused.png")
    details = pane.model.index(pane.model.row_of(refused.id), Column.PROGRESS)
    tooltip = str(details.data(Qt.ItemDataRole.ToolTipRole))
    assert "The service said: " in tooltip and "PUBLIC_ERROR_TRUMP_FACE_DETECTED" in tooltip
    assert shown["bars-800x450.jpg"]["progress"] == (
        "useapi.net or the service behind it failed (bars-800x450.jpg) (HTTP 502)."
    )
    assert {shown[n]["state"] for n in shown if n != "swatch-256x256.png"} == {"Failed"}
    assert "waiting" in pane.overall.text()


def test_cancel_retry_remove_and_clear_with_the_keyboard(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    padded_video: Callable[..., Path],
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    sb.bandwidth("api", 2_000_000)  # more than the sockets' buffers hold at once
    video = padded_video(40 * MIB, "long take.mp4")
    arun(pane._add([video, DEMO / "swatch-256x256.png"]))
    long_take = item_named(pane, "long take.mp4")
    qtbot.waitUntil(lambda: long_take.progress.speed > 0, timeout=10_000)
    pane.repaint_progress()
    assert rows(pane)["long take.mp4"]["state"] == "Uploading"
    assert rows(pane)["long take.mp4"]["speed"].endswith("/s")

    select(pane, "long take.mp4")
    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: long_take.state is ItemState.CANCELLED)
    pane.repaint_progress()
    assert rows(pane)["long take.mp4"]["progress"] == "Cancelled; nothing was kept."
    assert not [a for a in sb.google_flow_assets() if a["object"]["size"] == 40 * MIB]

    sb.bandwidth("api", None)
    assert pane.queue_actions.retry_action.isEnabled()
    assert not pane.queue_actions.cancel_action.isEnabled()
    QTest.keyClick(pane.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: long_take.state is ItemState.DONE, timeout=20_000)
    qtbot.waitUntil(settled(pane))
    assert [a for a in sb.google_flow_assets() if a["object"]["size"] == 40 * MIB]

    # Copy the id from the context menu's action.
    pane.queue_actions.context_menu(
        pane.view, pane.view.visualRect(pane.model.index(0, 0)).center()
    )
    assert pane.queue_actions.menu.actions()[0].text() == "Copy mediaGenerationId"
    pane.queue_actions.menu.actions()[0].trigger()
    pane.queue_actions.menu.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert QGuiApplication.clipboard().text() == long_take.row.remote_id

    select(pane, "swatch-256x256.png")
    pane.view.setFocus()  # Delete is the focused pane's (the Library has its own)
    QTest.keyClick(pane.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    QTest.keyClick(
        pane.view,
        Qt.Key.Key_Delete,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
    assert pane.stack.currentWidget() is pane.empty
    assert len(catalog(services)) == 2  # the catalog keeps what was uploaded


def test_finishing_in_the_background_notifies(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    window.showMinimized()
    arun(pane._add([DEMO / "swatch-256x256.png", DEMO / "policy-refused.png"]))
    qtbot.waitUntil(lambda: window.notifications != [], timeout=15_000)
    assert window.notifications == [("Uploads finished", "1 file uploaded, 1 failed.")]
    assert window.statusBar().currentMessage() == "Uploads finished: 1 file uploaded, 1 failed."


def test_no_account_means_the_files_wait_with_a_reason(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    assert pane.picker.account_combo.currentText() == "No useapi.net account yet"
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    assert rows(pane)["swatch-256x256.png"]["progress"] == (
        "There is no useapi.net account to upload to; add one, then retry."
    )
    assert pane.notice.text().endswith(
        "There is no useapi.net account to upload to: add one in Accounts."
    )
    # Removing the last row brings the drop zone back.
    select(pane, "swatch-256x256.png")
    pane.view.setFocus()  # Delete is the focused pane's (the Library has its own)
    QTest.keyClick(pane.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
    assert pane.stack.currentWidget() is pane.empty


@pytest.mark.parametrize("busy", [False, True])
def test_queue_model_passes_the_model_tester(
    qtmodeltester: Any,
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    busy: bool,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    arun(pane._add([DEMO / "swatch-256x256.png", DEMO / "policy-refused.png"]))
    arun(pane._add([MEDIA / "picture.gif"]))
    if busy:
        qtbot.waitUntil(settled(pane), timeout=15_000)
    qtmodeltester.check(pane.model, force_py=True)
    assert [pane.model.index(r, 0).data(ItemIdRole) for r in range(3)] == [
        i.id for i in pane._queue.items
    ]


def test_the_queue_survives_a_kill_mid_upload(
    qtbot: QtBot,
    services: AppServices,
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    padded_video: Callable[..., Path],
) -> None:
    video = padded_video(30 * MIB, "interview.mp4")
    files = [video, DEMO / "swatch-256x256.png", DEMO / "bars-800x450.jpg"]
    sb.bandwidth("api", 1_000_000)  # the video is still on its way when the child dies
    child = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("upload_queue_child.py")),
            str(services.paths.root),
            sb.api_url,
            sb.demo["useapi_token"],
            *map(str, files),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "SENDING"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    sb.bandwidth("api", None)
    conn = sqlite3.connect(services.paths.database)
    on_disk = conn.execute("SELECT name, state FROM upload_queue ORDER BY id").fetchall()
    conn.close()
    assert on_disk == [
        ("interview.mp4", "uploading"),
        ("swatch-256x256.png", "pending"),
        ("bars-800x450.jpg", "pending"),
    ]

    # The next start: the same data folder, the sandbox account added as the app adds it.
    arun(
        services.accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
        )
    )
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    assert list(rows(pane)) == ["interview.mp4", "swatch-256x256.png", "bars-800x450.jpg"]
    qtbot.waitUntil(settled(pane), timeout=30_000)
    assert {r["state"] for r in rows(pane).values()} == {"Uploaded"}
    entries = catalog(services)
    assert sorted(e["source_path"] for e in entries) == sorted(map(str, files))
    stored_sizes = sorted(a["object"]["size"] for a in sb.google_flow_assets())
    assert 30 * MIB in stored_sizes


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (400, {"error": "File content is empty"}, "useapi.net refused the request"),
        (
            400,
            {"error": "File size (25165824) is over 20971520 bytes"},
            "useapi.net refused the file: it is 25,165,824 bytes and the limit is 20,971,520.",
        ),
        (401, {"error": "Unauthorized", "code": 401}, "useapi.net refused the token of “Sandbox”"),
        (402, {"error": "Subscription not active"}, "subscription is not active"),
        (403, {"error": "Access denied"}, "useapi.net refused access"),
        (404, {"error": "Google Flow account jo@x.com not found"}, "Not found"),
        (596, {"error": "Failed to refresh session: 500"}, "Reconnect this Google account"),
    ],
)
def test_each_documented_refusal_is_said_on_the_row_and_not_retried(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    status: int,
    body: dict[str, Any],
    shown: str,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    sb.fault("api", "/v1/google-flow/assets", method="POST", count=5, status=status, body=body)
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    qtbot.waitUntil(settled(pane), timeout=10_000)
    row = rows(pane)["swatch-256x256.png"]
    assert row["state"] == "Failed"
    assert shown in row["progress"]
    assert len([r for r in sb.requests("api") if r["method"] == "POST"]) == 1


def test_files_picked_in_the_dialog_are_queued(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(pane, "file_dialog", None) is not None)
    assert pane.file_dialog.isVisible()
    pane.file_dialog.filesSelected.emit([str(DEMO / "portrait-320x480.webp")])
    pane.file_dialog.close()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    qtbot.waitUntil(settled(pane), timeout=10_000)
    assert rows(pane)["portrait-320x480.webp"]["state"] == "Uploaded"


def test_the_default_email_of_the_account_is_the_target(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    email = sb.demo["google_flow_emails"][1]
    arun(services.accounts.set_default_email(sandbox_accounts[0].id, email))
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    assert pane.picker.email_combo.currentData() == email
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    qtbot.waitUntil(settled(pane), timeout=10_000)
    item = item_named(pane, "swatch-256x256.png")
    assert item.row.used_email == email
    (post,) = [r for r in sb.requests("api") if r["method"] == "POST"]
    assert post["path"] == f"/v1/google-flow/assets/{email}"
