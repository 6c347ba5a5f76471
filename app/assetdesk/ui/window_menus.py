"""The window's menu bar, made of the panes' own actions: one set of `QAction`s serves the
menus, the context menus, the buttons and the shortcuts.

Three panes show at once, so a key two panes both use (Delete, Copy, Ctrl+Shift+O) is scoped to
the pane that has the focus (`scope_shared_shortcuts`); every other pane shortcut works anywhere
in the window.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMenuBar,
    QMessageBox,
    QSlider,
    QWidget,
    QWidgetAction,
)

from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.thumbnail_cache_setting import ThumbnailCacheSetting
from assetdesk.ui.uploads.pane import UploadsPane

#: The panes, left to right, as the View menu and Ctrl+1/2/3 name them.
PANE_TITLES = ("Accounts", "Library", "Transfers")


class MainWindow(Protocol):
    """What the menus need of the window (ui/main_window.py)."""

    accounts_pane: AccountsPane
    library_pane: LibraryPane
    uploads_pane: UploadsPane
    thumbnail_cache: ThumbnailCacheSetting

    def request_quit(self) -> QMessageBox | None: ...
    def show_about(self) -> QMessageBox: ...
    def set_pane_open(self, index: int, open_: bool) -> None: ...
    def focus_pane(self, index: int) -> QWidget: ...
    def menuBar(self) -> QMenuBar: ...


class WindowActions:
    """The actions the window adds to its panes' (View, Select all, Quit, About)."""

    def __init__(self, window: MainWindow, owner: QWidget) -> None:
        # Ctrl+Q where the platform names no Quit key (Windows, some Linux desktops).
        quit_key = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [
            QKeySequence("Ctrl+Q")
        ]
        self.quit = _action(owner, "&Quit", quit_key[0], window.request_quit)
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.about = _action(owner, "&About AssetDesk", None, window.show_about)
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        #: "Show Accounts" …: checked while the pane is open.
        self.show_pane: list[QAction] = []
        #: "Go to Accounts" …: focus the pane, opening it when collapsed (Ctrl+1/2/3).
        self.go_to_pane: list[QAction] = []
        for index, title in enumerate(PANE_TITLES):
            # No key of its own: Ctrl+Alt is AltGr on Windows (typing "#" would fold a pane);
            # Ctrl+1/2/3 bring a folded pane back.
            show = _action(owner, f"Show {title}", None, None)
            show.setCheckable(True)
            show.setChecked(True)
            show.toggled.connect(_weakly(window, lambda w, on, i=index: w.set_pane_open(i, on)))
            self.show_pane.append(show)
            go = _action(
                owner,
                f"Go to {title}",
                f"Ctrl+{index + 1}",
                _weakly(window, lambda w, _checked=False, i=index: w.focus_pane(i)),
            )
            self.go_to_pane.append(go)
        library = window.library_pane
        self.select_all = _action(
            library, "Select all", QKeySequence.StandardKey.SelectAll, library.select_all
        )
        self.select_all.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        group = QActionGroup(owner)
        self.grid = _action(owner, "As a grid", "Ctrl+Shift+G", lambda: library.set_view("grid"))
        self.list = _action(owner, "As a list", "Ctrl+Shift+L", lambda: library.set_view("list"))
        for action in (self.grid, self.list):
            action.setCheckable(True)
            group.addAction(action)
        self.grid.setChecked(library.grid_button.isChecked())
        self.list.setChecked(not library.grid_button.isChecked())
        library.grid_button.toggled.connect(self.grid.setChecked)
        library.list_button.toggled.connect(self.list.setChecked)

    def follow_panes(self, open_panes: tuple[bool, ...]) -> None:
        """Tick "Show …" as the panes are (a pane dragged shut unticks its entry)."""
        for action, is_open in zip(self.show_pane, open_panes, strict=True):
            action.blockSignals(True)
            action.setChecked(is_open)
            action.blockSignals(False)


