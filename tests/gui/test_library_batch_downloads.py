"""The Library's "Download to folder" of a selection on the real window, offscreen, against the
sandbox: files at once under one bound, the batch's line, cancelling the batch or one file, the
summary of failures, and the files still waiting kept for the next start."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot
from tests.helpers.batch_assets import first_gets, states
from tests.helpers.library_window import OpenLibrary

from assetdesk.services.app import AppServices
from assetdesk.services.library import Asset
from assetdesk.ui.library.pane import LibraryPane

#: Seconds the storage origin waits before it answers each download's request.
LATENCY = 0.4


def ranged_gets(sb: Any) -> list[dict[str, Any]]:
    """The storage origin's GETs that asked for a range: a download's, one per connection."""
    return [r for r in sb.requests("storage") if r["method"] == "GET" and r["headers"].get("range")]


def thumbnails_made(qtbot: QtBot, pane: LibraryPane, assets: list[Asset]) -> None:
    """The tiles' thumbnails made: their own link lookups are over before a test counts the
    downloads'."""
    qtbot.waitUntil(
        lambda: all(pane.model.thumbnail(asset.id) is not None for asset in assets),
        timeout=15_000,
    )


def test_a_selection_downloads_a_few_files_at_once_and_sums_them_with_its_failures(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=10)
    pane, assets, contents = library.pane, library.by_name, library.contents
    gone = assets[4]  # deleted on Runway since it was listed: its lookup answers 404
    sb.fault("api", f"/v1/runwayml/assets/{gone.remote_id}", method="GET", status=404, count=50)
    sb.fault("storage", "/*", method="GET", latency=LATENCY, count=500)
    box = pane.downloads_box
    box.files_at_once.setValue(3)  # the spin box sets the bound
    assert pane.download_jobs.files_at_once == 3
    most: list[int] = [0]
    lines: list[str] = []

    def count_running() -> None:
        most[0] = max(most[0], states(pane).count("running"))
        if box.batch_row.isVisible():
            lines.append(box.batch_line.text())

    pane.downloads.dataChanged.connect(count_running)
    fed: list[list[str]] = []  # the rows' states as each page of files came
    pane.downloads.rowsInserted.connect(lambda *_: fed.append(states(pane)))
    target = library.saved
    pane.current_view.selectAll()  # the whole selection, as the user sends it
    pane.asset_actions.download_action.trigger()
    dialog = pane.asset_actions.file_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Download 10 assets to a folder"
    dialog.fileSelected.emit(str(target))
    dialog.close()
    qtbot.waitUntil(lambda: bool(fed), timeout=5_000)  # fed by their ids, read by SQLite
    assert fed[0] == ["queued"] * 10  # each waits for its turn
    qtbot.waitUntil(
        lambda: not {"queued", "running"} & set(states(pane)) and len(states(pane)) == 10,
        timeout=30_000,
    )
    pane.downloads.dataChanged.disconnect(count_running)

    # Never more than the bound at once, and the bound was used.
    assert most[0] == 3
    gets = first_gets(sb)
    assert len(gets) == 9
    for earlier, later in zip(gets, gets[3:], strict=False):
        assert later[0] - earlier[0] >= LATENCY * 0.9, gets  # a 4th only once one ended
    # Every file that came is whole, under its own name; the gone one says why on its row.
    saved = {p.name: p.read_bytes() for p in target.iterdir()}
    assert saved == {name: data for name, data in contents.items() if name != gone.name}
    rows = {d.title: d for d in pane.downloads.downloads()}
    assert [t for t, d in rows.items() if d.state != "done"] == [gone.title]
    failure = rows[gone.title].message or ""
    assert failure.endswith(".") and failure[0].isupper(), failure
    # The batch's line summed them while they ran, and ends with the failure named.
    assert any(" of 10 saved · " in line and " running · " in line for line in lines), lines
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled())
    assert box.batch_line.text() == f"1 of 10 failed: {gone.title} · 9 saved"
    batch = pane.download_jobs.batch
    assert batch is not None
    sums = batch.sums()
    assert (sums.done, sums.failed, sums.bytes_done) == (9, 1, sum(map(len, saved.values())))
    assert arun(services.library.pending_downloads.all()) == []


