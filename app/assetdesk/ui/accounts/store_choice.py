"""The choice offered when an account is to be added and there is no keyring to keep its secret:
keep secrets in memory for this session only, or cancel. Nothing is ever written to disk instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

SESSION_ONLY_CHOICE = "Keep for this session only"


def add_without_keyring_tip(problem: str) -> str:
    """The Add button's tooltip while `problem` keeps secrets out of a keyring."""
    return f"{problem} Click to add an account whose secret is kept for this session only."


def store_choice_box(parent: QWidget, problem: str) -> tuple[QMessageBox, QPushButton]:
    """The question, and its "Keep for this session only" button; Cancel is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "No keyring",
        "There is no keyring to keep the account's secret in.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("storeChoice")
    box.setInformativeText(
        f"{problem} AssetDesk can keep secrets in memory until it quits (never on disk); "
        "you will enter them again next time."
    )
    keep = box.addButton(SESSION_ONLY_CHOICE, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box, keep


class StoreChoice(QObject):
    """The open choice (`box`), if any; `kept` when "Keep for this session only" is clicked."""

    kept = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.box: QMessageBox | None = None

    def ask(self, problem: str) -> QMessageBox:
        if self.box is not None:
            self.box.close()
        box, keep = store_choice_box(self._parent, problem)
        self.box = box
        box.finished.connect(self._finished)
        keep.clicked.connect(self.kept)
        box.open()
        return box

    def _finished(self, *_args: object) -> None:
        if self.box is not None:
            self.box.deleteLater()
        self.box = None
