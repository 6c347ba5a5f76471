"""The window's style sheet: spacing, the splitters between panes, titles, hints, empty states.

Colours come from the palette, so the platform's light or dark theme still applies: what the
sheet cannot name as a palette role (the secondary text, a field error's red, the highlight as
the text of an active drop zone) is derived from the palette by `ui/widgets/colours.py`, and the
sheet is made again when the palette changes (`follow_palette`). Banners colour themselves
(`ui/widgets/notice.py`).
"""

from string import Template

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from assetdesk.ui.widgets.colours import error_text, legible, secondary_text

_SHEET = """
QSplitter#panes::handle:horizontal {
    border-left: 1px solid palette(mid);
    margin: 12px 2px 12px 3px;
}
QSplitter#panes::handle:horizontal:hover {
    border-left: 2px solid palette(highlight);
}
QLabel#paneTitle {
    font-size: 16pt;
    font-weight: 600;
}
QLabel#paneSubtitle, QLabel#paneHint {
    color: $secondary;
}
QLabel#emptyState, QLabel#dropZone {
    color: $secondary;
    font-size: 11pt;
}
QLabel#dropZone {
    border: 2px dashed palette(mid);
    border-radius: 10px;
    padding: 24px;
}
QLabel#dropZone[dropActive="true"] {
    border-color: palette(highlight);
    color: $accent;
    background: $accent_background;
}
QTableView#uploadQueue[dropActive="true"] {
    border: 2px solid palette(highlight);
}
QLabel#fieldError {
    color: $error;
}
QListView#accountsList, QListWidget#droppedFiles {
    border: 1px solid palette(mid);
    border-radius: 6px;
}
QListWidget#droppedFiles::item {
    padding: 5px 6px;
}
QStatusBar QLabel {
    padding: 0 8px;
}
"""


def style_sheet(palette: QPalette) -> str:
    """The window's style sheet for `palette`."""
    accent_background = palette.color(QPalette.ColorRole.AlternateBase)
    return Template(_SHEET).substitute(
        secondary=secondary_text(palette).name(),
        error=error_text(palette).name(),
        accent=legible(palette.color(QPalette.ColorRole.Highlight), accent_background).name(),
        accent_background=accent_background.name(),
    )


class PaletteFollower(QObject):
    """Sets its parent widget's style sheet for the application's palette now and again whenever
    the palette changes (a switch of the system theme, or `QApplication.setPalette`). It keeps no
    Python reference to the widget: it is the widget's child and finds it as its parent, which
    also holds while the widget is being torn down."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        widget.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        widget = self.parent()
        if not isinstance(widget, QWidget):
            return
        sheet = style_sheet(QGuiApplication.palette())
        if widget.styleSheet() != sheet:  # setting it again would repolish every child
            widget.setStyleSheet(sheet)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is self.parent():
            self.apply()
        return False


def follow_palette(widget: QWidget) -> PaletteFollower:
    """Give `widget` (the main window) the style sheet, kept in step with the palette."""
    return PaletteFollower(widget)
