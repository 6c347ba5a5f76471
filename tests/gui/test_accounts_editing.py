"""Adding, editing, testing and removing accounts in the real pane, offscreen, against the sandbox,
with secrets in the real Secret Service (under `make test`) or, without a keyring, in memory."""

from __future__ import annotations

import os
from typing import Any

import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from tests.helpers.http_calls import api_requests
from tests.helpers.main_window import open_window
from tests.helpers.secrets_on_disk import assert_no_file_holds
from tests.helpers.waiting import wait_until_async

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.accounts.details import AUTOMATIC_EMAIL
from assetdesk.ui.accounts.dialog import AccountDialog
from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.tasks import BackgroundTasks

REAL_KEYRING = os.environ.get("ASSETDESK_TEST_KEYRING") == "secret-service"
needs_keyring = pytest.mark.skipif(
    not REAL_KEYRING, reason="needs the Secret Service of `make test` (ASSETDESK_TEST_KEYRING)"
)


def rows(pane: AccountsPane) -> dict[str, Any]:
    model = pane.model
    return {
        model.index(r, 0).data(AccountRole.NAME): model.index(r, 0) for r in range(model.rowCount())
    }


def select(pane: AccountsPane, name: str) -> None:
    pane.view.setCurrentIndex(rows(pane)[name])


def fill(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def save(qtbot: QtBot, pane: AccountsPane, dialog: AccountDialog) -> None:
    assert dialog.save_button.isEnabled(), dialog.problems()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.dialog is None, timeout=10_000)


def add_useapi(qtbot: QtBot, pane: AccountsPane, name: str, url: str, token: str) -> None:
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None and dialog.isVisible()
    fill(qtbot, dialog.name, name)
    fill(qtbot, dialog.base_url, url)
    fill(qtbot, dialog.secret, token)
    save(qtbot, pane, dialog)
    qtbot.waitUntil(lambda: name in rows(pane))


def health(pane: AccountsPane, name: str) -> tuple[str, str]:
    index = rows(pane)[name]
    return index.data(AccountRole.HEALTH_STATE), index.data(AccountRole.HEALTH_TEXT)


