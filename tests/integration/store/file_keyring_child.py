"""Child process of test_keyring_choice.py: real file-based keyring backends (as keyrings.alt's
PlaintextKeyring and EncryptedKeyring are: a JSON file under FILE_KEYRING_PATH) and a run of
`SecretStore()` over whatever keyring picks in this process, printed as one JSON line. Run as
`python -c "import file_keyring_child as c; c.main()"`, so that its classes exist once (as
`__main__` they would be registered a second time when the entry point imports the module).

keyring finds these classes either through PYTHON_KEYRING_BACKEND (this module on PYTHONPATH)
or, like an installed plugin, through a `keyring.backends` entry point the test writes.
"""

from __future__ import annotations

import abc
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

SECRET = "user:4242-FileKeyringMustNotHoldThis1"


class _FileBacked(KeyringBackend):
    """Secrets in a JSON file, in the clear: a working keyring that AssetDesk must not use."""

    priority = 1  # viable, below the Secret Service (5): as keyrings.alt ranks its own

    @property
    @abc.abstractmethod
    def filename(self) -> str:
        """The file's name; abstract, so that keyring does not offer this class itself."""

    @property
    def file_path(self) -> str:
        return str(Path(os.environ["FILE_KEYRING_PATH"]) / self.filename)

    def _load(self) -> dict[str, str]:
        path = Path(self.file_path)
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._load()
        items[f"{service}/{username}"] = password
        Path(self.file_path).write_text(json.dumps(items), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        items = self._load()
        if items.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        Path(self.file_path).write_text(json.dumps(items), "utf-8")


class PlaintextFileKeyring(_FileBacked):
    filename = "plain.json"  # type: ignore[assignment]


class ObscuredFileKeyring(_FileBacked):
    priority = 0.9  # type: ignore[assignment]
    filename = "obscured.json"  # type: ignore[assignment]


def main() -> int:
    from assetdesk.core.errors import SecretStoreError
    from assetdesk.store.secrets import SecretStore

    store = SecretStore()
    report: dict[str, object] = {
        "backend": type(store._backend).__name__,
        "backend_name": store.backend_name,
        "available": store.available,
        "has_backend": store.has_backend,
        "reason": store.unavailable_reason,
    }
    try:
        store.set(7, "token", SECRET)
    except SecretStoreError as error:
        report["set_error"] = error.message
    else:
        report["read_back"] = store.get(7, "token") == SECRET
        store.delete(7, "token")
    store.use_session_only()
    store.set(7, "token", SECRET)
    report["session_only_works"] = store.get(7, "token") == SECRET
    print(json.dumps(report))
    return 0
