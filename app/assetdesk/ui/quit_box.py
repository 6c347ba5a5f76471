"""The box a Quit opens while transfers run, and its sentence on what becomes of them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def quit_box(parent: QWidget, on_quit: Callable[[], object]) -> QMessageBox:
    """ "Quit AssetDesk?" with Quit and Cancel (the default, and Esc); Quit calls `on_quit`."""
    box = QMessageBox(parent)
    box.setWindowTitle("Quit AssetDesk")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("Quit AssetDesk?")
    quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.buttonClicked.connect(lambda button: on_quit() if button is quit_button else None)
    return box


def running_text(uploads: int, downloads: int) -> str:
    """What runs and what becomes of it: uploads and the Library's downloads alike go on at the
    next start (the queue and the downloads are kept in the database; a download goes on from
    its `.part`, an upload is sent again unless its whole body had gone, when it asks)."""
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((uploads, "upload"), (downloads, "download"))
        if count
    ]
    one = uploads + downloads == 1
    running = f"{' and '.join(parts)} {'is' if one else 'are'} running"
    return f"{running}; {'it goes' if one else 'they go'} on when AssetDesk starts again."
