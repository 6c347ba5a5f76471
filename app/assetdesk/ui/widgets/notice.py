"""A banner in a pane: information, a warning or an error in one sentence.

Its colours are derived from the application's palette (`colours.notice_colours`) and follow it
when it changes at run time, so a banner reads as well in a dark theme as in a light one.

A banner floats: when it shows, it lays itself over the top of the widget it was added to (over
the pane's title), so the controls below never move under the pointer; a click closes it. One
made with `floating=False` stays in its layout, for a caller that reserves its space (a dialog)
or for a lasting state that is not a passing message (the keyring's).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from assetdesk.ui.widgets.colours import notice_colours

_KINDS = ("info", "warning", "error")
#: Events after which the palette may be another one: the theme's, or a parent's.
_PALETTE_EVENTS = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange)
#: Events of the widget a floating banner lies on after which it is placed again.
_HOST_EVENTS = (QEvent.Type.Resize, QEvent.Type.LayoutRequest)
CLOSE_HINT = "Click to close."


class Notice(QLabel):
    """Hidden until it has something to say; its "kind" property picks its colours."""

    def __init__(self, parent: QWidget | None = None, *, floating: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # service errors, file names: never markup
        # Not Maximum: that would cap it at its size hint, one line short when wrapped narrower.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setProperty("kind", "info")
        self.floating = floating
        self._host: QWidget | None = None
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
        self._float()
        self.show()
        self._place()

    def clear(self) -> None:
        self.setText("")
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _PALETTE_EVENTS:
            self._restyle()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._host is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clear()
            event.accept()
            return
        super().mousePressEvent(event)

    # ------------------------------------------------------------------ floating

    def _float(self) -> None:
        """Leave the layout of the widget this banner was added to, and lie over its top."""
        host = self.parentWidget()
        if not self.floating or host is None or self.isWindow():
            return
        layout = host.layout()
        if layout is not None:
            layout.removeWidget(self)  # looks in its sub-layouts too; a no-op once out
        if host is not self._host:
            if self._host is not None:
                self._host.removeEventFilter(self)
            host.installEventFilter(self)
            self._host = host
            self.setToolTip(CLOSE_HINT)
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def _place(self) -> None:
        host = self._host
        if host is None or host is not self.parentWidget():
            return
        layout = host.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        width = max(0, host.width() - margins.left() - margins.right())
        self.setGeometry(margins.left(), margins.top(), width, self.heightForWidth(width))
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() in _HOST_EVENTS and self.isVisible():
            self._place()
        return super().eventFilter(watched, event)

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