def build_menus(window: MainWindow, actions: WindowActions) -> dict[str, QMenu]:
    """Fill the window's menu bar; returns its menus by title (without the "&")."""
    library = window.library_pane.asset_actions
    uploads = window.uploads_pane.queue_actions
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}

    def menu(title: str, *entries: QAction | None) -> QMenu:
        built = bar.addMenu(title)
        for entry in entries:
            if entry is None:
                built.addSeparator()
            else:
                built.addAction(entry)
        menus[title.replace("&", "")] = built
        return built

    menu(
        "&File",
        uploads.add_files_action,
        uploads.add_folder_action,
        uploads.paste_action,
        None,
        library.download_action,
        library.save_as_action,
        None,
        actions.quit,
    )
    menu(
        "&Edit",
        library.copy_id_action,
        library.copy_link_action,
        actions.select_all,
        None,
        library.delete_action,
        library.remove_action,
        None,
        library.search_action,
    )
    pane = window.library_pane
    view = menu("&View", *actions.show_pane, None, *actions.go_to_pane, None)
    view.addActions([actions.grid, actions.list])
    view.addSeparator()
    view.addActions([pane.quick_look_action, pane.zoom_in_action, pane.zoom_out_action])
    view.addAction(tile_size_slider(pane, view))
    view.addAction(window.thumbnail_cache.action)
    view.addSeparator()
    view.addAction(pane.refresher.action)
    accounts = window.accounts_pane
    menu("&Accounts", accounts.add_action, accounts.test_all_action)
    menu("&Help", actions.about)
    return menus


def tile_size_slider(library: LibraryPane, menu: QMenu) -> QWidgetAction:
    """The View menu's "Thumbnail size" slider, in step with the one in the Library's bar."""
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setObjectName("menuTileSize")
    bar = library.tile_sizes.slider
    slider.setRange(bar.minimum(), bar.maximum())
    slider.setPageStep(bar.pageStep())
    slider.setValue(bar.value())
    slider.setMinimumWidth(140)
    slider.valueChanged.connect(library.set_tile_size)
    bar.valueChanged.connect(slider.setValue)
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(24, 4, 12, 4)
    row.addWidget(QLabel("Thumbnail size"))
    row.addWidget(slider, 1)
    action = QWidgetAction(menu)
    action.setDefaultWidget(holder)
    return action


def scope_shared_shortcuts(panes: list[QWidget]) -> list[QAction]:
    """Scope to its pane every pane action whose shortcut another pane uses too (so that the
    pane with the focus has it); returns the actions scoped."""
    owners: dict[str, set[int]] = {}
    for index, pane in enumerate(panes):
        for action in pane.actions():
            for key in action.shortcuts():
                owners.setdefault(key.toString(), set()).add(index)
    shared = {key for key, where in owners.items() if len(where) > 1}
    scoped: list[QAction] = []
    for pane in panes:
        for action in pane.actions():
            if shared.intersection(key.toString() for key in action.shortcuts()):
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                scoped.append(action)
    return scoped


def shortcut_counts(actions: list[QAction]) -> Counter[str]:
    """How many of `actions` use each shortcut (a test reads it for clashes)."""
    return Counter(key.toString() for action in actions for key in action.shortcuts())


def _action(
    owner: QWidget,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
    slot: Callable[[], object] | None,
) -> QAction:
    action = QAction(text, owner)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        action.triggered.connect(slot)
    owner.addAction(action)
    return action


def _weakly(window: MainWindow, call: Callable[..., object]) -> Callable[..., None]:
    """`call(window, *args)` for a signal, holding the window weakly: a connection's closure
    that held it would keep a window dropped without closing alive, and its tasks running."""
    ref = weakref.ref(window)

    def slot(*args: object) -> None:
        alive = ref()
        if alive is not None:
            call(alive, *args)

    return slot
