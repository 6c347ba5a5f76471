"""Beside the Library's grid: where its assets live, as a tree with counts, and the filters that
go with it (gone assets shown or not, uploads or generations only) and "Clear gone".

The tree is provider -> account email -> project (Google Flow), provider -> account email
(Runway), provider -> account -> project -> segment (Wordbee), folded from the catalog's
`source_counts` rows. Selecting a node shows only its assets; "All assets" shows everything.
"Show gone" is on by default: a refresh that finds an asset gone must not make it vanish
silently (the user may want it back from a download, or to see what went), and the user clears
them when they have seen them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountInfo
from assetdesk.services.library import Asset, LibraryService
from assetdesk.store.library_sources import SourceCount
from assetdesk.ui.library.place_filter import Place, PlaceFilter
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise

PlaceRole = Qt.ItemDataRole.UserRole + 20

#: What a level of the tree groups by, per provider: (asset field, how a value is labelled).
_LEVELS: dict[Provider, tuple[str, ...]] = {
    Provider.GOOGLE_FLOW: ("account_email", "project_id"),
    Provider.RUNWAY: ("account_email",),
    Provider.WORDBEE: ("account_id", "scope", "segment_id"),
}


def _label(field: str, value: object, names: dict[int, str]) -> str:
    if field == "account_email":
        return str(value) if value else "No account"
    if field == "account_id":
        return names.get(value, "No account") if isinstance(value, int) else "No account"
    if field == "project_id":
        if not value:
            return "No project"
        text = str(value)
        return f"Project {text[:8]}…" if len(text) > 12 else f"Project {text}"  # whole: tooltip
    if field == "scope":
        return f"Project {value}" if value else "No project"
    return f"Segment {value}" if value is not None else "No segment"


class _Node:
    """A tree node being folded: its counts and its children by value."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]  # assets, uploads, generated, gone
        self.children: dict[object, _Node] = {}

    def add(self, row: SourceCount) -> None:
        for i, count in enumerate((row.assets, row.uploads, row.generated, row.gone)):
            self.counts[i] += count


def _items(label: str, node: _Node, place: Place, title: str = "") -> list[QStandardItem]:
    """The name and count cells of a node; `title` heads the tooltip (a project's whole id)."""
    assets, uploads, generated, gone = node.counts
    name = QStandardItem(label)
    count = QStandardItem(f"{assets:,}")
    count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    tip = f"{pluralise(assets, 'asset')}: {uploads:,} uploaded, {generated:,} generated"
    if gone:
        tip += f", {gone:,} gone"
    if title:
        tip = f"{title}\n{tip}"
    for item in (name, count):
        item.setEditable(False)
        item.setData(place, PlaceRole)
        item.setToolTip(tip)
    return [name, count]


