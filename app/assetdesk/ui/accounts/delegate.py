"""Paints one account row, compact: a health dot and the name, and under it the health in a few
words ("Connected", "Throttled until 14:05"), so that the list fits a pane 240 px wide.

The dot's colour says the state at a glance (green connected, amber throttled or waiting, red
refused or needing reconnecting, grey untested) and the words say it for whoever cannot tell the
colours apart. Both come from `dot_colour`, drawn from the palette's base so that they read on a
dark theme as on a light one.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.widgets.colours import BAD, GOOD, UNKNOWN, WAIT, readable

_Index = QModelIndex | QPersistentModelIndex

PAD = 8
DOT = 10
GAP = 8

#: The hue of each state's dot: good, wait, bad; an untested or checking account is grey.
DOT_HUES = {
    "valid": GOOD,
    "throttled": WAIT,
    "keyring": WAIT,
    "invalid": BAD,
    "reconnect": BAD,
    "unreachable": BAD,
    "secret_missing": BAD,
    "error": BAD,
}


def dot_colour(state: str, palette: QPalette) -> QColor:
    """The colour of a `state`'s dot and words on `palette`'s base (lightened on a dark one)."""
    return readable(QColor(DOT_HUES.get(state, UNKNOWN)), palette)


class AccountDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(160, PAD * 2 + metrics.lineSpacing() * 2 + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        base_font: QFont = opt.font
        metrics = QFontMetrics(base_font)
        line = metrics.lineSpacing()

        colour = dot_colour(str(index.data(AccountRole.HEALTH_STATE)), palette)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:  # on the highlight, a ring in the highlight's text colour sets it apart
            painter.setPen(QPen(palette.color(QPalette.ColorRole.HighlightedText), 1.5))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        top = rect.top() + PAD
        painter.drawEllipse(rect.left() + PAD, top + (line - DOT) // 2, DOT, DOT)

        left = rect.left() + PAD + DOT + GAP
        width = max(0, rect.right() - PAD - left)
        bold = QFont(base_font)
        bold.setBold(True)
        name = str(index.data(AccountRole.NAME))
        painter.setFont(bold)
        painter.setPen(palette.color(text_role))
        painter.drawText(
            QRect(left, top, width, line),
            Qt.AlignmentFlag.AlignLeft,
            QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideRight, width),
        )
        painter.setFont(base_font)
        painter.setPen(palette.color(text_role) if selected else colour)
        painter.drawText(
            QRect(left, top + line + 2, width, line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(
                str(index.data(AccountRole.HEALTH_SHORT)), Qt.TextElideMode.ElideRight, width
            ),
        )
        painter.restore()
