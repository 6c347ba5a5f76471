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
    """What runs and what becomes of it: uploads resume at the next start (the queue is kept in
    the database); the Library's downloads keep no partial file, so they start again by hand."""
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((uploads, "upload"), (downloads, "download"))
        if count
    ]
    running = f"{' and '.join(parts)} {'is' if uploads + downloads == 1 else 'are'} running"
    if not downloads:
        resume = "it resumes where it" if uploads == 1 else "they resume where they"
        return f"{running}; {resume} stopped when AssetDesk starts again."
    restart = "has to be started again" if downloads == 1 else "have to be started again"
    if not uploads:
        return f"{running}; {'it' if downloads == 1 else 'they'} {restart} next time."
    resume = "the upload resumes where it" if uploads == 1 else "the uploads resume where they"
    the_downloads = "the download" if downloads == 1 else "the downloads"
    return f"{running}; {resume} stopped when AssetDesk starts again, {the_downloads} {restart}."
