"""Text from outside (a service's error, a file's name, a project's name) shown as text, never
read as markup: Qt takes a label's or a tooltip's text that looks like HTML for rich text, so a
file named `<img src=…>.png` or a service answer holding tags would be rendered (and could
load a local file)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

__all__ = ["plain_label", "plain_tip"]


def plain_label(label: QLabel) -> QLabel:
    """`label`, set to show its text as plain text whatever it holds."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_tip(text: str | None) -> str | None:
    """`text` as a tooltip shows it literally: escaped inside a paragraph that keeps its lines
    (a tooltip has no plain-text setting; Qt guesses)."""
    if not text:
        return text
    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=False)}</p>"
