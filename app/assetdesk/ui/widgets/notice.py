"""A one-line banner at the top of a pane: information, a warning or an error in one sentence.

Its colours are derived from the application's palette (`colours.notice_colours`) and follow it
when it changes at run time, so a banner reads as well in a dark theme as in a light one.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from assetdesk.ui.widgets.colours import notice_colours

_KINDS = ("info", "warning", "error")
#: Events after which the palette may be another one: the theme's, or a parent's.
_PALETTE_EVENTS = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange)


class Notice(QLabel):
    """Hidden until it has something to say; its "kind" property picks its colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setProperty("kind", "info")
        self._restyle()
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))

    def colours(self) -> tuple[QColor, QColor]:
        """(text, background) of this banner's kind on the current palette."""
        return notice_colours(self.kind, QGuiApplication.palette())

    def show_message(self, text: str, kind: str = "info") -> None:
        if kind not in _KINDS:
            raise ValueError(f"unknown notice kind {kind!r}")
        self.setText(text)
        self.setProperty("kind", kind)
        self._restyle()  # also catches a palette change it missed while hidden
        self.show()

    def clear(self) -> None:
        self.setText("")
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _PALETTE_EVENTS:
            self._restyle()

    def _restyle(self) -> None:
        """The banner's own style sheet for its kind on the application's palette. The style
        sheet's colours change this label's palette in turn (another PaletteChange): the sheet is
        only set when it differs, which ends that loop. The application's palette is read, not
        this label's, which the sheet has already coloured."""
        text, background = self.colours()
        sheet = (
            f"QLabel#notice {{ color: {text.name()}; background: {background.name()};"
            " border-radius: 6px; padding: 8px 10px; }"
        )
        if self.styleSheet() != sheet:
            self.setStyleSheet(sheet)
