"""After a restart: an Uploads row whose account's secret is missing waits with the words and
goes on once the secret is entered; a row whose account (an earlier session's sandbox) is gone
says so and goes to the account "Upload to" names on Retry; a Library item of that account says
so on its tile and in the preview, and can be removed. Real panes offscreen, real SQLite, the
sandbox. With ASSETDESK_SHOT_DIR set, the panes are saved there, light and dark:
h2-waiting-light.png, h2-orphan-dark.png, h2-library-orphan-light.png, ..."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets
from tests.helpers.media_files import DEMO
from tests.helpers.session_accounts import session_store
from tests.helpers.waiting import wait_until_async

from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.services.app import AppServices
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths
from assetdesk.ui.library.asset_text import account_gone_line
from assetdesk.ui.library.model import AssetRole
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.thumbnail_queue import TILE
from assetdesk.ui.style import follow_palette
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnails import ThumbnailMaker
from assetdesk.ui.uploads.model import Column
from assetdesk.ui.uploads.pane import UploadsPane
from assetdesk.ui.widgets.colours import contrast_ratio

WAITING = "Waiting for the secret of “Studio”: enter it in Accounts."
GONE = (
    "Its account, “Sandbox” (a sandbox account of an earlier session), is gone: choose another "
    "account in “Upload to” and retry, or remove it."
)
WCAG_AA = 4.5


def dark_palette() -> QPalette:
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    return dark


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[None]:
    before = QGuiApplication.palette()
    yield
    QApplication.setPalette(before)


async def earlier_run(app_paths: AppPaths, sb: Any, folder: Path, *, send: bool = False) -> None:
    """The run before: a saved account "Studio" (its secret kept for that session only) and the
    sandbox's session account, one file queued for each; with `send`, both uploaded."""
    folder.mkdir()
    shutil.copy(DEMO / "swatch-256x256.png", folder / "swatch.png")
    shutil.copy(DEMO / "clip-320x180.mp4", folder / "clip.mp4")
    accounts = AccountsService(app_paths.database, session_store(), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        token = sb.demo["useapi_token"]
        studio = await accounts.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        sandbox = await accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=token
        )
        await queue.load()
        await queue.add_paths(
            [folder / "swatch.png"], UploadTarget.google_flow(studio.id, "Studio")
        )
        await queue.add_paths(
            [folder / "clip.mp4"], UploadTarget.google_flow(sandbox.id, "Sandbox")
        )
        if send:
            queue.start()
            await wait_until_async(
                lambda: all(i.state is ItemState.DONE for i in queue.items), "both uploaded", 20
            )
    finally:
        await queue.aclose()
        await accounts.aclose()


def select(pane: UploadsPane, item: UploadItem) -> None:
    pane.view.clearSelection()
    pane.view.selectRow(pane.model.row_of(item.id))
    pane.repaint_progress()


def cell(pane: UploadsPane, item: UploadItem, column: Column, role: int) -> Any:
    return pane.model.index(pane.model.row_of(item.id), column).data(role)


def state_contrast(pane: UploadsPane, item: UploadItem) -> float:
    colour = cell(pane, item, Column.STATE, Qt.ItemDataRole.ForegroundRole)
    return contrast_ratio(colour, QGuiApplication.palette().color(QPalette.ColorRole.Base))


