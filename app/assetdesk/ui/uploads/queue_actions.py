"""What the Uploads pane offers: add, paste, cancel, retry, remove, clear and copy an id, and for
an upload whose answer was lost, check the service or send it again (after asking: it may make a
duplicate); their shortcuts, buttons and context menu, which of them apply to the selection, and
what each does to the queue.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.provider import Provider
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.queue_view import button_row
from assetdesk.ui.widgets.pane_actions import pane_action, pluralise

#: What Retry sends again. Not a file refused here (its type or size): the same checks would
#: refuse it again; it is checked anew when the target changes, or added again once fixed.
RETRYABLE = frozenset({ItemState.FAILED, ItemState.CANCELLED})

REFUSED_TIP = (
    "A file refused here would be refused again: fix it and add it again, or choose a target "
    "that takes it."
)


class QueueActions:
    """The pane's actions; `buttons` and `button_row` show them, `update()` enables them."""

    def __init__(
        self,
        pane: QWidget,
        queue: UploadQueue,
        tasks: BackgroundTasks,
        *,
        selected_ids: Callable[[], list[int]],
        selected_items: Callable[[], list[UploadItem]],
        target: Callable[[], UploadTarget | None],
        pick_files: Callable[[], None],
        pick_folder: Callable[[], None],
        paste: Callable[[], None],
        cleared: Callable[[], None],
        checked: Callable[[dict[int, str]], None],
    ) -> None:
        self._pane = pane
        self._queue = queue
        self._tasks = tasks
        self._selected_ids = selected_ids
        self._selected_items = selected_items
        self._target = target
        self._cleared = cleared
        self._checked = checked
        self.send_again_box: QMessageBox | None = None
        self.add_files_action = pane_action(
            pane, "Add files…", QKeySequence.StandardKey.Open, pick_files
        )
        self.add_folder_action = pane_action(pane, "Add folder…", "Ctrl+Shift+O", pick_folder)
        self.paste_action = pane_action(pane, "Paste", QKeySequence.StandardKey.Paste, paste)
        self.cancel_action = pane_action(pane, "Cancel", "Ctrl+.", self.cancel_selected)
        self.retry_action = pane_action(pane, "Retry", "Ctrl+R", self.retry_selected)
        self.remove_action = pane_action(
            pane, "Remove", QKeySequence.StandardKey.Delete, self.remove_selected
        )
        self.clear_action = pane_action(
            pane, "Clear finished", "Ctrl+Shift+Delete", self.clear_finished
        )
        self.copy_id_action = pane_action(
            pane, "Copy mediaGenerationId", QKeySequence.StandardKey.Copy, self.copy_ids
        )
        self.check_action = pane_action(pane, "Check the service", "Ctrl+K", self.check_selected)
        self.send_again_action = pane_action(
            pane, "Send again…", "Ctrl+Shift+R", self.ask_send_again
        )
        #: The buttons under the details of an item whose answer was lost.
        self.unknown_row: QHBoxLayout
        self.unknown_row, unknown_buttons = button_row(
            [("check", self.check_action), ("sendAgain", self.send_again_action), None]
        )
        #: Two rows of buttons (adding; acting on the selection), for a narrow column.
        self.button_row = QVBoxLayout()
        self.button_row.setSpacing(4)
        adding, self.buttons = button_row(
            [
                ("add", self.add_files_action),
                ("folder", self.add_folder_action),
                ("paste", self.paste_action),
                None,
            ]
        )
        acting, acting_buttons = button_row(
            [
                ("cancel", self.cancel_action),
                ("retry", self.retry_action),
                ("remove", self.remove_action),
                ("clear", self.clear_action),
                None,
            ]
        )
        self.button_row.addLayout(adding)
        self.button_row.addLayout(acting)
        self.buttons.update(acting_buttons)
        self.buttons.update(unknown_buttons)
        self.unknown_buttons: list[QPushButton] = list(unknown_buttons.values())

    def update(self) -> None:
        items = self._selected_items()
        states = {item.state for item in items}
        self.cancel_action.setEnabled(bool(states & {ItemState.PENDING, ItemState.UPLOADING}))
        self.retry_action.setEnabled(bool(states & RETRYABLE))
        self.buttons["retry"].setToolTip(_retry_tip(self.retry_action, states))
        self.remove_action.setEnabled(bool(items))
        self.copy_id_action.setEnabled(any(i.row.remote_id for i in items))
        self.copy_id_action.setText(_copy_id_text(items))
        unknown = ItemState.UNKNOWN in states
        self.check_action.setEnabled(unknown)
        self.send_again_action.setEnabled(unknown)
        for button in self.unknown_buttons:
            button.setVisible(unknown)
        finished = {ItemState.DONE, ItemState.CANCELLED, ItemState.REFUSED}
        self.clear_action.setEnabled(any(i.state in finished for i in self._queue.items))
        for key, action in (
            ("cancel", self.cancel_action),
            ("retry", self.retry_action),
            ("remove", self.remove_action),
            ("clear", self.clear_action),
            ("check", self.check_action),
            ("sendAgain", self.send_again_action),
        ):
            self.buttons[key].setEnabled(action.isEnabled())

    def context_menu(self, view: QTableView, point: QPoint) -> None:
        index = view.indexAt(point)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row()):
            view.selectRow(index.row())
        menu = QMenu(self._pane)
        self.update()
        menu.addAction(self.copy_id_action)
        menu.addSeparator()
        if self.check_action.isEnabled():
            menu.addAction(self.check_action)
            menu.addAction(self.send_again_action)
            menu.addSeparator()
        for action in (self.cancel_action, self.retry_action, self.remove_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.clear_action)
        self.menu = menu
        menu.popup(view.viewport().mapToGlobal(point))

    def cancel_selected(self) -> None:
        ids = self._selected_ids()
        if ids:
            self._tasks.spawn(self._queue.cancel(ids), name="uploads.cancel")

    def retry_selected(self) -> None:
        """Send the selected failed or cancelled items again; a file refused here is not sent."""
        ids = [i.id for i in self._selected_items() if i.state in RETRYABLE]
        if ids:
            self._tasks.spawn(self._queue.retry(ids, self._target()), name="uploads.retry")

    def _unknown_ids(self) -> list[int]:
        return [i.id for i in self._selected_items() if i.state is ItemState.UNKNOWN]

    def check_selected(self) -> None:
        """Look for the selected unknown uploads in their services' listings."""
        ids = self._unknown_ids()
        if ids:
            self._tasks.spawn(self._check(ids), name="uploads.check")

    async def _check(self, ids: list[int]) -> None:
        self._checked(await self._queue.check_service(ids))

    def ask_send_again(self) -> None:
        """Ask, then send the selected unknown uploads again (the service may have them)."""
        items = [i for i in self._selected_items() if i.state is ItemState.UNKNOWN]
        if not items:
            return
        where = " or ".join(sorted({i.row.provider.label for i in items}))
        box = QMessageBox(self._pane)
        box.setWindowTitle("Send again")
        box.setIcon(QMessageBox.Icon.Question)
        what = f"“{items[0].row.name}”" if len(items) == 1 else pluralise(len(items), "file")
        box.setText(f"Send {what} again?")
        box.setInformativeText(
            f"The answer to the first upload was lost: {where} may have kept it, and sending "
            "again would then make a duplicate. Check the service first to be sure."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        send = box.addButton("Send again", QMessageBox.ButtonRole.AcceptRole)
        ids = [i.id for i in items]
        box.buttonClicked.connect(
            lambda button: (
                button is send
                and self._tasks.spawn(self._queue.send_again(ids), name="uploads.send_again")
            )
        )
        box.open()
        self.send_again_box = box

    def remove_selected(self) -> None:
        ids = self._selected_ids()
        if ids:
            self._tasks.spawn(self._queue.remove(ids), name="uploads.remove")

    def clear_finished(self) -> None:
        self._tasks.spawn(self._clear(), name="uploads.clear")

    async def _clear(self) -> None:
        await self._queue.clear_finished()
        self._cleared()

    def copy_ids(self) -> None:
        ids = [i.row.remote_id for i in self._selected_items()]
        text = "\n".join(i for i in ids if i)
        if text:
            QGuiApplication.clipboard().setText(text)


def _retry_tip(action: QAction, states: set[ItemState]) -> str:
    """The Retry button's tooltip: its shortcut, and why it is off for refused files."""
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = f"{action.text()} ({shortcut})"
    if ItemState.REFUSED in states and not states & RETRYABLE:
        tip += f" — {REFUSED_TIP}"
    return tip


def _copy_id_text(items: list[UploadItem]) -> str:
    """The copy action names the id the selection's service gives."""
    providers = {item.row.provider for item in items if item.row.remote_id}
    if providers == {Provider.RUNWAY}:
        return "Copy assetId"
    if providers == {Provider.WORDBEE}:
        return "Copy Wordbee reference"
    if providers - {Provider.GOOGLE_FLOW}:
        return "Copy ids"
    return "Copy mediaGenerationId"
