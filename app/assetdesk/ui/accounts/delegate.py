"""Paints one account row: a state dot, the name and service, the address, the health line."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.widgets.colours import STATE_COLOURS, UNTESTED_COLOUR, readable

_Index = QModelIndex | QPersistentModelIndex

PAD = 10
DOT = 10
GAP = 12


class AccountDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = QFontMetrics(option.font)
        height = PAD * 2 + metrics.lineSpacing() * 3 + 4
        return QSize(320, height)

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

        state = str(index.data(AccountRole.HEALTH_STATE))
        colour = STATE_COLOURS.get(state, UNTESTED_COLOUR)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        dot_top = rect.top() + PAD + (line - DOT) // 2
        painter.drawEllipse(rect.left() + PAD, dot_top, DOT, DOT)

        left = rect.left() + PAD + DOT + GAP
        width = rect.right() - PAD - left
        top = rect.top() + PAD

        bold = QFont(base_font)
        bold.setBold(True)
        name = str(index.data(AccountRole.NAME))
        kind = str(index.data(AccountRole.KIND_LABEL))
        painter.setFont(bold)
        painter.setPen(palette.color(text_role))
        name_width = min(QFontMetrics(bold).horizontalAdvance(name), width)
        painter.drawText(QRect(left, top, name_width, line), Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(base_font)
        secondary = palette.color(text_role)
        if not selected:
            secondary = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(secondary)
        kind_left = left + name_width + GAP
        painter.drawText(
            QRect(kind_left, top, max(0, left + width - kind_left), line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(kind, Qt.TextElideMode.ElideRight, max(0, left + width - kind_left)),
        )

        detail = str(index.data(AccountRole.DETAIL))
        painter.drawText(
            QRect(left, top + line, width, line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(detail, Qt.TextElideMode.ElideMiddle, width),
        )

        health = str(index.data(AccountRole.HEALTH_TEXT))
        painter.setPen(palette.color(text_role) if selected else readable(colour, palette))
        painter.drawText(
            QRect(left, top + 2 * line + 4, width, line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(health, Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()
