"""The three panes together: folding and showing them, Ctrl+1/2/3, a drop anywhere going to the
uploads, an uploaded row opening its asset in the Library, the menus and their shortcuts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSlider, QWidget
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets, settle
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO

from assetdesk.services.app import AppServices
from assetdesk.services.upload_items import ItemState
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.model import Column
from assetdesk.ui.window_menus import PANE_TITLES


def file_mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def drop_on(widget: QWidget, mime: QMimeData) -> QDropEvent:
    """A drag entering `widget` and dropped there, as Qt delivers them."""
    point = QPointF(widget.width() / 2, widget.height() / 2)
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(point, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, event)
    return event


def queued_names(window: MainWindow) -> list[str]:
    model = window.uploads_pane.model
    return [model.item_at(row).row.name for row in range(model.rowCount())]  # type: ignore[union-attr]


def test_a_pane_folds_and_comes_back_from_the_view_menu_and_ctrl_digit(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    show = window.window_actions.show_pane
    assert [a.text() for a in show] == [f"Show {title}" for title in PANE_TITLES]
    # No keys: Ctrl+Alt is AltGr on Windows; Ctrl+1/2/3 bring a folded pane back.
    assert [a.shortcut().toString() for a in show] == ["", "", ""]
    before = window.panes.sizes()

    show[2].trigger()  # Transfers folded: its width goes to the Library
    assert window.panes.sizes()[2] == 0 and not show[2].isChecked()
    assert window.panes.sizes()[1] == before[1] + before[2]
    show[0].trigger()
    show[1].trigger()  # the last open pane stays open, and the menu says so
    assert window.panes.sizes()[1] > 0 and show[1].isChecked()
    assert window.panes.open_panes() == (False, True, False)

    # Ctrl+3 opens the transfers again, at the width they had, and puts the focus there.
    window.activateWindow()
    window.library_pane.search.setFocus()
    QTest.keyClick(window.library_pane.search, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.panes.sizes()[2] == before[2] and show[2].isChecked()
    assert window.uploads_pane.isAncestorOf(QApplication.focusWidget())
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.panes.sizes()[0] > 0 and show[0].isChecked()
    assert window.accounts_pane.isAncestorOf(QApplication.focusWidget())
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.library_pane.isAncestorOf(QApplication.focusWidget())

    # A pane dragged shut unticks its entry too.
    window.panes.moveSplitter(0, 1)
    assert window.panes.sizes()[0] == 0 and not show[0].isChecked()


def test_a_file_dropped_anywhere_is_queued_for_upload(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1600, 1000))
    arun(window.library_pane.reload())
    first = shutil.copy(DEMO / "bars-800x450.jpg", tmp_path / "on the library.jpg")
    second = shutil.copy(DEMO / "sunrise-640x360.png", tmp_path / "on the search.png")

    # On the Library's empty state (a plain widget: the window takes the drop) …
    event = drop_on(window.library_pane.empty, file_mime([Path(first)]))
    assert event.isAccepted()
    qtbot.waitUntil(lambda: queued_names(window) == ["on the library.jpg"])
    # … and on a text field, which would have taken the path as text.
    search = window.library_pane.search
    event = drop_on(search, file_mime([Path(second)]))
    assert event.isAccepted() and search.text() == ""
    qtbot.waitUntil(lambda: queued_names(window) == ["on the library.jpg", "on the search.png"])
    # Text dropped on a field is still the field's.
    text = QMimeData()
    text.setText("pr12")
    drop_on(window.library_pane.reference, text)
    assert window.library_pane.reference.text() == "pr12"
    assert len(queued_names(window)) == 2
    # Something that is not a file is not taken by the window.
    assert not drop_on(window.library_pane.empty, text).isAccepted()


def test_an_uploaded_row_opens_its_asset_in_the_library(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1600, 1000))
    arun(window.library_pane.reload())
    library = window.library_pane
    library.search.setText("nothing is called this")  # a filter that hides it is cleared
    settle(qtbot, library.model)
    path = Path(shutil.copy(DEMO / "bars-800x450.jpg", tmp_path / "look at me.jpg"))
    window.uploads_pane.add_paths([path])
    pane = window.uploads_pane

    def done() -> bool:
        pane.repaint_progress()
        item = pane.model.item_at(0)
        return item is not None and item.state is ItemState.DONE

    qtbot.waitUntil(done, timeout=20_000)
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.model.index(0, 0))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)  # Enter (a double-click does the same)

    def revealed() -> bool:
        chosen = library.selected_assets()
        return len(chosen) == 1 and chosen[0].name == "look at me.jpg"

    qtbot.waitUntil(revealed, timeout=10_000)
    assert library.search.text() == ""
    assert library.current_view.hasFocus()
    assert library.preview._title == "look at me.jpg"  # previewed
    qtbot.waitUntil(lambda: library.preview.pages.currentWidget() is library.preview.image_page)


def test_the_menus_hold_every_action_with_its_shortcut(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    entries = {
        title: [(a.text(), a.shortcut().toString()) for a in menu.actions() if not a.isSeparator()]
        for title, menu in window.menus.items()
    }
    assert list(entries) == ["File", "Edit", "View", "Accounts", "Help"]
    assert entries["File"] == [
        ("Add files…", "Ctrl+O"),
        ("Add folder…", "Ctrl+Shift+O"),
        ("Paste", "Ctrl+V"),
        ("Download to folder…", "Ctrl+Shift+S"),
        ("Save as…", "Ctrl+S"),
        ("&Quit", "Ctrl+Q"),
    ]
    assert entries["Edit"] == [
        ("Copy id", "Ctrl+C"),
        ("Copy a fresh signed link", "Ctrl+Shift+C"),
        ("Select all", "Ctrl+A"),
        ("Delete on the service…", "Del"),
        ("Remove from library…", "Ctrl+Del"),
        ("Search", "Ctrl+F"),
    ]
    view = dict(entries["View"])
    for index, title in enumerate(PANE_TITLES, start=1):
        assert view[f"Show {title}"] == ""
        assert view[f"Go to {title}"] == f"Ctrl+{index}"
    assert view["As a grid"] == "Ctrl+Shift+G" and view["As a list"] == "Ctrl+Shift+L"
    assert view["Refresh"] == "F5"
    assert view["Quick Look"] == "Space"
    assert view["Larger thumbnails"].startswith("Ctrl+=")
    assert view["Smaller thumbnails"].startswith("Ctrl+-")
    # The menu's thumbnail slider and the Library's are one size.
    slider = window.menus["View"].findChild(QSlider, "menuTileSize")
    assert slider is not None
    slider.setValue(200)
    assert window.library_pane.tile_size() == 200
    window.library_pane.set_tile_size(128)
    assert slider.value() == 128
    assert entries["Accounts"] == [("Add account…", "Ctrl+Shift+N"), ("Test all accounts", "")]
    assert entries["Help"] == [("&About AssetDesk", "")]
    # The menus' actions are the panes' own (one set serves menus, context menus, buttons).
    library = window.library_pane.asset_actions
    edit = window.menus["Edit"].actions()
    assert library.delete_action in edit and library.copy_id_action in edit
    assert window.uploads_pane.queue_actions.add_files_action in window.menus["File"].actions()


def test_no_two_actions_answer_the_same_key_in_the_same_place(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    """Three panes show at once: Delete, Copy and Ctrl+Shift+O, which two panes use, belong to
    the pane with the focus; any other key is one action's in the whole window."""
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    window_wide: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        if action.shortcutContext() != Qt.ShortcutContext.WindowShortcut:
            continue
        for key in action.shortcuts():
            window_wide.setdefault(key.toString(), []).append(action.text())
    clashes = {key: texts for key, texts in window_wide.items() if len(texts) > 1}
    assert clashes == {}
    delete = QKeySequence(QKeySequence.StandardKey.Delete).toString()
    for pane in (window.library_pane, window.uploads_pane):
        scoped = [a for a in pane.actions() if delete in [k.toString() for k in a.shortcuts()]]
        assert [a.shortcutContext() for a in scoped] == [
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        ]


