"""What every pane starts with: its margins, its title and a one-line subtitle."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def pane_layout(pane: QWidget, title: str, subtitle: str) -> QVBoxLayout:
    """Give `pane` the shared layout with its title and subtitle; the caller adds the rest."""
    heading = QLabel(title)
    heading.setObjectName("paneTitle")
    line = QLabel(subtitle)
    line.setObjectName("paneSubtitle")
    line.setWordWrap(True)
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(16, 16, 16, 16)
    layout.setSpacing(8)
    layout.addWidget(heading)
    layout.addWidget(line)
    return layout
