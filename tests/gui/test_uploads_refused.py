"""The Uploads pane with files refused here: Retry leaves them alone, and a name typed into
"Add files" that is not there is listed with its reason (real window offscreen, the sandbox)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO

from assetdesk.services.app import AppServices
from assetdesk.services.upload_items import ItemState, UploadItem
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.add_files_dialog import NAME_FIELD, AddFilesDialog
from assetdesk.ui.uploads.pane import UploadsPane
from assetdesk.ui.uploads.queue_actions import REFUSED_TIP

WINDOW_SIZE = (1100, 640)


def item_named(pane: UploadsPane, name: str) -> UploadItem:
    for item in pane._queue.items:
        if item.row.name == name:
            return item
    raise AssertionError(f"no item named {name!r}")


def select(pane: UploadsPane, *names: str) -> None:
    pane.view.clearSelection()
    flags = pane.view.selectionModel().SelectionFlag
    for name in names:
        row = pane.model.row_of(item_named(pane, name).id)
        pane.view.selectionModel().select(pane.model.index(row, 0), flags.Select | flags.Rows)


def ended(pane: UploadsPane) -> bool:
    items = pane._queue.items
    return bool(items) and all(
        i.state not in (ItemState.PENDING, ItemState.UPLOADING) and i.task is None for i in items
    )


def posts(sb: Any) -> int:
    return len([r for r in sb.requests("api") if r["method"] == "POST"])


def test_retry_is_off_for_a_file_refused_here(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    later = tmp_path / "later.png"
    later.write_bytes(b"")  # refused here: empty
    arun(pane._add([later, DEMO / "policy-refused.png"]))
    qtbot.waitUntil(lambda: ended(pane), timeout=10_000)
    refused, failed = item_named(pane, "later.png"), item_named(pane, "policy-refused.png")
    assert (refused.state, failed.state) == (ItemState.REFUSED, ItemState.FAILED)
    assert posts(sb) == 1
    shutil.copy(DEMO / "swatch-256x256.png", later)  # would now pass the checks

    actions = pane.queue_actions
    select(pane, "later.png")
    assert not actions.retry_action.isEnabled()
    assert not actions.buttons["retry"].isEnabled()
    assert actions.buttons["retry"].toolTip() == f"Retry (Ctrl+R) — {REFUSED_TIP}"
    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    # Both selected: Retry sends the failed one again, and only that one.
    select(pane, "later.png", "policy-refused.png")
    assert actions.retry_action.isEnabled()
    assert actions.buttons["retry"].toolTip() == "Retry (Ctrl+R)"
    actions.retry_selected()
    qtbot.waitUntil(lambda: posts(sb) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: ended(pane), timeout=10_000)
    assert (refused.state, failed.state) == (ItemState.REFUSED, ItemState.FAILED)
    assert refused.row.message == "later.png: the file is empty (0 bytes)."
    assert posts(sb) == 2


def type_and_open(qtbot: QtBot, pane: UploadsPane, folder: Path, text: str) -> None:
    """Ctrl+O, then `text` typed into the dialog's name field and Enter."""
    before = getattr(pane, "file_dialog", None)
    pane.window().activateWindow()
    qtbot.waitUntil(pane.window().isActiveWindow)
    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(pane, "file_dialog", None) not in (None, before))
    dialog = pane.file_dialog
    assert isinstance(dialog, AddFilesDialog)
    dialog.setDirectory(str(folder))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    field = dialog.findChild(QLineEdit, NAME_FIELD)
    assert field is not None
    field.setFocus()
    QTest.keyClicks(field, text)  # typed: the field has the focus, so Qt leaves its text alone
    assert field.text() == text
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_typed_name_that_is_not_there_is_listed_with_its_reason(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    """Qt's dialog alone would send only swatch.png, and answer "lost.mp4" alone with a box."""
    shutil.copy(DEMO / "swatch-256x256.png", tmp_path / "swatch.png")
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    type_and_open(qtbot, pane, tmp_path, '"swatch.png" "missing.png"')
    qtbot.waitUntil(lambda: len(pane._queue.items) == 2)
    missing = item_named(pane, "missing.png")
    assert missing.state is ItemState.REFUSED
    assert missing.row.message == "missing.png: there is no such file."
    assert pane.notice.text() == "Added 2 files; 1 cannot be sent (see why on each)."
    qtbot.waitUntil(lambda: ended(pane), timeout=10_000)
    assert item_named(pane, "swatch.png").state is ItemState.DONE

    type_and_open(qtbot, pane, tmp_path, "lost.mp4")
    qtbot.waitUntil(lambda: len(pane._queue.items) == 3)
    assert item_named(pane, "lost.mp4").row.message == "lost.mp4: there is no such file."


def test_names_that_are_all_there_go_through_qts_own_dialog(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    for name in ("one.png", "two.png"):
        shutil.copy(DEMO / "swatch-256x256.png", tmp_path / name)
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    type_and_open(qtbot, pane, tmp_path, '"one.png" "two.png"')
    qtbot.waitUntil(lambda: len(pane._queue.items) == 2)
    qtbot.waitUntil(lambda: ended(pane), timeout=10_000)
    assert {i.row.name: i.state for i in pane._queue.items} == {
        "one.png": ItemState.DONE,
        "two.png": ItemState.DONE,
    }
