"""The add-account dialog's Test (what is typed is tried, nothing is saved), a new account tested
once saved, and the revealed token that leaves its field whole. Real services, the sandbox over
HTTP, the real keyring under `make test`. With ASSETDESK_SHOT_DIR set, renderings are saved there
as h4-dialog-*.png."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.app import AppServices
from assetdesk.store.paths import AppPaths
from assetdesk.ui.accounts.dialog import AccountDialog
from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.style import follow_palette
from assetdesk.ui.tasks import BackgroundTasks

REAL_KEYRING = os.environ.get("ASSETDESK_TEST_KEYRING") == "secret-service"
needs_keyring = pytest.mark.skipif(
    not REAL_KEYRING, reason="needs the Secret Service of `make test` (ASSETDESK_TEST_KEYRING)"
)


def light_palette() -> QPalette:
    return QPalette(QColor("#efefef"))


def dark_palette() -> QPalette:
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    return dark


PALETTES = {"light": light_palette, "dark": dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[None]:
    before = QGuiApplication.palette()
    yield
    QApplication.setPalette(before)


def shot(widget: QWidget, name: str, tmp_path: Path) -> None:
    QApplication.processEvents()
    folder = Path(os.environ.get("ASSETDESK_SHOT_DIR") or tmp_path)
    assert widget.grab().save(str(folder / f"accounts-{name}.png"))


def open_pane(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, size=(240, 600)
) -> AccountsPane:
    pane = AccountsPane(services.accounts, tasks, redactor=services.redactor)
    qtbot.addWidget(pane)
    follow_palette(pane)
    pane.setAutoFillBackground(True)
    pane.resize(*size)
    pane.show()
    qtbot.waitExposed(pane)
    arun(pane.reload())
    return pane


def index_of(pane: AccountsPane, name: str) -> Any:
    model = pane.model
    for row in range(model.rowCount()):
        if model.index(row, 0).data(AccountRole.NAME) == name:
            return model.index(row, 0)
    raise AssertionError(f"no row named {name!r}")


def state(pane: AccountsPane, name: str) -> str:
    return str(index_of(pane, name).data(AccountRole.HEALTH_STATE))


def fill(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def saved_rows(paths: AppPaths) -> int:
    with sqlite3.connect(paths.database) as conn:
        return int(conn.execute("SELECT count(*) FROM accounts").fetchone()[0])


def open_add_dialog(qtbot: QtBot, pane: AccountsPane) -> AccountDialog:
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


@needs_keyring
@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
def test_the_dialogs_test_tries_the_token_and_saves_nothing(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sb: SandboxProcess,
    app_paths: AppPaths,
    arun: Any,
    tmp_path: Path,
    theme: str,
) -> None:
    QApplication.setPalette(PALETTES[theme]())
    pane = open_pane(qtbot, services, tasks, arun)
    dialog = open_add_dialog(qtbot, pane)
    assert not dialog.test_button.isEnabled()  # nothing to test yet
    qtbot.keyClicks(dialog.name, "Studio")
    fill(qtbot, dialog.base_url, sb.api_url)
    qtbot.keyClicks(dialog.secret, sb.demo["useapi_token"])
    buttons_y = dialog.save_button.mapTo(dialog, QPoint(0, 0)).y()
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=10_000)
    assert dialog.notice.kind == "info"
    assert dialog.notice.text().startswith("Test passed: Connected")
    assert dialog.save_button.mapTo(dialog, QPoint(0, 0)).y() == buttons_y  # nothing moved
    assert "/v2/account" in [r["path"] for r in sb.requests("api")]
    shot(dialog, f"dialog-test-passed-{theme}", tmp_path)

    fill(qtbot, dialog.secret, "user:1001-NotTheRealToken99")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.kind == "error", timeout=10_000)
    assert dialog.notice.text().startswith("Test failed: ")
    assert "NotTheRealToken99" not in dialog.notice.text()
    shot(dialog, f"dialog-test-refused-{theme}", tmp_path)

    # Nothing was saved: no account, no row in SQLite, nothing in the keyring.
    assert dialog.isVisible()
    assert arun(services.accounts.list()) == []
    assert saved_rows(app_paths) == 0
    assert all(services.secrets.get(1, field) is None for field in ("token", "key"))


@needs_keyring
def test_the_dialogs_test_signs_in_to_wordbee_and_says_a_refusal(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    pane = open_pane(qtbot, services, tasks, arun)
    dialog = open_add_dialog(qtbot, pane)
    dialog.kind.setCurrentIndex(dialog.kind.findData("wordbee"))
    qtbot.keyClicks(dialog.name, "Acme")
    fill(qtbot, dialog.base_url, sb.wordbee_url)
    qtbot.keyClicks(dialog.account_id, str(sb.demo["wordbee_account_id"]))
    qtbot.keyClicks(dialog.secret, "not-the-key")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=10_000)
    assert dialog.notice.kind == "error" and "refused" in dialog.notice.text()
    fill(qtbot, dialog.secret, sb.demo["wordbee_key"])
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.kind == "info", timeout=10_000)
    assert dialog.notice.text() == "Test passed: Signed in to Wordbee."
    assert arun(services.accounts.list()) == []


@needs_keyring
def test_a_new_account_is_tested_once_saved(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    pane = open_pane(qtbot, services, tasks, arun)
    dialog = open_add_dialog(qtbot, pane)
    qtbot.keyClicks(dialog.name, "Studio")
    fill(qtbot, dialog.base_url, sb.api_url)
    qtbot.keyClicks(dialog.secret, sb.demo["useapi_token"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=10_000)
    # Nobody clicked Test: the row shows the check's result.
    qtbot.waitUntil(lambda: state(pane, "Studio") == "valid", timeout=10_000)
    assert index_of(pane, "Studio").data(AccountRole.HEALTH_SHORT) == "Connected"
    assert "/v2/account" in [r["path"] for r in sb.requests("api")]


@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
def test_the_revealed_token_leaves_its_field_whole(
    qtbot: QtBot, tmp_path: Path, theme: str
) -> None:
    QApplication.setPalette(PALETTES[theme]())
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    follow_palette(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.secret, "user:1001-SandboxDemoToken01")
    field = dialog.secret.geometry()
    save_y = dialog.save_button.mapTo(dialog, QPoint(0, 0)).y()
    qtbot.mouseClick(dialog.reveal, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert dialog.revealed.isVisible()
    assert dialog.secret.geometry() == field
    assert dialog.secret.height() >= dialog.secret.sizeHint().height()
    assert dialog.save_button.mapTo(dialog, QPoint(0, 0)).y() == save_y
    shot(dialog, f"dialog-revealed-{theme}", tmp_path)
