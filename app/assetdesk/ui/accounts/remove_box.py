"""The question asked before an account is removed: what is forgotten, and where its secret goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

if TYPE_CHECKING:
    from assetdesk.services.accounts import AccountInfo


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
