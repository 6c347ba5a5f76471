"""A file-based keyring that keyring chose (here set with `keyring.set_keyring`, as
PYTHON_KEYRING_BACKEND or keyrings.alt would make it its choice) is named in the Accounts pane
and not used: the pane offers session-only secrets, and its file stays empty."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError
from pytestqt.qtbot import QtBot

from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.tasks import BackgroundTasks


class JsonFileKeyring(KeyringBackend):
    """A real keyring that keeps its secrets in the clear in one JSON file."""

    @properties.classproperty
    def priority(cls) -> float:
        """Not viable, so never keyring's own pick in this process: the test sets it."""
        raise RuntimeError("chosen only with keyring.set_keyring")

    def __init__(self, file_path: Path) -> None:
        super().__init__()
        self.file_path = file_path

    def _load(self) -> dict[str, str]:
        return json.loads(self.file_path.read_text("utf-8")) if self.file_path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.file_path.write_text(json.dumps({**self._load(), f"{service}/{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        items = self._load()
        if items.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self.file_path.write_text(json.dumps(items))


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[JsonFileKeyring]:
    before = keyring.get_keyring()
    chosen = JsonFileKeyring(tmp_path / "secrets.json")
    keyring.set_keyring(chosen)
    try:
        yield chosen
    finally:
        keyring.set_keyring(before)


def test_the_pane_names_the_file_keyring_and_offers_session_only(
    qtbot: QtBot,
    file_keyring: JsonFileKeyring,
    app_paths: AppPaths,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    services: AppServices = build_services(app_paths, secrets=SecretStore())
    try:
        pane = AccountsPane(services.accounts, tasks, redactor=services.redactor)
        qtbot.addWidget(pane)
        pane.show()
        qtbot.waitExposed(pane)
        arun(pane.reload())
        said = "Found JsonFileKeyring, which keeps secrets in a file: not used."
        assert services.accounts.secret_store_problem == said
        assert pane.banner.keyring_notice.text().startswith(said)
        assert pane.banner.session_button.isVisible()
        assert "Secrets are kept in" not in pane.banner.store_label.text()
        assert not file_keyring.file_path.exists()  # not even read into being
    finally:
        arun(services.aclose())
