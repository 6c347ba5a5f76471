"""The Library pane: the catalog in a grid or a list, filters and search, a preview, downloads.

Thumbnails are made only for the items a view paints, a few at a time, decoded off the event loop
and cached on disk by asset id. Signed links are resolved when needed by the library service,
never kept past their validity.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from assetdesk.core.errors import AssetDeskError, NetworkError
from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountInfo, AccountsService
from assetdesk.services.library import Asset, LibraryService
from assetdesk.transfer.download import DownloadOptions
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.progress import TransferProgress
from assetdesk.ui.library.downloads import Download, DownloadsModel
from assetdesk.ui.library.model import (
    AssetRole,
    Column,
    LibraryFilter,
    LibraryModel,
    local_copy,
)
from assetdesk.ui.library.preview import PreviewPanel
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pane_action, pluralise
from assetdesk.ui.widgets.pane_layout import pane_layout
from assetdesk.ui.widgets.progress_delegate import ProgressDelegate
from assetdesk.ui.widgets.square_thumbnail import square_thumbnail

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

log = logging.getLogger("assetdesk.ui.library")

EMPTY_TEXT = (
    "Your library is empty.\n\n"
    "Everything you upload is listed here. Paste a mediaGenerationId, a Runway asset id or a\n"
    "Wordbee segment (pr12/345) above to add more, or list your Runway assets."
)
TILE = 128
THUMBNAILS_AT_ONCE = 4
THUMBNAIL_RETRY_AFTER = 60.0  # seconds before a failed thumbnail is tried again


class LibraryPane(QWidget):
    def __init__(
        self,
        library: LibraryService,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        *,
        thumbnails: ThumbnailMaker | None = None,
        preview_folder: Path | None = None,
        copies_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._accounts = accounts
        self._tasks = tasks
        self._thumbnails = thumbnails
        self._preview_folder = preview_folder
        self._copies_folder = copies_folder
        #: The asset the preview shows (a re-selection of it after a reload does not restart it).
        self._previewed: int | None = None
        #: Copies made in the cache for dragging out (asset id -> file), and those on their way.
        self._drag_copies: dict[int, Path] = {}
        self._fetching_copies: set[int] = set()
        #: Thumbnails wanted, newest last; a few workers take the newest still on screen.
        self._thumbs_wanted: dict[int, Asset] = {}
        self._thumb_workers = 0
        self._image_errors: dict[int, AssetDeskError] = {}
        self._account_list: list[AccountInfo] = []
        self._loaded = False

        self.notice = Notice()
        self.model = LibraryModel()
        self.model.icon_size = TILE
        self.model.want_thumbnail = self._make_thumbnail
        self.proxy = LibraryFilter()
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(Column.DATE, Qt.SortOrder.DescendingOrder)

        self._build_filters()
        self._build_views()
        self.preview = PreviewPanel(tasks)
        self.downloads = DownloadsModel()
        self._build_downloads()
        self._build_actions()

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.table)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 360])

        layout = pane_layout(
            self, "Library", "Images and videos on Google Flow, Runway and Wordbee."
        )
        layout.addWidget(self.notice)
        layout.addLayout(self._add_row)
        layout.addLayout(self._filter_row)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.downloads_box)
        self._sort_changed()  # the list's header shows the grid's order
        self._update_view()

    # ------------------------------------------------------------------ building

    def _build_filters(self) -> None:
        self.reference = QLineEdit()
        self.reference.setObjectName("assetReference")
        self.reference.setPlaceholderText(
            "Paste a mediaGenerationId, a Runway asset id or a Wordbee segment (pr12/345)"
        )
        self.reference.returnPressed.connect(self.add_reference)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_reference)
        self.runway_button = QPushButton("List Runway")
        self.runway_button.setToolTip("Add every Runway asset of your useapi.net accounts.")
        self.runway_button.clicked.connect(self.sync_runway)
        self._add_row = QHBoxLayout()
        self._add_row.addWidget(self.reference, 1)
        self._add_row.addWidget(self.add_button)
        self._add_row.addWidget(self.runway_button)

        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search by name or id")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filters_changed)
        self.provider_filter = QComboBox()
        self.provider_filter.addItem("All providers", None)
        for provider in Provider:
            self.provider_filter.addItem(provider.label, provider.value)
        self.kind_filter = QComboBox()
        for label, kind in (("All kinds", None), ("Images", "image"), ("Videos", "video")):
            self.kind_filter.addItem(label, kind)
        self.kind_filter.addItem("Other files", "other")
        self.account_filter = QComboBox()
        self.account_filter.addItem("All accounts", None)
        for combo in (self.provider_filter, self.kind_filter, self.account_filter):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("librarySort")
        for column in Column:
            self.sort_combo.addItem(f"By {column.name.lower()}", int(column))
        self.sort_combo.setCurrentIndex(int(Column.DATE))
        self.sort_combo.currentIndexChanged.connect(self._sort_changed)
        self.descending = QPushButton("↓")
        self.descending.setCheckable(True)
        self.descending.setChecked(True)
        self.descending.setToolTip("Newest, largest or last first (off: the other way round)")
        self.descending.setFixedWidth(32)
        self.descending.toggled.connect(self._sort_changed)
        self.descending.toggled.connect(lambda down: self.descending.setText("↓" if down else "↑"))
        self.grid_button = QPushButton("Grid")
        self.list_button = QPushButton("List")
        for button in (self.grid_button, self.list_button):
            button.setCheckable(True)
        self.grid_button.setChecked(True)
        self.grid_button.clicked.connect(lambda: self.set_view("grid"))
        self.list_button.clicked.connect(lambda: self.set_view("list"))
        for combo in (
            self.provider_filter,
            self.kind_filter,
            self.account_filter,
            self.sort_combo,
        ):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(7)
        self.search.setMinimumWidth(90)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        for widget in (
            self.provider_filter,
            self.kind_filter,
            self.account_filter,
            self.sort_combo,
            self.descending,
        ):
            row.addWidget(widget)
        self._filter_row = row
        self._add_row.addWidget(self.grid_button)
        self._add_row.addWidget(self.list_button)

    def _build_views(self) -> None:
        grid = _AssetGrid(self._before_drag)
        grid.setObjectName("libraryGrid")
        grid.setViewMode(QListView.ViewMode.IconMode)
        grid.setResizeMode(QListView.ResizeMode.Adjust)
        grid.setMovement(QListView.Movement.Static)
        grid.setUniformItemSizes(True)  # no size hint asked of 10,000 items
        grid.setLayoutMode(QListView.LayoutMode.Batched)
        grid.setBatchSize(500)
        grid.setIconSize(QSize(TILE, TILE))
        grid.setGridSize(QSize(TILE + 28, TILE + 44))
        grid.setWordWrap(True)
        grid.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        grid.setSpacing(6)
        grid.setModel(self.proxy)
        grid.setModelColumn(Column.NAME)
        self.grid = grid

        table = _AssetList(self._before_drag)
        table.setObjectName("libraryList")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.setIconSize(QSize(32, 32))
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(36)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        table.setColumnWidth(Column.NAME, 240)
        table.horizontalHeader().sortIndicatorChanged.connect(self._header_sorted)
        self.table = table

        for view in (grid, table):
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setDragEnabled(True)
            view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
            view.setDefaultDropAction(Qt.DropAction.CopyAction)
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(self._context_menu)
            view.selectionModel().selectionChanged.connect(self._selection_changed)
            view.doubleClicked.connect(lambda _index: self.preview_selected())

    def _build_downloads(self) -> None:
        self.downloads_view = QTableView()
        self.downloads_view.setObjectName("downloadsList")
        self.downloads_view.setModel(self.downloads)
        self.downloads_view.verticalHeader().hide()
        self.downloads_view.setShowGrid(False)
        self.downloads_view.setItemDelegateForColumn(1, ProgressDelegate(self.downloads_view))
        self.downloads_view.horizontalHeader().setStretchLastSection(True)
        self.downloads_view.setColumnWidth(0, 220)
        self.downloads_view.setColumnWidth(1, 280)
        self.downloads_view.setMaximumHeight(120)
        self.keep_folders = QCheckBox("Keep Wordbee locale and folders")
        self.keep_folders.setToolTip(
            "Save Wordbee files under <locale>/<relative path>/ inside the chosen folder."
        )
        self.clear_downloads = QPushButton("Clear finished")
        self.clear_downloads.clicked.connect(self.downloads.clear_finished)
        title = QLabel("Downloads")
        title.setObjectName("paneHint")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.keep_folders)
        header.addWidget(self.clear_downloads)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addLayout(header)
        box_layout.addWidget(self.downloads_view)
        box.hide()  # until the first download
        self.downloads_box = box

    def _build_actions(self) -> None:
        self.preview_action = QAction("Preview", self)
        self.preview_action.setShortcut(QKeySequence("Space"))
        # On the views only: in the preview panel, Space plays and pauses the video.
        self.preview_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.preview_action.triggered.connect(self.preview_selected)
        self.grid.addAction(self.preview_action)
        self.table.addAction(self.preview_action)
        self.save_as_action = pane_action(
            self, "Save as…", QKeySequence(QKeySequence.StandardKey.Save), self.save_as
        )
        self.download_action = pane_action(
            self, "Download to folder…", "Ctrl+Shift+S", self.download_to_folder
        )
        self.copy_id_action = pane_action(
            self, "Copy id", QKeySequence(QKeySequence.StandardKey.Copy), self.copy_ids
        )
        self.copy_link_action = pane_action(
            self, "Copy a fresh signed link", "Ctrl+Shift+C", self.copy_link
        )
        self.open_folder_action = pane_action(
            self, "Open containing folder", "Ctrl+Shift+O", self.open_folder
        )
        self.remove_action = pane_action(
            self, "Remove from library…", QKeySequence(QKeySequence.StandardKey.Delete), self.remove
        )
        self.search_action = pane_action(
            self, "Search", QKeySequence(QKeySequence.StandardKey.Find), self.search.setFocus
        )

    # ------------------------------------------------------------------ loading

    def _alive(self) -> bool:
        """False once the window is being torn down (a late task must not touch its widgets)."""
        return isValid(self) and isValid(self.list_button) and isValid(self.grid)

    async def reload(self) -> None:
        """Read the catalog again (keeping the selection) and the account names."""
        if not self._alive():
            return
        selected = {a.id for a in self.selected_assets()}
        assets = await self._library.assets()
        accounts = await self._accounts.list()
        if not self._alive():
            return
        self._loaded = True
        self.model.set_assets(assets)
        self.model.set_account_names({a.id: a.name for a in accounts})
        self._set_accounts(accounts)
        self._update_view()
        if selected:
            self._select_ids(selected)

    def refresh(self) -> None:
        if not self._tasks.closing:
            self._tasks.spawn(self.reload(), name="library.reload", key="library.reload")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _set_accounts(self, accounts: list[AccountInfo]) -> None:
        self._account_list = accounts
        current = self.account_filter.currentData()
        self.account_filter.blockSignals(True)
        self.account_filter.clear()
        self.account_filter.addItem("All accounts", None)
        for account in accounts:
            self.account_filter.addItem(account.name, account.id)
        index = self.account_filter.findData(current)
        self.account_filter.setCurrentIndex(max(0, index))
        self.account_filter.blockSignals(False)
        if index < 0 and current is not None:  # the filtered account is gone: show everything
            self._filters_changed()

    def _update_view(self) -> None:
        if self.model.rowCount() == 0:
            self.empty.setText(EMPTY_TEXT if self._loaded else "Reading the library…")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.grid if self.grid_button.isChecked() else self.table)
        self._update_actions()

    def set_view(self, which: str) -> None:
        self.grid_button.setChecked(which == "grid")
        self.list_button.setChecked(which == "list")
        selected = {a.id for a in self.selected_assets()}
        self._update_view()
        self._select_ids(selected)

    @property
    def current_view(self) -> QAbstractItemView:
        return self.table if self.list_button.isChecked() else self.grid

    # ------------------------------------------------------------------ filters

    def _filters_changed(self, *_: object) -> None:
        self.proxy.set_filters(
            provider=self.provider_filter.currentData(),
            kind=self.kind_filter.currentData(),
            account=self.account_filter.currentData(),
            text=self.search.text(),
        )

    def _sort_changed(self, *_: object) -> None:
        order = (
            Qt.SortOrder.DescendingOrder
            if self.descending.isChecked()
            else Qt.SortOrder.AscendingOrder
        )
        column = self.sort_combo.currentData()
        self.proxy.sort(column, order)
        self.table.horizontalHeader().blockSignals(True)
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.table.horizontalHeader().blockSignals(False)

    def _header_sorted(self, column: int, order: Qt.SortOrder) -> None:
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(column)
        self.sort_combo.blockSignals(False)
        down = order == Qt.SortOrder.DescendingOrder
        self.descending.blockSignals(True)
        self.descending.setChecked(down)
        self.descending.setText("↓" if down else "↑")
        self.descending.blockSignals(False)

    # ------------------------------------------------------------------ adding

    def add_reference(self) -> None:
        text = self.reference.text().strip()
        if text:
            self._tasks.spawn(self._add_reference(text), name="library.add", key="library.add")

    def _account_for(self, text: str) -> AccountInfo | None:
        wordbee = "/" in text and not text.startswith("user:")
        wanted = "wordbee" if wordbee else "useapi"
        chosen = self.account_filter.currentData()
        for account in self._account_list:
            if account.kind == wanted and (chosen is None or account.id == chosen):
                return account
        return next((a for a in self._account_list if a.kind == wanted), None)

    async def _add_reference(self, text: str) -> None:
        account = self._account_for(text)
        if account is None:
            self.notice.show_message(
                "Add a useapi.net (or, for a segment, a Wordbee) account first.", "warning"
            )
            return
        self.add_button.setEnabled(False)
        try:
            outcome = await self._library.add_reference(text, account.id)
        except AssetDeskError as error:
            if self._alive():
                self.notice.show_message(str(error), "error")
            return
        finally:
            if self._alive():
                self.add_button.setEnabled(True)
        if not self._alive():
            return
        self.reference.clear()
        await self.reload()
        if not self._alive():
            return
        self._select_ids({asset.id for asset in outcome.assets})
        if outcome.added:
            self.notice.show_message(f"Added {pluralise(outcome.added, 'asset')}.", "info")
        else:
            self.notice.show_message("Already in the library.", "info")

    def sync_runway(self) -> None:
        self._tasks.spawn(self._sync_runway(), name="library.runway", key="library.runway")

    async def _sync_runway(self) -> None:
        accounts = [a for a in self._account_list if a.kind == "useapi"]
        if not accounts:
            self.notice.show_message("Add a useapi.net account first.", "warning")
            return
        self.runway_button.setEnabled(False)
        added = seen = 0
        problems: list[str] = []
        try:
            for account in accounts:
                self.notice.show_message(f"Listing the Runway assets of {account.name}…", "info")
                try:
                    outcome = await self._library.sync_runway(account.id)
                except AssetDeskError as error:
                    problems.append(f"{account.name}: {error}")
                    continue
                added += outcome.added
                seen += outcome.added + outcome.already
        finally:
            if self._alive():
                self.runway_button.setEnabled(True)
        if not self._alive():
            return
        await self.reload()
        if not self._alive():
            return
        text = f"Runway: {pluralise(seen, 'asset')} listed, {added} new."
        self.notice.show_message(" ".join([text, *problems]), "error" if problems else "info")

    # ------------------------------------------------------------------ selection

    def selected_assets(self) -> list[Asset]:
        view = self.current_view
        rows = sorted({index.row() for index in view.selectionModel().selectedIndexes()})
        assets = [self.proxy.index(row, 0).data(AssetRole) for row in rows]
        return [asset for asset in assets if asset is not None]

    def _select_ids(self, ids: set[int]) -> None:
        view = self.current_view
        selection = view.selectionModel()
        selection.clearSelection()
        first: QModelIndex | None = None
        for asset_id in ids:
            row = self.model.row_of(asset_id)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
                first = first or index
        if first is not None:
            view.scrollTo(first)

    def _selection_changed(self, *_: object) -> None:
        self._update_actions()
        assets = self.selected_assets()
        if len(assets) == 1 and assets[0].id != self._previewed:
            self.show_preview(assets[0])

    def _update_actions(self) -> None:
        assets = self.selected_assets()
        one = len(assets) == 1
        self.preview_action.setEnabled(one)
        self.save_as_action.setEnabled(one)
        self.download_action.setEnabled(bool(assets))
        self.copy_id_action.setEnabled(bool(assets))
        self.copy_link_action.setEnabled(one and assets[0].provider != Provider.WORDBEE)
        self.open_folder_action.setEnabled(one and bool(assets[0].local_path))
        self.remove_action.setEnabled(bool(assets))

    # ------------------------------------------------------------------ preview

    def preview_selected(self) -> None:
        assets = self.selected_assets()
        if assets:
            self.show_preview(assets[0])

    def show_preview(self, asset: Asset) -> None:
        self._previewed = asset.id
        title = asset.title
        if asset.kind == "video":
            self.preview.show_video(title, lambda fresh: self._video_url(asset, fresh))
        elif asset.kind == "image":
            self.preview.show_image(title, lambda fresh: self._image_bytes(asset, fresh))
        else:
            self._previewed = None
            self.preview.clear()

    async def _image_bytes(self, asset: Asset, fresh: bool) -> bytes:
        # The service already tried a fresh link once when storage refused one; the panel's own
        # second try (fresh=True) would only repeat that, so it gets the same answer.
        if fresh and asset.id in self._image_errors:
            raise self._image_errors.pop(asset.id)
        try:
            data = await self._library.fetch_bytes(asset)
        except AssetDeskError as error:
            self._image_errors[asset.id] = error
            self.model.set_error(asset.id, str(error))
            raise
        self._image_errors.pop(asset.id, None)
        self.model.set_error(asset.id, None)
        return data

    async def _video_url(self, asset: Asset, fresh: bool) -> str:
        try:
            if (
                asset.provider == Provider.WORDBEE
            ):  # no signed link: the API serves it, so save a copy
                if self._preview_folder is None:
                    raise AssetDeskError("Download this Wordbee video to play it.")
                folder = self._preview_folder / str(asset.id)  # same names across locales
                ready = await asyncio.to_thread(_complete_copy, folder, asset.size)
                if ready is None:
                    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
                    result = await self._library.download(
                        asset,
                        folder,
                        options=DownloadOptions(on_conflict=Conflict.OVERWRITE),
                        remember=False,
                    )
                    ready = result.path
                return QUrl.fromLocalFile(str(ready)).toString()
            link = await self._library.signed_link(asset, fresh=fresh)
        except AssetDeskError as error:
            self.model.set_error(asset.id, str(error))
            raise
        self.model.set_error(asset.id, None)
        return link.url

    # ------------------------------------------------------------------ thumbnails

    def _make_thumbnail(self, asset: Asset) -> None:
        """A view painted the asset: queue its thumbnail (newest first, a few at a time)."""
        if self._thumbnails is None or self._tasks.closing:
            return
        self._thumbs_wanted.pop(asset.id, None)
        self._thumbs_wanted[asset.id] = asset
        while self._thumb_workers < THUMBNAILS_AT_ONCE and self._thumbs_wanted:
            self._thumb_workers += 1
            self._tasks.spawn(self._thumbnail_worker(), name="library.thumbnails")

    def _on_screen(self, asset_id: int) -> bool:
        row = self.model.row_of(asset_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        view = self.current_view
        return index.isValid() and view.visualRect(index).intersects(view.viewport().rect())

    async def _thumbnail_worker(self) -> None:
        try:
            while self._thumbs_wanted and self._alive():
                asset_id, asset = self._thumbs_wanted.popitem()  # the newest wish
                if not self._on_screen(asset_id):
                    # Scrolled past: asked for again when it is painted again.
                    self.model.forget_asked(asset_id)
                    continue
                await self._thumbnail(asset)
        finally:
            self._thumb_workers -= 1

    async def _thumbnail(self, asset: Asset) -> None:
        assert self._thumbnails is not None
        maker = self._thumbnails
        key = f"{asset.provider}:{asset.remote_id}"
        try:
            image = await asyncio.to_thread(maker.cached, key)
            if image is None:
                image = await self._thumbnail_image(maker, asset, key)
        except AssetDeskError as error:
            log.info("no thumbnail for asset %d: %s", asset.id, error)
            if not self._alive():
                return
            if error.status is not None or isinstance(error, NetworkError):
                self.model.set_error(asset.id, str(error))
            # Tried again later (the network or the account may recover), not on every paint.
            asyncio.get_running_loop().call_later(
                THUMBNAIL_RETRY_AFTER, self.model.forget_asked, asset.id
            )
            return
        if image is not None and self._alive():
            self.model.set_thumbnail(asset.id, square_thumbnail(image, TILE))

    async def _thumbnail_image(
        self, maker: ThumbnailMaker, asset: Asset, key: str
    ) -> QImage | None:
        local = await asyncio.to_thread(local_copy, asset)
        if local is not None:
            return await maker.for_file(Path(local), video=asset.kind == "video", key=key)
        if (
            asset.provider == Provider.RUNWAY
        ):  # its preview image (a video's poster), when it has one
            preview = await self._library.preview_link(asset)
            if preview.url != (await self._library.signed_link(asset)).url:
                data = await self._library.fetch_bytes(asset, preview=True)
                return await maker.for_image_bytes(data, key=key)
        if asset.kind == "image":
            return await maker.for_image_bytes(await self._library.fetch_bytes(asset), key=key)
        if asset.kind == "video" and asset.provider != Provider.WORDBEE:
            link = await self._library.signed_link(asset)
            return await maker.for_video_url(QUrl(link.url), key=key)
        return None

    # ------------------------------------------------------------------ downloads

    def save_as(self) -> None:
        assets = self.selected_assets()
        if len(assets) != 1:
            return
        asset = assets[0]
        dialog = QFileDialog(self, f"Save {asset.title}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(asset.name or asset.title)
        dialog.fileSelected.connect(
            lambda name: self.start_download(
                asset, Path(name).parent, filename=Path(name).name, overwrite=True
            )
        )
        dialog.open()
        self.file_dialog = dialog

    def download_to_folder(self) -> None:
        assets = self.selected_assets()
        if not assets:
            return
        dialog = QFileDialog(self, f"Download {pluralise(len(assets), 'asset')} to a folder")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(
            lambda folder: [self.start_download(asset, Path(folder)) for asset in assets]
        )
        dialog.open()
        self.file_dialog = dialog

    def start_download(
        self,
        asset: Asset,
        folder: Path,
        *,
        filename: str | None = None,
        overwrite: bool = False,
        copy: bool = False,
    ) -> asyncio.Task[None]:
        """Download `asset` into `folder` (shown in the downloads list). With `copy`, a copy
        for dragging out: kept in the cache and not remembered as the user's download."""
        download = self.downloads.add(Download(asset.title, folder))
        self.downloads_box.show()
        options = DownloadOptions(on_conflict=Conflict.OVERWRITE if overwrite else Conflict.RENAME)
        return self._tasks.spawn(
            self._download(asset, download, filename, options, copy=copy),
            name=f"library.download[{asset.id}]",
        )

    async def _download(
        self,
        asset: Asset,
        download: Download,
        filename: str | None,
        options: DownloadOptions,
        *,
        copy: bool = False,
    ) -> None:
        def progress(snapshot: TransferProgress) -> None:
            download.progress = snapshot
            self.downloads.changed(download)

        try:
            result = await self._library.download(
                asset,
                download.folder,
                filename=filename,
                options=options,
                progress=progress,
                keep_folders=self.keep_folders.isChecked() and not copy,
                remember=not copy,
            )
        except asyncio.CancelledError:
            download.state, download.message = "cancelled", "Cancelled."
            raise
        except AssetDeskError as error:
            download.state, download.message = "failed", str(error)
            self.model.set_error(asset.id, str(error))
        else:
            download.state, download.path = "done", result.path
            self.model.set_error(asset.id, None)
            if copy:
                self._drag_copies[asset.id] = result.path
            updated = await self._library.get(asset.id)
            if updated is not None and self._alive():
                self.model.update_asset(updated)
        finally:
            if self._alive():
                self.downloads.changed(download)

    # ------------------------------------------------------------------ drag out

    def _before_drag(self) -> bool:
        """True when the selection can be dragged as files now; else fetch the missing copies.

        A drag hands the file manager paths, so every asset needs a file on this computer: its
        last download or its upload's source. Missing ones are downloaded into the cache and
        the user drags again (a drop cannot wait for a download)."""
        assets = self.selected_assets()
        missing = [
            asset
            for asset in assets
            if local_copy(asset) is None and not _is_file(self._drag_copies.get(asset.id))
        ]
        if not missing:
            self.model.set_drag_copies({k: str(v) for k, v in self._drag_copies.items()})
            return bool(assets)
        missing = [asset for asset in missing if asset.id not in self._fetching_copies]
        if self._copies_folder is None:
            self.notice.show_message("Download these assets first, then drag them.", "warning")
            return False
        self.notice.show_message(
            f"Getting a copy of {pluralise(len(missing), 'asset')} to drag; drag again when "
            "the downloads below say Saved.",
            "info",
        )
        self._fetching_copies.update(asset.id for asset in missing)
        self._tasks.spawn(self._fetch_copies(missing, self._copies_folder), name="library.copies")
        return False

    async def _fetch_copies(self, assets: list[Asset], folder: Path) -> None:
        try:
            tasks = []
            for asset in assets:
                own = folder / str(asset.id)  # same names from different assets do not clash
                await asyncio.to_thread(own.mkdir, parents=True, exist_ok=True)
                if self._alive():
                    tasks.append(self.start_download(asset, own, overwrite=True, copy=True))
            if tasks:
                await asyncio.wait(tasks)
        finally:
            self._fetching_copies.difference_update(asset.id for asset in assets)

    # ------------------------------------------------------------------ other actions

    def copy_ids(self) -> None:
        ids = [asset.remote_id for asset in self.selected_assets()]
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))

    def copy_link(self) -> None:
        assets = self.selected_assets()
        if len(assets) == 1:
            self._tasks.spawn(self._copy_link(assets[0]), name="library.link")

    async def _copy_link(self, asset: Asset) -> None:
        try:
            link = await self._library.signed_link(asset, fresh=True)
        except AssetDeskError as error:
            self.model.set_error(asset.id, str(error))
            self.notice.show_message(str(error), "error")
            return
        QGuiApplication.clipboard().setText(link.url)
        when = link.expires_at.astimezone().strftime("%H:%M")
        self.notice.show_message(f"A fresh link is on the clipboard; it works until {when}.")

    def open_folder(self) -> None:
        assets = self.selected_assets()
        if len(assets) == 1 and assets[0].local_path:
            folder = Path(assets[0].local_path).parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def remove(self) -> None:
        assets = self.selected_assets()
        if not assets:
            return
        box = QMessageBox(self)
        box.setWindowTitle("Remove from library")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Remove {pluralise(len(assets), 'asset')} from the library?")
        box.setInformativeText(
            "Only AssetDesk's list forgets them: nothing is deleted on the service, and files "
            "you downloaded stay where they are."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        ids = [asset.id for asset in assets]
        box.buttonClicked.connect(
            lambda button: (
                button is remove and self._tasks.spawn(self._remove(ids), name="library.remove")
            )
        )
        box.open()
        self.remove_box = box

    async def _remove(self, ids: list[int]) -> None:
        await self._library.remove(ids)
        await self.reload()

    def _context_menu(self, point: QPoint) -> None:
        view = self.current_view
        index = view.indexAt(point)
        if index.isValid() and not view.selectionModel().isSelected(index):
            view.selectionModel().select(
                index,
                view.selectionModel().SelectionFlag.ClearAndSelect
                | view.selectionModel().SelectionFlag.Rows,
            )
        self._update_actions()
        menu = QMenu(self)
        for action in (
            self.preview_action,
            self.save_as_action,
            self.download_action,
            None,
            self.copy_id_action,
            self.copy_link_action,
            self.open_folder_action,
            None,
            self.remove_action,
        ):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.context_menu = menu
        menu.popup(view.viewport().mapToGlobal(point))


class _AssetGrid(QListView):
    """Starts a drag only when every dragged asset has a file on this computer."""

    def __init__(self, before_drag: Callable[[], bool]) -> None:
        super().__init__()
        self._before_drag = before_drag

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        if self._before_drag():
            super().startDrag(supportedActions)


class _AssetList(QTableView):
    def __init__(self, before_drag: Callable[[], bool]) -> None:
        super().__init__()
        self._before_drag = before_drag

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        if self._before_drag():
            super().startDrag(supportedActions)


def _is_file(path: Path | None) -> bool:
    return path is not None and path.is_file()


def _complete_copy(folder: Path, size: int | None) -> Path | None:
    """A file already in `folder` with the asset's size (a previous preview's copy), or None."""
    if not folder.is_dir():
        return None
    for candidate in folder.iterdir():
        unfinished = candidate.name.endswith((".part", ".part.json"))
        if candidate.is_file() and not unfinished and size in (None, candidate.stat().st_size):
            return candidate
    return None
