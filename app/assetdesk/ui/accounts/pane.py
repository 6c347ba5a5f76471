"""The Accounts pane: the accounts with their health, add / edit / remove, and a connection test.

Compact, for the left of a window of three panes (240 px wide and up): Add and Test all over a
list of health dots and names, and under it the selected account's buttons and foldable details.
`add_action` and `test_all_action` are the window's Accounts menu too.

Every service call (SQLite, the keyring, the network) runs as a background task: the window never
waits on them. The pane says where secrets are kept; when there is no usable keyring it says so in
plain words and offers to keep secrets for this session only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError, SecretMissing, SecretStoreError
from assetdesk.core.redact import Redactor
from assetdesk.ui.accounts.account_panel import AccountPanel
from assetdesk.ui.accounts.delegate import AccountDelegate
from assetdesk.ui.accounts.dialog import AccountDialog, AccountForm
from assetdesk.ui.accounts.health_checks import HealthChecks
from assetdesk.ui.accounts.model import KIND_LABELS, AccountRole, AccountsModel
from assetdesk.ui.accounts.removal import AccountRemoval
from assetdesk.ui.accounts.secret_store_banner import SESSION_ONLY, SecretStoreBanner
from assetdesk.ui.accounts.store_choice import StoreChoice, add_without_keyring_tip
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_layout import pane_layout

if TYPE_CHECKING:
    from assetdesk.services.accounts import AccountsService

log = logging.getLogger("assetdesk.ui.accounts")

ADD_SHORTCUT = "Ctrl+Shift+N"
ADD_TIP = f"Add a useapi.net token or a Wordbee API key ({ADD_SHORTCUT})"


class AccountsPane(QWidget):
    #: Where secrets go changed (session-only chosen, or the keyring stopped answering).
    store_changed = Signal()
    #: The list of accounts was read again (one was added, edited or removed).
    accounts_changed = Signal()

    def __init__(
        self,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        parent: QWidget | None = None,
        *,
        redactor: Redactor | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._tasks = tasks
        # The app's redactor hides a secret typed into the dialog from every log line; without
        # one, token-shaped text is still hidden.
        self._redactor = redactor or Redactor()
        self.model = AccountsModel()
        self.dialog: AccountDialog | None = None
        self.choice = StoreChoice(self)  # Add without a keyring: keep secrets in memory?
        self.choice.kept.connect(self._session_only_then_add)
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
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMinimumHeight(60)
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

        self.panel = AccountPanel()
        self.details = self.panel.google
        self.details.default_email.currentIndexChanged.connect(self._default_email_chosen)
        self.edit_button = self.panel.edit_button
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = self.panel.remove_button
        self.remove_button.clicked.connect(self.remove_selected)
        self.test_button = self.panel.test_button
        self.test_button.clicked.connect(self.test_selected)
        self.panel.hide()

        # One set of actions for the pane's buttons and the window's Accounts menu.
        self.add_action = QAction("Add account…", self)
        self.add_action.setShortcut(QKeySequence(ADD_SHORTCUT))
        self.add_action.triggered.connect(self.add_account)
        self.addAction(self.add_action)
        self.test_all_action = QAction("Test all accounts", self)
        self.test_all_action.setToolTip("Test the connection of every account")
        self.test_all_action.triggered.connect(self.test_all)
        self.add_button = QToolButton()
        self.add_button.setObjectName("addAccount")
        self.add_button.setText("Add…")
        self.add_button.clicked.connect(self.add_action.trigger)
        self.test_all_button = QToolButton()
        self.test_all_button.setObjectName("testAllAccounts")
        self.test_all_button.setText("Test all")
        self.test_all_button.setToolTip(self.test_all_action.toolTip())
        self.test_all_button.clicked.connect(self.test_all_action.trigger)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.test_all_button)
        buttons.addStretch(1)

        layout = pane_layout(self, "Accounts", "Your useapi.net and Wordbee accounts.")
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.panel, 2)

        self.checks = HealthChecks(
            accounts,
            tasks,
            self.model,
            self.notice,
            self._redactor,
            on_keyring_problem=self.update_store_state,
        )
        self.removal = AccountRemoval(
            self,
            accounts,
            tasks,
            self.model,
            self.notice,
            self.checks,
            reload=self.reload,
            on_store_error=self._after_store_error,
            on_keyring_silent=self.update_store_state,
        )
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
            self.panel.hide()
            return
        index = self.model.index(row, 0)
        info = self.model.account_at(row)
        self.panel.show_account(
            info,
            KIND_LABELS.get(info.kind, info.kind),
            str(index.data(AccountRole.DETAIL)),
            self.model.health_at(row),
            str(index.data(AccountRole.HEALTH_TEXT)),
        )
        self.panel.show()

    def _update_buttons(self, *_signal_args: object) -> None:
        row = self._selected_row()
        checking = row >= 0 and bool(self.model.index(row, 0).data(AccountRole.CHECKING))
        # Add stays clickable without a keyring: it says why on hover and offers the choice.
        problem = self._accounts.secret_store_problem
        self.add_button.setToolTip(add_without_keyring_tip(problem) if problem else ADD_TIP)
        self.add_action.setStatusTip(self.add_button.toolTip())
        self.edit_button.setEnabled(row >= 0 and not checking)
        self.remove_button.setEnabled(row >= 0 and not checking)
        self.test_button.setEnabled(row >= 0 and not checking)
        has_rows = self.model.rowCount() > 0
        self.test_all_action.setEnabled(has_rows)
        self.test_all_button.setEnabled(has_rows)

    # ------------------------------------------------------------------ add and edit

    def add_account(self, *_signal_args: object) -> AccountDialog | QMessageBox:
        """The add-account dialog; without a keyring first the choice to keep secrets for this
        session only (the dialog follows when it is taken)."""
        problem = self._accounts.secret_store_problem
        if problem:
            return self.choice.ask(problem)
        dialog = AccountDialog(self)
        dialog.submitted.connect(self._add_submitted)
        return self._open_dialog(dialog)

    def _session_only_then_add(self) -> None:
        self.use_session_only()
        self.add_account()

    def _test_requested(self, form: AccountForm) -> None:
        dialog = self.dialog
        if dialog is not None:
            self.checks.start_trial(dialog, form)

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
        dialog.test_requested.connect(self._test_requested)
        dialog.open()
        return dialog

    def _dialog_finished(self, *_args: object) -> None:
        self._tasks.cancel("accounts.trial")
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
        self.checks.cancel(account_id)  # its client is about to change
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
            f"“{info.name}” was {'added' if account_id is None else 'saved'}.", "info"
        )
        if account_id is None or form.secret is not None:  # a new secret: is it the right one?
            self.checks.start(info.id)

    # ------------------------------------------------------------------ remove

    @property
    def store_choice(self) -> QMessageBox | None:
        """The open choice to keep secrets for this session only, if any."""
        return self.choice.box

    @property
    def confirm(self) -> QMessageBox | None:
        """The open question before a removal, if any."""
        return self.removal.confirm

    def remove_selected(self, *_signal_args: object) -> QMessageBox | None:
        row = self._selected_row()
        return self.removal.ask(self.model.account_at(row)) if row >= 0 else None

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
        if account_id is not None:
            self.checks.start(account_id)

    def test_all(self, *_signal_args: object) -> None:
        """Check every account's connection; each row shows its own result."""
        self.checks.start_all()
