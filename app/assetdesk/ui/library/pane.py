"""The Library pane: the catalog in a grid or a list, filters and search, a preview with an
inspector under it, Quick Look, downloads.

A container: it wires the leaf widgets (`filter_bar.py`, `views.py`, `preview.py`,
`inspector.py`, the downloads box) to the library service. Thumbnails are made only for the items
a view paints (`thumbnail_queue.py`), at the size `tile_size.py` keeps; downloads run in
`download_jobs.py` and copies for dragging out in `drag_out.py`; the selection and the side
preview that follows it are in `selection.py`, Quick Look in `quick_look.py`, the preview's bytes
and links come from `preview_sources.py`; adding by reference is `reference_adder.py`'s; the
actions on the selection are in `context_actions.py`.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QWidget,
)
from shiboken6 import isValid

from assetdesk.services.accounts import AccountInfo, AccountsService
from assetdesk.services.library import Asset, LibraryService
from assetdesk.ui.library.context_actions import AssetActions
from assetdesk.ui.library.download_jobs import DownloadJobs
from assetdesk.ui.library.downloads import DownloadsBox, DownloadsModel
from assetdesk.ui.library.drag_out import DragOut
from assetdesk.ui.library.filter_bar import FilterBar, ReferenceBar
from assetdesk.ui.library.inspector import Inspector
from assetdesk.ui.library.model import Column, LibraryModel
from assetdesk.ui.library.place_filter import PlaceFilter
from assetdesk.ui.library.preview import PreviewPanel
from assetdesk.ui.library.preview_sources import PreviewSources
from assetdesk.ui.library.quick_look import QuickLook
from assetdesk.ui.library.reference_adder import ReferenceAdder
from assetdesk.ui.library.refresh_runner import RefreshRunner
from assetdesk.ui.library.selection import MANY_SELECTED, AssetSelection
from assetdesk.ui.library.sources_panel import SourcesPanel
from assetdesk.ui.library.thumbnail_queue import TILE, ThumbnailQueue
from assetdesk.ui.library.tile_size import TileSize
from assetdesk.ui.library.views import asset_grid, asset_list, screen_rows_of
from assetdesk.ui.main_thread_gc import note_activity
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_layout import pane_layout

if TYPE_CHECKING:
    from assetdesk.ui.thumbnails import ThumbnailMaker

EMPTY_TEXT = (
    "Your library is empty.\n\n"
    "Everything you upload is listed here. Paste a mediaGenerationId, a Google Flow job id,\n"
    "a Runway asset id, a Wordbee segment (pr12/345) or a Wordbee project to follow (pr12)\n"
    "above to add more, or Refresh (F5) to list every account's."
)


class LibraryPane(QWidget):
    #: A refresh ended: its RefreshReport (what it says of each account's health included).
    refreshed = Signal(object)

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
        self._library = self.library = library
        self._accounts = accounts
        self._tasks = tasks
        self._account_list: list[AccountInfo] = []
        self._loaded = False
        self._catalog_size = 0  # every asset, whatever the filters let through

        self.notice = Notice()
        self.model = LibraryModel()
        self.model.icon_size = TILE
        self.thumbnails = ThumbnailQueue(
            thumbnails, library, tasks, self.model, on_screen=self._on_screen, alive=self._alive
        )
        self.model.want_thumbnail = self.thumbnails.want
        self.model.attach(library.views, self._spawn)
        self.proxy = PlaceFilter()
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(Column.DATE, Qt.SortOrder.DescendingOrder)

        self._build_bars()
        self.drag_out = DragOut(
            self.model,
            self.notice,
            tasks,
            selected=self.selected_assets,
            start_copy=lambda asset, folder, saved: self.download_jobs.save_copy(
                asset, folder, saved=saved
            ),
            copies_folder=copies_folder,
            alive=self._alive,
        )
        self._build_views()
        self.preview = PreviewPanel(tasks)
        self.downloads = DownloadsModel()
        self.downloads_box = DownloadsBox(self.downloads)
        self.download_jobs = DownloadJobs(
            library, tasks, self.model, self.downloads, self.downloads_box, alive=self._alive
        )
        self.preview_sources = PreviewSources(library, self.model, preview_folder)
        self.selection = AssetSelection(
            self.proxy,
            self.model,
            self.preview,
            self.preview_sources,
            current_view=lambda: self.current_view,
        )
        self.asset_actions = AssetActions(
            self,
            library,
            tasks,
            self.model,
            self.notice,
            selection=self.selection,
            downloads=self.download_jobs,
            quick_look=self.open_quick_look,
            search=self.search.setFocus,
            reload=self.reload,
        )
        self.adder = ReferenceAdder(
            library,
            tasks,
            self.notice,
            self.reference_bar,
            self.account_filter,
            accounts=lambda: self._account_list,
            reload=self.reload,
            select=self.select_ids,
            alive=self._alive,
        )
        self.reference_bar.add_requested.connect(self.adder.add)
        self.refresher = RefreshRunner(
            self,
            library,
            tasks,
            self.notice,
            self.refresh_button,
            reload=self.reload,
            alive=self._alive,
            on_busy=self._update_view,
            on_report=lambda report: self.refreshed.emit(report),
        )
        self.sources = SourcesPanel(
            self.proxy,
            library,
            tasks,
            self.notice,
            selected=self.selected_assets,
            reload=self.reload,
        )
        self.asset_actions.extra_actions.append(self.sources.clear_action)
        self.quick_look_action = self.asset_actions.quick_look_action
        self.grid.addAction(self.quick_look_action)
        self.table.addAction(self.quick_look_action)
        self.quick_look: QuickLook | None = None

        self.tile_sizes = TileSize(self, self._tile_size_changed)
        self.zoom_in_action = self.tile_sizes.zoom_in_action
        self.zoom_out_action = self.tile_sizes.zoom_out_action
        self.reference_bar.add_control(self.tile_sizes.slider)

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
        self.splitter.addWidget(self._build_side())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 360])
        self.splitter.insertWidget(0, self.sources)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([210, 540, 270])

        layout = pane_layout(
            self, "Library", "Images and videos on Google Flow, Runway and Wordbee."
        )
        layout.addWidget(self.notice)
        layout.addWidget(self.reference_bar)
        layout.addWidget(self.refresher.progress)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)  # the downloads box goes with the window's transfers
        self._sort_changed()  # the list's header shows the grid's order
        self._update_view()

    # ------------------------------------------------------------------ building

    def _build_bars(self) -> None:
        self.reference_bar = ReferenceBar()
        self.reference_bar.view_chosen.connect(self.set_view)
        self.reference = self.reference_bar.reference
        self.add_button = self.reference_bar.add_button
        self.refresh_button = self.reference_bar.refresh_button
        self.grid_button = self.reference_bar.grid_button
        self.list_button = self.reference_bar.list_button
        self.filter_bar = FilterBar()
        self.filter_bar.filters_changed.connect(self._filters_changed)
        self.filter_bar.sort_changed.connect(self._sort_changed)
        self.search = self.filter_bar.search
        self.account_filter = self.filter_bar.account_filter

    def _build_side(self) -> QSplitter:
        """The right column: the preview above the inspector, a splitter between them."""
        self.inspector = Inspector()
        self._inspected: list[tuple[Asset, str]] | None = None
        # Downloads and refreshes change the selected assets' rows: the inspector follows, once.
        self._inspect_soon = QTimer(self)
        self._inspect_soon.setSingleShot(True)
        self._inspect_soon.setInterval(50)
        self._inspect_soon.timeout.connect(self.inspect)
        self.model.dataChanged.connect(self._inspect_soon.start)
        self.model.repaint_wanted.connect(self._inspect_soon.start)
        self.model.modelReset.connect(self._inspect_soon.start)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("librarySide")
        self.side.addWidget(self.preview)
        self.side.addWidget(self.inspector)
        self.side.setStretchFactor(0, 1)
        self.side.setStretchFactor(1, 1)
        self.side.setSizes([360, 300])  # the preview a little taller than the inspector
        return self.side

    def _build_views(self) -> None:
        grid = asset_grid(self.proxy, self.drag_out.before_drag)
        self.grid = grid
        table = asset_list(self.proxy, self.drag_out.before_drag)
        table.horizontalHeader().sortIndicatorChanged.connect(self.filter_bar.show_sort)
        self.table = table
        self.model.rows_on_screen = screen_rows_of(grid, table)
        self.model.repaint_wanted.connect(
            lambda: (grid.viewport().update(), table.viewport().update())
        )

        for view in (grid, table):
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setDragEnabled(True)
            view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
            view.setDefaultDropAction(Qt.DropAction.CopyAction)
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda point, view=view: self.asset_actions.context_menu(view, point)
            )
            view.selectionModel().selectionChanged.connect(self._selection_changed)
            view.doubleClicked.connect(lambda _index: self.open_quick_look())
            view.verticalScrollBar().valueChanged.connect(lambda _value: note_activity())

    # ------------------------------------------------------------------ loading

    def _alive(self) -> bool:
        """False once the window is being torn down (a late task must not touch its widgets)."""
        return isValid(self) and isValid(self.list_button) and isValid(self.grid)

    async def reload(self) -> None:
        """Read the catalog again (keeping the selection) and the account names."""
        if not self._alive():
            return
        accounts = await self._accounts.list()
        sources = await self._library.sources()
        if not self._alive():
            return
        self.model.set_account_names({a.id: a.name for a in accounts})
        self._account_list = accounts
        self.filter_bar.set_accounts(accounts)
        self.sources.set_sources(sources, accounts)
        self._catalog_size = sum(source.assets for source in sources)
        # The selection is kept through the model's reset (AssetSelection.hold): as it is when
        # the answer lands, so one made meanwhile (an upload revealed, a click) is kept.
        await self.model.requery()
        if not self._alive():
            return
        self._loaded = True
        self._update_view()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """The model's reads, as background tasks of the window (none once it closes)."""
        if self._tasks.closing or not self._alive():
            coro.close()
            return
        self._tasks.spawn(coro, name=name)

    def refresh(self) -> None:
        if not self._tasks.closing:
            self._tasks.spawn(self.reload(), name="library.reload", key="library.reload")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _update_view(self) -> None:
        if self._catalog_size == 0:
            self.empty.setText(EMPTY_TEXT if self._loaded else "Reading the library…")
            if self.refresher.busy:
                self.empty.setText("Listing the assets of your accounts…")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.grid if self.grid_button.isChecked() else self.table)
        self.asset_actions.update()

    def set_view(self, which: str) -> None:
        self.reference_bar.show_view(which)
        selected = set(self.selection.id_array())
        self._update_view()
        self.select_ids(selected)

    @property
    def current_view(self) -> QAbstractItemView:
        return self.table if self.list_button.isChecked() else self.grid

    def tile_size(self) -> int:
        """The grid's thumbnail size in px (for the window to keep in its settings)."""
        return self.tile_sizes.value()

    def set_tile_size(self, px: int) -> None:
        """Show the grid's thumbnails at `px` (kept within MIN_TILE..MAX_TILE)."""
        self.tile_sizes.set(px)

    def _tile_size_changed(self, px: int) -> None:
        self.model.set_icon_size(px)
        self.grid.set_tile(px)

    # ------------------------------------------------------------------ filters

    def _filters_changed(self) -> None:
        self.proxy.set_filters(**self.filter_bar.filters())

    def _sort_changed(self) -> None:
        column, order = self.filter_bar.sort()
        self.proxy.sort(column, order)
        self.table.horizontalHeader().blockSignals(True)
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.table.horizontalHeader().blockSignals(False)

    # ------------------------------------------------------------------ selection

    def selected_assets(self) -> list[Asset]:
        return self.selection.assets()

    def first_split(self, width: int) -> None:
        """A first start's sources | grid | preview split for a Library `width` pixels wide: the
        grid gets the most; a narrow one starts with the sources tree folded (the filters above
        do its work, and a drag or the splitter's handle brings it back)."""
        inner = width - 32  # the pane's margins
        side = int(min(max(inner * 0.3, 220), 420))
        sources = 0 if inner < 760 else int(min(max(inner * 0.18, 160), 260))
        self.splitter.setSizes([sources, max(inner - side - sources, 1), side])

    def select_all(self) -> None:
        self.current_view.selectAll()

    def select_ids(self, ids: set[int]) -> None:
        self.selection.select_ids(ids)

    def _selection_changed(self, *_: object) -> None:
        self.asset_actions.update()
        self.sources.update_clear(many=self.selection.count() > MANY_SELECTED)
        self.selection.changed()
        self.inspect()

    def inspect(self) -> None:
        """Show the selection in the inspector (unless it shows exactly that already); a large
        one is counted by SQLite, its assets never read (select all of 100,000)."""
        if self.selection.count() > MANY_SELECTED:
            self._inspected = None
            self._spawn(self._inspect_many(self.selection.id_array()), "library.inspect")
            return
        assets = self.selected_assets()
        shown = [(asset, self.model.account_text(asset)) for asset in assets]
        if shown != self._inspected:  # a renamed account counts too
            self._inspected = shown
            self.inspector.show_assets(assets, self.model.account_text)

    async def _inspect_many(self, ids: Sequence[int]) -> None:
        totals = await self._library.views.totals(ids)
        if self._alive() and self.selection.count() == len(ids):
            self.inspector.show_totals(totals)

    def open_quick_look(self) -> None:
        """Quick Look on the view's current asset when it is selected, else the first selected."""
        asset = self.selection.focused()
        if asset is None:
            return
        if self.quick_look is None or self.quick_look.parentWidget() is not self.window():
            self.quick_look = QuickLook(
                self._tasks, self.preview_sources, self.selection.step, self.window()
            )
        side = self.preview.player
        if side is not None and side.playbackState() == side.PlaybackState.PlayingState:
            side.pause()  # one sound at a time: Quick Look plays its own
        self.quick_look.open_on(asset)

    # ------------------------------------------------------------------ thumbnails

    def _on_screen(self, asset_id: int) -> bool:
        return self.selection.on_screen(asset_id)
