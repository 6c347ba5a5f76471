"""The Library's inspector, under the side preview: what is known of the selected asset (its
fields from `inspector_fields.py`, each id with a Copy button that says "Copied" for a moment, the
files on this computer with Reveal in folder / Open), or a multi-selection's totals.

A leaf widget: `show_assets(assets, account)` rebuilds it; the files open through
QDesktopServices. Text is selectable, long values wrap, colours come from the palette (the labels
are `paneHint`s, which the window's style sheet draws in the secondary text colour).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QWidget,
)

from assetdesk.services.library import Asset
from assetdesk.services.library_views import Totals
from assetdesk.ui.library.inspector_fields import (
    Field,
    LocalCopy,
    asset_fields,
    local_copies,
    selection_fields,
    totals_fields,
)

__all__ = ["COPIED_FOR_MS", "EMPTY_TEXT", "Inspector"]

EMPTY_TEXT = "Select an asset to see what is known of it."
#: How long a Copy button says "Copied".
COPIED_FOR_MS = 1500


def copy_button(value: str) -> QToolButton:
    """'Copy': puts `value` on the clipboard and says "Copied" for COPIED_FOR_MS."""
    button = QToolButton()
    button.setText("Copy")
    button.setToolTip("Copy to the clipboard")
    back = QTimer(button)  # goes with the button when the inspector is rebuilt
    back.setSingleShot(True)
    back.setInterval(COPIED_FOR_MS)
    back.timeout.connect(lambda: button.setText("Copy"))

    def copy() -> None:
        QGuiApplication.clipboard().setText(value)
        button.setText("Copied")
        back.start()

    button.clicked.connect(copy)
    return button


def _value_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    # A word longer than the column (an email, a path) does not widen the grid past the
    # column's edge, where it would push the Copy buttons out of sight: the label gives way.
    label.setMinimumWidth(1)
    return label


def _id_field(text: str) -> QLineEdit:
    """An id in a read-only, frameless field: one line however long, selectable, scrollable."""
    field = QLineEdit(text)
    field.setReadOnly(True)
    field.setFrame(False)
    field.setCursorPosition(0)
    field.setStyleSheet("background: transparent;")
    field.setMinimumWidth(1)  # it scrolls: the Copy button beside it stays in sight
    return field


class Inspector(QScrollArea):
    """The fields of the selection; `values()` and the button lists say what it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryInspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        #: The Copy button of each copyable field, by its label.
        self.copy_buttons: dict[str, QToolButton] = {}
        self.reveal_buttons: list[QToolButton] = []
        self.open_buttons: list[QToolButton] = []
        self._values: dict[str, str] = {}
        self.show_assets([], lambda _asset: "")

    def values(self) -> dict[str, str]:
        """What each shown line says, by its label."""
        return dict(self._values)

    def show_assets(self, assets: list[Asset], account: Callable[[Asset], str]) -> None:
        """Show one asset's fields and files, a multi-selection's totals, or the empty hint."""
        body, grid = self._new_body()
        if not assets:
            empty = QLabel(EMPTY_TEXT)
            empty.setObjectName("paneHint")
            empty.setWordWrap(True)
            grid.addWidget(empty, 0, 0, 1, 3)
        elif len(assets) == 1:
            self._add_fields(grid, asset_fields(assets[0], account(assets[0])))
            self._add_copies(grid, local_copies(assets[0]))
        else:
            self._add_fields(grid, selection_fields(assets))
        grid.setRowStretch(grid.rowCount(), 1)
        self.setWidget(body)  # the previous body is deleted with its buttons

    def show_totals(self, totals: Totals) -> None:
        """A large selection's totals, counted by SQLite."""
        body, grid = self._new_body()
        self._add_fields(grid, totals_fields(totals))
        grid.setRowStretch(grid.rowCount(), 1)
        self.setWidget(body)

    def _new_body(self) -> tuple[QWidget, QGridLayout]:
        """An empty body for the fields (the buttons of the last one forgotten)."""
        self.copy_buttons, self.reveal_buttons, self.open_buttons = {}, [], []
        self._values = {}
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(8)
        grid.setColumnStretch(1, 1)
        return body, grid

    def _add_fields(self, grid: QGridLayout, fields: list[Field]) -> None:
        for field in fields:
            row = grid.rowCount()
            name = QLabel(field.label)
            name.setObjectName("paneHint")
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            if field.copy:
                grid.addWidget(_id_field(field.value), row, 1)
                button = copy_button(field.value)
                grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
                self.copy_buttons[field.label] = button
            else:
                grid.addWidget(_value_label(field.value), row, 1, 1, 2)
            self._values[field.label] = field.value

    def _add_copies(self, grid: QGridLayout, copies: list[LocalCopy]) -> None:
        for copy in copies:
            row = grid.rowCount()
            name = QLabel(copy.label)
            name.setObjectName("paneHint")
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(_value_label(str(copy.path)), row, 1, 1, 2)
            self._values[copy.label] = str(copy.path)
            buttons = QHBoxLayout()
            reveal = QToolButton()
            reveal.setText("Reveal in folder")
            reveal.clicked.connect(lambda _=False, path=copy.path: _open(path.parent))
            opener = QToolButton()
            opener.setText("Open")
            opener.clicked.connect(lambda _=False, path=copy.path: _open(path))
            buttons.addWidget(reveal)
            buttons.addWidget(opener)
            buttons.addStretch(1)
            grid.addLayout(buttons, row + 1, 1, 1, 2)
            self.reveal_buttons.append(reveal)
            self.open_buttons.append(opener)


def _open(path: Path) -> None:
    """Open a file or a folder with what the desktop uses for it."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
