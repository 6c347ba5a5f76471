"""What the panes share for their actions and sentences."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def pane_action(
    pane: QWidget,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str,
    slot: Callable[[], object],
) -> QAction:
    """An action of `pane` whose shortcut works anywhere in the window while the pane is the
    one shown (a hidden pane's actions do not fire); a focused text field still keeps its own
    Copy, Paste and Delete."""
    action = QAction(text, pane)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    pane.addAction(action)
    return action


def pluralise(number: int, noun: str) -> str:
    """'1 file', '3 files'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
