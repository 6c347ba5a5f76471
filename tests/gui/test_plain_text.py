"""Text from outside shown as text: a file named like markup, a service's error holding tags,
never rendered as rich text (which could also load a local file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window

from assetdesk.services.app import AppServices
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.plain_text import plain_tip

MARKUP = "<h1>big<img src=x onerror=alert(1)>.png"  # a file name: no slash


def test_a_file_named_like_markup_is_shown_as_its_name(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1600, 1000))
    pane = window.uploads_pane
    arun(pane._add([tmp_path / MARKUP]))  # not there: refused, its name in the sentences
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    index = pane.model.index(0, 0)
    assert index.data() == MARKUP  # a view draws item text as text
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;h1&gt;big&lt;img src=x onerror=alert(1)&gt;.png" in tip
    assert "<h1>" not in tip and "<img" not in tip
    pane.view.selectRow(0)
    assert MARKUP in pane.details.text()
    assert pane.details.textFormat() == Qt.TextFormat.PlainText
    notice = pane.notice
    notice.show_message(f"The service said: {MARKUP}", "error")
    assert notice.textFormat() == Qt.TextFormat.PlainText
    # Shown as written: as wide as the tags themselves, not as a bold word and a picture.
    assert notice.fontMetrics().horizontalAdvance(MARKUP) <= notice.sizeHint().width() * 2
    assert window.library_pane.preview.state_text.textFormat() == Qt.TextFormat.PlainText


def test_a_tooltip_keeps_its_lines_and_escapes_the_rest() -> None:
    assert plain_tip("a < b\nc & d") == "<p style='white-space:pre-wrap'>a &lt; b\nc &amp; d</p>"
    assert plain_tip("") == "" and plain_tip(None) is None
