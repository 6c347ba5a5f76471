"""The Uploads pane's queue table (columns, thumbnails, the progress bars) and its row of buttons,
one per action of the pane."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
)

from assetdesk.ui.uploads.model import Column, UploadQueueModel
from assetdesk.ui.widgets.progress_delegate import ProgressDelegate

THUMBNAIL_SIZE = 40


def queue_view(model: UploadQueueModel) -> QTableView:
    """One row per queued file: thumbnail and name, state, progress, time left, speed, size, then
    type and where it goes."""
    view = QTableView()
    view.setObjectName("uploadQueue")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(view))
    view.setIconSize(QPixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE).size())
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(THUMBNAIL_SIZE + 8)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in WIDTHS.items():
        view.setColumnWidth(column, width)
    # The window's transfers column is narrow: what a row is doing comes first, where it goes
    # and what it is after (the model's columns keep their numbers), and the columns that do
    # not fit hide (the details under the queue say it all for the selected row).
    for place, column in enumerate(PRIORITY):
        header.moveSection(header.visualIndex(column), place)
    header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
    view.viewport().installEventFilter(_FitColumns(view))
    return view


#: Each column's width, and the order they show in (and give way in, from the end).
WIDTHS = {
    Column.NAME: 170,
    Column.STATE: 96,
    Column.PROGRESS: 100,
    Column.ETA: 70,
    Column.SPEED: 78,
    Column.SIZE: 72,
    Column.TYPE: 96,
    Column.TARGET: 110,
}
PRIORITY = tuple(WIDTHS)
#: Shown however narrow the view (the name gives way first).
ALWAYS = (Column.NAME, Column.STATE, Column.PROGRESS)


def fit_columns(view: QTableView) -> list[Column]:
    """Show the columns that fit the view's width, in PRIORITY order (those in ALWAYS
    whatever the width); the shown ones."""
    room = view.viewport().width()
    shown: list[Column] = []
    used = 0
    for column in PRIORITY:
        used += WIDTHS[column]
        fits = column in ALWAYS or used <= room
        view.setColumnHidden(column, not fits)
        if fits:
            shown.append(column)
    return shown


class _FitColumns(QObject):
    """Fits the columns to the view (its parent) each time its viewport is resized."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        view = self.parent()
        if event.type() == QEvent.Type.Resize and isinstance(view, QTableView):
            fit_columns(view)
        return False


def button_row(
    actions: list[tuple[str, QAction] | None],
) -> tuple[QHBoxLayout, dict[str, QPushButton]]:
    """A button per (key, action), named "{key}Button", with the shortcut in its tooltip; None
    is a stretch. The buttons, by key."""
    buttons: dict[str, QPushButton] = {}
    row = QHBoxLayout()
    for entry in actions:
        if entry is None:
            row.addStretch(1)
            continue
        key, action = entry
        button = QPushButton(action.text())
        button.setObjectName(f"{key}Button")
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{action.text()} ({shortcut})" if shortcut else action.text())
        button.clicked.connect(action.trigger)
        buttons[key] = button
        row.addWidget(button)
    return row, buttons
