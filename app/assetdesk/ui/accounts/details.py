"""Under the accounts list: the selected useapi.net account's Google Flow and Runway accounts, and
the Google Flow account its uploads go to. A leaf widget: it shows the account it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from assetdesk.ui.widgets.plain_text import plain_label

if TYPE_CHECKING:
    from assetdesk.services.account_health import AccountHealth
    from assetdesk.services.accounts import AccountInfo

AUTOMATIC_EMAIL = "Automatic (useapi.net picks a healthy account)"


class AccountDetails(QWidget):
    """Under the list: the selected useapi.net account's Google Flow and Runway accounts, and
    which Google Flow account uploads go to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountDetails")
        self.flow = QLabel()
        self.flow.setObjectName("flowAccounts")
        self.flow.setWordWrap(True)
        self.flow.setTextFormat(Qt.TextFormat.PlainText)
        self.runway = plain_label(QLabel())
        self.runway.setObjectName("runwayAccounts")
        self.runway.setWordWrap(True)
        self.default_email = QComboBox()
        self.default_email.setObjectName("defaultEmail")
        # Narrow enough for a pane 240 px wide: the long "Automatic (…)" is elided, not clipped.
        self.default_email.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.default_email.setMinimumContentsLength(12)
        self.default_email.setMaximumWidth(460)
        form = QFormLayout(self)
        form.setContentsMargins(0, 4, 0, 4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above: narrow
        for heading, field in (
            ("Google Flow", self.flow),
            ("Runway", self.runway),
            ("Uploads go to", self.default_email),
        ):
            label = QLabel(heading)
            bold = label.font()
            bold.setBold(True)
            label.setFont(bold)
            form.addRow(label, field)

    def show_account(self, info: AccountInfo, health: AccountHealth | None) -> None:
        flows = health.flow_accounts if health is not None else ()
        if health is None:
            self.flow.setText("Test the connection to see the Google accounts of this token.")
            self.runway.setText("—")
        else:
            lines = [
                f"{f.email} — {'ready' if f.healthy else f.sentence}" for f in health.flow_accounts
            ]
            self.flow.setText("\n".join(lines) or "No Google Flow account is connected.")
            self.runway.setText(", ".join(health.runway_accounts) or "No Runway account.")
        emails = [f.email for f in flows]
        if info.default_email and info.default_email not in emails:
            emails.append(info.default_email)
        combo = self.default_email
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(AUTOMATIC_EMAIL, None)
        for email in emails:
            combo.addItem(email, email)
        combo.setCurrentIndex(max(0, combo.findData(info.default_email)))
        combo.blockSignals(False)
