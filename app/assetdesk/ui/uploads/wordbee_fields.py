"""The Wordbee part of the Uploads pane's target row: the project, the segment id, and an
optional locale and folder.

A leaf widget: it offers the projects it is given (those the Library follows) and says what the
user typed, checked: the project as `pr1234`, the segment as a number.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import ScopeKind, WordbeeScope

#: What the fields let through while typing (the whole value is checked by `scope()`).
_PROJECT_TYPING = QRegularExpression(r"(?i)p?r?\d{0,12}")
_DIGITS = QRegularExpression(r"\d{0,12}")
_LOCALE = QRegularExpression(r"[A-Za-z0-9_-]{0,20}")


class WordbeeFields(QWidget):
    """Emits `edited()` when the user has changed a field (a project picked, or Enter / leaving
    a field); `scope()`, `segment_id()`, `locale()` and `folder()` read them."""

    edited = Signal()

    def __init__(self, spacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_combo = QComboBox()
        self.project_combo.setObjectName("uploadProject")
        self.project_combo.setEditable(True)
        self.project_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.project_combo.setMinimumContentsLength(7)
        self.project_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.project_combo.setToolTip(
            "The Wordbee project (pr and its number, like pr7214); the Library's projects are "
            "listed."
        )
        line = self.project_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText("pr1234")
        line.setValidator(QRegularExpressionValidator(_PROJECT_TYPING, self))
        line.editingFinished.connect(self.edited)
        self.project_combo.activated.connect(lambda _: self.edited.emit())
        self.segment = _field("uploadSegment", "segment id", 8, _DIGITS, "The segment's id.")
        self.locale_field = _field(
            "uploadLocale", "locale", 4, _LOCALE, "Optional: the locale of the files (like fr)."
        )
        self.folder_field = _field(
            "uploadFolder", "folder", 6, None, "Optional: the folder the files go in."
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(spacing)
        row.addWidget(QLabel("Project"))
        row.addWidget(self.project_combo)
        row.addWidget(QLabel("Segment"))
        for field in (self.segment, self.locale_field, self.folder_field):
            field.editingFinished.connect(self.edited)
            row.addWidget(field)

    def set_projects(self, scopes: list[str]) -> None:
        """Offer `scopes`, keeping what is typed or chosen."""
        text = self.project_combo.currentText()
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        self.project_combo.addItems(scopes)
        self.project_combo.setEditText(text or (scopes[0] if scopes else ""))
        self.project_combo.blockSignals(False)

    def set_values(
        self, scope: str | None, segment_id: int | None, locale: str | None, folder: str | None
    ) -> None:
        """Show a target's values (the remembered one), without emitting `edited`."""
        self.project_combo.setEditText(scope or "")
        self.segment.setText("" if segment_id is None else str(segment_id))
        self.locale_field.setText(locale or "")
        self.folder_field.setText(folder or "")

    def scope(self) -> str | None:
        """The project as `pr1234`, or None when the field does not name one."""
        try:
            scope = WordbeeScope.parse(self.project_combo.currentText())
        except InvalidInput:
            return None
        return str(scope) if scope.kind is ScopeKind.PROJECT else None

    def segment_id(self) -> int | None:
        text = self.segment.text().strip()
        return int(text) if text.isdigit() and int(text) > 0 else None

    def locale_code(self) -> str | None:
        return self.locale_field.text().strip() or None

    def folder(self) -> str | None:
        return self.folder_field.text().strip().strip("/\\") or None

    def missing(self) -> str | None:
        """What is still needed before files can go, as a sentence; None when nothing is."""
        if self.scope() is None:
            return "Name the Wordbee project (pr and its number, like pr7214)."
        if self.segment_id() is None:
            return "Give the id of the Wordbee segment the files go to."
        return None


def _field(
    name: str, placeholder: str, width: int, pattern: QRegularExpression | None, tip: str
) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setToolTip(tip)
    field.setMaximumWidth(field.fontMetrics().horizontalAdvance("0") * (width + 4))
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance("0") * width)
    if pattern is not None:
        field.setValidator(QRegularExpressionValidator(pattern, field))
    return field
