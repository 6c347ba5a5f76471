"""Deleting on the service from the Library pane, offscreen, against the sandbox: the Delete key's
confirmation (its numbers per service and account, Cancel the default, download-first needing a
folder), then the outcome on the items (deleted rows leave, a refused one keeps its reason)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets
from tests.helpers.main_window import Pane, open_window

from assetdesk.core.ids import WordbeeScope
from assetdesk.core.provider import Provider
from assetdesk.services.app import AppServices
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1800, 1000)  # the Library in the middle of three panes as wide as it was alone
JO = "jo.demo@gmail.com"
SECOND = "flow.second@gmail.com"


def test_the_confirmation_names_the_numbers_and_the_outcome_lands_on_the_items(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    scope = WordbeeScope.parse("pr7214")
    arun(services.library.follow_wordbee_project(sandbox_accounts[1].id, scope))
    arun(services.library.refresh())
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    assets = listed_assets(pane.model)
    flow = [a for a in assets if a.provider is Provider.GOOGLE_FLOW]
    runway = [a for a in assets if a.provider is Provider.RUNWAY]
    wordbee = [a for a in assets if a.provider is Provider.WORDBEE]
    assert len(flow) == 3 and runway and wordbee
    refused = runway[0]
    sb.fault(
        "api",
        f"/v1/runwayml/assets/{refused.remote_id}",
        method="DELETE",
        status=403,
        body={"error": "Asset is locked by a running task"},
    )
    pane.current_view.selectAll()
    assert pane.asset_actions.remove_action.text() == "Remove from library…"
    assert pane.asset_actions.remove_action.shortcut().toString() == "Ctrl+Del"

    pane.current_view.setFocus()  # Delete is the focused pane's (Uploads has its own)
    QTest.keyClick(pane.current_view, Qt.Key.Key_Delete)
    dialog = pane.asset_actions.service_delete.dialog
    assert dialog is not None and dialog.isVisible()
    total = len(assets)
    assert dialog.heading.text() == f"<b>Delete {total} assets on their services?</b>"
    places = dialog.places.text().splitlines()
    assert places == [
        f"•  1 on Google Flow ({SECOND})",
        f"•  2 on Google Flow ({JO})",
        f"•  {len(runway)} on Runway ({sb.demo['runway_emails'][0]})",
        f"•  {len(wordbee)} on Wordbee (project pr7214)",
    ]
    assert "cannot be undone" in dialog.warning.text()
    assert "Remove from library" in dialog.warning.text()
    assert not dialog.gone_note.isVisibleTo(dialog), "none of them is gone"
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.isDefault() and not dialog.delete_button.isDefault()
    dialog.download_first.setChecked(True)
    assert not dialog.delete_button.isEnabled(), "download-first needs a folder"
    dialog.folder.setText("~/kept")
    assert dialog.delete_button.isEnabled() and dialog.download_folder() == Path.home() / "kept"
    dialog.download_first.setChecked(False)
    assert dialog.delete_button.isEnabled() and dialog.download_folder() is None

    slow = runway[-1]  # answered late: its row says what is happening meanwhile
    sb.fault("api", f"/v1/runwayml/assets/{slow.remote_id}", method="DELETE", latency=1.0)
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: pane.model.busy(slow.id) == "Deleting…", timeout=5_000)
    name = pane.model.index(pane.model.row_of(slow.id), 0).data()
    assert name == f"{slow.title}\nDeleting…"
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=20_000)
    assert pane.model.busy(refused.id) is None, "a finished row says its outcome instead"
    (left,) = listed_assets(pane.model)
    assert left.id == refused.id
    error = pane.model.error(refused.id)
    assert error is not None and "Asset is locked" in error, (error, pane.notice.text())
    qtbot.waitUntil(lambda: "not deleted" in pane.notice.text())
    assert pane.notice.text() == f"{total - 1} assets deleted; {error.rstrip('.')}."
    arun(pane.preview_sources.image_bytes(left, False))  # the one left is previewed: it works
    assert pane.model.error(refused.id) == error, "and the reason stays on its row"
    deletes = [r for r in sb.requests("api") if r["method"] == "DELETE"]
    assert len([r for r in deletes if "google-flow" in r["path"]]) == 2


def test_cancel_is_the_default_and_deletes_nothing(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    arun(services.library.refresh())
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    pane = window.library_pane
    rows = pane.model.rowCount()
    pane.current_view.selectAll()
    pane.asset_actions.delete_action.trigger()
    dialog = pane.asset_actions.service_delete.dialog
    assert dialog is not None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert pane.model.rowCount() == rows
    assert [r for r in sb.requests("api") if r["method"] == "DELETE"] == []
