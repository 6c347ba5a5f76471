"""The Uploads pane's queue table (columns, thumbnails, the progress bars) and its row of buttons,
one per action of the pane."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    """One row per queued file: thumbnail and name, where it goes, size, type, state, progress,
    speed, ETA."""
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
    for column, width in (
        (Column.NAME, 200),
        (Column.TARGET, 124),
        (Column.SIZE, 72),
        (Column.TYPE, 104),
        (Column.STATE, 124),
        (Column.SPEED, 78),
        (Column.ETA, 70),
    ):
        view.setColumnWidth(column, width)
    header.setSectionResizeMode(Column.PROGRESS, QHeaderView.ResizeMode.Stretch)
    return view


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
