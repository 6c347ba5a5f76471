"""A one-line banner at the top of a pane: information, a warning or an error in one sentence."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

_KINDS = ("info", "warning", "error")


class Notice(QLabel):
    """Hidden until it has something to say; its "kind" property picks the style sheet look."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setProperty("kind", "info")
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))

    def show_message(self, text: str, kind: str = "info") -> None:
        if kind not in _KINDS:
            raise ValueError(f"unknown notice kind {kind!r}")
        self.setText(text)
        if self.property("kind") != kind:
            self.setProperty("kind", kind)
            # Re-evaluate the [kind="..."] selectors of the style sheet.
            self.style().unpolish(self)
            self.style().polish(self)
        self.show()

    def clear(self) -> None:
        self.setText("")
        self.hide()
