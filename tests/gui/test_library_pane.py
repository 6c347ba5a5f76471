"""The Library pane on the real window, offscreen, against the sandbox: listing, adding by id,
filters and search, thumbnails, preview, downloads of each provider, removal, the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets, settle
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO, MEDIA

from assetdesk.services.app import AppServices
from assetdesk.ui.library.model import AssetRole, Column
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1800, 1000)  # the Library in the middle of three panes as wide as it was alone


def titles(pane: LibraryPane) -> list[str]:
    """What the current view lists, in its order."""
    proxy = pane.proxy
    return [str(proxy.index(row, Column.NAME).data()) for row in range(proxy.rowCount())]


def select_title(pane: LibraryPane, title: str) -> Any:
    for row in range(pane.proxy.rowCount()):
        index = pane.proxy.index(row, 0)
        if index.data() == title:
            view = pane.current_view
            view.selectionModel().select(
                index,
                view.selectionModel().SelectionFlag.ClearAndSelect
                | view.selectionModel().SelectionFlag.Rows,
            )
            return index.data(AssetRole)
    raise AssertionError(f"{title!r} is not listed: {titles(pane)}")


def list_demo(arun: Any, services: AppServices, pane: LibraryPane) -> None:
    """A refresh (the demo's Google Flow and Runway assets), into the catalog and the pane."""
    arun(services.library.refresh())
    arun(pane.reload())


def refresh(qtbot: QtBot, pane: LibraryPane) -> None:
    """Refresh as the user does (the Refresh button) and wait for its summary."""
    pane.notice.clear()
    pane.refresh_button.click()
    qtbot.waitUntil(lambda: pane.notice.isVisible(), timeout=15_000)


def test_runway_assets_are_listed_with_thumbnails(
    qtbot: QtBot,
    qtmodeltester: Any,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    assert pane.stack.currentWidget() is pane.empty
    count = len(sb.demo["runway_asset_ids"])
    refresh(qtbot, pane)
    assert pane.stack.currentWidget() is pane.grid
    assert "Race car.jpg" in titles(pane) and "Test clip.mp4" in titles(pane)
    runway = sb.demo["runway_emails"][0].partition("@")[0]
    runway_line = f"Runway {runway}@…: {count} assets, {count} new"
    assert runway_line in pane.notice.text().splitlines(), pane.notice.text()
    # Thumbnails come for what is painted, and are cached on disk.
    qtbot.waitUntil(lambda: pane.model.thumbnails_made() >= 3, timeout=15_000)
    assert any(services.paths.thumbnails.iterdir())
    # Runway's preview images are used when it sent them (the video's is its poster).
    clip = next(a for a in listed_assets(pane.model) if a.title == "Test clip.mp4")
    qtbot.waitUntil(lambda: pane.model.thumbnail(clip.id) is not None, timeout=15_000)
    fetched = [r["path"] for r in sb.requests("storage") if r["method"] == "GET"]
    assert any(path.endswith("-preview.jpg") for path in fetched)
    assert not any(path.endswith(".mp4") for path in fetched)
    qtmodeltester.check(pane.model, force_py=True)

    # Listing again finds nothing new.
    rows = pane.model.rowCount()
    refresh(qtbot, pane)
    assert all(line.endswith("no change") for line in pane.notice.text().splitlines())
    assert pane.model.rowCount() == rows


def test_an_audio_asset_gets_an_audio_tile_without_a_download(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    sb.put_runway_asset(MEDIA / "sound.wav", "audio/wav", name="Voice.wav")
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    refresh(qtbot, pane)
    voice = next(a for a in listed_assets(pane.model) if a.title == "Voice.wav")
    assert voice.kind == "audio"
    pane.filter_bar.kind_filter.setCurrentIndex(pane.filter_bar.kind_filter.findData("audio"))
    settle(qtbot, pane.model)
    assert titles(pane) == ["Voice.wav"]
    qtbot.waitUntil(lambda: pane.model.thumbnail(voice.id) is not None, timeout=15_000)
    assert pane.model.error(voice.id) is None
    fetched = [r["path"] for r in sb.requests("storage") if r["method"] == "GET"]
    assert not any(path.endswith(".wav") for path in fetched), "nothing downloaded for a tile"


def test_assets_are_added_by_each_kind_of_id_and_bad_ids_are_refused(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane

    def add(text: str) -> str:
        pane.notice.clear()
        pane.reference.setText(text)
        pane.add_button.click()
        qtbot.waitUntil(lambda: pane.notice.isVisible(), timeout=10_000)
        return pane.notice.text()

    assert add(sb.demo["media_generation_ids"][0]) == "Added 1 asset."
    assert add(sb.demo["runway_asset_ids"][0]) == "Added 1 asset."
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    assert add(f"{scope}/{segment}").startswith("Added ")
    assert add(sb.demo["media_generation_ids"][0]) == "Already in the library."
    providers = {
        pane.model.index(r, 0).data(AssetRole).provider for r in range(pane.model.rowCount())
    }
    assert providers == {"google-flow", "runway", "wordbee"}

    refused = add("user:12-email:zz-image:abc")
    assert pane.notice.kind == "error" and refused.endswith(".")
    assert add(sb.demo["other_user_media_generation_ids"][0]).startswith("useapi.net refused")


def test_filters_search_and_sort(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    list_demo(arun, services, pane)  # with the demo video on Google Flow
    flow = len(sb.demo["media_generation_ids"])
    assert pane.model.rowCount() == len(sb.demo["runway_asset_ids"]) + flow
    everything = pane.proxy.rowCount()

    pane.filter_bar.provider_filter.setCurrentIndex(
        pane.filter_bar.provider_filter.findData("google-flow")
    )
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == flow
    pane.filter_bar.provider_filter.setCurrentIndex(0)
    settle(qtbot, pane.model)
    pane.filter_bar.kind_filter.setCurrentIndex(pane.filter_bar.kind_filter.findData("video"))
    settle(qtbot, pane.model)
    videos = {pane.proxy.index(r, 0).data(AssetRole).kind for r in range(pane.proxy.rowCount())}
    assert videos == {"video"} and pane.proxy.rowCount() == 2
    pane.filter_bar.kind_filter.setCurrentIndex(0)
    settle(qtbot, pane.model)
    pane.search.setText("RACE")
    settle(qtbot, pane.model)
    assert titles(pane) == ["Race car.jpg"]
    pane.search.setText(sb.demo["runway_asset_ids"][0][-12:])  # part of an id
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == 1
    pane.search.clear()
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == everything

    pane.filter_bar.sort_combo.setCurrentIndex(int(Column.NAME))
    settle(qtbot, pane.model)
    pane.filter_bar.descending.setChecked(False)
    settle(qtbot, pane.model)
    shown = titles(pane)
    assert shown == sorted(shown, key=str.casefold)
    pane.filter_bar.sort_combo.setCurrentIndex(int(Column.SIZE))
    settle(qtbot, pane.model)
    pane.filter_bar.descending.setChecked(True)
    settle(qtbot, pane.model)
    sizes = [pane.proxy.index(r, 0).data(AssetRole).size or 0 for r in range(everything)]
    assert sizes == sorted(sizes, reverse=True)
    pane.set_view("list")
    assert pane.stack.currentWidget() is pane.table


def test_selecting_an_image_previews_its_pixels(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    list_demo(arun, services, pane)
    select_title(pane, "Race car.jpg")
    view = pane.preview.image_view
    qtbot.waitUntil(lambda: not view.current_image().isNull(), timeout=10_000)
    shown = view.current_image().convertToFormat(QImage.Format.Format_RGB32)
    source = QImage(str(DEMO / "bars-800x450.jpg")).convertToFormat(QImage.Format.Format_RGB32)
    assert shown.size() == source.size()
    for x, y in ((10, 10), (400, 225), (790, 440)):
        assert QColor(shown.pixel(x, y)) == QColor(source.pixel(x, y))


def test_downloads_of_each_provider_are_byte_for_byte(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    sb.put_wordbee_asset(
        DEMO / "swatch-256x256.png", "image/png", name="../../escape.png", segment_id=segment
    )
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    for text in (sb.demo["media_generation_ids"][0], sb.demo["runway_asset_ids"][0]):
        arun(services.library.add_reference(text, sandbox_accounts[0].id))
    arun(services.library.add_reference(f"{scope}/{segment}", sandbox_accounts[1].id))
    arun(pane.reload())
    target = tmp_path / "saved"
    target.mkdir()
    assets = listed_assets(pane.model)
    downloads = [pane.download_jobs.save_to_folder(asset, target) for asset in assets]
    qtbot.waitUntil(lambda: all(task.done() for task in downloads), timeout=20_000)
    states = [(d.title, d.state, d.message) for d in pane.downloads.downloads()]
    assert all(state == "done" for _title, state, _message in states), states
    saved = {p.name: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert saved["escape.png"] == (DEMO / "swatch-256x256.png").read_bytes()
    assert all(p.resolve().is_relative_to(target) for p in target.rglob("*"))
    assert (DEMO / "sunrise-640x360.png").read_bytes() in saved.values()  # the Flow image
    # The list says so and the asset remembers where its copy is.
    assert {pane.downloads.index(r, 1).data() for r in range(len(assets))} == {"Saved"}
    copies = [pane.model.asset(a.id).local_path for a in assets]
    assert all(copy and Path(copy).is_file() for copy in copies)


def test_copy_id_and_remove_from_the_library_only(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    runway_id = sb.demo["runway_asset_ids"][0]
    arun(services.library.add_reference(runway_id, sandbox_accounts[0].id))
    arun(pane.reload())
    asset = select_title(pane, listed_assets(pane.model)[0].title)
    pane.asset_actions.copy_ids()
    assert QGuiApplication.clipboard().text() == asset.remote_id == runway_id

    pane.asset_actions.remove()
    box = pane.asset_actions.remove_box
    assert "nothing is deleted on the service" in box.informativeText()
    remove = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    remove.click()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
    assert pane.stack.currentWidget() is pane.empty
    # Still on the service.
    refreshed = arun(services.library.add_reference(runway_id, sandbox_accounts[0].id))
    assert refreshed.added == 1


def test_the_filtered_model_passes_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: Any,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    list_demo(arun, services, pane)
    pane.filter_bar.kind_filter.setCurrentIndex(pane.filter_bar.kind_filter.findData("image"))
    settle(qtbot, pane.model)
    qtmodeltester.check(pane.proxy, force_py=True)


def test_the_downloads_list_passes_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: Any,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    arun(services.library.add_reference(sb.demo["runway_asset_ids"][0], sandbox_accounts[0].id))
    arun(pane.reload())
    task = pane.download_jobs.save_to_folder(listed_assets(pane.model)[0], tmp_path)
    qtbot.waitUntil(task.done, timeout=10_000)
    qtmodeltester.check(pane.downloads, force_py=True)


def test_dragging_out_fetches_a_copy_first_then_hands_over_files(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    arun(services.library.add_reference(sb.demo["runway_asset_ids"][0], sandbox_accounts[0].id))
    arun(pane.reload())
    asset = select_title(pane, listed_assets(pane.model)[0].title)
    assert asset.local_path is None

    assert pane.drag_out.before_drag() is False  # no file yet: one is fetched, the drag waits
    assert pane.notice.text().startswith("Getting a copy of 1 asset to drag")
    assert pane.drag_out.before_drag() is False  # on its way: not fetched twice
    qtbot.waitUntil(lambda: asset.id in pane.drag_out.copies, timeout=10_000)
    copy = pane.drag_out.copies[asset.id]
    assert copy.parent == services.paths.cache / "copies" / str(asset.id)
    assert pane.model.asset(asset.id).local_path is None  # a cache copy is not a download
    assert len(pane.downloads.downloads()) == 1

    select_title(pane, asset.title)
    assert pane.drag_out.before_drag() is True
    index = pane.model.index(pane.model.row_of(asset.id), 0)
    urls = pane.model.mimeData([index]).urls()
    assert [Path(url.toLocalFile()) for url in urls] == [copy]
    source = next(p for p in DEMO.iterdir() if p.read_bytes() == copy.read_bytes())
    assert source.suffix in (".png", ".jpg", ".webp", ".mp4")


def test_a_reload_keeps_the_preview_and_a_vanished_account_filter_shows_all(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    list_demo(arun, services, pane)
    select_title(pane, "Race car.jpg")
    qtbot.waitUntil(lambda: not pane.preview.image_view.current_image().isNull(), timeout=10_000)
    rows = pane.model.rowCount()
    qtbot.waitUntil(lambda: pane.model.thumbnails_made() == rows, timeout=15_000)
    sb.clear_requests()
    arun(pane.reload())  # as after a tab switch or finished uploads
    qtbot.wait(300)  # a window for a fetch that must not come: the check is that none does
    assert [r for r in sb.requests("storage") if r["method"] == "GET"] == []
    assert not pane.preview.image_view.current_image().isNull()
    # Space opens Quick Look from the views; in the preview panel it belongs to the video player.
    quick_look_action = pane.asset_actions.quick_look_action
    assert quick_look_action in pane.grid.actions() and quick_look_action not in pane.actions()

    wordbee = sandbox_accounts[1]
    pane.account_filter.setCurrentIndex(pane.account_filter.findData(wordbee.id))
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == 0  # none of the listed assets is Wordbee's
    arun(services.accounts.remove(wordbee.id))
    arun(pane.reload())
    assert pane.account_filter.currentData() is None
    assert pane.proxy.rowCount() == pane.model.rowCount() > 0
