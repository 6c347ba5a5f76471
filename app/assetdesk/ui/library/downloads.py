"""The Library's downloads list: one row per file being saved, with its progress bar, and the box
that shows it (in the window's transfers column, under the uploads), with the line of the batch
running, how many files go at once, pausing the batch, and cancelling a file or the whole batch."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.units import format_eta, format_size, format_speed
from assetdesk.transfer.progress import Phase, TransferProgress
from assetdesk.ui.widgets.plain_text import plain_tip
from assetdesk.ui.widgets.progress_delegate import ProgressDelegate
from assetdesk.ui.widgets.roles import FractionRole, StateRole
from assetdesk.ui.widgets.table_model import FlatTableModel

Index = QModelIndex | QPersistentModelIndex
#: The states of a download still to finish.
UNFINISHED = ("queued", "running", "paused")
#: Saved files the list keeps a row for: a batch of 100,000 shows its newest saves (its line
#: counts them all); failed and cancelled rows stay until "Clear finished".
SAVED_ROWS_KEPT = 1000
_ids = itertools.count(1)


class Column(IntEnum):
    NAME = 0
    PROGRESS = 1
    WHERE = 2


@dataclass
class Download:
    """One download as the list shows it. `state`: queued (waiting for its turn in a batch) |
    running | paused (its batch paused; its `.part` kept) | done | failed | cancelled."""

    title: str
    folder: Path
    state: str = "running"
    progress: TransferProgress | None = None
    path: Path | None = None
    message: str | None = None
    #: The user's download, kept in the database until it ends (a quit's next start goes on
    #: with it); a copy for a preview or a drag is not.
    kept: bool = False
    #: The size the catalog knows, until the transfer says (a batch sums it for what waits).
    size: int | None = None
    #: Seconds its link lookup waits because the service answered 429 (the account's pause),
    #: None when it does not wait.
    waiting: float | None = None
    id: int = field(default_factory=lambda: next(_ids))


class DownloadsModel(FlatTableModel):
    headers = ("Download", "Progress", "Saved to")

    def __init__(self) -> None:
        super().__init__()
        self._downloads: list[Download] = []
        #: Each download's row by its id: a batch of thousands repaints one row by its id, not
        #: by comparing every row's fields.
        self._rows: dict[int, int] = {}
        self._changed: list[Download] = []  # to repaint together, soon

    def add(self, download: Download) -> Download:
        self.add_all([download])
        return download

    def add_all(self, downloads: list[Download]) -> None:
        """At the end, in one insert (a batch of thousands is one change for the view)."""
        if not downloads:
            return
        first = len(self._downloads)
        self.beginInsertRows(QModelIndex(), first, first + len(downloads) - 1)
        for row, download in enumerate(downloads, start=first):
            self._downloads.append(download)
            self._rows[download.id] = row
        self.endInsertRows()

    def changed(self, download: Download) -> None:
        row = self._rows.get(download.id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def changed_soon(self, download: Download) -> None:
        """Repaint `download`'s row with the others changed before the loop turns (a "Cancel
        all" of thousands of waiting files is one repaint, of the rows from first to last)."""
        if not self._changed:
            QTimer.singleShot(0, self, self._repaint_changed)
        self._changed.append(download)

    def _repaint_changed(self) -> None:
        changed, self._changed = self._changed, []
        rows = [row for d in changed if (row := self._rows.get(d.id)) is not None]
        if rows:
            first, last = min(rows), max(rows)
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))

    def clear_finished(self) -> None:
        keep = [d for d in self._downloads if d.state in UNFINISHED]
        self.beginResetModel()
        self._downloads = keep
        self._rows = {download.id: row for row, download in enumerate(keep)}
        self.endResetModel()

    def forget_saved(self) -> int:
        """Drop the rows of the oldest saved files past SAVED_ROWS_KEPT (in runs of neighbouring
        rows, so the view keeps its place and selection); how many went."""
        keep = SAVED_ROWS_KEPT
        if len(self._downloads) <= keep:
            return 0
        saved = [row for row, d in enumerate(self._downloads) if d.state == "done"]
        going = saved[: max(0, len(saved) - keep)]
        if not going:
            return 0
        runs: list[tuple[int, int]] = []
        for row in going:
            if runs and runs[-1][1] == row - 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._downloads[first : last + 1]
            self.endRemoveRows()
        self._rows = {download.id: row for row, download in enumerate(self._downloads)}
        return len(going)

    def downloads(self) -> list[Download]:
        return list(self._downloads)

    def row_count(self) -> int:
        return len(self._downloads)

    def download_at(self, row: int) -> Download | None:
        return self._downloads[row] if 0 <= row < len(self._downloads) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        download = self.download_at(index.row()) if index.isValid() else None
        if download is None:
            return None
        column = Column(index.column())
        if role == StateRole:
            return "failed" if download.state == "failed" else download.state
        if role == FractionRole and column is Column.PROGRESS:
            if download.state == "done":
                return 1.0
            if download.state in ("running", "paused") and download.progress is not None:
                return download.progress.fraction
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            where = download.path or download.folder  # the column is hidden in a narrow pane
            text = "\n".join(str(part) for part in (download.message, where) if part)
            return plain_tip(text or None)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column is Column.NAME:
            return download.title
        if column is Column.WHERE:
            return str(download.path or download.folder)
        return _progress_text(download)


