"""Deleting the selected assets on their services: the confirmation and the run.

The confirmation names how many assets, on which services and accounts, says that it cannot be
undone (and how it differs from "Remove from library", which deletes nothing on the service),
and offers "Download them first" with a folder. Its default button is Cancel. The run goes
through LibraryService.deleter() (services/library_delete.py; a selection of more than
MANY_SELECTED by id, a page at a time: library_delete_pages.py); each asset that was not deleted
keeps its row with the reason as its error, the deleted ones leave the grid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.library_delete import (
    DeleteOutcome,
    DeleteSummary,
    delete_summary,
    summary_of_places,
)
from assetdesk.services.library_delete_pages import DeleteTally, delete_in_pages
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.library.selection import MANY_SELECTED, AssetSelection
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.colours import BAD
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise
from assetdesk.ui.widgets.plain_text import plain_label

__all__ = ["DeleteDialog", "ServiceDelete"]


class DeleteDialog(QDialog):
    """ "Delete N assets on their services?": the numbers, the warning, download-first."""

    def __init__(self, summary: DeleteSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete on the service")
        self.heading = QLabel(
            f"<b>Delete {pluralise(summary.total, 'asset')} on "
            f"{'its service' if summary.total == 1 else 'their services'}?</b>"
        )
        self.places = plain_label(QLabel("\n".join(f"•  {line}" for line in summary.lines())))
        self.places.setObjectName("deletePlaces")
        services = [service for service, _where, _n in summary.places]
        names = list(dict.fromkeys(services))
        who = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        self.warning = QLabel(
            f"<b>This cannot be undone:</b> {who} delete{'s' if len(names) == 1 else ''} "
            "them for good. To only hide assets in AssetDesk, use "
            "<i>Remove from library</i> (Ctrl+Delete) instead."
        )
        self.warning.setWordWrap(True)
        them = "it" if summary.gone == 1 else "them"
        self.gone_note = QLabel(
            f"{summary.gone} of them {'is' if summary.gone == 1 else 'are'} already gone from "
            f"the service (the last refresh did not find {them}): nothing is sent for {them}; "
            f"AssetDesk only forgets {them}."
        )
        self.gone_note.setObjectName("deleteGoneNote")
        self.gone_note.setWordWrap(True)
        self.gone_note.setVisible(summary.gone > 0)
        self.download_first = QCheckBox("Download them first (only what downloads is deleted)")
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder to download into")
        self.choose = QPushButton("Choose…")
        self.choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton(
            f"Delete {pluralise(summary.total, 'asset')}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.delete_button.setObjectName("destructiveButton")
        self.delete_button.setStyleSheet(
            f"QPushButton:enabled {{ background: {BAD}; color: white; border: 1px solid {BAD};"
            " border-radius: 4px; padding: 4px 12px; }"
        )
        self.delete_button.setAutoDefault(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.places)
        layout.addWidget(self.warning)
        layout.addWidget(self.gone_note)
        layout.addSpacing(6)
        layout.addWidget(self.download_first)
        layout.addLayout(folder_row)
        layout.addWidget(self.buttons)
        self.download_first.toggled.connect(self._update)
        self.folder.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(460)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # the button box picks its accept button as default here
        self.delete_button.setDefault(False)
        self.cancel_button.setDefault(True)  # Enter must not delete anything
        self.cancel_button.setFocus()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Download them into")
        if folder:
            self.folder.setText(folder)
            self.download_first.setChecked(True)

    def _update(self) -> None:
        on = self.download_first.isChecked()
        self.folder.setEnabled(on)
        self.choose.setEnabled(on)
        self.delete_button.setEnabled(not on or bool(self.folder.text().strip()))

    def download_folder(self) -> Path | None:
        """The folder to download into first, or None when the box is not ticked."""
        text = self.folder.text().strip()
        return Path(text).expanduser() if self.download_first.isChecked() and text else None


class ServiceDelete:
    """Asks with a DeleteDialog, then deletes in the background and shows the outcome.

    A few selected assets are read and deleted together; a selection of more than
    MANY_SELECTED is counted by SQLite for the confirmation and deleted by id, a page at a time
    (services/library_delete_pages.py), so that select all of 100,000 never holds them all."""

    def __init__(
        self,
        parent: QWidget,
        library: LibraryService,
        tasks: BackgroundTasks,
        model: LibraryModel,
        notice: Notice,
        reload: Callable[[], Awaitable[None]],
    ) -> None:
        self._parent = parent
        self._library = library
        self._tasks = tasks
        self._model = model
        self._notice = notice
        self._reload = reload
        self.dialog: DeleteDialog | None = None

    def ask_selection(self, selection: AssetSelection) -> None:
        """Ask about the selection as it is now (a later change does not alter what is asked)."""
        if selection.count() <= MANY_SELECTED:
            self.ask(selection.assets())
            return
        self._tasks.spawn(self.ask_by_id(selection.id_array()), name="library.delete_count")

    def ask(self, assets: list[Asset]) -> None:
        if not assets:
            return
        dialog = DeleteDialog(delete_summary(assets), self._parent)
        dialog.accepted.connect(lambda: self.start(assets, dialog.download_folder()))
        dialog.open()
        self.dialog = dialog

    async def ask_by_id(self, asset_ids: Sequence[int]) -> None:
        """The confirmation for these assets, counted by SQLite in a worker thread."""
        summary = summary_of_places(await self._library.views.places(asset_ids))
        if not summary.total:
            return
        dialog = DeleteDialog(summary, self._parent)
        dialog.accepted.connect(lambda: self.start_by_id(asset_ids, dialog.download_folder()))
        dialog.open()
        self.dialog = dialog

    def start(self, assets: list[Asset], folder: Path | None) -> None:
        self._tasks.spawn(self.run(assets, folder), name="library.delete", key="library.delete")

    def start_by_id(self, asset_ids: Sequence[int], folder: Path | None) -> None:
        self._tasks.spawn(
            self.run_by_id(asset_ids, folder), name="library.delete", key="library.delete"
        )

    async def run(self, assets: list[Asset], folder: Path | None) -> list[DeleteOutcome]:
        total = len(assets)
        done = 0
        first = "Downloading, then deleting" if folder else "Deleting"
        self._notice.show_message(f"{first} {pluralise(total, 'asset')} on their services…")

        self._model.set_busy([asset.id for asset in assets], f"{first}…")

        def one(outcome: DeleteOutcome) -> None:
            nonlocal done
            done += 1
            self._settled(outcome)
            self._notice.show_message(f"{first}: {done} of {total} done…")

        try:
            outcomes = await self._library.deleter().delete(
                assets, download_to=folder, on_outcome=one
            )
        finally:
            self._model.set_busy([asset.id for asset in assets], None)
        await self._reload()
        self._finished(DeleteTally.of(outcomes))
        return outcomes

    async def run_by_id(self, asset_ids: Sequence[int], folder: Path | None) -> DeleteTally:
        """`run` for a large selection: read, deleted and forgotten a page at a time; each
        page's rows say what is happening while it runs."""
        total = len(asset_ids)
        done = 0
        first = "Downloading, then deleting" if folder else "Deleting"
        self._notice.show_message(f"{first} {pluralise(total, 'asset')} on their services…")
        page: list[int] = []

        def next_page(ids: list[int]) -> None:
            self._model.set_busy(page, None)
            page[:] = ids
            self._model.set_busy(page, f"{first}…")

        def one(outcome: DeleteOutcome) -> None:
            nonlocal done
            done += 1
            self._settled(outcome)
            self._notice.show_message(f"{first}: {done} of {total} done…")

        try:
            tally = await delete_in_pages(
                self._library.deleter(),
                self._library.views.many,
                asset_ids,
                download_to=folder,
                on_page=next_page,
                on_outcome=one,
            )
        finally:
            self._model.set_busy(page, None)
        await self._reload()
        self._finished(tally)
        return tally

    def _settled(self, outcome: DeleteOutcome) -> None:
        self._model.set_busy([outcome.asset.id], None)
        if outcome.reason:
            self._model.set_error(outcome.asset.id, outcome.reason)

    def _finished(self, tally: DeleteTally) -> None:
        parts = [f"{pluralise(tally.deleted, 'asset')} deleted"]
        left = tally.left
        if len(left) == 1 and left[0].reason:
            parts.append(left[0].reason.rstrip("."))
        else:
            if tally.not_deleted:
                parts.append(f"{tally.not_deleted} not deleted (the reason is on each)")
            if tally.unsure:
                parts.append(f"{tally.unsure} unsure (the next refresh checks)")
        failed = tally.not_deleted or tally.unsure
        self._notice.show_message("; ".join(parts) + ".", "error" if failed else "info")
