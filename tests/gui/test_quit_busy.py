"""Quitting: at once when nothing transfers; with uploads or downloads running, a "Quit AssetDesk?"
box first, whose Cancel keeps them going and whose Quit leaves them to resume at the next start
(the upload queue and the Library's downloads are kept in the database, a download's `.part`
beside where its file goes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import keyring.backends.fail
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO

from assetdesk.services.app import AppServices, build_services
from assetdesk.services.upload_items import ItemState
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.quit_box import running_text
from assetdesk.ui.tasks import BackgroundTasks

MIB = 1024 * 1024
RUNNING_TWO = "2 uploads are running; they go on when AssetDesk starts again."


def sandbox_services(app_paths: AppPaths, sb: Any, arun: Any) -> AppServices:
    """The services of one run of `assetdesk --sandbox` (its account lives for the session)."""
    services = build_services(app_paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    arun(
        services.accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
        )
    )
    return services


def buttons(box: QMessageBox) -> dict[str, Any]:
    return {button.text().replace("&", ""): button for button in box.buttons()}


def test_an_idle_quit_closes_at_once(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.running_transfers() == (0, 0)
    with qtbot.waitSignal(window.closed, timeout=2_000):
        window.quit_action.trigger()
    assert window.quit_box is None and not window.isVisible() and tasks.closing


def test_a_close_from_code_never_asks_even_while_uploading(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    padded_video: Callable[..., Path],
) -> None:
    """SIGTERM, the Dock's Quit and the ASSETDESK_QUIT_AFTER_MS hook close the window from code:
    no box may hold the shutdown. (The title bar's button sends a spontaneous close event, which
    asks; offscreen Qt cannot make one, so that path is not exercised here.)"""
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS)
    sb.bandwidth("api", 500_000)
    try:
        arun(window.uploads_pane._add([padded_video(8 * MIB)]))
        clip = services.uploads.items[0]
        qtbot.waitUntil(lambda: clip.progress.done > 50_000, timeout=10_000)
        assert window.running_transfers() == (1, 0)
        with qtbot.waitSignal(window.closed, timeout=2_000):
            window.close()
        assert window.quit_box is None and tasks.closing
    finally:
        sb.bandwidth("api", None)


CLIP = 64 * MIB


def test_quitting_while_uploading_asks_and_the_next_start_resumes(
    qtbot: QtBot,
    app_paths: AppPaths,
    sb: Any,
    arun: Any,
    padded_video: Callable[..., Path],
) -> None:
    first = sandbox_services(app_paths, sb, arun)
    first_tasks = BackgroundTasks()
    try:
        window = open_window(qtbot, first, first_tasks, arun, Pane.UPLOADS)
        pane = window.uploads_pane
        sb.bandwidth("api", 500_000)  # the clip is still on its way when the quit comes
        arun(first.uploads.set_concurrency(1))
        # Larger than what the kernel's buffers hold on the way to the sandbox (here up to
        # 4 MiB sent + 32 MiB received, net.ipv4.tcp_rmem): with all of it handed over, the
        # quit would leave its outcome unknown (sent in full), not a file to send again.
        arun(pane._add([padded_video(CLIP), DEMO / "swatch-256x256.png"]))
        clip = first.uploads.items[0]
        qtbot.waitUntil(lambda: clip.progress.done > 50_000, timeout=10_000)

        # Quit, then Cancel: the window stays and the clip keeps going.
        window.quit_action.trigger()
        box = window.quit_box
        assert box is not None
        qtbot.waitUntil(box.isVisible)
        assert box.text() == "Quit AssetDesk?"
        assert box.informativeText() == RUNNING_TWO
        assert set(buttons(box)) == {"Quit", "Cancel"}
        assert box.defaultButton() is buttons(box)["Cancel"]
        buttons(box)["Cancel"].click()
        qtbot.waitUntil(lambda: not box.isVisible())
        assert window.isVisible() and not first_tasks.closing
        sent = clip.progress.done
        qtbot.waitUntil(lambda: clip.progress.done > sent + 50_000, timeout=10_000)
        assert clip.state is ItemState.UPLOADING

        # Quit again, and Quit in the box this time: the window closes mid-upload.
        window.quit_action.trigger()
        qtbot.waitUntil(box.isVisible)
        assert window.quit_box is box and box.informativeText() == RUNNING_TWO
        with qtbot.waitSignal(window.closed, timeout=5_000):
            buttons(box)["Quit"].click()
        assert not window.isVisible() and first_tasks.closing
        assert clip.state is not ItemState.DONE
    finally:
        arun(first_tasks.aclose())
        arun(first.aclose())
    sb.bandwidth("api", None)

    # The next start: the same data folder; both files go out without being added again.
    second = sandbox_services(app_paths, sb, arun)
    second_tasks = BackgroundTasks()
    try:
        window = open_window(qtbot, second, second_tasks, arun, Pane.UPLOADS)
        items = second.uploads.items
        assert [i.row.name for i in items] == ["clip.mp4", "swatch-256x256.png"]
        qtbot.waitUntil(
            lambda: all(i.state is ItemState.DONE for i in second.uploads.items), timeout=30_000
        )
        assert [a for a in sb.google_flow_assets() if a["object"]["size"] == CLIP]
        assert window.running_transfers() == (0, 0)
    finally:
        arun(second_tasks.aclose())
        arun(second.aclose())


def test_quitting_while_downloading_asks_and_the_next_start_goes_on_from_the_part(
    qtbot: QtBot,
    app_paths: AppPaths,
    sb: Any,
    arun: Any,
    tmp_path: Path,
) -> None:
    first = sandbox_services(app_paths, sb, arun)
    first_tasks = BackgroundTasks()
    (account,) = arun(first.accounts.list())
    folder = tmp_path / "saved"
    folder.mkdir()
    sb.bandwidth("storage", 1000)  # the file is still on its way when the quit comes
    try:
        window = open_window(qtbot, first, first_tasks, arun, Pane.LIBRARY)
        pane = window.library_pane
        arun(first.library.add_reference(sb.demo["runway_asset_ids"][0], account.id))
        arun(pane.reload())
        (asset,) = listed_assets(pane.model)
        download = pane.download_jobs.save_to_folder(asset, folder)
        qtbot.waitUntil(
            lambda: any(d.progress and d.progress.done > 2000 for d in pane.downloads.downloads()),
            timeout=10_000,
        )
        box = window.request_quit()
        assert box is window.quit_box and box is not None
        qtbot.waitUntil(box.isVisible)
        assert box.informativeText() == (
            "1 download is running; it goes on when AssetDesk starts again."
        )
        buttons(box)["Cancel"].click()
        qtbot.waitUntil(lambda: not box.isVisible())
        assert window.isVisible() and not download.done()

        assert window.request_quit() is box
        with qtbot.waitSignal(window.closed, timeout=5_000):
            buttons(box)["Quit"].click()
        qtbot.waitUntil(download.done)
        assert download.cancelled()
        assert [d.state for d in pane.downloads.downloads()] == ["cancelled"]
    finally:
        sb.bandwidth("storage", None)
        arun(first_tasks.aclose())
        arun(first.aclose())
    # What it got so far is kept beside where the file goes, and the database remembers it.
    (part,) = [p for p in folder.iterdir() if p.name.endswith(".part")]
    kept = part.stat().st_size
    assert kept > 0 and (folder / (part.name + ".json")).is_file()
    gets_before = len([r for r in sb.requests("storage") if r["method"] == "GET"])

    # The next start goes on with it by itself, asking only for the rest.
    second = sandbox_services(app_paths, sb, arun)
    second_tasks = BackgroundTasks()
    try:
        window = open_window(qtbot, second, second_tasks, arun, Pane.LIBRARY)
        pane = window.library_pane
        assert arun(pane.download_jobs.resume()) == 1
        qtbot.waitUntil(
            lambda: [d.state for d in pane.downloads.downloads()] == ["done"], timeout=30_000
        )
        (saved,) = [p for p in folder.iterdir()]
        assert saved.name == asset.name
        whole = httpx.get(arun(second.library.signed_link(asset)).url).content
        assert saved.read_bytes() == whole  # byte for byte, and verified by the transfer
        path = urlsplit(arun(second.library.signed_link(asset)).url).path
        resumed = [r for r in sb.requests("storage") if r["method"] == "GET"][gets_before:]
        ranges = [r["headers"].get("range") for r in resumed if r["path"] == path]
        assert any(r and r.startswith("bytes=") and not r.startswith("bytes=0-") for r in ranges)
        assert arun(second.library.pending_downloads.all()) == []  # nothing left for a third
    finally:
        arun(second_tasks.aclose())
        arun(second.aclose())


def test_the_question_counts_uploads_and_downloads() -> None:
    assert running_text(3, 1) == (
        "3 uploads and 1 download are running; they go on when AssetDesk starts again."
    )
    assert running_text(1, 0) == ("1 upload is running; it goes on when AssetDesk starts again.")
    assert running_text(0, 2) == (
        "2 downloads are running; they go on when AssetDesk starts again."
    )