class SourcesPanel(QWidget):
    """The source tree and its filters; drives the pane's `PlaceFilter`."""

    def __init__(
        self,
        proxy: PlaceFilter,
        library: LibraryService,
        tasks: BackgroundTasks,
        notice: Notice,
        *,
        selected: Callable[[], list[Asset]],
        reload: Callable[[], Awaitable[None]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._library = library
        self._tasks = tasks
        self._notice = notice
        self._selected = selected
        self._reload = reload
        self._gone_total = 0
        self.tree_model = QStandardItemModel(0, 2)
        self.tree_model.setHorizontalHeaderLabels(["Where", "Assets"])
        self.tree = QTreeView()
        self.tree.setObjectName("librarySources")
        self.tree.setModel(self.tree_model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().selectionChanged.connect(self._place_chosen)
        self.origin = QComboBox()
        self.origin.setObjectName("libraryOrigin")
        for label, origin in (
            ("Uploads and generated", None),
            ("Uploads only", "uploads"),
            ("Generated only", "generated"),
        ):
            self.origin.addItem(label, origin)
        self.origin.setToolTip("As the service tells; an asset it says neither of shows in neither")
        self.origin.currentIndexChanged.connect(
            lambda: self._proxy.set_origin(self.origin.currentData())
        )
        self.show_gone = QCheckBox("Show gone")
        self.show_gone.setToolTip("Assets a refresh no longer found on their service, greyed")
        self.show_gone.setChecked(True)
        self.show_gone.toggled.connect(self._proxy.set_show_gone)
        self.clear_action = QAction("Clear gone", self)
        self.clear_action.setToolTip(
            "Forget the gone assets of the selection (or, with none selected, of the library)"
        )
        self.clear_action.triggered.connect(self.clear_gone)
        self.clear_action.setEnabled(False)
        self.clear_button = QPushButton("Clear gone")
        self.clear_button.clicked.connect(self.clear_action.trigger)
        self.clear_action.enabledChanged.connect(self.clear_button.setEnabled)
        self.clear_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.origin)
        layout.addWidget(self.show_gone)
        layout.addWidget(self.clear_button)

    # ------------------------------------------------------------------ the tree

    def set_sources(self, rows: Iterable[SourceCount], accounts: list[AccountInfo]) -> None:
        """Fold the catalog's counts into the tree, keeping the chosen node when it still is."""
        names = {account.id: account.name for account in accounts}
        chosen = self.place()
        root = _Node()
        for row in rows:
            root.add(row)
            node = root.children.setdefault(row.provider, _Node())
            node.add(row)
            for field in _LEVELS[row.provider]:
                node = node.children.setdefault(getattr(row, field), _Node())
                node.add(row)
        self._gone_total = root.counts[3]
        self.tree.selectionModel().blockSignals(True)
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        top = _items("All assets", root, ())
        self.tree_model.appendRow(top)
        for provider in Provider:
            found = root.children.get(provider)
            if found is not None:
                place: Place = (("provider", provider),)
                top[0].appendRow(_items(provider.label, found, place))
                self._add_children(top[0].child(top[0].rowCount() - 1), found, place, 0, names)
        self.tree.expandToDepth(1)
        self.tree.selectionModel().blockSignals(False)
        self._select(chosen)
        if self.place() != chosen:  # its node is gone: show everything, as the tree now says
            self._proxy.set_place(self.place())
        self.update_clear()

    def _add_children(
        self, parent: QStandardItem, node: _Node, place: Place, depth: int, names: dict[int, str]
    ) -> None:
        provider = place[0][1]
        assert isinstance(provider, Provider)
        levels = _LEVELS[provider]
        if depth >= len(levels):
            return
        field = levels[depth]
        ordered = sorted(node.children.items(), key=lambda kv: _label(field, kv[0], names))
        for value, child in ordered:
            child_place = (*place, (field, value))
            whole = f"Project {value}" if field == "project_id" and value else ""
            parent.appendRow(_items(_label(field, value, names), child, child_place, whole))
            item = parent.child(parent.rowCount() - 1)
            self._add_children(item, child, child_place, depth + 1, names)

    def place(self) -> Place:
        """The chosen node's place (the empty place: everything)."""
        indexes = self.tree.selectionModel().selectedRows()
        place = indexes[0].data(PlaceRole) if indexes else None
        return tuple(place) if place else ()

    def choose(self, place: Place) -> None:
        """Select the node of `place` (as a click on it does)."""
        self._select(place)
        self._proxy.set_place(self.place())

    def _select(self, place: Place) -> None:
        selection = self.tree.selectionModel()
        for item in self._walk():
            if tuple(item.data(PlaceRole) or ()) == place and place:
                selection.select(
                    item.index(),
                    selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows,
                )
                return
        selection.clearSelection()

    def _walk(self) -> Iterable[QStandardItem]:
        pending = [self.tree_model.item(row) for row in range(self.tree_model.rowCount())]
        while pending:
            item = pending.pop(0)
            yield item
            pending.extend(item.child(row) for row in range(item.rowCount()))

    def _place_chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._proxy.set_place(self.place())

    def count_of(self, place: Place) -> int | None:
        """The tree's count on the node of `place` (None: no such node)."""
        for item in self._walk():
            if tuple(item.data(PlaceRole) or ()) == place:
                parent = item.parent() or self.tree_model.invisibleRootItem()
                return int(parent.child(item.row(), 1).text().replace(",", ""))
        return None

    # ------------------------------------------------------------------ gone assets

    def update_clear(self, *, many: bool = False) -> None:
        """Enabled when the selection, or else the library, holds gone assets (for `many`
        selected, when the library does: their assets are not read for it)."""
        gone_selected = not many and any(asset.gone for asset in self._selected())
        self.clear_action.setEnabled(gone_selected or self._gone_total > 0)

    def clear_gone(self) -> None:
        """Ask, then forget the selection's gone assets (or, with none selected, all of them)."""
        selected = [asset.id for asset in self._selected() if asset.gone]
        count = len(selected) or self._gone_total
        if not count:
            return
        box = QMessageBox(self)
        box.setWindowTitle("Clear gone")
        box.setIcon(QMessageBox.Icon.Question)
        them = "it" if count == 1 else "them"
        box.setText(
            f"Forget {pluralise(count, 'asset')} that {'is' if count == 1 else 'are'} "
            "no longer on the service?"
        )
        box.setInformativeText(
            f"The last refresh did not find {them} on {'its' if count == 1 else 'their'} "
            f"service. Files you downloaded stay where they are."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        clear = box.addButton("Clear", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: (
                button is clear
                and self._tasks.spawn(self._clear(selected or None), name="library.clear_gone")
            )
        )
        box.open()
        self.clear_box = box

    async def _clear(self, ids: list[int] | None) -> None:
        if ids is None:
            ids = await self._library.views.gone_ids()
        removed = await self._library.clear_gone(ids)
        await self._reload()
        self._notice.show_message(f"Cleared {pluralise(removed, 'gone asset')}.", "info")
