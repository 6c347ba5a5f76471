"""Add or edit an account: a form that says what is wrong as you type.

The dialog only collects and checks; the pane saves through the accounts service while the dialog
stays open ("Saving…"), and shows the service's refusal (a name already taken, a keyring that
said no) in the dialog, so nothing typed is lost. "Test" asks the pane to try what is typed
before anything is saved. The secret field is masked, has a reveal toggle, and never copies to
the clipboard.

Nothing moves under the pointer: each field's error line, the revealed secret's line and the
banner above the buttons keep their room while they are empty.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetdesk.core.addresses import normalise_base_url
from assetdesk.core.errors import InvalidInput, as_sentence
from assetdesk.core.ids import check_useapi_token
from assetdesk.core.provider import AccountKind
from assetdesk.providers.useapi import DEFAULT_USEAPI_URL
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.plain_text import plain_label

KINDS = (
    (AccountKind.USEAPI, "useapi.net (Google Flow, Runway)"),
    (AccountKind.WORDBEE, "Wordbee Translator"),
)
SECRET_LABELS = {AccountKind.USEAPI: "API token", AccountKind.WORDBEE: "API key"}
NAME_HINTS = {AccountKind.USEAPI: "e.g. Studio useapi", AccountKind.WORDBEE: "e.g. Acme Wordbee"}
URL_HINTS = {
    AccountKind.USEAPI: DEFAULT_USEAPI_URL,
    AccountKind.WORDBEE: "https://yourcompany.wordbee-translator.com",
}


@dataclass(frozen=True)
class AccountForm:
    """What the user entered, checked. `secret` is None when editing and left empty."""

    kind: AccountKind
    name: str
    base_url: str
    wordbee_account_id: str | None
    secret: str | None = dataclasses.field(repr=False)


class SecretField(QLineEdit):
    """A masked line edit that never puts its text on the clipboard (no copy, cut or drag)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setDragEnabled(False)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Copy) or event.matches(
                QKeySequence.StandardKey.Cut
            ):
                event.accept()
                return True
        return super().eventFilter(watched, event)


#: A banner's padding above and below its text (its style sheet's 8 px each).
NOTICE_PADDING = 16


def _keep_room(widget: QWidget, lines: int, padding: int = 0) -> None:
    """`widget` keeps at least `lines` lines (and `padding`) of room in its layout, shown or
    hidden, so that showing it does not push what is under it."""
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)
    widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * lines + padding)