def test_a_screen_too_small_for_three_panes_folds_accounts_then_transfers(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    assert window.fit_to(QSize(1600, 1000)) == []  # room enough: nothing folds
    least = window.minimumSizeHint().width()
    assert window.panes.open_panes() == (True, True, True)

    assert window.fit_to(QSize(least - 50, 700)) == [0]
    QApplication.processEvents()
    assert window.panes.open_panes() == (False, True, True)
    assert window.minimumSizeHint().width() <= least - 50 <= window.width() + 50
    assert not window.window_actions.show_pane[0].isChecked()

    narrow = window.minimumSizeHint().width() - 50
    assert window.fit_to(QSize(narrow, 700)) == [2]
    QApplication.processEvents()
    assert window.panes.open_panes() == (False, True, False)
    assert window.minimumSizeHint().width() <= narrow
    assert window.width() <= narrow


def test_the_queue_shows_the_columns_its_width_holds(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, tmp_path: Path
) -> None:
    """In the narrow transfers column a row's name, state and progress come first; the other
    columns show as the column widens (the details under the queue say everything)."""
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1280, 720))
    view = window.uploads_pane.view
    header = view.horizontalHeader()
    first = [Column(header.logicalIndex(place)) for place in range(3)]
    assert first == [Column.NAME, Column.STATE, Column.PROGRESS]

    def shown() -> set[Column]:
        return {column for column in Column if not view.isColumnHidden(column)}

    window.uploads_pane.add_paths([tmp_path / "not there.png"])  # a row: the queue shows
    qtbot.waitUntil(view.isVisible)
    window.panes.setSizes([240, 620, 400])
    qtbot.waitUntil(lambda: Column.TARGET not in shown())
    assert {Column.NAME, Column.STATE, Column.PROGRESS} <= shown()
    assert header.length() <= view.viewport().width() + 1  # no sideways scrolling
    window.resize(1900, 720)
    window.panes.setSizes([240, 560, 1100])
    qtbot.waitUntil(lambda: shown() == set(Column))


