"""The list model behind the Accounts pane: one row per account, with its last health check.

A row's health has three readings: its state (the dot's colour), a few words for the compact
list ("Throttled until 14:05") and the check's whole sentence (the tooltip and the details).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt

from assetdesk.core.provider import AccountKind
from assetdesk.ui.widgets.plain_text import plain_tip

if TYPE_CHECKING:
    from assetdesk.services.account_health import AccountHealth
    from assetdesk.services.accounts import AccountInfo

_Index = QModelIndex | QPersistentModelIndex

KIND_LABELS = {
    AccountKind.USEAPI: "useapi.net · Google Flow and Runway",
    AccountKind.WORDBEE: "Wordbee Translator",
}

CHECKING_TEXT = "Checking the connection…"
UNTESTED_TEXT = "Not tested yet"

#: The compact list's words for each state of the last check.
SHORT_WORDS = {
    "checking": "Checking…",
    "untested": "Not tested",
    "valid": "Connected",
    "invalid": "Refused",
    "reconnect": "Needs reconnecting",
    "unreachable": "Unreachable",
    "secret_missing": "Secret missing",
    "keyring": "Keyring locked",
    "error": "Check failed",
}


class AccountRole(IntEnum):
    ID = Qt.ItemDataRole.UserRole + 1
    NAME = Qt.ItemDataRole.UserRole + 2
    KIND_LABEL = Qt.ItemDataRole.UserRole + 3
    DETAIL = Qt.ItemDataRole.UserRole + 4
    HEALTH_STATE = Qt.ItemDataRole.UserRole + 5
    HEALTH_TEXT = Qt.ItemDataRole.UserRole + 6
    CHECKING = Qt.ItemDataRole.UserRole + 7
    HEALTH_SHORT = Qt.ItemDataRole.UserRole + 8


@dataclass(frozen=True)
class AccountRow:
    info: AccountInfo
    health: AccountHealth | None = None
    checking: bool = False

    @property
    def detail(self) -> str:
        """Second line: where the account points and where its secret lives."""
        parts = [self.info.base_url]
        if self.info.secret_state == "missing":
            parts.append("secret missing — enter it again (Edit…)")
        elif self.info.secret_state == "unavailable":
            parts.append("the keyring is locked or not answering")
        elif self.info.session_only or self.info.secret_state == "session":
            parts.append("secret kept for this session only")
        return " · ".join(parts)

    @property
    def health_text(self) -> str:
        if self.checking:
            return CHECKING_TEXT
        if self.health is None:
            return self.info.address_problem or UNTESTED_TEXT
        return self.health.sentence

    @property
    def health_short(self) -> str:
        """A few words for the compact list: the state, and until when a throttle lasts."""
        state = self.health_state
        if state == "untested" and self.info.address_problem:
            return "Needs https"
        if state == "untested" and self.info.secret_state == "missing":
            return "Secret missing"
        if state == "throttled" and self.health is not None:
            retry_at = self.health.retry_at
            if retry_at is None:
                return "Throttled"
            return f"Throttled until {retry_at.astimezone().strftime('%H:%M')}"
        return SHORT_WORDS.get(state, SHORT_WORDS["error"])

    @property
    def health_state(self) -> str:
        """The last check's state, "checking" while one runs, "untested" before the first."""
        if self.checking:
            return "checking"
        return self.health.state if self.health is not None else "untested"


class AccountsModel(QAbstractListModel):
    """Accounts in the order the service lists them; health kept across reloads by account id."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[AccountRow] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        kind = KIND_LABELS.get(row.info.kind, row.info.kind)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            # What the delegate paints, as plain text (screen readers, copy, tests).
            return plain_tip(f"{row.info.name} · {kind}\n{row.detail}\n{row.health_text}")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.info.name} · {kind}\n{row.detail}\n{row.health_text}"
        values: dict[int, Any] = {
            AccountRole.ID: row.info.id,
            AccountRole.NAME: row.info.name,
            AccountRole.KIND_LABEL: kind,
            AccountRole.DETAIL: row.detail,
            AccountRole.HEALTH_STATE: row.health_state,
            AccountRole.HEALTH_TEXT: row.health_text,
            AccountRole.CHECKING: row.checking,
            AccountRole.HEALTH_SHORT: row.health_short,
        }
        return values.get(role)

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(role.name.lower().encode()) for role in AccountRole})
        return names

    # ------------------------------------------------------------------ updates

    def set_accounts(self, accounts: list[AccountInfo]) -> None:
        """Replace the rows, keeping the last health of accounts that are still there."""
        previous = {row.info.id: row for row in self._rows}
        self.beginResetModel()
        self._rows = [
            replace(previous[info.id], info=info) if info.id in previous else AccountRow(info)
            for info in accounts
        ]
        self.endResetModel()

    def row_of(self, account_id: int) -> int:
        """The row of `account_id`, or -1."""
        for number, row in enumerate(self._rows):
            if row.info.id == account_id:
                return number
        return -1

    def account_at(self, row: int) -> AccountInfo:
        return self._rows[row].info

    def health_at(self, row: int) -> AccountHealth | None:
        return self._rows[row].health

    def set_info(self, info: AccountInfo) -> None:
        """An account's fields changed (a rename, a default email): its health stays."""
        self._update(info.id, info=info)

    def set_checking(self, account_id: int, checking: bool) -> None:
        self._update(account_id, checking=checking)

    def set_health(self, account_id: int, health: AccountHealth) -> None:
        self._update(account_id, health=health, checking=False)

    def _update(self, account_id: int, **changes: Any) -> None:
        number = self.row_of(account_id)
        if number < 0:
            return
        self._rows[number] = replace(self._rows[number], **changes)
        index = self.index(number, 0)
        self.dataChanged.emit(index, index)