def test_cancelling_the_batch_stops_what_runs_and_what_waits(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=8, pad=200_000)
    pane, assets, contents = library.pane, library.by_name, library.contents
    pane.download_jobs.set_files_at_once(2)
    assert pane.downloads_box.files_at_once.value() == 2
    sb.bandwidth("storage", 40_000)  # each file takes seconds
    target = library.saved
    try:
        started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
        qtbot.waitUntil(
            lambda: (
                sum(1 for d in pane.downloads.downloads() if d.progress and d.progress.done) == 2
            ),
            timeout=15_000,
        )
        assert states(pane).count("running") == 2 and states(pane).count("queued") == 6
        box = pane.downloads_box
        assert box.batch_row.isVisible() and box.cancel_batch_button.isEnabled()
        box.cancel_batch_button.click()
        qtbot.waitUntil(started.done, timeout=10_000)
    finally:
        sb.bandwidth("storage", None)
    assert states(pane) == ["cancelled"] * 8
    assert len(first_gets(sb)) == 2  # the ones waiting never asked
    # Nothing under a final name but whole files (none here); what began stays as a .part.
    for path in target.iterdir():
        assert path.name.endswith((".part", ".part.json")) or path.read_bytes() in contents.values()
    assert not [p for p in target.iterdir() if not p.name.endswith((".part", ".part.json"))]
    # The user's cancel is not for the next start.
    assert arun(services.library.pending_downloads.all()) == []
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled())
    assert box.batch_line.text() == "0 of 8 saved · 8 cancelled"