def test_the_form_says_what_is_wrong_as_you_type(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save_button.isEnabled()
    assert dialog.base_url.text() == "https://api.useapi.net"
    assert all(not label.isVisible() for label in dialog.errors.values())  # nothing typed yet
    qtbot.keyClicks(dialog.secret, "abc")
    assert dialog.errors["secret"].isVisible()
    assert dialog.errors["secret"].text().endswith(".")
    fill(qtbot, dialog.secret, "user:1001-SandboxDemoToken01")
    assert not dialog.errors["secret"].isVisible()
    qtbot.keyClicks(dialog.name, "Studio")
    fill(qtbot, dialog.base_url, "ftp://example.com")
    assert "https://" in dialog.errors["base_url"].text()
    assert not dialog.save_button.isEnabled()
    fill(qtbot, dialog.base_url, "https://api.useapi.net/")
    assert dialog.save_button.isEnabled()

    dialog.kind.setCurrentIndex(dialog.kind.findData("wordbee"))
    assert dialog.account_id.isVisible() and dialog.secret_label.text() == "API key"
    assert dialog.base_url.text() == "https://api.useapi.net/"  # typed by the user: kept
    fill(qtbot, dialog.base_url, "")
    qtbot.keyClicks(dialog.base_url, "https://acme.wordbee-translator.com")
    assert not dialog.save_button.isEnabled()  # no account id yet
    qtbot.keyClicks(dialog.account_id, "12345")
    assert dialog.save_button.isEnabled()


def test_the_secret_is_masked_revealable_and_never_copied(qtbot: QtBot) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.secret, "user:1001-SandboxDemoToken01")
    assert dialog.secret.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.revealed.isVisible()
    qtbot.mouseClick(dialog.reveal, Qt.MouseButton.LeftButton)
    # Shown in a label that cannot be selected; the field stays masked (no primary selection).
    assert dialog.reveal.text() == "Hide" and dialog.revealed.isVisible()
    assert dialog.revealed.text() == "user:1001-SandboxDemoToken01"
    assert dialog.revealed.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert dialog.secret.echoMode() == QLineEdit.EchoMode.Password
    assert "Token01" not in repr(dialog.form())
    clipboard = QApplication.clipboard()
    clipboard.setText("before")
    dialog.secret.selectAll()
    qtbot.keyClick(dialog.secret, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.secret, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "before"
    assert dialog.secret.text() == "user:1001-SandboxDemoToken01"  # cut did nothing either
    assert dialog.secret.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


@needs_keyring
def test_add_test_pick_email_edit_and_remove_with_the_real_keyring(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    token = sb.demo["useapi_token"]
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    assert "Secret Service" in pane.banner.store_label.text()
    assert pane.empty.isVisible()
    add_useapi(qtbot, pane, "Studio", sb.api_url, token)
    info = arun(services.accounts.find("Studio"))
    assert info is not None and info.secret_state == "stored" and not info.session_only
    assert services.secrets.get(info.id, "token") == token

    # Test connection: valid, with the token's Google Flow and Runway accounts.
    select(pane, "Studio")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Studio")[0] == "valid", timeout=10_000)
    assert pane.details.isVisible()
    emails = sb.demo["google_flow_emails"]
    for email in emails:
        assert email in pane.details.flow.text()
    combo = pane.details.default_email
    assert combo.itemText(0) == AUTOMATIC_EMAIL and combo.count() == 1 + len(emails)
    combo.setCurrentIndex(combo.findData(emails[0]))
    qtbot.waitUntil(lambda: arun(services.accounts.find("Studio")).default_email == emails[0])

    # Edit: a new name, the secret left empty keeps the saved token.
    qtbot.mouseClick(pane.edit_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None and dialog.name.text() == "Studio"
    assert not dialog.kind.isEnabled() and dialog.secret.text() == ""
    fill(qtbot, dialog.name, "Studio main")
    save(qtbot, pane, dialog)
    qtbot.waitUntil(lambda: "Studio main" in rows(pane))
    assert services.secrets.get(info.id, "token") == token

    # Edit again with a wrong token: the check now says the token is refused.
    qtbot.mouseClick(pane.edit_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None
    fill(qtbot, dialog.secret, "user:1001-NotTheRealToken99")
    save(qtbot, pane, dialog)
    select(pane, "Studio main")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Studio main")[0] == "invalid", timeout=10_000)

    # Remove: asks first; Cancel keeps it; Remove deletes the secret from the keyring too.
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)
    box = pane.confirm
    assert box is not None and "Studio main" in box.text()
    assert "Secret Service" in box.informativeText()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.confirm is None)
    assert "Studio main" in rows(pane)
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)
    box = pane.confirm
    assert box is not None
    remove = next(b for b in box.buttons() if b.text() == "Remove")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Studio main" not in rows(pane), timeout=10_000)
    assert all(services.secrets.get(info.id, field) is None for field in ("token", "key"))
    assert arun(services.accounts.list()) == []


@needs_keyring
def test_a_wordbee_account_is_added_and_tested(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None
    dialog.kind.setCurrentIndex(dialog.kind.findData("wordbee"))
    qtbot.keyClicks(dialog.name, "Acme Wordbee")
    fill(qtbot, dialog.base_url, sb.wordbee_url)
    qtbot.keyClicks(dialog.account_id, str(sb.demo["wordbee_account_id"]))
    qtbot.keyClicks(dialog.secret, sb.demo["wordbee_key"])
    save(qtbot, pane, dialog)
    qtbot.waitUntil(lambda: "Acme Wordbee" in rows(pane))
    select(pane, "Acme Wordbee")
    assert not pane.details.isVisible()  # Google Flow details are for useapi.net accounts
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Acme Wordbee")[0] == "valid", timeout=10_000)
    info = arun(services.accounts.find("Acme Wordbee"))
    assert services.secrets.get(info.id, "key") == sb.demo["wordbee_key"]
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)
    assert pane.confirm is not None
    remove = next(b for b in pane.confirm.buttons() if b.text() == "Remove")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Acme Wordbee" not in rows(pane), timeout=10_000)
    assert services.secrets.get(info.id, "key") is None


@needs_keyring
def test_a_name_already_taken_is_refused_in_the_dialog(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    add_useapi(qtbot, pane, "Studio", sb.api_url, sb.demo["useapi_token"])
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name, "studio")
    qtbot.keyClicks(dialog.secret, sb.demo["useapi_token"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=10_000)
    assert "already exists" in dialog.notice.text()
    assert dialog.isVisible() and dialog.name.text() == "studio"  # nothing typed is lost
    assert dialog.save_button.isEnabled()


@pytest.fixture
def keyless_services(app_paths: AppPaths, arun: Any) -> Any:
    built = build_services(app_paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    yield built
    arun(built.aclose())


def test_without_a_keyring_the_pane_says_so_and_offers_session_only(
    qtbot: QtBot,
    keyless_services: AppServices,
    tasks: BackgroundTasks,
    sb: SandboxProcess,
    app_paths: AppPaths,
    arun: Any,
) -> None:
    token = sb.demo["useapi_token"]
    window = open_window(qtbot, keyless_services, tasks, arun)
    pane = window.accounts_pane
    banner = pane.banner
    assert banner.keyring_notice.isVisible() and banner.keyring_notice.kind == "warning"
    assert banner.keyring_notice.text().startswith("No system keyring was found on this computer.")
    # Add stays clickable (a disabled button would say nothing): it says why on hover.
    assert banner.session_button.isVisible() and pane.add_button.isEnabled()
    assert "No system keyring was found" in pane.add_button.toolTip()
    qtbot.mouseClick(banner.session_button, Qt.MouseButton.LeftButton)
    assert not banner.keyring_notice.isVisible() and pane.add_button.isEnabled()
    assert "this session only" in banner.store_label.text()
    add_useapi(qtbot, pane, "Studio", sb.api_url, token)
    select(pane, "Studio")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Studio")[0] == "valid", timeout=10_000)
    # Nothing secret is on disk.
    assert_no_file_holds(app_paths.root, [token], expected=[app_paths.database])


def test_health_states_throttled_reconnect_and_unreachable(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    arun(
        services.accounts.add_session_account(
            name="Nowhere",
            kind="useapi",
            base_url="http://127.0.0.1:9",
            secret=sb.demo["useapi_token"],
        )
    )
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    select(pane, "Nowhere")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Nowhere")[0] == "unreachable", timeout=15_000)
    assert "127.0.0.1" in health(pane, "Nowhere")[1]

    sb.fault("api", "/v2/account", status=596, body={"error": "Google session expired"}, count=3)
    select(pane, "Sandbox")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Sandbox")[0] == "reconnect", timeout=10_000)

    sb.clear_faults()
    sb.fault("api", "/v2/account", status=429, headers={"Retry-After": "600"}, count=5)
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Sandbox")[0] == "throttled", timeout=10_000)
    assert health(pane, "Sandbox")[1].startswith("Throttled until ")


@needs_keyring
def test_a_saved_account_whose_secret_is_gone_asks_for_it_again(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, sb: SandboxProcess, arun: Any
) -> None:
    info = arun(
        services.accounts.add(
            name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
        )
    )
    services.secrets.delete_all(info.id)  # as if someone cleared the keyring
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    assert "secret missing — enter it again" in rows(pane)["Studio"].data(AccountRole.DETAIL)
    select(pane, "Studio")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Studio")[0] == "secret_missing", timeout=10_000)
    qtbot.mouseClick(pane.edit_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None and "enter the api token again" in dialog.secret.placeholderText()
    assert not dialog.save_button.isEnabled()  # the token is needed this time
    qtbot.keyClicks(dialog.secret, sb.demo["useapi_token"])
    save(qtbot, pane, dialog)
    qtbot.waitUntil(lambda: "secret missing" not in rows(pane)["Studio"].data(AccountRole.DETAIL))
    assert services.secrets.get(info.id, "token") == sb.demo["useapi_token"]


def test_edit_and_remove_wait_while_a_check_runs(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    sb.fault("api", "/v2/account", latency=1.0)
    window = open_window(qtbot, services, tasks, arun)
    pane = window.accounts_pane
    select(pane, "Sandbox")
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: health(pane, "Sandbox")[0] == "checking")
    assert not pane.edit_button.isEnabled() and not pane.remove_button.isEnabled()
    qtbot.waitUntil(lambda: health(pane, "Sandbox")[0] == "valid", timeout=10_000)
    assert pane.edit_button.isEnabled() and pane.remove_button.isEnabled()


def test_an_account_changed_under_a_check_gets_a_sentence_not_a_crash(
    services: AppServices, sandbox_accounts: list[Any], sb: SandboxProcess, arun: Any
) -> None:
    import asyncio

    useapi = sandbox_accounts[0]
    sb.fault("api", "/v1/google-flow/accounts", latency=1.0)

    async def check_while_renaming() -> Any:
        check = asyncio.ensure_future(services.accounts.check(useapi.id))
        # /v2/account answered; the Google Flow list is on its way (held 1 s by the sandbox).
        await wait_until_async(
            lambda: asyncio.to_thread(api_requests, sb, "/v1/google-flow/accounts"),
            "the check asked for the Google Flow list",
        )
        await services.accounts.update(useapi.id, name="Renamed", base_url=sb.api_url)
        return await check

    health = arun(check_while_renaming())
    # The rename closed the client between the check's requests (the Google Flow list is slow).
    assert health.state == "error"
    assert health.sentence == "The account changed while it was being checked; test it again."


class _RefusingKeyring(keyring.backend.KeyringBackend):
    """A keyring that refuses every call: a fake, because a real one cannot be made to refuse
    on demand here (a real locked gnome-keyring would raise an unlock prompt instead)."""

    priority = 0  # never chosen by keyring itself

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def test_a_refusing_keyring_is_said_in_the_dialog_and_offers_session_only(
    qtbot: QtBot, tasks: BackgroundTasks, sb: SandboxProcess, app_paths: AppPaths, arun: Any
) -> None:
    services = build_services(app_paths, secrets=SecretStore(_RefusingKeyring(), probe=False))
    try:
        window = open_window(qtbot, services, tasks, arun)
        pane = window.accounts_pane
        assert not pane.banner.session_button.isVisible()
        qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
        dialog = pane.dialog
        assert dialog is not None
        qtbot.keyClicks(dialog.name, "Studio")
        fill(qtbot, dialog.base_url, sb.api_url)
        qtbot.keyClicks(dialog.secret, sb.demo["useapi_token"])
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=10_000)
        assert sb.demo["useapi_token"] not in dialog.notice.text()
        assert dialog.isVisible() and dialog.secret.text() == sb.demo["useapi_token"]
        assert pane.banner.session_button.isVisible() and pane.banner.keyring_notice.isVisible()
        assert arun(services.accounts.list()) == []  # nothing half-saved
        dialog.reject()
        qtbot.mouseClick(pane.banner.session_button, Qt.MouseButton.LeftButton)
        add_useapi(qtbot, pane, "Studio", sb.api_url, sb.demo["useapi_token"])
        assert window.secret_label.text() == "Secrets: this session only"
    finally:
        arun(services.aclose())
