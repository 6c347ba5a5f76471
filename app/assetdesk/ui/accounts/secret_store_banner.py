"""Where the Accounts pane says secrets are kept, or why they cannot be kept, with the way out:
keeping them in memory for this session only. A leaf widget: it shows the state it is given and
emits `session_only_requested`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.plain_text import plain_label

SESSION_ONLY = "this session only"
#: The spacing of the pane's layout, which these rows had when they were its sub-layouts.
ROW_SPACING = 8


class SecretStoreBanner(QWidget):
    session_only_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_label = plain_label(QLabel())
        self.store_label.setObjectName("paneHint")
        self.store_label.setWordWrap(True)
        # A lasting state with its way out beside it, not a passing message: it stays in place.
        self.keyring_notice = Notice(floating=False)
        self.session_button = QPushButton("Keep for this session only")
        self.session_button.setToolTip(
            "Keep secrets in memory until AssetDesk quits, never on disk"
        )
        self.session_button.setObjectName("sessionOnly")
        self.session_button.clicked.connect(self.session_only_requested)
        self.session_button.hide()
        # The button under the sentence, not beside it: the pane may be 240 px wide.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(ROW_SPACING)
        layout.addWidget(self.store_label)
        layout.addWidget(self.keyring_notice)
        layout.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_store(self, problem: str | None, where: str) -> None:
        """Say where secrets are kept (`where`), or that `problem` keeps them from being kept."""
        if problem:
            self.store_label.setText("Secrets: no keyring to keep them in.")
            self.keyring_notice.show_message(
                f"{problem} AssetDesk can keep secrets in memory until it quits; you will "
                "enter them again next time.",
                "warning",
            )
            self.session_button.show()
        elif where == SESSION_ONLY:
            self.store_label.setText(
                "Secrets are kept in memory for this session only; enter them again next time."
            )
            self.keyring_notice.clear()
            self.session_button.hide()
        else:
            self.store_label.setText(f"Secrets are kept in {where}, never on disk.")
            self.keyring_notice.clear()
            self.session_button.hide()

    def offer_session_only(self, message: str) -> None:
        """The keyring refused or did not answer (`message`): offer memory instead."""
        self.keyring_notice.show_message(
            f"{message} You can keep secrets in memory until AssetDesk quits instead.",
            "warning",
        )
        self.session_button.show()
