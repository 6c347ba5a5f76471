"""The Progress column of a transfer list (uploads, downloads): a bar while a file moves, its
reason in words when it will not go."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from assetdesk.ui.widgets.colours import ERROR_COLOUR, readable
from assetdesk.ui.widgets.roles import FractionRole, StateRole

_REASON = {"failed": ERROR_COLOUR, "refused": ERROR_COLOUR}


class ProgressDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        fraction = index.data(FractionRole)
        if fraction is None:
            self._paint_text(painter, option, index)
            return
        # The selection background first, then the bar inside a small margin.
        style = option.widget.style() if option.widget else QApplication.style()
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, option.widget)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect).adjusted(3, 4, -3, -4)
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = round(max(0.0, min(1.0, float(fraction))) * 1000)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)

    def _paint_text(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        colour = _REASON.get(str(index.data(StateRole)))
        if colour is not None and not option.state & QStyle.StateFlag.State_Selected:
            styled.palette.setColor(styled.palette.ColorRole.Text, readable(colour, option.palette))
        styled.textElideMode = Qt.TextElideMode.ElideRight
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, styled, painter, option.widget)