class AccountDialog(QDialog):
    """Add (no `editing`) or edit an account. Emits `submitted` with a checked `AccountForm`."""

    submitted = Signal(object)
    #: "Test" was clicked: the checked `AccountForm` to try, with its secret, without saving.
    test_requested = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        editing: bool = False,
        kind: AccountKind = AccountKind.USEAPI,
        name: str = "",
        base_url: str = "",
        wordbee_account_id: str = "",
        secret_missing: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.editing = editing
        self.secret_missing = secret_missing
        self.setWindowTitle("Edit account" if editing else "Add account")
        self.setModal(True)

        self.kind = QComboBox()
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.kind.setEnabled(not editing)  # another kind is another account
        self.name = QLineEdit(name)
        self.base_url = QLineEdit(base_url)
        self.account_id = QLineEdit(wordbee_account_id)
        self.account_id.setPlaceholderText("the account id Wordbee shows with your API key")
        self.secret = SecretField()
        self.reveal = QPushButton("Show")
        self.reveal.setObjectName("revealSecret")
        self.reveal.setCheckable(True)
        self.reveal.setAutoDefault(False)
        self.reveal.toggled.connect(self._reveal)
        secret_row = QHBoxLayout()
        secret_row.setContentsMargins(0, 0, 0, 0)
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.reveal)
        # "Show" puts the secret in a label without text interaction, while the field stays
        # masked: a revealed line edit would hand any mouse selection to the X11/Wayland
        # primary selection, and a middle click would paste the token anywhere.
        self.revealed = QLabel()
        self.revealed.setObjectName("revealedSecret")
        self.revealed.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.revealed.setTextFormat(Qt.TextFormat.PlainText)
        self.revealed.setWordWrap(True)
        _keep_room(self.revealed, 1)
        self.revealed.hide()
        secret_column = QVBoxLayout()
        secret_column.setContentsMargins(0, 0, 0, 0)
        secret_column.setSpacing(2)
        secret_column.addLayout(secret_row)
        secret_column.addWidget(self.revealed)
        secret_box = QWidget()
        secret_box.setLayout(secret_column)
        self.secret.textChanged.connect(self._update_revealed)

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        self._add_row(form, "name", "Name", self.name)
        self._add_row(form, "base_url", "Address", self.base_url)
        self.account_id_label = QLabel("Wordbee account id")
        self.account_id_row = self._add_row(
            form, "account_id", self.account_id_label, self.account_id
        )
        self.secret_label = QLabel("API token")
        self._add_row(form, "secret", self.secret_label, secret_box)
        self._form = form

        # The service's answer when saving fails, and the outcome of "Test".
        self.notice = Notice(floating=False)
        _keep_room(self.notice, 2, NOTICE_PADDING)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.test_button = QPushButton("Test")  # on the left, apart from Save and Cancel
        self.test_button.setObjectName("testCredentials")
        self.test_button.setToolTip("Try the token or key with the service; nothing is saved")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self._test)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.notice)
        bottom = QHBoxLayout()
        bottom.addWidget(self.test_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        for field in (self.name, self.base_url, self.account_id, self.secret):
            field.textEdited.connect(self._on_edit)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._touched: set[str] = set()
        if editing and base_url:  # a saved address that is no longer accepted (plain http)
            self._touched.add("base_url")
        self._saving = False
        self._testing = False
        self._kind_changed()
        self.setMinimumWidth(520)

    def _add_row(self, form: QFormLayout, key: str, label: str | QLabel, field: QWidget) -> QWidget:
        error = plain_label(QLabel())  # a service's answer to a test
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        _keep_room(error, 1)
        error.hide()
        self.errors[key] = error
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        box = QWidget()
        box.setLayout(column)
        form.addRow(label, box)
        return box

    # ------------------------------------------------------------------ state

    @property
    def kind_value(self) -> AccountKind:
        return AccountKind(self.kind.currentData())

    def _reveal(self, shown: bool) -> None:
        self.reveal.setText("Hide" if shown else "Show")
        self._update_revealed()

    def _update_revealed(self, *_args: object) -> None:
        shown = self.reveal.isChecked() and bool(self.secret.text())
        self.revealed.setText(self.secret.text() if shown else "")
        self.revealed.setVisible(shown)

    def _kind_changed(self, *_args: object) -> None:
        kind = self.kind_value
        wordbee = kind is AccountKind.WORDBEE
        self.account_id.setVisible(wordbee)
        self.account_id_label.setVisible(wordbee)
        self._form.setRowVisible(self.account_id_row, wordbee)
        self.secret_label.setText(SECRET_LABELS[kind])
        self.base_url.setPlaceholderText(URL_HINTS[kind])
        self.name.setPlaceholderText(NAME_HINTS[kind])
        if kind is AccountKind.USEAPI and not self.base_url.text().strip():
            self.base_url.setText(DEFAULT_USEAPI_URL)
        if kind is AccountKind.WORDBEE and self.base_url.text().strip() == DEFAULT_USEAPI_URL:
            self.base_url.clear()
        if self.editing:
            self.secret.setPlaceholderText(
                f"enter the {SECRET_LABELS[kind].lower()} again"
                if self.secret_missing
                else f"leave empty to keep the saved {SECRET_LABELS[kind].lower()}"
            )
        else:
            self.secret.setPlaceholderText("")
        self._validate()

    def _on_edit(self, *_args: object) -> None:
        sender = self.sender()
        for key, field in (
            ("name", self.name),
            ("base_url", self.base_url),
            ("account_id", self.account_id),
            ("secret", self.secret),
        ):
            if field is sender:
                self._touched.add(key)
        self.notice.clear()
        self._validate()

    # ------------------------------------------------------------------ checks

    def problems(self) -> dict[str, str]:
        """Field -> one sentence, for every field that cannot be saved as it is."""
        found: dict[str, str] = {}
        kind = self.kind_value
        if not self.name.text().strip():
            found["name"] = "Give the account a name."
        elif len(self.name.text().strip()) > 80:
            found["name"] = "Keep the name under 80 characters."
        url = self.base_url.text().strip()
        if not url:
            found["base_url"] = (
                "Enter your company's Wordbee address."
                if kind is AccountKind.WORDBEE
                else "Enter the service address."
            )
        else:
            try:
                normalise_base_url(url)
            except InvalidInput as error:
                found["base_url"] = as_sentence(error.message)
        if kind is AccountKind.WORDBEE and not self.account_id.text().strip():
            found["account_id"] = "Enter the Wordbee account id."
        secret = self.secret.text()
        if secret.strip() or not self.editing or self.secret_missing:
            if kind is AccountKind.USEAPI:
                try:
                    check_useapi_token(secret)
                except InvalidInput as error:
                    found["secret"] = as_sentence(error.message)
            elif not secret.strip():
                found["secret"] = "Enter the Wordbee API key."
        return found

    def _validate(self) -> None:
        problems = self.problems()
        for key, label in self.errors.items():
            message = problems.get(key) if key in self._touched else None
            label.setText(message or "")
            label.setVisible(bool(message))
        self.save_button.setEnabled(not problems and not self._saving)
        typed = bool(self.secret.text().strip())  # editing: the saved secret is tested in the pane
        self.test_button.setEnabled(
            not problems and typed and not self._saving and not self._testing
        )

    def show_all_problems(self) -> None:
        self._touched.update(self.errors)
        self._validate()

    def form(self) -> AccountForm:
        kind = self.kind_value
        secret = self.secret.text().strip()
        return AccountForm(
            kind=kind,
            name=self.name.text().strip(),
            base_url=normalise_base_url(self.base_url.text()),
            wordbee_account_id=self.account_id.text().strip()
            if kind is AccountKind.WORDBEE
            else None,
            secret=secret or None,
        )

    # ------------------------------------------------------------------ saving

    def _submit(self) -> None:
        self.show_all_problems()
        if self.problems() or self._saving:
            return
        self.set_saving(True)
        self.submitted.emit(self.form())

    def set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setText("Saving…" if saving else "Save")
        for widget in (self.name, self.base_url, self.account_id, self.secret, self.reveal):
            widget.setEnabled(not saving)
        # While the service saves, Cancel could not undo it: it waits with the rest.
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not saving)
        self._validate()

    # ------------------------------------------------------------------ testing

    def _test(self) -> None:
        self.show_all_problems()
        if self.problems() or self._saving or self._testing:
            return
        self.test_requested.emit(self.form())

    def set_testing(self, testing: bool) -> None:
        self._testing = testing
        self.test_button.setText("Testing…" if testing else "Test")
        if testing:
            self.notice.clear()
        self._validate()

    def show_test_result(self, state: str, sentence: str) -> None:
        """The outcome of "Test": the check's `state` ("valid", "invalid", ...) and sentence."""
        if state == "valid":
            self.notice.show_message(f"Test passed: {sentence}", "info")
        else:
            self.notice.show_message(f"Test failed: {sentence}", "error")

    def test_failed(self, message: str) -> None:
        self.notice.show_message(message, "error")

    def reject(self) -> None:
        if not self._saving:  # Esc while saving: the save decides
            super().reject()

    def save_failed(self, message: str) -> None:
        """The service refused: say why here, keep what was typed."""
        self.set_saving(False)
        self.notice.show_message(message, "error")