def _progress_text(download: Download) -> str:
    if download.state == "done":
        return "Saved"
    if download.state in ("failed", "cancelled"):
        return download.message or download.state.capitalize()
    if download.state == "queued":
        return "Waiting for its turn…"
    if download.state == "paused":
        progress = download.progress
        if progress is None or not progress.done:
            return "Paused"
        total = f" of {format_size(progress.total)}" if progress.total else ""
        return f"Paused · {format_size(progress.done)}{total}"
    if download.waiting:
        return f"Waiting: the service asks to slow down, {format_eta(download.waiting)}"
    progress = download.progress
    if progress is None or progress.phase is Phase.CONNECTING:
        return "Starting…"
    if progress.phase is Phase.VERIFYING:
        return "Verifying…"
    if progress.phase is Phase.RETRYING:
        return "Reconnecting…"
    parts = [format_size(progress.done)]
    if progress.total:
        parts[0] += f" of {format_size(progress.total)}"
    if progress.speed > 0:
        parts.append(format_speed(progress.speed))
    if progress.eta is not None:
        parts.append(f"{format_eta(progress.eta)} left")
    return " · ".join(parts)


#: "Files at once" when nothing was chosen yet, and the most the spin box offers.
FILES_AT_ONCE = 4
MOST_FILES_AT_ONCE = 16


class DownloadsBox(QWidget):
    """The list of `downloads` with "Clear finished", "Cancel" (the selected rows), "Keep
    Wordbee locale and folders" and "Files at once"; above it the batch's line with "Pause"
    (a checkable action: checked, the batch is paused) and "Cancel all". Hidden until the first
    download, and again once "Clear finished" left it empty. It lives with the uploads in the
    window's transfers column, so it is laid out for a narrow one.
    """

    #: The selected downloads still to finish, to cancel.
    cancel_requested = Signal(list)
    #: Every download of the batch still to finish, to cancel.
    cancel_batch_requested = Signal()

    def __init__(self, downloads: DownloadsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._downloads = downloads
        self.view = QTableView()
        self.view.setObjectName("downloadsList")
        self.view.setModel(downloads)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setItemDelegateForColumn(1, ProgressDelegate(self.view))
        # A narrow column: the name and the progress share the width; where it goes is in the
        # tooltip.
        columns = self.view.horizontalHeader()
        columns.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        columns.setSectionResizeMode(Column.PROGRESS, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnHidden(Column.WHERE, True)
        self.view.setMinimumHeight(72)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.batch_line = QLabel()
        self.batch_line.setObjectName("downloadsBatch")
        self.batch_line.setWordWrap(True)
        self.cancel_batch_button = QPushButton("Cancel all")
        self.cancel_batch_button.setToolTip("Stop every file of this batch still to come")
        self.cancel_batch_button.clicked.connect(self.cancel_batch_requested)
        self.pause_action = QAction("Pause", self)
        self.pause_action.setCheckable(True)
        self.pause_action.setEnabled(False)
        self.pause_action.setToolTip(
            "Stop starting files and pause the running ones (each goes on from where it was)"
        )
        self.pause_action.toggled.connect(self._show_paused)
        self.pause_button = QToolButton()
        self.pause_button.setDefaultAction(self.pause_action)
        batch = QHBoxLayout()
        batch.addWidget(self.batch_line, 1)
        batch.addWidget(self.pause_button)
        batch.addWidget(self.cancel_batch_button)
        self.batch_row = QWidget()
        self.batch_row.setLayout(batch)
        batch.setContentsMargins(0, 0, 0, 0)
        self.batch_row.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the selected downloads")
        self.cancel_button.clicked.connect(self._cancel_selected)
        self.files_at_once = QSpinBox()
        self.files_at_once.setRange(1, MOST_FILES_AT_ONCE)
        self.files_at_once.setValue(FILES_AT_ONCE)
        self.files_at_once.setToolTip("How many files of a download to a folder come at once")
        at_once = QLabel("Files at once")
        at_once.setBuddy(self.files_at_once)
        self.keep_folders = QCheckBox("Keep Wordbee locale and folders")
        self.keep_folders.setToolTip(
            "Save Wordbee files under <locale>/<relative path>/ inside the chosen folder."
        )
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        title = QLabel("Downloads")
        title.setObjectName("paneTitle")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.cancel_button)
        header.addWidget(self.clear_button)
        options = QHBoxLayout()
        options.addWidget(self.keep_folders)
        options.addStretch(1)
        options.addWidget(at_once)
        options.addWidget(self.files_at_once)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(header)
        layout.addWidget(self.batch_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(options)
        self.hide()  # until the first download

    def show_batch(self, text: str | None, *, running: bool = False) -> None:
        """The batch's line (None hides it); "Cancel all" while some of it is still to come."""
        self.batch_row.setVisible(text is not None)
        self.batch_line.setText(text or "")
        self.cancel_batch_button.setEnabled(running)
        self.pause_action.setEnabled(running)
        if not running and self.pause_action.isChecked():
            self.pause_action.setChecked(False)  # an ended batch is not paused

    def _show_paused(self, paused: bool) -> None:
        self.pause_action.setText("Resume" if paused else "Pause")

    def selected_downloads(self) -> list[Download]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        found = (self._downloads.download_at(row) for row in rows)
        return [download for download in found if download is not None]

    def _cancel_selected(self) -> None:
        chosen = [d for d in self.selected_downloads() if d.state in UNFINISHED]
        if chosen:
            self.cancel_requested.emit(chosen)

    def clear_finished(self) -> None:
        self._downloads.clear_finished()
        if not self.cancel_batch_button.isEnabled():  # its batch ended: its line goes too
            self.show_batch(None)
        if not self._downloads.downloads():
            self.hide()
