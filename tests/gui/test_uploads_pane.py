"""The Uploads placeholder: dropped files are listed with their real size and type."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from pytestqt.qtbot import QtBot

from assetdesk.core.units import format_size
from assetdesk.services.local_files import inspect_upload
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.pane import UploadsPane


def drop(pane: UploadsPane, paths: list[Path]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    pane.dropEvent(event)
    return event


def test_dropped_files_are_checked_by_their_real_type(
    qtbot: QtBot, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    png = tmp_path / "sunset.png"
    assert image.save(str(png))
    disguised = tmp_path / "holiday.jpg"  # really a PNG
    disguised.write_bytes(png.read_bytes())
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image\n" * 20)

    pane = UploadsPane(inspect_upload, tasks)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.stack.currentWidget() is pane.empty

    event = drop(pane, [png, disguised, notes])
    assert event.isAccepted()
    assert pane.files.count() == 3
    qtbot.waitUntil(lambda: all("checking" not in pane.files.item(i).text() for i in range(3)))

    texts = [pane.files.item(i).text() for i in range(3)]
    assert texts[0] == f"sunset.png — {format_size(png.stat().st_size)}, PNG"
    assert texts[1].startswith(f"holiday.jpg — {format_size(disguised.stat().st_size)}, PNG")
    assert texts[2].startswith("notes.txt: ")
    assert [pane.files.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)] == [
        True,
        True,
        False,
    ]

    pane.clear_button.click()
    assert pane.files.count() == 0
    assert pane.stack.currentWidget() is pane.empty
