"""The Library's refresh on the real window, offscreen, against the sandbox: F5 and Refresh, the
progress line and its summary, a failing account's line, the refresh at start-up after the window
shows, gone assets greyed and cleared, and the source tree with its counts and filters."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from tests.helpers.flow_library import flow_listing_shape, seed_flow_library
from tests.helpers.http_calls import api_requests
from tests.helpers.library_rows import listed_assets, settle
from tests.helpers.main_window import Pane, open_window
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.services.app import AppServices
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.ui.library.model import AssetRole, Column
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1800, 1000)  # the Library in the middle of three panes as wide as it was alone


def press_f5(qtbot: QtBot, pane: LibraryPane) -> None:
    """F5 as the user presses it, then wait for the refresh's summary."""
    pane.notice.clear()
    qtbot.keyClick(pane.window(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: pane.notice.isVisible(), timeout=30_000)
    assert not pane.refresher.running and not pane.refresher.progress.isVisible()


def remote_ids(pane: LibraryPane) -> set[str]:
    return {asset.remote_id for asset in listed_assets(pane.model)}


def shown(pane: LibraryPane) -> list[Any]:
    """The assets the current view lists (after every filter)."""
    proxy = pane.proxy
    return [proxy.index(row, 0).data(AssetRole) for row in range(proxy.rowCount())]


def test_f5_refreshes_every_account_and_new_assets_appear(
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
    press_f5(qtbot, pane)
    demo = sb.demo
    assert set(demo["runway_asset_ids"]) <= remote_ids(pane)
    assert set(demo["media_generation_ids"]) <= remote_ids(pane)
    assert pane.notice.kind == "info"
    lines = pane.notice.text().splitlines()
    assert any(line.startswith("Google Flow jo.demo@…: ") for line in lines), lines
    assert all(line.endswith(" new") for line in lines), lines

    added = seed_runway_assets(sb, 3, token=demo["useapi_token"])
    before = pane.model.rowCount()
    press_f5(qtbot, pane)
    assert pane.model.rowCount() == before + 3
    assert set(added["assetIds"]) <= remote_ids(pane)
    assert any(line.endswith("3 new") for line in pane.notice.text().splitlines())
    qtmodeltester.check(pane.model, force_py=True)


def test_f5_during_a_refresh_does_nothing_and_the_progress_line_is_throttled(
    qtbot: QtBot,
    services: AppServices,
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    flow_listing_shape(sb, "a", media_page_size=5)
    made = seed_flow_library(sb, users=1, accounts=2, projects=6, assets=600)
    (user,) = made["users"]
    arun(
        services.accounts.add_session_account(
            name="Studio", kind=AccountKind.USEAPI, base_url=sb.api_url, secret=user["token"]
        )
    )
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    runner = pane.refresher
    sb.clear_requests()
    began = time.monotonic()
    assert runner.start() is True
    qtbot.waitUntil(lambda: runner.progress.isVisible() and "project" in runner.progress.text())
    assert runner.progress.text().startswith("Refreshing — Google Flow ")
    assert pane.stack.currentWidget() is pane.empty
    assert pane.empty.text() == "Listing the assets of your accounts…"
    assert not pane.refresh_button.isEnabled() and pane.refresh_button.text() == "Refreshing…"
    assert "F5 waits" in pane.refresh_button.toolTip()
    assert runner.start() is False  # F5 meanwhile: nothing new starts
    qtbot.keyClick(window, Qt.Key.Key_F5)
    arun(runner.wait(), timeout_ms=60_000)
    took = time.monotonic() - began
    assert pane.refresh_button.isEnabled() and pane.refresh_button.text() == "Refresh"
    assert pane.model.rowCount() == 600
    # One refresh, not two interleaved: the Google accounts were asked for once.
    assert len(api_requests(sb, "/v1/google-flow/accounts")) == 1
    assert 1 <= runner.updates <= 10 * took + 1, (runner.updates, took)


def test_a_failing_account_says_so_on_its_line_and_the_others_are_refreshed(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    emails = sb.demo["google_flow_emails"]
    sb.fault(
        "api",
        f"/v1/google-flow/assets/projects/{emails[0]}",
        status=596,
        body={"error": {"code": 596, "message": "Session expired", "status": "UNAUTHENTICATED"}},
    )
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    arun(window.accounts_pane.reload())  # as at start-up: the Accounts pane lists them
    useapi = sandbox_accounts[0]
    accounts = window.accounts_pane.model
    assert accounts.health_at(accounts.row_of(useapi.id)) is None  # not checked yet
    pane = window.library_pane
    press_f5(qtbot, pane)
    assert pane.notice.kind == "error"
    lines = pane.notice.text().splitlines()
    failed = [line for line in lines if "not refreshed" in line]
    local = emails[0].partition("@")[0]
    assert len(failed) == 1 and failed[0].startswith(f"Google Flow {local}@…: not refreshed — ")
    assert set(sb.demo["runway_asset_ids"]) <= remote_ids(pane), "the others are refreshed"
    # ... and the account says so in Accounts, as a connection test would.
    health = accounts.health_at(accounts.row_of(useapi.id))
    assert health is not None and health.state == "reconnect", health
    shown = accounts.index(accounts.row_of(useapi.id), 0).data(Qt.ItemDataRole.DisplayRole)
    assert health.sentence in shown


def test_the_start_up_refresh_waits_for_the_window_to_show(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    sb.clear_requests()
    window.refresh_library_at_start()
    qtbot.wait(300)  # a window for a listing that must not start yet: none does
    assert api_requests(sb, "/v1/") == [] and not window.library_pane.refresher.running
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    pane = window.library_pane  # not the pane shown: it refreshes all the same
    qtbot.waitUntil(lambda: bool(pane.notice.text()), timeout=30_000)
    assert set(sb.demo["runway_asset_ids"]) <= remote_ids(pane)
    assert api_requests(sb, "/v1/runwayml/assets")


def delete_on_flow(sb: Any, token: str, media_id: str) -> None:
    """Delete on the sandbox's Google Flow directly (not through the code under test)."""
    email = MediaGenerationId.parse(media_id).email
    answer = httpx.request(
        "DELETE",
        f"{sb.api_url}/v1/google-flow/assets/{email}",
        json={"mediaGenerationIds": [media_id]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()


def test_an_asset_deleted_on_the_service_is_greyed_until_cleared(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    press_f5(qtbot, pane)
    victim = sb.demo["media_generation_ids"][0]
    assert not pane.sources.clear_action.isEnabled()
    delete_on_flow(sb, sb.demo["useapi_token"], victim)
    press_f5(qtbot, pane)
    assert any(line.endswith("1 gone") for line in pane.notice.text().splitlines())

    gone = next(a for a in listed_assets(pane.model) if a.remote_id == victim)
    assert gone.gone
    index = pane.model.index(pane.model.row_of(gone.id), Column.NAME)
    disabled = QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert index.data(Qt.ItemDataRole.ForegroundRole) == disabled
    assert str(index.data()).endswith("\nNo longer on Google Flow")
    assert "No longer on Google Flow" in index.data(Qt.ItemDataRole.ToolTipRole)
    present = next(a for a in listed_assets(pane.model) if not a.gone)
    other = pane.model.index(pane.model.row_of(present.id), Column.NAME)
    assert other.data(Qt.ItemDataRole.ForegroundRole) != disabled

    # Shown by default; hidden with "Show gone" off.
    assert pane.sources.show_gone.isChecked() and gone in shown(pane)
    pane.sources.show_gone.setChecked(False)
    settle(qtbot, pane.model)
    assert gone.id not in {asset.id for asset in shown(pane)}
    pane.sources.show_gone.setChecked(True)
    settle(qtbot, pane.model)

    assert pane.sources.clear_action.isEnabled()
    rows = pane.model.rowCount()
    pane.sources.clear_action.trigger()
    box = pane.sources.clear_box
    assert box.text() == "Forget 1 asset that is no longer on the service?"
    assert "Files you downloaded stay where they are." in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert pane.model.rowCount() == rows, "Cancel clears nothing"
    pane.sources.clear_action.trigger()
    box = pane.sources.clear_box
    next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    ).click()
    qtbot.waitUntil(lambda: pane.model.rowCount() == rows - 1)
    assert victim not in remote_ids(pane)
    assert not pane.sources.clear_action.isEnabled()
    assert all(not asset.gone for asset in listed_assets(pane.model))


def test_the_source_tree_counts_and_filters_where_assets_live(
    qtbot: QtBot,
    qtmodeltester: Any,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    pytestconfig: pytest.Config,
) -> None:
    made = seed_flow_library(sb, users=1, accounts=2, projects=3, assets=30)
    (user,) = made["users"]
    arun(
        services.accounts.add_session_account(
            name="Studio", kind=AccountKind.USEAPI, base_url=sb.api_url, secret=user["token"]
        )
    )
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    arun(services.library.add_reference(f"{scope}/{segment}", sandbox_accounts[1].id))
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    press_f5(qtbot, pane)
    tree = pane.sources
    assets = listed_assets(pane.model)
    assert tree.count_of(()) == len(assets)
    for provider in Provider:
        mine = [a for a in assets if a.provider is provider]
        assert tree.count_of((("provider", provider),)) == len(mine), provider

    # provider -> email -> project (Google Flow): the counts and the grid agree.
    for email, projects in user["google_flow_projects"].items():
        at_email = (("provider", Provider.GOOGLE_FLOW), ("account_email", email))
        tree.choose(at_email)
        settle(qtbot, pane.model)
        assert {a.account_email for a in shown(pane)} == {email}
        assert tree.count_of(at_email) == len(shown(pane)) > 0
        for project in projects:
            place = (*at_email, ("project_id", project))
            tree.choose(place)
            settle(qtbot, pane.model)
            assert tree.count_of(place) == len(shown(pane))
            assert {a.project_id for a in shown(pane)} <= {project}
            (node,) = tree.tree.selectionModel().selectedRows()
            tip = node.data(Qt.ItemDataRole.ToolTipRole).splitlines()
            assert tip[0] == f"Project {project}", "the whole id, where the label is cut"
    # Runway: provider -> email; Wordbee: provider -> account -> project -> segment.
    runway = (("provider", Provider.RUNWAY), ("account_email", sb.demo["runway_emails"][0]))
    assert tree.count_of(runway) == len(sb.demo["runway_asset_ids"])
    wordbee = (
        ("provider", Provider.WORDBEE),
        ("account_id", sandbox_accounts[1].id),
        ("scope", scope),
        ("segment_id", segment),
    )
    tree.choose(wordbee)
    settle(qtbot, pane.model)
    assert tree.count_of(wordbee) == len(shown(pane)) > 0
    assert {a.provider for a in shown(pane)} == {Provider.WORDBEE}
    labels = [tree.tree_model.index(0, 0).data()]
    assert labels == ["All assets"]
    # A reload keeps the chosen node; when its assets are gone from the catalog, all show.
    arun(pane.reload())
    assert tree.place() == wordbee and len(shown(pane)) == tree.count_of(wordbee)
    arun(services.library.remove([a.id for a in shown(pane)]))
    arun(pane.reload())
    assert tree.place() == () and len(shown(pane)) == pane.model.rowCount()
    assets = listed_assets(pane.model)

    # Uploads only / generated only, as the service tells; unknown shows in neither.
    tree.origin.setCurrentIndex(tree.origin.findData("uploads"))
    settle(qtbot, pane.model)
    uploads = shown(pane)
    assert uploads and all(a.uploaded is True for a in uploads)
    tree.origin.setCurrentIndex(tree.origin.findData("generated"))
    settle(qtbot, pane.model)
    generated = shown(pane)
    assert generated and all(a.uploaded is False for a in generated)
    unknown = [a for a in assets if a.uploaded is None]
    assert len(uploads) + len(generated) + len(unknown) == len(assets)
    qtmodeltester.check(pane.proxy, force_py=True)
    tree.origin.setCurrentIndex(0)
    settle(qtbot, pane.model)
    # A tester of its own: one tester checking a second model goes on checking the first
    # model's signals against the second (the Library's rows still come in pages meanwhile).
    ModelTester(pytestconfig).check(tree.tree_model, force_py=True)


def test_provenance_shows_in_the_tooltip_and_search_finds_the_prompt(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    arun(services.library.refresh())  # the demo's listed assets: uploads, none with a prompt
    # A generation whose task a refresh read. Its own id: a refresh files what the service says
    # of the assets it lists, and the demo's are uploads named otherwise.
    fox_id = "0f0c5e1a-0000-4000-8000-00000000f0c5"
    generated = AssetDraft(
        provider=Provider.RUNWAY,
        remote_id=f"user:{sb.demo['user_id']}-runwayml:{sb.demo['runway_emails'][0]}-asset:{fox_id}",
        origin="listed",
        name="Fox.png",
        kind="image",
        account_id=sandbox_accounts[0].id,
        uploaded=False,
        prompt="A red fox asleep in fresh snow",
        model="gen3a",
        seed=4242,
    )
    conn = open_database(services.paths.database)
    try:
        LibraryStore(conn).add([generated])
    finally:
        conn.close()
    arun(pane.reload())
    listed = len(sb.demo["media_generation_ids"]) + len(sb.demo["runway_asset_ids"])
    assert pane.model.rowCount() == listed + 1
    fox = next(a for a in listed_assets(pane.model) if a.name == "Fox.png")
    tip = pane.model.index(pane.model.row_of(fox.id), 0).data(Qt.ItemDataRole.ToolTipRole)
    lines = QTextDocumentFragment.fromHtml(tip).toPlainText().splitlines()  # as it shows
    assert "Prompt: A red fox asleep in fresh snow" in lines
    assert "Model: gen3a" in lines and "Seed: 4242" in lines and "Generated" in lines
    pane.search.setText("fox ASLEEP")
    settle(qtbot, pane.model)
    assert [a.id for a in shown(pane)] == [fox.id]