def test_downloads_show_under_the_uploads_only_while_there_are_some(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1280, 720))
    library = window.library_pane
    arun(library.refresher.wait() if library.refresher.start() else library.reload(), 30_000)
    arun(library.reload())
    box = library.downloads_box
    assert box.parent() is window.transfers and not box.isVisible()
    image = next(a for a in listed_assets(library.model) if a.kind == "image")
    started = library.download_jobs.save_to_folder(image, tmp_path)
    qtbot.waitUntil(started.done, timeout=30_000)
    assert box.isVisible()
    (download,) = library.downloads.downloads()
    assert download.state == "done" and download.path is not None
    assert download.path.read_bytes()  # the file is there, whole (verified by the service)
    view = box.view
    assert view.isColumnHidden(2)  # where it went is in the tooltip in a narrow column
    assert str(download.path) in view.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert view.horizontalHeader().length() <= view.viewport().width() + 1
    box.clear_button.click()
    assert library.downloads.downloads() == [] and not box.isVisible()


def test_files_handed_over_bring_the_window_up_as_it_was(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, tmp_path: Path
) -> None:
    """A maximised window stays maximised when files are handed to it ("Open with", a second
    start); a minimised one comes back."""
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1600, 1000))
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    window.open_files([tmp_path / "first.png"])
    assert window.isMaximized()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    window.open_files([tmp_path / "second.png"])
    qtbot.waitUntil(lambda: not window.isMinimized())
    assert window.isMaximized()  # as it was before it was minimised
    qtbot.waitUntil(lambda: sorted(queued_names(window)) == ["first.png", "second.png"])


def test_files_handed_over_while_the_window_closes_do_not_crash_it(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, tmp_path: Path
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1600, 1000))
    with qtbot.waitSignal(window.closed):
        window.close()
    window.open_files([tmp_path / "late.png"])  # a second start's message, just too late
    assert queued_names(window) == []
