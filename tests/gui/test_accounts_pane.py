"""The Accounts pane in the real window, against the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import open_window

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.app import AppServices
from assetdesk.ui.accounts.model import CHECKING_TEXT, UNTESTED_TEXT, AccountRole, AccountsModel
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks


def row_data(window: MainWindow, name: str, role: int) -> Any:
    model = window.accounts_pane.model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(AccountRole.NAME) == name:
            return index.data(role)
    raise AssertionError(f"no row named {name!r}")


def click_test(qtbot: QtBot, window: MainWindow, name: str) -> None:
    pane = window.accounts_pane
    for row in range(pane.model.rowCount()):
        if pane.model.index(row, 0).data(AccountRole.NAME) == name:
            pane.view.setCurrentIndex(pane.model.index(row, 0))
            break
    assert pane.test_button.isEnabled()
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)


def test_test_connection_shows_sandbox_accounts_valid(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun)
    model = window.accounts_pane.model
    assert model.rowCount() == 2
    assert row_data(window, "Sandbox", AccountRole.HEALTH_TEXT) == UNTESTED_TEXT
    assert sb.api_url in row_data(window, "Sandbox", Qt.ItemDataRole.DisplayRole)

    click_test(qtbot, window, "Sandbox")
    qtbot.waitUntil(lambda: row_data(window, "Sandbox", AccountRole.HEALTH_STATE) == "valid")
    sentence = row_data(window, "Sandbox", AccountRole.HEALTH_TEXT)
    assert sentence.startswith("Connected")
    assert f"{len(sb.demo['google_flow_emails'])} Google Flow accounts" in sentence
    # The check really went over HTTP to the sandbox, with the demo token.
    paths = [r["path"] for r in sb.requests("api")]
    assert "/v2/account" in paths

    click_test(qtbot, window, "Sandbox Wordbee")
    qtbot.waitUntil(
        lambda: row_data(window, "Sandbox Wordbee", AccountRole.HEALTH_STATE) == "valid"
    )
    assert sb.requests("wordbee"), "the Wordbee check sent nothing to the sandbox"
    # The first row kept its result.
    assert row_data(window, "Sandbox", AccountRole.HEALTH_STATE) == "valid"


def test_wrong_token_is_reported_invalid(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sb: SandboxProcess,
    arun: Any,
) -> None:
    arun(
        services.accounts.add_session_account(
            name="Typo", kind="useapi", base_url=sb.api_url, secret="user:1001-NotTheRealToken99"
        )
    )
    window = open_window(qtbot, services, tasks, arun)
    click_test(qtbot, window, "Typo")
    qtbot.waitUntil(lambda: row_data(window, "Typo", AccountRole.HEALTH_STATE) == "invalid")
    assert row_data(window, "Typo", AccountRole.HEALTH_TEXT) not in ("", CHECKING_TEXT)


def test_row_says_checking_while_the_service_is_slow(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    sb.fault("api", "/v2/account", latency=1.5)
    window = open_window(qtbot, services, tasks, arun)
    click_test(qtbot, window, "Sandbox")
    qtbot.waitUntil(lambda: row_data(window, "Sandbox", AccountRole.HEALTH_TEXT) == CHECKING_TEXT)
    # While it runs the button is off, and the window still answers (the loop is not blocked).
    assert not window.accounts_pane.test_button.isEnabled()
    window.focus_pane(1)  # the Library's list takes the focus while the check runs
    assert window.library_pane.search.hasFocus() or window.library_pane.current_view.hasFocus()
    qtbot.waitUntil(
        lambda: row_data(window, "Sandbox", AccountRole.HEALTH_STATE) == "valid", timeout=10_000
    )
    assert window.accounts_pane.test_button.isEnabled()


def test_throttled_account_says_so(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    sb.fault("api", "/v2/account", status=429, headers={"Retry-After": "120"}, count=5)
    window = open_window(qtbot, services, tasks, arun)
    click_test(qtbot, window, "Sandbox")
    qtbot.waitUntil(lambda: row_data(window, "Sandbox", AccountRole.HEALTH_STATE) == "throttled")
    assert "Throttled" in row_data(window, "Sandbox", AccountRole.HEALTH_TEXT)


def test_accounts_model_is_a_well_behaved_model(
    qtmodeltester: Any, services: AppServices, sandbox_accounts: list[Any], arun: Any
) -> None:
    model = AccountsModel()
    model.set_accounts(arun(services.accounts.list()))
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)
