"""The Accounts pane: the saved accounts, each with a health line, and "Test connection".

Adding, editing and removing accounts come with a later issue; this pane already lists what the
accounts service holds and checks a connection without freezing the window.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError
from assetdesk.ui.accounts.delegate import AccountDelegate
from assetdesk.ui.accounts.model import AccountRole, AccountsModel
from assetdesk.ui.notice import Notice
from assetdesk.ui.pane_layout import pane_layout
from assetdesk.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from assetdesk.services.accounts import AccountsService

log = logging.getLogger("assetdesk.ui.accounts")


class AccountsPane(QWidget):
    def __init__(
        self, accounts: AccountsService, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._tasks = tasks
        self.model = AccountsModel()

        self.notice = Notice()
        self.keyring_notice: Notice | None = None
        if not accounts.secret_store_available:
            self.keyring_notice = Notice()
            self.keyring_notice.show_message(
                "No usable keyring was found, so secrets are kept in memory for this session only "
                "and you will need to enter them again next time.",
                "warning",
            )

        self.view = QListView()
        self.view.setObjectName("accountsList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(AccountDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Bound methods, not lambdas: a lambda holding `self` makes a reference cycle, and a
        # widget freed by the cycle collector may be freed on a worker thread.
        self.view.doubleClicked.connect(self.test_selected)

        self.empty = QLabel("No accounts yet.")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.test_button = QPushButton("Test connection")
        self.test_button.setEnabled(False)
        self.test_button.clicked.connect(self.test_selected)
        later = QLabel("Adding, editing and removing accounts arrive in a later version.")
        later.setObjectName("paneHint")
        buttons = QHBoxLayout()
        buttons.addWidget(later, 1)
        buttons.addWidget(self.test_button)

        layout = pane_layout(
            self, "Accounts", "Your useapi.net and Wordbee accounts, and whether each one connects."
        )
        if self.keyring_notice is not None:
            layout.addWidget(self.keyring_notice)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.view.selectionModel().selectionChanged.connect(self._update_button)
        self.model.dataChanged.connect(self._update_button)
        self.model.modelReset.connect(self._after_reset)

    # ------------------------------------------------------------------ loading

    def set_empty_text(self, text: str) -> None:
        """What the pane says while there is no account (e.g. while the sandbox starts)."""
        self.empty.setText(text)

    def refresh(self) -> None:
        """Reload the list in the background."""
        self._tasks.spawn(self.reload(), name="accounts.reload", key="accounts.reload")

    async def reload(self) -> None:
        """Read the accounts from the service and show them."""
        accounts = await self._accounts.list()
        self.model.set_accounts(accounts)
        log.debug("accounts pane shows %d account(s)", len(accounts))

    def _after_reset(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.view if has_rows else self.empty)
        if has_rows and not self.view.selectionModel().hasSelection():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._update_button()

    # ------------------------------------------------------------- health check

    def selected_account_id(self) -> int | None:
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes:
            return None
        return int(indexes[0].data(AccountRole.ID))

    def _update_button(self, *_signal_args: object) -> None:
        """Test connection: on when an account is selected and not being checked already."""
        indexes = self.view.selectionModel().selectedIndexes()
        checking = bool(indexes) and bool(indexes[0].data(AccountRole.CHECKING))
        self.test_button.setEnabled(bool(indexes) and not checking)

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