def test_cancelling_one_waiting_file_lets_the_others_come(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=3)
    pane, assets, contents = library.pane, library.by_name, library.contents
    pane.download_jobs.set_files_at_once(1)
    sb.fault("storage", "/*", method="GET", latency=1.0, count=20)
    target = library.saved
    started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
    qtbot.waitUntil(lambda: states(pane)[:2] == ["running", "queued"], timeout=10_000)
    box = pane.downloads_box
    box.view.selectionModel().select(
        pane.downloads.index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert box.selected_downloads() == [pane.downloads.downloads()[1]]
    box.cancel_button.click()
    qtbot.waitUntil(started.done, timeout=20_000)
    assert states(pane) == ["done", "cancelled", "done"]
    saved = {p.name: p.read_bytes() for p in target.iterdir()}
    assert saved == {n: contents[n] for n in (assets[0].name, assets[2].name)}
    assert len(first_gets(sb)) == 2
    assert arun(services.library.pending_downloads.all()) == []


def test_cancel_all_just_as_the_first_file_starts_cancels_it_and_forgets_it(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    """ "Cancel all" once the queue has started the first file's task and before that task's
    first step (so the download never ran): its row says so and its record goes too."""
    library = open_library(added=2)
    pane, assets = library.pane, library.by_name
    pane.download_jobs.set_files_at_once(1)
    box = pane.downloads_box
    target = library.saved
    sb.clear_requests()

    def cancel_soon(*_: object) -> None:  # after the queue's turn, which starts the first file
        asyncio.get_running_loop().call_soon(box.cancel_batch_button.click)

    pane.downloads.rowsInserted.connect(cancel_soon)
    started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
    qtbot.waitUntil(started.done, timeout=10_000)
    assert started.cancelled()
    assert states(pane) == ["cancelled", "cancelled"]
    assert first_gets(sb) == []
    qtbot.waitUntil(lambda: arun(services.library.pending_downloads.all()) == [], timeout=5_000)
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled())
    assert box.batch_line.text() == "0 of 2 saved · 2 cancelled"


def test_files_still_waiting_are_kept_for_the_next_start(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=4)
    window, pane, assets, contents = library.window, library.pane, library.by_name, library.contents
    pane.download_jobs.set_files_at_once(1)
    target = library.saved
    sb.bandwidth("storage", 5_000)  # the first file takes seconds
    try:
        started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
        qtbot.waitUntil(lambda: len(first_gets(sb)) == 1, timeout=10_000)
        assert states(pane) == ["running", "queued", "queued", "queued"]
        assert window.running_transfers() == (0, 4)  # the quit box counts the waiting ones
        noted = arun(services.library.pending_downloads.all())
        assert sorted(job.asset_id for job in noted) == sorted(a.id for a in assets)
        started.cancel()  # what a quit does to them
        qtbot.waitUntil(started.done, timeout=10_000)
    finally:
        sb.bandwidth("storage", None)
    assert states(pane) == ["cancelled"] * 4
    assert len(arun(services.library.pending_downloads.all())) == 4

    assert arun(pane.download_jobs.resume()) == 4
    qtbot.waitUntil(lambda: states(pane)[4:] == ["done"] * 4, timeout=20_000)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents
    assert arun(services.library.pending_downloads.all()) == []


def test_429s_on_runway_lookups_are_waited_out_by_the_whole_account(
    qtbot: QtBot, open_library: OpenLibrary, sb: Any
) -> None:
    """Three 429s in a row for each asset's lookup (a call alone gives up after three tries):
    each row says it waits, both lookups wait out every pause, both files come whole."""
    library = open_library(added=2)
    pane, assets, contents = library.pane, library.by_name, library.contents
    thumbnails_made(qtbot, pane, assets)
    paths = {f"/v1/runwayml/assets/{asset.remote_id}" for asset in assets}
    for path in paths:
        sb.fault(
            "api",
            path,
            method="GET",
            status=429,
            headers={"Retry-After": "1"},
            body={"error": "Too many requests"},
            count=3,
        )
    sb.clear_requests()
    pane.download_jobs.set_files_at_once(2)
    said: set[str] = set()

    def note_rows() -> None:
        for row in range(pane.downloads.row_count()):
            said.add(pane.downloads.index(row, 1).data())

    pane.downloads.dataChanged.connect(note_rows)
    target = library.saved
    started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
    qtbot.waitUntil(started.done, timeout=30_000)
    pane.downloads.dataChanged.disconnect(note_rows)

    assert states(pane) == ["done", "done"], [d.message for d in pane.downloads.downloads()]
    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents
    assert "Waiting: the service asks to slow down, 1 s" in said, said
    lookups = sorted(r["time"] for r in sb.requests("api") if r["path"] in paths)
    assert len(lookups) == 8  # three refused and one answered, for each
    # The lookups go in waves: a 429 pauses both assets' lookups for its second, so the next
    # ones (whichever asset they are for) come together once the pause is over.
    gaps = [later - earlier for earlier, later in itertools.pairwise(lookups)]
    assert all(gap < 0.3 or gap >= 0.9 for gap in gaps), gaps
    assert sum(1 for gap in gaps if gap >= 0.9) >= 3, gaps


def test_a_429_asking_for_too_long_a_wait_fails_the_row_at_once(
    qtbot: QtBot, open_library: OpenLibrary, sb: Any
) -> None:
    library = open_library(added=1)
    pane = library.pane
    (asset,) = library.by_name
    thumbnails_made(qtbot, pane, [asset])
    path = f"/v1/runwayml/assets/{asset.remote_id}"
    sb.fault(
        "api",
        path,
        method="GET",
        status=429,
        headers={"Retry-After": "400"},
        body={"error": "Too many requests"},
        count=1,
    )
    sb.clear_requests()
    target = library.saved
    started = pane.download_jobs.download_to_folder([asset.id], target)
    qtbot.waitUntil(started.done, timeout=10_000)
    (row,) = pane.downloads.downloads()
    assert row.state == "failed"
    assert "try again in 7 min" in (row.message or ""), row.message
    assert len([r for r in sb.requests("api") if r["path"] == path]) == 1
    assert list(target.iterdir()) == []


def test_pausing_the_batch_stops_it_and_resuming_goes_on_from_each_part(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(added=4, pad=400_000)
    pane, assets, contents = library.pane, library.by_name, library.contents
    thumbnails_made(qtbot, pane, assets)
    pane.download_jobs.set_files_at_once(2)
    target = library.saved
    box = pane.downloads_box
    sb.bandwidth("storage", 100_000)  # each file takes seconds
    try:
        sb.clear_requests()
        started = pane.download_jobs.download_to_folder([a.id for a in assets], target)
        qtbot.waitUntil(
            lambda: (
                sum(1 for d in pane.downloads.downloads() if d.progress and d.progress.done) == 2
            ),
            timeout=15_000,
        )
        assert box.pause_action.isEnabled() and box.pause_action.text() == "Pause"
        box.pause_action.trigger()
        qtbot.waitUntil(
            lambda: states(pane) == ["paused", "paused", "queued", "queued"], timeout=10_000
        )
        assert pane.download_jobs.paused and box.pause_action.text() == "Resume"
        assert box.batch_line.text().startswith("Paused · 0 of 4 saved"), box.batch_line.text()
        parts = sorted(p.name for p in target.iterdir() if p.name.endswith(".part"))
        assert parts == sorted(f"{a.name}.part" for a in assets[:2])
        asked = len(sb.requests("storage"))
        qtbot.wait(800)  # nothing starts while paused
        assert len(sb.requests("storage")) == asked
        assert states(pane) == ["paused", "paused", "queued", "queued"]
        noted = arun(services.library.pending_downloads.all())
        assert sorted(job.asset_id for job in noted) == sorted(a.id for a in assets)
    finally:
        sb.bandwidth("storage", None)

    box.pause_action.trigger()  # Resume
    assert not pane.download_jobs.paused and box.pause_action.text() == "Pause"
    qtbot.waitUntil(started.done, timeout=20_000)
    assert states(pane) == ["done"] * 4
    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents
    # The two paused files went on from their bytes: a range that does not start at 0.
    first_paths = [path for _, path in first_gets(sb)[:2]]
    for path in first_paths:
        ranges = [
            r["headers"].get("range", "")
            for r in sb.requests("storage")
            if r["path"] == path and r["method"] == "GET"
        ]
        assert any(not asked.startswith("bytes=0-") for asked in ranges), ranges
    assert arun(services.library.pending_downloads.all()) == []
    qtbot.waitUntil(lambda: not box.cancel_batch_button.isEnabled())
    assert box.batch_line.text() == "4 of 4 saved" and not box.pause_action.isEnabled()


def test_a_batch_shares_its_connection_budget_and_a_lone_file_keeps_its_segments(
    qtbot: QtBot, open_library: OpenLibrary, sb: Any, tmp_path: Path
) -> None:
    """Three files of 20 MiB (over the 16 MiB a file is cut from), three at once: max(3, 4
    segments) = 4 connections shared by three, one each (each file was four); one file alone
    afterwards: its segments, in parallel."""
    library = open_library(added=3, pad=20 * 1024 * 1024)
    pane, assets, contents = library.pane, library.by_name, library.contents
    pane.downloads_box.files_at_once.setValue(3)
    target = library.saved
    sb.clear_requests()
    handles = [pane.download_jobs.save_to_folder(asset, target) for asset in assets]
    qtbot.waitUntil(lambda: all(handle.done() for handle in handles), timeout=60_000)
    gets = ranged_gets(sb)  # the downloads' (a tile's thumbnail asks without a range)
    assert len(gets) == 3 and len({r["path"] for r in gets}) == 3  # one each
    assert {r["headers"]["range"] for r in gets} == {"bytes=0-"}
    assert {p.name: p.read_bytes() for p in target.iterdir()} == contents

    alone = tmp_path / "alone"
    alone.mkdir()
    sb.clear_requests()
    sb.bandwidth("storage", 8_000_000)  # paced: the first stream cannot end before the others
    try:
        handle = pane.download_jobs.save_to_folder(assets[0], alone)
        qtbot.waitUntil(handle.done, timeout=60_000)
    finally:
        sb.bandwidth("storage", None)
    assert len(ranged_gets(sb)) >= 2
    assert (alone / (assets[0].name or "")).read_bytes() == contents[assets[0].name or ""]
