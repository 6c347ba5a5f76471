"""View → "Thumbnail cache size…" on the real window: the dialog shows the limit and what the
thumbnails take, the choice is kept in the catalog for later starts, and a lower limit drops the
least recently shown thumbnails from the pack at once."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window
from tests.helpers.qt_images import noise_png

from assetdesk.services.app import AppServices
from assetdesk.store.thumbnail_pack import DEFAULT_LIMIT, limit_in_catalog
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnail_cache_setting import MB


def test_the_thumbnail_cache_size_is_chosen_kept_and_applied(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY)
    maker = window.library_thumbnails
    for n in range(6):
        arun(maker.for_image_bytes(noise_png(256), key=f"k{n}"))
    assert maker.cache is not None
    pack = maker.cache.pack()
    used = pack.stored_bytes()
    assert used > 0
    setting = window.thumbnail_cache
    assert setting.action in window.menus["View"].actions()

    setting.action.trigger()
    qtbot.waitUntil(lambda: setting.dialog is not None and setting.dialog.isVisible())
    dialog = setting.dialog
    assert dialog is not None
    assert dialog.intValue() == DEFAULT_LIMIT // MB
    assert "They take " in dialog.labelText() and "least recently shown" in dialog.labelText()
    dialog.setIntValue(1234)
    dialog.accept()
    qtbot.waitUntil(lambda: limit_in_catalog(services.paths.database) == 1234 * MB)
    qtbot.waitUntil(lambda: pack.limit == 1234 * MB)

    # Below what they take (the dialog offers 20 MB at least; a smaller bound, as a test may):
    # the oldest go at once, the newest stay.
    arun(setting.apply(used // 2))
    assert pack.stored_bytes() <= used // 2
    assert maker.cached("k5") is not None and maker.cached("k0") is None
    assert limit_in_catalog(services.paths.database) == used // 2
