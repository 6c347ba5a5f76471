"""The Accounts pane: the accounts with their health, add / edit / remove, and a connection test.

Every service call (SQLite, the keyring, the network) runs as a background task: the window never
waits on them. The pane says where secrets are kept; when there is no usable keyring it says so in
plain words and offers to keep secrets for this session only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError, SecretMissing, SecretStoreError
from assetdesk.core.provider import AccountKind
from assetdesk.ui.accounts.delegate import AccountDelegate
from assetdesk.ui.accounts.details import AccountDetails
from assetdesk.ui.accounts.dialog import AccountDialog, AccountForm
from assetdesk.ui.accounts.model import AccountRole, AccountsModel
from assetdesk.ui.accounts.remove_box import remove_box
from assetdesk.ui.accounts.secret_store_banner import SESSION_ONLY, SecretStoreBanner
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_layout import pane_layout

if TYPE_CHECKING:
    from assetdesk.services.accounts import AccountsService

log = logging.getLogger("assetdesk.ui.accounts")


class AccountsPane(QWidget):
    #: Where secrets go changed (session-only chosen, or the keyring stopped answering).
    store_changed = Signal()
    #: The list of accounts was read again (one was added, edited or removed).
    accounts_changed = Signal()

    def __init__(
        self, accounts: AccountsService, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._tasks = tasks
        self.model = AccountsModel()
        self.dialog: AccountDialog | None = None
        self.confirm: QMessageBox | None = None
        self._reload_lock = asyncio.Lock()

        self.notice = Notice()
        self.banner = SecretStoreBanner()
        self.banner.session_only_requested.connect(self.use_session_only)

        self.view = QListView()
        self.view.setObjectName("accountsList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(AccountDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Bound methods, not lambdas: a lambda holding `self` makes a reference cycle, and a
        # widget freed by the cycle collector may be freed on a worker thread.
        self.view.doubleClicked.connect(self.edit_selected)

        self.empty = QLabel("No accounts yet. Add your useapi.net token or Wordbee API key.")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.details = AccountDetails()
        self.details.default_email.currentIndexChanged.connect(self._default_email_chosen)
        self.details.hide()

        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(self.add_account)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self.remove_selected)
        self.test_button = QPushButton("Test connection")
        self.test_button.setDefault(True)
        self.test_button.clicked.connect(self.test_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)

        layout = pane_layout(
            self, "Accounts", "Your useapi.net and Wordbee accounts, and whether each one connects."
        )
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        column = QVBoxLayout()
        column.addWidget(self.stack, 1)
        column.addWidget(self.details)
        layout.addLayout(column, 1)
        layout.addLayout(buttons)

        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.dataChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._after_reset)
        self.update_store_state()
        self._update_buttons()

    # ------------------------------------------------------------------ the secret store

    def update_store_state(self) -> None:
        """Say where secrets are kept, or why they cannot be kept, with the way out."""
        self.store_changed.emit()
        self.banner.show_store(
            self._accounts.secret_store_problem, self._accounts.secret_store_where
        )
        self._update_buttons()

    def use_session_only(self) -> None:
        self._accounts.use_session_only()
        self.update_store_state()
        self.refresh()

    def _after_store_error(self, error: AssetDeskError) -> None:
        """The keyring refused or did not answer: say so and offer the way out."""
        if not isinstance(error, SecretStoreError) or isinstance(error, SecretMissing):
            return
        self.update_store_state()
        if self._accounts.secret_store_where != SESSION_ONLY:
            self.banner.offer_session_only(error.message)

    # ------------------------------------------------------------------ loading

    def set_empty_text(self, text: str) -> None:
        """What the pane says while there is no account (e.g. while the sandbox starts)."""
        self.empty.setText(text)

    def refresh(self) -> None:
        """Reload the list in the background."""
        self._tasks.spawn(self.reload(), name="accounts.reload", key="accounts.reload")

    async def reload(self) -> None:
        """Read the accounts from the service and show them (one reload at a time, so that an
        older list never replaces a newer one)."""
        async with self._reload_lock:
            accounts = await self._accounts.list()
            selected = self.selected_account_id()
            self.model.set_accounts(accounts)
            if selected is not None:
                self.select(selected)
        log.debug("accounts pane shows %d account(s)", len(accounts))
        self.accounts_changed.emit()

    def _after_reset(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.view if has_rows else self.empty)
        if has_rows and not self.view.selectionModel().hasSelection():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._selection_changed()

    def select(self, account_id: int) -> None:
        row = self.model.row_of(account_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))

    # ------------------------------------------------------------------ selection

    def selected_account_id(self) -> int | None:
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes:
            return None
        return int(indexes[0].data(AccountRole.ID))

    def _selected_row(self) -> int:
        indexes = self.view.selectionModel().selectedIndexes()
        return indexes[0].row() if indexes else -1

    def _selection_changed(self, *_signal_args: object) -> None:
        self._update_buttons()
        row = self._selected_row()
        if row < 0:
            self.details.hide()
            return
        info = self.model.account_at(row)
        if info.kind is not AccountKind.USEAPI:
            self.details.hide()
            return
        self.details.show_account(info, self.model.health_at(row))
        self.details.show()

    def _update_buttons(self, *_signal_args: object) -> None:
        row = self._selected_row()
        checking = row >= 0 and bool(self.model.index(row, 0).data(AccountRole.CHECKING))
        can_store = not self._accounts.secret_store_problem
        self.add_button.setEnabled(can_store)
        self.edit_button.setEnabled(row >= 0 and not checking)
        self.remove_button.setEnabled(row >= 0 and not checking)
        self.test_button.setEnabled(row >= 0 and not checking)

    # ------------------------------------------------------------------ add and edit

    def add_account(self, *_signal_args: object) -> AccountDialog:
        dialog = AccountDialog(self)
        dialog.submitted.connect(self._add_submitted)
        return self._open_dialog(dialog)

    def edit_selected(self, *_signal_args: object) -> AccountDialog | None:
        row = self._selected_row()
        if row < 0:
            return None
        info = self.model.account_at(row)
        dialog = AccountDialog(
            self,
            editing=True,
            kind=info.kind,
            name=info.name,
            base_url=info.base_url,
            wordbee_account_id=info.wordbee_account_id or "",
            secret_missing=info.secret_state == "missing",
        )
        dialog.setProperty("accountId", info.id)
        dialog.submitted.connect(self._edit_submitted)
        return self._open_dialog(dialog)

    def _open_dialog(self, dialog: AccountDialog) -> AccountDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.finished.connect(self._dialog_finished)
        dialog.open()
        return dialog

    def _dialog_finished(self, *_args: object) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _add_submitted(self, form: AccountForm) -> None:
        self._tasks.spawn(self._save(form, None), name="accounts.add", key="accounts.save[new]")

    def _edit_submitted(self, form: AccountForm) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        account_id = int(dialog.property("accountId"))
        self._tasks.cancel(f"accounts.check[{account_id}]")  # its client is about to change
        self._tasks.spawn(
            self._save(form, account_id),
            name=f"accounts.edit[{account_id}]",
            key=f"accounts.save[{account_id}]",
        )

    async def _save(self, form: AccountForm, account_id: int | None) -> None:
        dialog = self.dialog
        try:
            if account_id is None:
                assert form.secret is not None
                info = await self._accounts.add(
                    name=form.name,
                    kind=form.kind,
                    secret=form.secret,
                    base_url=form.base_url,
                    wordbee_account_id=form.wordbee_account_id,
                )
            else:
                info = await self._accounts.update(
                    account_id,
                    name=form.name,
                    base_url=form.base_url,
                    wordbee_account_id=form.wordbee_account_id,
                    secret=form.secret,
                )
        except AssetDeskError as error:
            if dialog is not None and self.dialog is dialog:  # still open: say it there
                dialog.save_failed(error.message)
            else:
                self.notice.show_message(error.message, "error")
            self._after_store_error(error)
            return
        if dialog is not None and self.dialog is dialog:
            dialog.accept()
        await self.reload()
        self.select(info.id)
        self.notice.show_message(
            f"“{info.name}” was {'added' if account_id is None else 'saved'}. "
            "Test the connection to see its health.",
            "info",
        )

    # ------------------------------------------------------------------ remove

    def remove_selected(self, *_signal_args: object) -> QMessageBox | None:
        row = self._selected_row()
        if row < 0:
            return None
        info = self.model.account_at(row)
        box, remove = remove_box(self, info, self._store_words())
        self.confirm = box
        box.finished.connect(self._confirm_finished)
        remove.clicked.connect(self._remove_confirmed)
        box.open()
        return box

    def _store_words(self) -> str:
        where = self._accounts.secret_store_where
        return "memory" if where == SESSION_ONLY else where

    def _remove_confirmed(self) -> None:
        button = self.sender()
        if button is None or button.property("accountId") is None:
            return
        account_id = int(button.property("accountId"))
        self._tasks.cancel(f"accounts.check[{account_id}]")
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
        row = self.model.row_of(account_id)
        name = self.model.account_at(row).name if row >= 0 else "The account"
        try:
            deleted = await self._accounts.remove(account_id)
        except AssetDeskError as error:
            self.notice.show_message(error.message, "error")
            self._after_store_error(error)
            return
        await self.reload()
        if deleted:
            self.notice.show_message(f"“{name}” was removed.", "info")
        else:
            self.notice.show_message(
                f"“{name}” was removed, but the keyring did not answer, so its secret may still "
                "be there (under “AssetDesk”).",
                "warning",
            )
            self.update_store_state()

    # ------------------------------------------------------------------ default email

    def _default_email_chosen(self, index: int) -> None:
        account_id = self.selected_account_id()
        if account_id is None or index < 0:
            return
        email = self.details.default_email.itemData(index)
        self._tasks.spawn(
            self._set_default_email(account_id, email),
            name=f"accounts.default_email[{account_id}]",
            key=f"accounts.default_email[{account_id}]",
        )

    async def _set_default_email(self, account_id: int, email: str | None) -> None:
        try:
            info = await self._accounts.set_default_email(account_id, email)
        except AssetDeskError as error:
            self.notice.show_message(error.message, "error")
            return
        self.model.set_info(info)
        who = email or "whichever Google account useapi.net picks"
        self.notice.show_message(f"Uploads of “{info.name}” go to {who}.", "info")

    # ------------------------------------------------------------------ health check

    def test_selected(self, *_signal_args: object) -> None:
        """Check the selected account's connection in the background."""
        account_id = self.selected_account_id()
        if account_id is None:
            return
        self._tasks.spawn(
            self._check(account_id),
            name=f"accounts.check[{account_id}]",
            key=f"accounts.check[{account_id}]",
        )

    async def _check(self, account_id: int) -> None:
        self.notice.clear()
        self.model.set_checking(account_id, True)
        try:
            health = await self._accounts.check(account_id)
        except AssetDeskError as error:
            self.notice.show_message(str(error), "error")
            raise
        finally:
            self.model.set_checking(account_id, False)
        self.model.set_health(account_id, health)
        if health.state == "keyring":
            self.update_store_state()
