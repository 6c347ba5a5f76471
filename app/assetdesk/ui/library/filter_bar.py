"""The two rows above the Library's views: add by reference and the view switch; filters and sort.

Leaf widgets: they hold the fields and say when something changed; the pane acts on it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountInfo
from assetdesk.ui.library.model import Column

#: The spacing of the pane's layout, which these rows had when they were its sub-layouts.
ROW_SPACING = 8


def _row(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout(widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(ROW_SPACING)
    return row


class ReferenceBar(QWidget):
    """A reference field with Add, Refresh (its runner connects it), and the Grid / List switch.

    Emits `add_requested` (Return or Add) and `view_chosen("grid" | "list")`.
    """

    add_requested = Signal()
    view_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reference = QLineEdit()
        self.reference.setObjectName("assetReference")
        self.reference.setPlaceholderText(
            "Paste a mediaGenerationId, a Google Flow job id, a Runway asset id, a Wordbee"
            " segment (pr12/345) or a Wordbee project to follow (pr12)"
        )
        self.reference.returnPressed.connect(self.add_requested)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_requested)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("libraryRefresh")
        self.grid_button = QPushButton("Grid")
        self.list_button = QPushButton("List")
        for button in (self.grid_button, self.list_button):
            button.setCheckable(True)
        self.grid_button.setChecked(True)
        self.grid_button.clicked.connect(lambda: self.view_chosen.emit("grid"))
        self.list_button.clicked.connect(lambda: self.view_chosen.emit("list"))
        self._row = _row(self)
        self._row.addWidget(self.reference, 1)
        for button in (self.add_button, self.refresh_button, self.grid_button, self.list_button):
            self._row.addWidget(button)

    def add_control(self, widget: QWidget) -> None:
        """Put `widget` at the end of the row (the thumbnail size slider, beside Grid / List)."""
        self._row.addWidget(widget)

    def show_view(self, which: str) -> None:
        self.grid_button.setChecked(which == "grid")
        self.list_button.setChecked(which == "list")


class FilterBar(QWidget):
    """Search, provider, kind and account filters, the sort column and its direction.

    Emits `filters_changed` and `sort_changed`; `filters()` and `sort()` say what is chosen.
    """

    filters_changed = Signal()
    sort_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search by name, id or prompt")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filters_changed)
        self.provider_filter = QComboBox()
        self.provider_filter.addItem("All providers", None)
        for provider in Provider:
            self.provider_filter.addItem(provider.label, provider.value)
        self.kind_filter = QComboBox()
        kinds = (("All kinds", None), ("Images", "image"), ("Videos", "video"), ("Audio", "audio"))
        for label, kind in kinds:
            self.kind_filter.addItem(label, kind)
        self.kind_filter.addItem("Other files", "other")
        self.account_filter = QComboBox()
        self.account_filter.addItem("All accounts", None)
        for combo in (self.provider_filter, self.kind_filter, self.account_filter):
            combo.currentIndexChanged.connect(self.filters_changed)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("librarySort")
        for column in Column:
            self.sort_combo.addItem(f"By {column.name.lower()}", int(column))
        self.sort_combo.setCurrentIndex(int(Column.DATE))
        self.sort_combo.currentIndexChanged.connect(self.sort_changed)
        self.descending = QPushButton("↓")
        self.descending.setCheckable(True)
        self.descending.setChecked(True)
        self.descending.setToolTip("Newest, largest or last first (off: the other way round)")
        self.descending.setFixedWidth(32)
        self.descending.toggled.connect(self.sort_changed)
        self.descending.toggled.connect(lambda down: self.descending.setText("↓" if down else "↑"))
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
        # Two rows, so that the Library stays usable in the middle of a 1280-pixel window:
        # the search and the order, then what to show.
        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        first.setSpacing(ROW_SPACING)
        first.addWidget(self.search, 1)
        first.addWidget(self.sort_combo)
        first.addWidget(self.descending)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.setSpacing(ROW_SPACING)
        for combo in (self.provider_filter, self.kind_filter, self.account_filter):
            second.addWidget(combo, 1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(4)
        rows.addLayout(first)
        rows.addLayout(second)

    def clear(self) -> None:
        """Every filter back to "all" and the search emptied (the sort stays)."""
        self.search.clear()
        for combo in (self.provider_filter, self.kind_filter, self.account_filter):
            combo.setCurrentIndex(0)

    def filters(self) -> dict[str, Any]:
        """The chosen filters, as `PlaceFilter.set_filters` takes them."""
        return {
            "provider": self.provider_filter.currentData(),
            "kind": self.kind_filter.currentData(),
            "account": self.account_filter.currentData(),
            "text": self.search.text(),
        }

    def sort(self) -> tuple[int, Qt.SortOrder]:
        """The chosen column and order."""
        order = (
            Qt.SortOrder.DescendingOrder
            if self.descending.isChecked()
            else Qt.SortOrder.AscendingOrder
        )
        return self.sort_combo.currentData(), order

    def show_sort(self, column: int, order: Qt.SortOrder) -> None:
        """Show a sort chosen elsewhere (the list's header) without emitting `sort_changed`."""
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(column)
        self.sort_combo.blockSignals(False)
        down = order == Qt.SortOrder.DescendingOrder
        self.descending.blockSignals(True)
        self.descending.setChecked(down)
        self.descending.setText("↓" if down else "↑")
        self.descending.blockSignals(False)

    def set_accounts(self, accounts: list[AccountInfo]) -> None:
        """List `accounts`, keeping the chosen one; when it is gone, show everything."""
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
            self.filters_changed.emit()
