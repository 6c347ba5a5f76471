"""A large selection's "Download to folder" (select all of 100,000) on the real window, offscreen,
against the sandbox: its ids are fed to the downloads a page at a time as the queue runs low,
never all at once; the list keeps the newest saved rows; "Cancel all" forgets what was never
fed; what a quit left is fed again at the next start. The bounds are lowered so that a few
dozen files show what 100,000 would."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from tests.helpers.batch_assets import first_gets, states
from tests.helpers.library_window import OpenLibrary

from assetdesk.services.app import AppServices
from assetdesk.ui.library import context_actions, download_feed, downloads
from assetdesk.ui.library.pane import LibraryPane

FEED_PAGE, LOW_WATER, KEPT = 4, 3, 5


@pytest.fixture(autouse=True)
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_actions, "MANY_SELECTED", 5)
    monkeypatch.setattr(download_feed, "FEED_PAGE", FEED_PAGE)
    monkeypatch.setattr(download_feed, "LOW_WATER", LOW_WATER)
    monkeypatch.setattr(downloads, "SAVED_ROWS_KEPT", KEPT)


class Watch:
    """The most rows the downloads list held, and the most of them queued, at any change."""

    def __init__(self, pane: LibraryPane) -> None:
        self.pane = pane
        self.most_rows = self.most_queued = 0
        self.lines: list[str] = []
        for signal in (pane.downloads.rowsInserted, pane.downloads.dataChanged):
            signal.connect(self.look)

    def look(self, *_: object) -> None:
        self.most_rows = max(self.most_rows, self.pane.downloads.row_count())
        self.most_queued = max(self.most_queued, states(self.pane).count("queued"))
        box = self.pane.downloads_box
        if box.batch_row.isVisible():
            self.lines.append(box.batch_line.text())


def download_all(qtbot: QtBot, pane: LibraryPane, target: Path) -> None:
    pane.current_view.selectAll()
    pane.asset_actions.download_action.trigger()
    dialog = pane.asset_actions.file_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.fileSelected.emit(str(target))
    dialog.close()


def test_select_all_is_fed_a_page_at_a_time_and_the_list_keeps_the_newest_saved(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=18)
    pane, contents, target = library.pane, library.contents, library.saved
    pane.download_jobs.set_files_at_once(2)
    sb.fault("storage", "/*", method="GET", latency=0.1, count=500)
    watch = Watch(pane)

    download_all(qtbot, pane, target)
    qtbot.waitUntil(lambda: bool(watch.lines), timeout=10_000)
    assert watch.lines[0].startswith("0 of 18 saved")  # every file counted at once
    box = pane.downloads_box
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled(), timeout=60_000)

    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents
    assert box.batch_line.text() == "18 of 18 saved"
    # Fed as the queue ran low: never more waiting than a page beyond the low-water mark.
    assert 0 < watch.most_queued <= LOW_WATER + FEED_PAGE - 1
    assert watch.most_rows < 18
    assert states(pane) == ["done"] * KEPT  # the newest saves; the line counts them all
    assert arun(services.library.pending_downloads.all()) == []


def test_cancel_all_forgets_the_files_never_fed(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=14)
    pane, target = library.pane, library.saved
    pane.download_jobs.set_files_at_once(1)
    sb.bandwidth("storage", 20_000)  # the first file takes a second
    try:
        download_all(qtbot, pane, target)
        qtbot.waitUntil(lambda: len(first_gets(sb)) == 1, timeout=10_000)
        assert len(arun(services.library.pending_downloads.all())) == 14
        assert len(states(pane)) < 14  # the rest not fed yet
        box = pane.downloads_box
        box.cancel_batch_button.click()
        qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled(), timeout=10_000)
    finally:
        sb.bandwidth("storage", None)
    assert box.batch_line.text() == "0 of 14 saved · 14 cancelled"
    assert set(states(pane)) == {"cancelled"}
    assert len(first_gets(sb)) == 1
    qtbot.waitUntil(lambda: arun(services.library.pending_downloads.all()) == [], timeout=5_000)
    assert not [p for p in target.iterdir() if not p.name.endswith((".part", ".part.json"))]


def test_what_a_quit_left_is_fed_again_and_a_file_gone_from_the_catalog_is_forgotten(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=12)
    pane, assets, contents, target = library.pane, library.by_name, library.contents, library.saved
    # The records a quit leaves of a selection of 12, none fed yet.
    pending = services.library.pending_downloads
    arun(pending.add_ids(array("q", [a.id for a in assets]), target, keep_folders=False))
    watch = Watch(pane)
    pane.download_jobs.set_files_at_once(1)
    sb.bandwidth("storage", 40_000)  # the first file takes half a second
    try:
        assert arun(pane.download_jobs.resume()) == 12
        qtbot.waitUntil(lambda: len(first_gets(sb)) == 1, timeout=10_000)
        # One asset not fed yet leaves the catalog (its record goes with it): it is not fed.
        removed = assets[10]
        assert removed.title not in {d.title for d in pane.downloads.downloads()}
        arun(services.library.remove([removed.id]))
    finally:
        sb.bandwidth("storage", None)
    box = pane.downloads_box
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled(), timeout=60_000)
    assert box.batch_line.text() == "11 of 11 saved"
    del contents[removed.name or ""]
    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents
    assert watch.most_queued <= LOW_WATER + FEED_PAGE - 1
    assert arun(pending.all()) == []
