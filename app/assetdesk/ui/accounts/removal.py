"""Removing an account: the question asked first (what is forgotten, and where its secret goes),
then the removal in the background and its outcome in the pane's banner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from assetdesk.core.errors import AssetDeskError
from assetdesk.ui.accounts.secret_store_banner import SESSION_ONLY

if TYPE_CHECKING:
    from assetdesk.services.accounts import AccountInfo, AccountsService
    from assetdesk.ui.accounts.health_checks import HealthChecks
    from assetdesk.ui.accounts.model import AccountsModel
    from assetdesk.ui.tasks import BackgroundTasks
    from assetdesk.ui.widgets.notice import Notice


def remove_box(
    parent: QWidget, info: AccountInfo, store_words: str
) -> tuple[QMessageBox, QPushButton]:
    """The confirmation for removing `info` and its Remove button, which carries the account's
    id as its "accountId" property (the box may already be finished when its click arrives).
    `store_words` names where the secret is deleted from."""
    where = "" if info.session_only else f" and deletes its secret from {store_words}"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Remove account",
        f"Remove “{info.name}”?",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("confirmRemove")
    box.setInformativeText(
        f"This forgets the account in AssetDesk{where}. Nothing is deleted on the service."
    )
    remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    # On the button: the box may already be finished when its click is delivered.
    remove.setProperty("accountId", info.id)
    return box, remove


class AccountRemoval(QObject):
    """The open confirmation (`confirm`), and the removal it starts. A child of the pane."""

    def __init__(
        self,
        parent: QWidget,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        model: AccountsModel,
        notice: Notice,
        checks: HealthChecks,
        *,
        reload: Callable[[], Awaitable[None]],
        on_store_error: Callable[[AssetDeskError], None],
        on_keyring_silent: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._accounts = accounts
        self._tasks = tasks
        self._model = model
        self._notice = notice
        self._checks = checks
        self._reload = reload
        self._on_store_error = on_store_error
        self._on_keyring_silent = on_keyring_silent
        self.confirm: QMessageBox | None = None

    def ask(self, info: AccountInfo) -> QMessageBox:
        where = self._accounts.secret_store_where
        box, remove = remove_box(self._parent, info, "memory" if where == SESSION_ONLY else where)
        self.confirm = box
        box.finished.connect(self._confirm_finished)
        remove.clicked.connect(self._remove_confirmed)
        box.open()
        return box

    def _remove_confirmed(self) -> None:
        button = self.sender()  # the box may already be finished when its click arrives
        if button is None or button.property("accountId") is None:
            return
        account_id = int(button.property("accountId"))
        self._checks.cancel(account_id)
        self._tasks.spawn(
            self._remove(account_id),
            name=f"accounts.remove[{account_id}]",
            key=f"accounts.remove[{account_id}]",
        )

    def _confirm_finished(self, *_args: object) -> None:
        if self.confirm is not None:
            self.confirm.deleteLater()
        self.confirm = None

    async def _remove(self, account_id: int) -> None:
        row = self._model.row_of(account_id)
        name = self._model.account_at(row).name if row >= 0 else "The account"
        try:
            deleted = await self._accounts.remove(account_id)
        except AssetDeskError as error:
            self._notice.show_message(error.message, "error")
            self._on_store_error(error)
            return
        await self._reload()
        if deleted:
            self._notice.show_message(f"“{name}” was removed.", "info")
        else:
            self._notice.show_message(
                f"“{name}” was removed, but the keyring did not answer, so its secret may still "
                "be there (under “AssetDesk”).",
                "warning",
            )
            self._on_keyring_silent()
