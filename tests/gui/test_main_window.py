"""The window shell: three panes together, status bar, About box, layout kept in QSettings."""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import assetdesk
from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks


def test_the_three_panes_show_together(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    panes = [window.panes.widget(index) for index in range(window.panes.count())]
    assert panes == [window.accounts_pane, window.library_pane, window.transfers]
    assert window.transfers.widget(0) is window.uploads_pane
    assert window.transfers.widget(1) is window.library_pane.downloads_box
    for pane in (window.accounts_pane, window.library_pane, window.uploads_pane):
        assert pane.isVisible() and pane.width() > 200, pane
    # It holds on a 1280x720 screen (the title bar and a panel take ~40 pixels of its height).
    least = window.minimumSizeHint()
    assert least.width() <= 1280 and least.height() <= 680, least
    # The Library is the largest; the downloads list shows only once something downloads.
    widths = window.panes.sizes()
    assert widths[1] > widths[0] and widths[1] > widths[2]
    assert not window.library_pane.downloads_box.isVisible()
    assert window.library_pane.empty.isVisible()
    assert window.library_pane.empty.text() == "Reading the library…"
    qtbot.waitUntil(lambda: "empty" in window.library_pane.empty.text())  # once it was read


def test_status_bar_without_a_keyring_says_session_only(
    qtbot: QtBot, app_paths: AppPaths, tasks: BackgroundTasks, arun: Any
) -> None:
    services = build_services(app_paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    try:
        window = MainWindow(services, tasks)
        qtbot.addWidget(window)
        window.show()
        assert window.secret_label.text() == "Secrets: no keyring found"
        pane = window.accounts_pane
        assert pane.banner.keyring_notice.isVisible() and pane.banner.session_button.isVisible()
        assert "in memory until it quits" in pane.banner.keyring_notice.text()
        pane.banner.session_button.click()  # the status bar follows the pane
        assert window.secret_label.text() == "Secrets: this session only"
    finally:
        arun(services.aclose())


@pytest.mark.keyring
def test_status_bar_names_the_secret_service(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()
    assert services.accounts.secret_store_problem is None
    assert services.accounts.secret_store_where.startswith("Secret Service")
    assert window.secret_label.text() == f"Secrets: {services.accounts.secret_store_where}"
    assert not window.accounts_pane.banner.keyring_notice.isVisible()


def test_status_bar_shows_the_sandbox_state(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()

    assert not window.sandbox_label.isVisible()
    window.set_sandbox_state("Sandbox: starting…")
    assert window.sandbox_label.isVisible()
    assert window.sandbox_label.text() == "Sandbox: starting…"
    window.set_sandbox_state(None)
    assert not window.sandbox_label.isVisible()


def test_about_box_shows_the_version(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()
    window.about_action.trigger()
    box = window.about_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert f"AssetDesk {assetdesk.__version__}" in box.text()
    assert box.windowTitle() == "About AssetDesk"
    box.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: not box.isVisible())


def test_layout_is_saved_on_close_and_restored(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, tmp_path: Path, arun: Any
) -> None:
    ini = tmp_path / "data" / "settings.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    first = MainWindow(services, tasks, settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(1400, 900)
    first.panes.setSizes([300, 700, 400])
    accounts_width = first.panes.sizes()[0]
    assert first.panes.collapse_pane(0)  # Accounts folded away
    first.library_pane.splitter.setSizes([150, 350, 200])  # sources | grid | preview
    first.library_pane.set_tile_size(224)
    first.library_pane.downloads_box.files_at_once.setValue(7)  # as the user sets it
    library_sizes = first.library_pane.splitter.sizes()
    pane_sizes = first.panes.sizes()
    assert pane_sizes[0] == 0
    with qtbot.waitSignal(first.closed):
        first.close()
    assert ini.is_file()

    assert tasks.closing  # a closed window's tasks end with it

    reread = QSettings(str(ini), QSettings.Format.IniFormat)
    second_tasks = BackgroundTasks()  # as in a new run of the app
    second = MainWindow(services, second_tasks, settings=reread)
    qtbot.addWidget(second)
    try:
        second.show()
        assert (second.width(), second.height()) == (1400, 900)
        assert second.panes.sizes() == pane_sizes
        assert not second.window_actions.show_pane[0].isChecked()  # the View menu says so
        assert second.window_actions.show_pane[1].isChecked()
        assert second.library_pane.splitter.sizes() == library_sizes
        assert second.library_pane.tile_size() == 224
        assert second.library_pane.download_jobs.files_at_once == 7
        second.window_actions.show_pane[0].trigger()  # shown again, at the width it had
        assert second.panes.sizes()[0] == accounts_width
    finally:
        arun(second_tasks.aclose())


def test_closing_the_window_cancels_its_tasks_before_its_widgets_go(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    """A preview still resolving its link when the window closed used to resume into deleted
    widgets ("Internal C++ object (PreviewPanel) already deleted", seen on a loaded machine)."""
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()
    never = asyncio.Event()

    async def stuck(fresh: bool) -> str:
        await never.wait()
        return ""

    loading = window.library_pane.preview.show_video("clip.mp4", stuck)
    with qtbot.waitSignal(window.closed):
        window.close()
    qtbot.waitUntil(loading.done)
    assert loading.cancelled()
    with pytest.raises(RuntimeError, match="shutting down"):
        tasks.spawn(asyncio.sleep(0), name="late")


def test_a_window_deleted_without_closing_cancels_its_tasks(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks
) -> None:
    """A window whose last reference went (no closeEvent) left its tasks running: one resumed
    into the deleted accounts list ("Internal C++ object (QListView) already deleted")."""
    window = MainWindow(services, tasks)
    window.show()
    never = asyncio.Event()
    stuck = tasks.spawn(never.wait(), name="stuck")
    del window
    gc.collect()
    qtbot.waitUntil(stuck.done)
    assert stuck.cancelled() and tasks.closing