def test_a_row_waits_for_its_secret_and_an_orphan_says_its_account_is_gone(
    qtbot: QtBot,
    services: AppServices,
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    app_paths: AppPaths,
    tmp_path: Path,
    app_palette: None,
) -> None:
    arun(earlier_run(app_paths, sb, tmp_path / "drop"))
    pane = UploadsPane(services.uploads, services.accounts, tasks, paste_folder=tmp_path / "pasted")
    qtbot.addWidget(pane)
    follower = follow_palette(pane)
    pane.resize(1100, 360)
    pane.show()
    qtbot.waitExposed(pane)
    arun(pane.activate())
    waiting, orphan = services.uploads.items
    qtbot.waitUntil(
        lambda: waiting.needs_secret and waiting.task is None and orphan.state is ItemState.FAILED
    )
    pane.repaint_progress()
    shown = {
        column: cell(pane, waiting, column, Qt.ItemDataRole.DisplayRole)
        for column in (Column.STATE, Column.PROGRESS)
    }
    assert shown == {Column.STATE: "Needs its secret", Column.PROGRESS: WAITING}
    assert WAITING in cell(pane, waiting, Column.NAME, Qt.ItemDataRole.ToolTipRole)
    assert cell(pane, orphan, Column.STATE, Qt.ItemDataRole.DisplayRole) == "Account gone"
    assert cell(pane, orphan, Column.PROGRESS, Qt.ItemDataRole.DisplayRole) == GONE
    assert "waiting for a secret" in pane.overall.text()
    assert not [r for r in sb.requests("api") if r["method"] == "POST"]

    shots = Path(os.environ.get("ASSETDESK_SHOT_DIR") or tmp_path)
    for theme in ("light", "dark"):
        if theme == "dark":
            QApplication.setPalette(dark_palette())
            QApplication.processEvents()
        assert state_contrast(pane, waiting) >= WCAG_AA, theme
        assert state_contrast(pane, orphan) >= WCAG_AA, theme
        for name, item in (("waiting", waiting), ("orphan", orphan)):
            select(pane, item)
            assert pane.details.text().splitlines()[1] == (WAITING if item is waiting else GONE)
            QApplication.processEvents()
            assert pane.grab().save(str(shots / f"uploads-{name}-{theme}.png"))
    assert follower is not None

    # The secret entered in Accounts: the row goes on by itself.
    if not services.accounts.secret_store_available:
        services.accounts.use_session_only()
    token = sb.demo["useapi_token"]
    arun(services.accounts.update(1, name="Studio", base_url=sb.api_url, secret=token))
    qtbot.waitUntil(lambda: waiting.state is ItemState.DONE, timeout=20_000)

    # The orphan's fix in the pane: "Upload to" names another account; Retry sends it there.
    assert pane.target() == UploadTarget.google_flow(1, "Studio")
    select(pane, orphan)
    assert pane.queue_actions.retry_action.isEnabled()
    pane.queue_actions.retry_action.trigger()
    qtbot.waitUntil(lambda: orphan.state is ItemState.DONE, timeout=20_000)
    pane.repaint_progress()
    assert cell(pane, orphan, Column.STATE, Qt.ItemDataRole.DisplayRole) == "Uploaded"
    assert (orphan.row.account_id, orphan.row.account_name) == (1, "Studio")


#: What a library item of a gone account says, and after its name when an action failed.
GONE_WORDS = (
    "Its account, a sandbox account of an earlier session, is gone, so it can only be removed "
    "from the library or added again through another account."
)
LIBRARY_GONE = f"Could not get “clip.mp4”: i{GONE_WORDS[1:]}"


def test_a_library_item_of_an_earlier_sessions_sandbox_says_so_and_can_be_removed(
    qtbot: QtBot,
    services: AppServices,
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    app_paths: AppPaths,
    tmp_path: Path,
    app_palette: None,
) -> None:
    arun(earlier_run(app_paths, sb, tmp_path / "drop", send=True))
    (tmp_path / "drop" / "clip.mp4").unlink()  # no local copy: its pictures need its account
    pane = LibraryPane(
        services.library,
        services.accounts,
        tasks,
        thumbnails=ThumbnailMaker(size=TILE, cache_dir=services.paths.thumbnails),
        preview_folder=services.paths.cache / "preview",
        copies_folder=services.paths.cache / "copies",
    )
    qtbot.addWidget(pane)
    follow_palette(pane)
    pane.resize(1100, 520)
    pane.show()
    qtbot.waitExposed(pane)
    arun(pane.reload())
    (orphan,) = [a for a in listed_assets(pane.model) if a.account_id == -1]
    (kept,) = [a for a in listed_assets(pane.model) if a.account_id == 1]
    assert account_gone_line(orphan, {1}) == GONE_WORDS
    assert account_gone_line(kept, {1}) is None

    # Its tile says it once its thumbnail was tried; selecting it, the preview says it too.
    qtbot.waitUntil(lambda: pane.model.error(orphan.id) == LIBRARY_GONE, timeout=10_000)
    view = pane.current_view
    row = next(
        r for r in range(pane.proxy.rowCount()) if pane.proxy.index(r, 0).data(AssetRole) == orphan
    )
    # The tile has room for a few words; its tooltip says what happened and what to do.
    assert pane.proxy.index(row, 0).data() == "clip.mp4\n⚠ Its account is gone"
    assert LIBRARY_GONE in pane.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    flags = view.selectionModel().SelectionFlag
    view.selectionModel().select(pane.proxy.index(row, 0), flags.ClearAndSelect | flags.Rows)
    qtbot.waitUntil(lambda: pane.preview.state_text.text() == LIBRARY_GONE, timeout=10_000)
    assert "number" not in pane.preview.state_text.text()

    shots = Path(os.environ.get("ASSETDESK_SHOT_DIR") or tmp_path)
    for theme in ("light", "dark"):
        if theme == "dark":
            QApplication.setPalette(dark_palette())
        QApplication.processEvents()
        assert pane.grab().save(str(shots / f"library-orphan-{theme}.png"))

    assert arun(services.library.remove([orphan.id])) == 1
    arun(pane.reload())
    assert [a.id for a in listed_assets(pane.model)] == [kept.id]
