"""The Library's inspector on the real window against the sandbox and a real catalog: the fields of
a Google Flow generation (with its prompt, model and seed), a Runway asset and a Wordbee segment's
file, a multi-selection's totals, Copy (clipboard and "Copied"), and Reveal / Open for a file
AssetDesk downloaded (through Qt's own URL handler hook, so no file manager starts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window

from assetdesk.core.provider import Provider
from assetdesk.core.units import format_size
from assetdesk.services.app import AppServices
from assetdesk.services.library import Asset
from assetdesk.ui.library.inspector import EMPTY_TEXT
from assetdesk.ui.library.model import AssetRole
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1400, 900)


def select(pane: LibraryPane, assets: list[Asset]) -> None:
    """Select these assets in the current view, as clicks (and Ctrl+clicks) do."""
    view = pane.current_view
    flags = view.selectionModel().SelectionFlag
    view.selectionModel().clearSelection()
    for asset in assets:
        index = pane.proxy.mapFromSource(pane.model.index(pane.model.row_of(asset.id), 0))
        assert index.isValid(), asset.title
        view.selectionModel().select(index, flags.Select | flags.Rows)


def listed(pane: LibraryPane) -> list[Asset]:
    return [pane.proxy.index(row, 0).data(AssetRole) for row in range(pane.proxy.rowCount())]


def no_none(values: dict[str, str]) -> None:
    assert all(value and value != "None" for value in values.values()), values


def open_library(qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any) -> Any:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    arun(services.library.refresh())
    arun(window.library_pane.reload())
    return window


def test_a_google_flow_generation_shows_its_fields_and_provenance(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    email = sb.demo["google_flow_emails"][0]
    answer = httpx.post(
        f"{sb.api_url}/_sandbox/google-flow/jobs",
        json={
            "token": sb.demo["useapi_token"],
            "email": email,
            "prompt": "a red fox asleep in fresh snow, long enough to wrap in a narrow column",
            "model": "imagen-4",
            "seed": 4242,
        },
        headers=sb.control_headers,
        timeout=10,
    )
    answer.raise_for_status()
    job = answer.json()
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    assert pane.inspector.values() == {}  # nothing selected: the hint alone
    fox = next(a for a in listed(pane) if a.remote_id == job["mediaGenerationIds"][0])
    select(pane, [fox])
    values = pane.inspector.values()
    no_none(values)
    assert values["Name"] == fox.title
    assert values["Service"] == "Google Flow"
    assert values["Account"] == f"Sandbox ({email})"
    assert values["Kind"] == "Image" and values["Made"] == "Generated"
    assert values["Id"] == fox.remote_id and values["Job id"] == job["jobid"]
    assert values["Prompt"].startswith("a red fox asleep in fresh snow")
    assert (values["Model"], values["Seed"]) == ("imagen-4", "4242")
    if fox.project_id:
        assert values["Project"] == fox.project_id
    if fox.width and fox.height:
        assert values["Dimensions"] == f"{fox.width} × {fox.height}"
    assert set(pane.inspector.copy_buttons) >= {"Id", "Job id", "Seed"}
    assert "Name" not in pane.inspector.copy_buttons  # Copy is for ids


def test_a_runway_asset_shows_what_runway_said_and_nothing_it_did_not(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    car = next(a for a in listed(pane) if a.title == "Race car.jpg")
    select(pane, [car])
    values = pane.inspector.values()
    no_none(values)
    assert (values["Name"], values["Service"], values["Id"]) == (
        "Race car.jpg",
        "Runway",
        car.remote_id,
    )
    assert values["Account"].startswith("Sandbox")
    if car.size is not None:
        assert values["Size"] == format_size(car.size)
    # An upload: no prompt, model or seed, and no empty lines for them.
    assert not {"Prompt", "Model", "Seed", "Segment", "Job id"} & set(values)


def test_a_wordbee_file_shows_its_segment_language_and_path(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane: LibraryPane = window.library_pane
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    arun(services.library.add_reference(f"{scope}/{segment}", sandbox_accounts[1].id))
    arun(pane.reload())
    wordbee = next(a for a in listed(pane) if a.provider == Provider.WORDBEE)
    select(pane, [wordbee])
    values = pane.inspector.values()
    no_none(values)
    assert values["Service"] == "Wordbee"
    assert values["Account"] == "Sandbox Wordbee"
    assert values["Segment"] == f"{scope} / {segment}"
    if wordbee.locale:
        assert values["Language"] == wordbee.locale
    if wordbee.relative_path:
        assert values["Path"] == wordbee.relative_path
    assert values["Id"] == wordbee.remote_id
    assert "Project" not in values


def test_a_multi_selection_counts_kinds_and_services_and_totals_known_sizes(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    assets = listed(pane)
    assert len(assets) >= 3
    select(pane, assets)
    values = pane.inspector.values()
    assert values["Selected"] == f"{len(assets)} assets"
    images = sum(1 for a in assets if a.kind == "image")
    videos = sum(1 for a in assets if a.kind == "video")
    kinds = values["Kinds"].split(", ")
    assert (f"{images} images" if images != 1 else "1 image") in kinds
    if videos:
        assert (f"{videos} videos" if videos != 1 else "1 video") in kinds
    flow = sum(1 for a in assets if a.provider == Provider.GOOGLE_FLOW)
    runway = sum(1 for a in assets if a.provider == Provider.RUNWAY)
    assert set(values["Services"].split(", ")) == {f"{flow} on Google Flow", f"{runway} on Runway"}
    sizes = [a.size for a in assets if a.size is not None]
    unknown = len(assets) - len(sizes)
    total = values["Total size"]
    assert total.startswith(format_size(sum(sizes))) if sizes else total.startswith(f"{unknown}")
    assert (f"({unknown} of unknown size)" in total) == (bool(unknown) and bool(sizes))
    assert pane.inspector.copy_buttons == {} and pane.inspector.reveal_buttons == []

    # Back to one: its fields again; none: the hint.
    select(pane, assets[:1])
    assert pane.inspector.values()["Name"] == assets[0].title
    select(pane, [])
    assert pane.inspector.values() == {}
    assert pane.inspector.widget().findChild(type(pane.empty)).text() == EMPTY_TEXT


def test_copy_puts_the_id_on_the_clipboard_and_says_copied_for_a_moment(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    asset = listed(pane)[0]
    select(pane, [asset])
    QGuiApplication.clipboard().clear()
    button = pane.inspector.copy_buttons["Id"]
    assert button.text() == "Copy" and button.isVisible()
    button.click()
    assert QGuiApplication.clipboard().text() == asset.remote_id
    assert button.text() == "Copied"
    qtbot.wait(600)
    assert button.text() == "Copied"  # long enough to be read
    qtbot.waitUntil(lambda: button.text() == "Copy", timeout=3_000)


class OpenedUrls(QObject):
    """Qt's hook for a URL scheme (QDesktopServices.setUrlHandler): what would have opened."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_downloaded_asset_offers_reveal_in_folder_and_open(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    asset = next(a for a in listed(pane) if a.title == "Race car.jpg")
    select(pane, [asset])
    assert pane.inspector.reveal_buttons == [] and "Downloaded" not in pane.inspector.values()

    target = tmp_path / "saved"
    target.mkdir()
    task = pane.download_jobs.save_to_folder(asset, target)
    qtbot.waitUntil(task.done, timeout=20_000)
    # The row changed (its copy is known now): the inspector follows without a new selection.
    qtbot.waitUntil(lambda: "Downloaded" in pane.inspector.values(), timeout=5_000)
    saved = Path(pane.inspector.values()["Downloaded"])
    assert saved.parent == target and saved.is_file()
    (reveal,) = pane.inspector.reveal_buttons
    (opener,) = pane.inspector.open_buttons
    assert reveal.text() == "Reveal in folder" and opener.text() == "Open"

    opened = OpenedUrls()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        reveal.click()
        opener.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(url.toLocalFile()) for url in opened.urls] == [target, saved]
