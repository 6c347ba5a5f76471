"""Under the accounts list: the selected account's buttons (Edit, Test, Remove) and, on demand,
its details (kind, address, where its secret is, the last check's sentence and time, and for a
useapi.net account its Google Flow and Runway accounts). A leaf widget: it shows the account it is
given; the pane connects its buttons.

The buttons stay in view; the details fold away under the ▸ button, so the list keeps its room
in a short pane, and scroll when they are longer than the room left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.provider import AccountKind
from assetdesk.ui.accounts.details import AccountDetails

if TYPE_CHECKING:
    from assetdesk.services.account_health import AccountHealth
    from assetdesk.services.accounts import AccountInfo

FOLD_HINT = "Show or hide the account's details"


def _button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class AccountPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountPanel")
        self.edit_button = _button("Edit…", "Rename the account, or enter its secret again")
        self.test_button = _button("Test", "Test the account's connection")
        self.remove_button = _button("Remove…", "Forget the account in AssetDesk")
        self.fold_button = QToolButton()
        self.fold_button.setObjectName("foldDetails")
        self.fold_button.setCheckable(True)
        self.fold_button.setAutoRaise(True)
        self.fold_button.setToolTip(FOLD_HINT)
        self.fold_button.setAccessibleName(FOLD_HINT)
        self.fold_button.toggled.connect(self.set_folded)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(4)
        for button in (self.edit_button, self.test_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.fold_button)

        self.summary = QLabel()
        self.summary.setObjectName("accountSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.google = AccountDetails()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.summary)
        column.addWidget(self.google)
        column.addStretch(1)
        self.body_scroll = QScrollArea()
        self.body_scroll.setObjectName("accountDetailsScroll")
        self.body_scroll.setWidget(body)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.body_scroll, 1)
        self.set_folded(False)

    @property
    def folded(self) -> bool:
        return self.fold_button.isChecked()

    def set_folded(self, folded: bool) -> None:
        if self.fold_button.isChecked() != folded:
            self.fold_button.setChecked(folded)  # toggled comes back here
            return
        self.fold_button.setArrowType(Qt.ArrowType.RightArrow if folded else Qt.ArrowType.DownArrow)
        self.body_scroll.setVisible(not folded)
        vertical = QSizePolicy.Policy.Maximum if folded else QSizePolicy.Policy.Preferred
        self.setSizePolicy(QSizePolicy.Policy.Preferred, vertical)  # folded: no empty room

    def show_account(
        self, info: AccountInfo, kind: str, detail: str, health: AccountHealth | None, said: str
    ) -> None:
        """`info` with its `kind` label, its `detail` line and the last check (`said`)."""
        when = (
            f"Last checked at {health.checked_at.astimezone().strftime('%H:%M')}."
            if health is not None
            else ""
        )
        lines = [kind, *detail.split(" · "), said, when]
        self.summary.setText("\n".join(line for line in lines if line))
        useapi = info.kind is AccountKind.USEAPI
        if useapi:
            self.google.show_account(info, health)
        self.google.setVisible(useapi)
