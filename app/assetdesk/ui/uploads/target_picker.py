"""The Uploads pane's target row: which service, which account, then the account's email
(Google Flow, Runway) or the Wordbee project and segment; under it what the target takes and its
caps, and how many files go at once (on the second line, so that the first fits a narrow pane).

A leaf widget: it lists what it is given (accounts, emails, projects) and says what the user
chose. `target_changed` fires when the user changes where new files go (not while the row is
first filled, so that a start moves nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.provider import AccountKind, Provider
from assetdesk.core.upload_rules import rules_for
from assetdesk.services.accounts import AccountInfo
from assetdesk.services.upload_items import UploadTarget
from assetdesk.services.upload_queue import MAX_CONCURRENCY
from assetdesk.ui.uploads.wordbee_fields import WordbeeFields

AUTOMATIC = "Automatic (the service picks)"
#: Runway balances nothing: without an email an upload goes to the token's only Runway account.
ONLY_RUNWAY = "Its only Runway account"
#: The spacing of the pane's layout, which this row had when it was its sub-layout.
ROW_SPACING = 8
#: The services, as the first combo names them.
SERVICES = {
    Provider.GOOGLE_FLOW: "Google Flow",
    Provider.RUNWAY: "Runway",
    Provider.WORDBEE: "Wordbee segment",
}
_NO_ACCOUNT = {
    AccountKind.USEAPI: "No useapi.net account yet",
    AccountKind.WORDBEE: "No Wordbee account yet",
}


def account_kind(provider: Provider) -> AccountKind:
    return AccountKind.WORDBEE if provider is Provider.WORDBEE else AccountKind.USEAPI


class TargetPicker(QWidget):
    """Emits `account_changed(AccountInfo)` (list its emails with `add_emails` or
    `set_runway_emails`, or its projects with `set_projects`), `target_changed()` and
    `concurrency_changed(int)`. `remembered` is the target to show first when its account
    is listed."""

    account_changed = Signal(object)
    target_changed = Signal()
    concurrency_changed = Signal(int)

    def __init__(
        self,
        concurrency: int,
        remembered: UploadTarget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts: list[AccountInfo] = []
        self._remembered = remembered
        self._filled = False
        self._last: UploadTarget | None = None
        self.service_combo = QComboBox()
        self.service_combo.setObjectName("uploadService")
        for provider, text in SERVICES.items():
            self.service_combo.addItem(text, provider.value)
        if remembered is not None:
            self.service_combo.setCurrentIndex(
                self.service_combo.findData(remembered.provider.value)
            )
        self.service_combo.currentIndexChanged.connect(self._service_changed)
        # Whole where there is room; a narrow window may cut "Wordbee segment" short.
        self.service_combo.setMinimumWidth(92)
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("uploadAccount")
        self.account_combo.setMinimumWidth(96)
        # Its names change with the service: as wide as the current ones, never cut.
        self.account_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account_combo.currentIndexChanged.connect(self._account_changed)
        self.email_label = QLabel("Google account")
        self.email_combo = QComboBox()
        self.email_combo.setObjectName("uploadEmail")
        self.email_combo.setMinimumWidth(130)
        self.email_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.email_combo.setMinimumContentsLength(16)
        self.email_combo.addItem(AUTOMATIC, None)
        self.email_combo.currentIndexChanged.connect(self._changed)
        self.wordbee = WordbeeFields(ROW_SPACING)
        self.wordbee.edited.connect(self._changed)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("uploadConcurrency")
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(concurrency)
        self.concurrency.setToolTip("How many files are sent at the same time.")
        self.concurrency.valueChanged.connect(self.concurrency_changed)
        self.limits = QLabel()
        self.limits.setObjectName("paneHint")
        self.limits.setWordWrap(True)
        # Three short rows, so that the picker fits the window's narrow transfers column: where
        # to (service, account), the service's own choice (Google account, Wordbee segment),
        # what it takes and how many at once.
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(ROW_SPACING)
        row.addWidget(QLabel("Upload to"))
        row.addWidget(self.service_combo)
        row.addWidget(self.account_combo, 1)
        choice = QHBoxLayout()
        choice.setContentsMargins(0, 0, 0, 0)
        choice.setSpacing(ROW_SPACING)
        choice.addWidget(self.email_label)
        choice.addWidget(self.email_combo, 1)
        choice.addWidget(self.wordbee, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addLayout(choice)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.setSpacing(ROW_SPACING)
        second.addWidget(self.limits, 1)
        second.addWidget(QLabel("At once"))
        second.addWidget(self.concurrency)
        column.addLayout(second)
        self._show_service()

    # ------------------------------------------------------------------ filling

    def set_accounts(self, accounts: list[AccountInfo]) -> None:
        """Every account; the service's kind are listed, keeping the current choice (or, the
        first time, the remembered one)."""
        self._accounts = accounts
        self._fill_accounts()
        if not self._filled:
            self._filled = True
            self._remembered = None  # shown (when its account is there): the rest is the user's
            self._last = self.target()
            self._show_limits()
        else:
            self._changed()

    def set_concurrency(self, value: int) -> None:
        """Show `value` without emitting `concurrency_changed`."""
        self.concurrency.blockSignals(True)
        self.concurrency.setValue(value)
        self.concurrency.blockSignals(False)

    def add_emails(self, emails: Iterable[tuple[str, str]]) -> None:
        """Offer the Google accounts (label, email) not listed yet."""
        for label, email in emails:
            if self.email_combo.findData(email) < 0:
                self.email_combo.addItem(label, email)

    def set_runway_emails(self, emails: list[str]) -> None:
        """Offer the token's Runway accounts. With several, the service needs one named:
        "Automatic" goes, and the chosen one, else the account's default, else the first, is
        picked."""
        info = self.current_account()
        self.email_combo.blockSignals(True)
        self.add_emails((email, email) for email in emails)
        if len(emails) > 1:
            chosen = self.email_combo.currentData()
            automatic = self.email_combo.findData(None)
            if automatic >= 0:
                self.email_combo.removeItem(automatic)
            for email in (chosen, info.default_email if info else None, emails[0]):
                if email in emails:
                    self.email_combo.setCurrentIndex(self.email_combo.findData(email))
                    break
        self.email_combo.blockSignals(False)
        self._changed()

    def set_projects(self, scopes: list[str]) -> None:
        """Offer the Wordbee projects the Library follows."""
        self.wordbee.set_projects(scopes)
        self._changed()

    # ------------------------------------------------------------------ reading

    def provider(self) -> Provider:
        return Provider(self.service_combo.currentData())  # Qt hands the value back as a str

    def current_account(self) -> AccountInfo | None:
        account_id = self.account_combo.currentData()
        return next((a for a in self._accounts if a.id == account_id), None)

    def target(self) -> UploadTarget | None:
        """Where new files go (None: no account, or a Wordbee segment not named yet)."""
        info = self.current_account()
        if info is None:
            return None
        provider = self.provider()
        if provider is Provider.WORDBEE:
            scope, segment_id = self.wordbee.scope(), self.wordbee.segment_id()
            if scope is None or segment_id is None:
                return None
            locale, folder = self.wordbee.locale_code(), self.wordbee.folder()
            return UploadTarget.wordbee(info.id, info.name, scope, segment_id, locale, folder)
        email = self.email_combo.currentData()
        if provider is Provider.RUNWAY:
            return UploadTarget.runway(info.id, info.name, email)
        return UploadTarget.google_flow(info.id, info.name, email)

    def missing(self) -> str | None:
        """Why there is no target, as a sentence; None when there is one."""
        if self.current_account() is None:
            kind = _kind_name(self.provider())
            return f"There is no {kind} account to upload to: add one in Accounts."
        if self.provider() is Provider.WORDBEE:
            return self.wordbee.missing()
        return None

    # ------------------------------------------------------------------ changes

    def _service_changed(self, *_: object) -> None:
        self._show_service()
        self._fill_accounts()
        self._changed()

    def _show_service(self) -> None:
        provider = self.provider()
        wordbee = provider is Provider.WORDBEE
        # Hide before showing: both at once, even for a moment, would widen the window for good.
        going, coming = (
            ([self.email_label, self.email_combo], [self.wordbee])
            if wordbee
            else ([self.wordbee], [self.email_label, self.email_combo])
        )
        for widget in going:
            widget.hide()
        for widget in coming:
            widget.show()
        runway = provider is Provider.RUNWAY
        self.email_label.setText("Runway account" if runway else "Google account")
        self._show_limits()

    def _fill_accounts(self) -> None:
        kind = account_kind(self.provider())
        listed = [a for a in self._accounts if a.kind is kind]
        current = self.account_combo.currentData()
        remembered = self._remembered
        if current is None and remembered is not None:
            current = remembered.account_id
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account in listed:
            self.account_combo.addItem(account.name, account.id)
        if not listed:
            self.account_combo.addItem(_NO_ACCOUNT[kind], None)
        index = self.account_combo.findData(current) if current is not None else -1
        self.account_combo.setCurrentIndex(max(0, index))
        self.account_combo.setEnabled(bool(listed))
        self.account_combo.blockSignals(False)
        self._account_changed(emit=False)

    def _account_changed(self, *_: object, emit: bool = True) -> None:
        info = self.current_account()
        provider = self.provider()
        self.email_combo.blockSignals(True)
        self.email_combo.clear()
        self.email_combo.addItem(ONLY_RUNWAY if provider is Provider.RUNWAY else AUTOMATIC, None)
        self.email_combo.setEnabled(info is not None)
        remembered = self._remembered
        if (
            remembered is not None
            and info is not None
            and (remembered.provider, remembered.account_id) == (provider, info.id)
        ):
            self._remembered = None  # shown once: later choices are the user's
            self._show_remembered(remembered)
        elif info is not None and provider is Provider.GOOGLE_FLOW and info.default_email:
            self.email_combo.addItem(info.default_email, info.default_email)
            self.email_combo.setCurrentIndex(1)
        self.email_combo.blockSignals(False)
        self.wordbee.setEnabled(info is not None)
        if info is not None:
            self.account_changed.emit(info)
        if emit:
            self._changed()

    def _show_remembered(self, remembered: UploadTarget) -> None:
        if remembered.provider is Provider.WORDBEE:
            self.wordbee.set_values(
                remembered.scope,
                remembered.segment_id,
                remembered.locale,
                remembered.relative_path,
            )
        elif remembered.email:
            self.email_combo.addItem(remembered.email, remembered.email)
            self.email_combo.setCurrentIndex(1)

    def _changed(self, *_: object) -> None:
        """Say so when the target is not the one last said (once the row was first filled)."""
        self._show_limits()
        if not self._filled:
            return
        target = self.target()
        if target != self._last:
            self._last = target
            self.target_changed.emit()

    def _show_limits(self) -> None:
        text = rules_for(self.provider()).limit_text() + "."
        missing = self.missing() if self._filled else None
        self.limits.setText(f"{text} {missing}" if missing else text)


def _kind_name(provider: Provider) -> str:
    return "Wordbee" if provider is Provider.WORDBEE else "useapi.net"
