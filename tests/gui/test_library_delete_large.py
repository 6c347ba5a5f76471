"""Delete on the service of a selection larger than MANY_SELECTED, on the real window, offscreen,
against the sandbox: the confirmation counted by SQLite says what the assets counted one by one
say, and the run goes a page at a time (a later page's rows are not marked while the first runs),
deleting on the sandbox and in the catalog file all but the one the sandbox refuses, which keeps
its row and its reason. (The page and the threshold are lowered here: 3 pages of 15.)"""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets
from tests.helpers.library_window import OpenLibrary

from assetdesk.core.provider import Provider
from assetdesk.services import library_delete_pages
from assetdesk.services.app import AppServices
from assetdesk.services.library_delete import delete_summary
from assetdesk.store.db import open_database
from assetdesk.ui.library import delete_dialog
from assetdesk.ui.tasks import BackgroundTasks

PAGE = 15


@pytest.fixture(autouse=True)
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delete_dialog, "MANY_SELECTED", 10)
    monkeypatch.setattr(library_delete_pages, "DELETE_PAGE", PAGE)


def catalog_remote_ids(services: AppServices) -> set[str]:
    """What the catalog file holds, read on a connection of its own."""
    conn = open_database(services.paths.database)
    try:
        return {row[0] for row in conn.execute("SELECT remote_id FROM assets")}
    finally:
        conn.close()


def test_a_large_selection_is_counted_by_sqlite_and_deleted_a_page_at_a_time(
    qtbot: QtBot, open_library: OpenLibrary, services: AppServices, sb: Any, arun: Any
) -> None:
    library = open_library(runway_bulk=2 * PAGE, refresh_ms=30_000, size=(1600, 1000))
    pane, assets = library.pane, library.listed
    total = len(assets)
    assert 2 * PAGE < total <= 3 * PAGE
    expected = delete_summary(assets)
    assert len(expected.places) >= 3  # two Google accounts and Runway
    runway = [a for a in assets if a.provider is Provider.RUNWAY]  # in the views' order
    slow, refused = runway[0], runway[PAGE + 2]  # in the first page, in the second
    last = assets[-1]  # in the third page
    assert assets.index(slow) < PAGE <= assets.index(refused) < 2 * PAGE <= assets.index(last)
    sb.fault(
        "api",
        f"/v1/runwayml/assets/{refused.remote_id}",
        method="DELETE",
        status=403,
        body={"error": "Asset is locked by a running task"},
    )
    sb.fault("api", f"/v1/runwayml/assets/{slow.remote_id}", method="DELETE", latency=1.0)

    pane.current_view.selectAll()
    pane.asset_actions.delete_action.trigger()
    qtbot.waitUntil(lambda: pane.asset_actions.service_delete.dialog is not None, timeout=5_000)
    dialog = pane.asset_actions.service_delete.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.heading.text() == f"<b>Delete {total} assets on their services?</b>"
    assert dialog.places.text().splitlines() == [f"•  {line}" for line in expected.lines()]
    assert not dialog.gone_note.isVisibleTo(dialog)
    assert dialog.delete_button.text() == f"Delete {total} assets"

    dialog.delete_button.click()
    qtbot.waitUntil(lambda: pane.model.busy(slow.id) == "Deleting…", timeout=5_000)
    assert pane.model.busy(last.id) is None, "a later page is marked when it begins"
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=30_000)
    (left,) = listed_assets(pane.model)
    assert left.id == refused.id and pane.model.busy(refused.id) is None
    error = pane.model.error(refused.id)
    assert error is not None and "Asset is locked" in error
    qtbot.waitUntil(lambda: "deleted;" in pane.notice.text())
    assert pane.notice.text() == f"{total - 1} assets deleted; {error.rstrip('.')}."
    chosen = {a.remote_id for a in assets}
    assert catalog_remote_ids(services) & chosen == {refused.remote_id}
    arun(services.library.refresh(), timeout_ms=30_000)  # what the sandbox still has comes back
    assert catalog_remote_ids(services) & chosen == {refused.remote_id}


def test_a_quit_mid_run_stops_cleanly_and_forgets_what_was_confirmed(
    qtbot: QtBot,
    open_library: OpenLibrary,
    services: AppServices,
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    library = open_library(runway_bulk=2 * PAGE, refresh_ms=30_000, size=(1600, 1000))
    pane, assets = library.pane, library.listed
    slow = next(a for a in assets[PAGE + 3 :] if a.provider is Provider.RUNWAY)
    at = assets.index(slow)
    assert at < 2 * PAGE
    sb.fault("api", f"/v1/runwayml/assets/{slow.remote_id}", method="DELETE", latency=5.0)
    pane.current_view.selectAll()
    pane.asset_actions.delete_action.trigger()
    qtbot.waitUntil(lambda: pane.asset_actions.service_delete.dialog is not None, timeout=5_000)
    dialog = pane.asset_actions.service_delete.dialog
    assert dialog is not None
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: pane.model.busy(slow.id) == "Deleting…", timeout=10_000)
    before_slow = [a for a in assets[PAGE:at] if a.provider is Provider.RUNWAY]
    assert before_slow
    qtbot.waitUntil(lambda: all(pane.model.busy(a.id) is None for a in before_slow))

    arun(tasks.aclose(), timeout_ms=5_000)  # the quit: the run is cancelled mid-page

    assert tasks.names() == []
    kept = catalog_remote_ids(services)
    confirmed = [*assets[:PAGE], *before_slow]
    assert not kept & {a.remote_id for a in confirmed}, "the confirmed ones are forgotten"
    assert {a.remote_id for a in assets[2 * PAGE :]} <= kept, "a later page is untouched"
