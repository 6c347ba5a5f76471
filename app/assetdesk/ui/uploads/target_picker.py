"""The Uploads pane's target row: which useapi.net account, which Google account, how many at once.

A leaf widget: it lists what it is given and says what the user chose.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from assetdesk.services.accounts import AccountInfo
from assetdesk.services.upload_items import UploadTarget
from assetdesk.services.upload_queue import MAX_CONCURRENCY

AUTOMATIC = "Automatic (the service picks)"
#: The spacing of the pane's layout, which this row had when it was its sub-layout.
ROW_SPACING = 8


class TargetPicker(QWidget):
    """Emits `account_changed(AccountInfo | None)` (its Google accounts can then be listed with
    `add_emails`) and `concurrency_changed(int)`."""

    account_changed = Signal(object)
    concurrency_changed = Signal(int)

    def __init__(self, concurrency: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accounts: list[AccountInfo] = []
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("uploadAccount")
        self.account_combo.setMinimumWidth(110)
        self.account_combo.currentIndexChanged.connect(self._account_changed)
        self.email_combo = QComboBox()
        self.email_combo.setObjectName("uploadEmail")
        self.email_combo.setMinimumWidth(150)
        self.email_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.email_combo.setMinimumContentsLength(26)
        self.email_combo.addItem(AUTOMATIC, None)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("uploadConcurrency")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(concurrency)
        self.concurrency.setToolTip("How many files are sent at the same time.")
        self.concurrency.valueChanged.connect(self.concurrency_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(ROW_SPACING)
        row.addWidget(QLabel("Upload to"))
        row.addWidget(self.account_combo)
        row.addWidget(QLabel("Google account"))
        row.addWidget(self.email_combo)
        row.addStretch(1)
        row.addWidget(QLabel("At once"))
        row.addWidget(self.concurrency)

    def set_accounts(self, accounts: list[AccountInfo]) -> None:
        """List the useapi.net `accounts` in "Upload to", keeping the current choice."""
        current = self.account_combo.currentData()
        self._accounts = accounts
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account in accounts:
            self.account_combo.addItem(account.name, account.id)
        if not accounts:
            self.account_combo.addItem("No useapi.net account yet", None)
        index = self.account_combo.findData(current) if current is not None else -1
        self.account_combo.setCurrentIndex(max(0, index))
        self.account_combo.setEnabled(bool(accounts))
        self.account_combo.blockSignals(False)
        self._account_changed()

    def set_concurrency(self, value: int) -> None:
        """Show `value` without emitting `concurrency_changed`."""
        self.concurrency.blockSignals(True)
        self.concurrency.setValue(value)
        self.concurrency.blockSignals(False)

    def current_account(self) -> AccountInfo | None:
        account_id = self.account_combo.currentData()
        return next((a for a in self._accounts if a.id == account_id), None)

    def target(self) -> UploadTarget | None:
        """Where new files go: the chosen account and Google account (None: no account)."""
        info = self.current_account()
        if info is None:
            return None
        return UploadTarget(info.id, info.name, self.email_combo.currentData())

    def add_emails(self, emails: Iterable[tuple[str, str]]) -> None:
        """Offer the Google accounts (label, email) not listed yet."""
        for label, email in emails:
            if self.email_combo.findData(email) < 0:
                self.email_combo.addItem(label, email)

    def _account_changed(self, *_: object) -> None:
        info = self.current_account()
        self.email_combo.clear()
        self.email_combo.addItem(AUTOMATIC, None)
        self.email_combo.setEnabled(info is not None)
        if info is None:
            return
        if info.default_email:
            self.email_combo.addItem(info.default_email, info.default_email)
            self.email_combo.setCurrentIndex(1)
        self.account_changed.emit(info)
