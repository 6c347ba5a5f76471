"""What the Library offers for the selected assets: the actions, their shortcuts and context menu,
and what each one does (save, download, copy an id or a link, open the folder, remove).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMenu, QMessageBox, QWidget

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.services.library import Asset, LibraryService
from assetdesk.ui.library.delete_dialog import ServiceDelete
from assetdesk.ui.library.download_jobs import DownloadJobs
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.library.selection import MANY_SELECTED, AssetSelection
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pane_action, pluralise

T = TypeVar("T")


class AssetActions:
    """The pane's actions on the selection; `update()` enables those that apply to it."""

    def __init__(
        self,
        pane: QWidget,
        library: LibraryService,
        tasks: BackgroundTasks,
        model: LibraryModel,
        notice: Notice,
        *,
        selection: AssetSelection,
        downloads: DownloadJobs,
        quick_look: Callable[[], None],
        search: Callable[[], None],
        reload: Callable[[], Awaitable[None]],
    ) -> None:
        self._pane = pane
        self._library = library
        self._tasks = tasks
        self._model = model
        self._notice = notice
        self._selection = selection
        self._selected = selection.assets
        self._count = selection.count  # how many, without reading them (select all)
        self._downloads = downloads
        self._reload = reload

        self.quick_look_action = QAction("Quick Look", pane)
        self.quick_look_action.setShortcut(QKeySequence("Space"))
        # On the views only (the pane adds it to them): in the preview panel, Space plays and
        # pauses the video.
        self.quick_look_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.quick_look_action.triggered.connect(quick_look)
        self.save_as_action = pane_action(
            pane, "Save as…", QKeySequence(QKeySequence.StandardKey.Save), self.save_as
        )
        self.download_action = pane_action(
            pane, "Download to folder…", "Ctrl+Shift+S", self.download_to_folder
        )
        self.copy_id_action = pane_action(
            pane, "Copy id", QKeySequence(QKeySequence.StandardKey.Copy), self.copy_ids
        )
        self.copy_link_action = pane_action(
            pane, "Copy a fresh signed link", "Ctrl+Shift+C", self.copy_link
        )
        self.open_folder_action = pane_action(
            pane, "Open containing folder", "Ctrl+Shift+O", self.open_folder
        )
        self.remove_action = pane_action(pane, "Remove from library…", "Ctrl+Del", self.remove)
        self.service_delete = ServiceDelete(pane, library, tasks, model, notice, reload)
        self.delete_action = pane_action(  # Delete asks first (Cancel is the default button)
            pane,
            "Delete on the service…",
            QKeySequence(QKeySequence.StandardKey.Delete),
            lambda: self.service_delete.ask_selection(self._selection),
        )
        self.remove_action.setToolTip("Forget in AssetDesk only: the service keeps them")
        self.delete_action.setToolTip("Delete them on Google Flow, Runway or Wordbee, for good")
        #: Actions other parts of the pane add at the end of the context menu.
        self.extra_actions: list[QAction] = []
        self.search_action = pane_action(
            pane, "Search", QKeySequence(QKeySequence.StandardKey.Find), search
        )

    def update(self) -> None:
        count = self._count()
        first = self._selected()[0] if count == 1 else None
        for action in (
            self.quick_look_action,
            self.download_action,
            self.copy_id_action,
            self.remove_action,
            self.delete_action,
        ):
            action.setEnabled(count > 0)
        self.save_as_action.setEnabled(first is not None)
        self.copy_link_action.setEnabled(first is not None and first.provider != Provider.WORDBEE)
        self.open_folder_action.setEnabled(first is not None and bool(first.local_path))

    def context_menu(self, view: QAbstractItemView, point: QPoint) -> None:
        index = view.indexAt(point)
        if index.isValid() and not view.selectionModel().isSelected(index):
            view.selectionModel().select(
                index,
                view.selectionModel().SelectionFlag.ClearAndSelect
                | view.selectionModel().SelectionFlag.Rows,
            )
        self.update()
        menu = QMenu(self._pane)
        menu.setToolTipsVisible(True)
        for action in (
            self.quick_look_action,
            self.save_as_action,
            self.download_action,
            None,
            self.copy_id_action,
            self.copy_link_action,
            self.open_folder_action,
            None,
            self.remove_action,
            self.delete_action,
        ):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        for action in self.extra_actions:
            menu.addAction(action)
        self.menu = menu
        menu.popup(view.viewport().mapToGlobal(point))

    # ------------------------------------------------------------------ downloads

    def save_as(self) -> None:
        assets = self._selected()
        if len(assets) != 1:
            return
        asset = assets[0]
        dialog = QFileDialog(self._pane, f"Save {asset.title}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(asset.name or asset.title)
        dialog.fileSelected.connect(lambda name: self._downloads.save_as(asset, Path(name)))
        dialog.open()
        self.file_dialog = dialog

    def download_to_folder(self) -> None:
        count = self._count()
        if not count:
            return
        dialog = QFileDialog(self._pane, f"Download {pluralise(count, 'asset')} to a folder")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda folder: self._download_selected(Path(folder)))
        dialog.open()
        self.file_dialog = dialog

    def _download_selected(self, folder: Path) -> None:
        """By their ids, fed to the downloads a page at a time (the selection as it is now: a
        later change does not alter what was asked)."""
        self._downloads.download_to_folder(self._selection.id_array(), folder)

    def _with_selected(
        self, each: Callable[[Asset], T], act: Callable[[list[T]], object], name: str
    ) -> None:
        """`act` on what `each` takes of every selected asset, in the views' order: at once for
        a few; for many, from the ids selected now (a later change does not alter what was
        asked), read a page at a time in a worker thread and each page dropped once `each` has
        taken from it."""
        if self._count() <= MANY_SELECTED:
            act([each(asset) for asset in self._selected()])
            return
        ids = self._selection.id_array()

        async def then() -> None:
            act([each(asset) async for page in self._selection.read_pages(ids) for asset in page])

        self._tasks.spawn(then(), name=name)

    # ------------------------------------------------------------------ other actions

    def copy_ids(self) -> None:
        self._with_selected(lambda asset: asset.remote_id, _copy_lines, "library.copy_ids")

    def copy_link(self) -> None:
        assets = self._selected()
        if len(assets) == 1:
            self._tasks.spawn(self._copy_link(assets[0]), name="library.link")

    async def _copy_link(self, asset: Asset) -> None:
        try:
            link = await self._library.signed_link(asset, fresh=True)
        except AssetDeskError as error:
            self._model.set_error(asset.id, error)
            self._notice.show_message(str(error), "error")
            return
        QGuiApplication.clipboard().setText(link.url)
        when = link.expires_at.astimezone().strftime("%H:%M")
        self._notice.show_message(f"A fresh link is on the clipboard; it works until {when}.")

    def open_folder(self) -> None:
        assets = self._selected()
        if len(assets) == 1 and assets[0].local_path:
            folder = Path(assets[0].local_path).parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def remove(self) -> None:
        ids = self._selection.id_array()  # their ids are enough: none of the assets is read
        if not ids:
            return
        box = QMessageBox(self._pane)
        box.setWindowTitle("Remove from library")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Remove {pluralise(len(ids), 'asset')} from the library?")
        box.setInformativeText(
            "Only AssetDesk's list forgets them: nothing is deleted on the service, and files "
            "you downloaded stay where they are."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.buttonClicked.connect(
            lambda button: (
                button is remove and self._tasks.spawn(self._remove(ids), name="library.remove")
            )
        )
        box.open()
        self.remove_box = box

    async def _remove(self, ids: Sequence[int]) -> None:
        await self._library.remove(ids)
        await self._reload()


def _copy_lines(lines: list[str]) -> None:
    """`lines` (the services' ids of the selected assets), one a line, on the clipboard."""
    if lines:
        QGuiApplication.clipboard().setText("\n".join(lines))
