"""Plain http:// in the Accounts pane: the dialog says https is needed on the address field and
its Save and Test refuse; an account saved with such an address by an older AssetDesk says so on
its row, and testing it says why without sending anything. The sandbox's http://127.0.0.1 and
http://localhost stay accepted."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from assetdesk.core.provider import AccountKind
from assetdesk.services.app import AppServices
from assetdesk.store.accounts import Account, AccountRepository
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths
from assetdesk.ui.accounts.dialog import AccountDialog
from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.tasks import BackgroundTasks

TOKEN = "user:1001-SandboxDemoToken01"


def fill(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


@pytest.fixture
def dialog(qtbot: QtBot) -> AccountDialog:
    shown = AccountDialog()
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    qtbot.keyClicks(shown.name, "Studio")
    qtbot.keyClicks(shown.secret, TOKEN)
    return shown


@pytest.mark.parametrize("url", ["http://api.useapi.net", "http://192.168.1.20:8080"])
def test_the_dialog_says_https_is_needed_and_refuses(
    qtbot: QtBot, dialog: AccountDialog, url: str
) -> None:
    fill(qtbot, dialog.base_url, url)
    error = dialog.errors["base_url"]
    assert error.isVisible()
    assert error.text().startswith(f"The address {url} is plain http")
    assert "https:// address is needed" in error.text()
    assert not dialog.save_button.isEnabled() and not dialog.test_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.submitted), qtbot.assertNotEmitted(dialog.test_requested):
        dialog._submit()  # what Enter in a field does, past the disabled button
        dialog._test()
    assert dialog.isVisible()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8123", "http://localhost:8123", "http://[::1]:8123", "https://x.io"]
)
def test_the_dialog_takes_https_and_this_computers_http(
    qtbot: QtBot, dialog: AccountDialog, url: str
) -> None:
    fill(qtbot, dialog.base_url, url)
    assert not dialog.errors["base_url"].isVisible()
    assert dialog.save_button.isEnabled() and dialog.test_button.isEnabled()
    with qtbot.waitSignal(dialog.submitted) as submitted:
        dialog._submit()
    assert submitted.args[0].base_url == url


def test_a_saved_plain_http_account_says_so_on_its_row(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, app_paths: AppPaths, arun: Any
) -> None:
    with contextlib.closing(open_database(app_paths.database)) as conn:
        saved = AccountRepository(conn).add(
            Account(name="Studio", kind=AccountKind.USEAPI, base_url="https://api.useapi.net")
        )
        conn.commit()
    with contextlib.closing(sqlite3.connect(app_paths.database)) as conn, conn:
        # What an older AssetDesk, which took any http:// address, left in the database.
        conn.execute(
            "UPDATE accounts SET base_url = 'http://api.useapi.net' WHERE id = ?", (saved.id,)
        )
    pane = AccountsPane(services.accounts, tasks, redactor=services.redactor)
    qtbot.addWidget(pane)
    pane.show()
    arun(pane.reload())
    row = pane.model.index(0, 0)
    assert row.data(AccountRole.HEALTH_SHORT) == "Needs https"
    assert row.data(AccountRole.HEALTH_TEXT).startswith("The address http://api.useapi.net is")
    assert "https:// address is needed" in row.data(Qt.ItemDataRole.ToolTipRole)

    pane.select(saved.id)
    dialog = pane.edit_selected()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    # Said as the dialog opens, not only after the field is typed in.
    assert dialog.errors["base_url"].isVisible()
    assert "https:// address is needed" in dialog.errors["base_url"].text()
    assert not dialog.save_button.isEnabled()
    fill(qtbot, dialog.base_url, "https://api.useapi.net")
    assert not dialog.errors["base_url"].isVisible()
    dialog.reject()

    pane.test_selected()
    qtbot.waitUntil(lambda: row.data(AccountRole.HEALTH_STATE) == "error", timeout=10_000)
    sentence = row.data(AccountRole.HEALTH_TEXT)
    assert sentence.startswith("“Studio” is not used: The address http://api.useapi.net is")
    assert sentence.endswith("nothing was sent.")
