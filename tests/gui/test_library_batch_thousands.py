"""A "Download to folder" of thousands of assets on the real window, offscreen, against the
sandbox: the batch's line at once and the rows fed a page at a time as the queue runs low, the
records that keep the batch for a next start written in one transaction, and every file saved."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from tests.helpers.library_window import OpenLibrary
from tests.helpers.media_files import DEMO
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.services.app import AppServices
from assetdesk.ui.library.download_feed import FEED_PAGE, LOW_WATER

COUNT = 2000


def pending_records(database: Path) -> tuple[int, int]:
    """How many pending downloads the database holds, and how many distinct times they were
    written at (read on a connection of its own, as another process would)."""
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT added_at) FROM pending_downloads"
        ).fetchone()
    finally:
        conn.close()
    return row[0], row[1]


def test_two_thousand_assets_to_a_folder_are_noted_in_one_write_and_all_saved(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    # A listing reads at most ~1,000 assets of a Runway account: the other user's two accounts
    # hold 1,000 each.
    other = sb.demo["other_user_token"]
    arun(
        services.accounts.add_session_account(
            name="Other", kind="useapi", base_url=sb.api_url, secret=other
        )
    )
    for email in ("other.one@example.com", "other.two@example.com"):
        seed_runway_assets(sb, COUNT // 2, token=other, email=email)
    library = open_library(refresh_ms=120_000, reload_ms=60_000)
    pane, target = library.pane, library.saved
    bulk = [a for a in library.listed if (a.name or "").startswith("Bulk ")]
    assert len(bulk) == COUNT
    pane.download_jobs.set_files_at_once(1)
    # The first file is held a second at the storage host: nothing is saved (and no record
    # forgotten) before the test has looked at the records.
    sb.fault("storage", "/*", method="GET", latency=1.0, count=1)
    database = services.paths.database

    started = pane.download_jobs.download_to_folder([a.id for a in bulk], target)

    box = pane.downloads_box
    assert box.batch_row.isVisible()  # the batch's line at once, before any record is written
    assert box.batch_line.text().startswith(f"0 of {COUNT} saved")
    # The first rows come once their page is read; the rest as the queue runs low.
    qtbot.waitUntil(lambda: pane.downloads.row_count() >= FEED_PAGE, timeout=10_000)
    assert pane.downloads.row_count() <= LOW_WATER + FEED_PAGE < COUNT
    qtbot.waitUntil(lambda: pending_records(database)[0] == COUNT, timeout=20_000)
    assert pending_records(database) == (COUNT, 1)  # one write: one time for all of them
    pane.download_jobs.set_files_at_once(16)
    qtbot.waitUntil(started.done, timeout=300_000)
    assert not started.cancelled()

    states = {d.state for d in pane.downloads.downloads()}
    assert states == {"done"}, [d.message for d in pane.downloads.downloads() if d.message][:3]
    data = (DEMO / "sunrise-640x360.png").read_bytes()
    saved = list(target.iterdir())
    assert sorted(p.name for p in saved) == sorted(a.name for a in bulk)
    assert all(path.read_bytes() == data for path in saved)
    assert arun(services.library.pending_downloads.all()) == []
    # The line is written again at most ten times a second: the last time after the last file.
    qtbot.waitUntil(lambda: box.batch_line.text() == f"{COUNT} of {COUNT} saved", timeout=2_000)


def test_cancel_all_before_every_file_arrived_cancels_them_all_and_forgets_them(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any
) -> None:
    library = open_library(runway_bulk=600, refresh_ms=60_000, reload_ms=30_000)
    pane, target = library.pane, library.saved
    bulk = [a for a in library.listed if (a.name or "").startswith("Bulk ")]
    assert len(bulk) == 600
    pane.download_jobs.set_files_at_once(1)
    sb.fault("storage", "/*", method="GET", latency=2.0, count=1)

    fed: list[int] = []

    def cancel_at_the_first_page(*_: object) -> None:  # the rest are still to be fed
        fed.append(pane.downloads.row_count())
        if len(fed) == 1:
            pane.downloads_box.cancel_batch_button.click()

    pane.downloads.rowsInserted.connect(cancel_at_the_first_page)
    started = pane.download_jobs.download_to_folder([a.id for a in bulk], target)

    qtbot.waitUntil(started.done, timeout=20_000)
    assert fed == [FEED_PAGE] and pane.downloads.row_count() == FEED_PAGE  # no more were fed
    assert {d.state for d in pane.downloads.downloads()} == {"cancelled"}
    qtbot.waitUntil(lambda: pending_records(services.paths.database)[0] == 0, timeout=10_000)
    box = pane.downloads_box
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled())
    assert box.batch_line.text() == "0 of 600 saved · 600 cancelled"
    assert [p for p in target.iterdir() if not p.name.endswith((".part", ".part.json"))] == []
