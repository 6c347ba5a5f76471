"""The Uploads queue's thumbnails (ui/uploads/row_thumbnails.py): made a moment after a burst of
drops has landed, one file after another, never while the rows are still arriving."""

from __future__ import annotations

import time
from typing import Any

from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO, MEDIA

from assetdesk.services.app import AppServices
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.row_thumbnails import AFTER_MS

WINDOW_SIZE = (1100, 640)


def test_a_burst_of_drops_gets_its_thumbnails_once_the_drops_stop(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WINDOW_SIZE)
    pane = window.uploads_pane
    services.uploads.stop()  # nothing is sent: only the rows and their thumbnails matter here
    bursts = [[DEMO / "swatch-256x256.png"], [MEDIA / "clip.mp4"], [DEMO / "sunrise-640x360.png"]]
    started = time.monotonic()
    for files in bursts:
        arun(pane._add(files))
        qtbot.wait(AFTER_MS // 3)  # the next drop comes before the quiet spell ends
    items = list(services.uploads.items)
    assert len(items) == 3
    while time.monotonic() - started < (AFTER_MS / 1000) * 1.5:
        assert all(pane.model.thumbnail(item.id) is None for item in items), "made mid-burst"
        qtbot.wait(20)
    qtbot.waitUntil(
        lambda: all(pane.model.thumbnail(item.id) is not None for item in items), timeout=15_000
    )
