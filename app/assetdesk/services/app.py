"""The services the window and the CLI are built on, assembled once at start-up."""

from __future__ import annotations

import logging
import logging.handlers
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.redact import Redactor, install
from assetdesk.net.clients import prepare_tls
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import LibraryService
from assetdesk.services.local_files import UploadCandidate, inspect_upload
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore

log = logging.getLogger("assetdesk")


@dataclass
class AppServices:
    """Everything a pane needs, handed to it by its container; no globals."""

    paths: AppPaths
    redactor: Redactor
    secrets: SecretStore
    accounts: AccountsService
    uploads: UploadQueue
    library: LibraryService

    async def inspect_upload(self, path: Path | str) -> UploadCandidate:
        """Check a local file's real type and size before anything is sent (off the loop)."""
        return await inspect_upload(path)

    async def aclose(self) -> None:
        """Close every client; the app calls this once on shutdown."""
        await self.uploads.aclose()  # first: uploads and downloads use the accounts' clients
        await self.library.aclose()
        await self.accounts.aclose()


def configure_logging(
    paths: AppPaths, redactor: Redactor, *, level: int = logging.INFO
) -> logging.Handler:
    """A rotating log file under the data folder; every handler redacts secrets first.

    Returns the file handler, which the caller removes and closes when it is done.
    """
    handler = logging.handlers.RotatingFileHandler(
        paths.logs / "assetdesk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(install(redactor))
    root = logging.getLogger("assetdesk")
    root.setLevel(level)
    root.addHandler(handler)
    return handler


def build_services(
    paths: AppPaths,
    *,
    secrets: SecretStore | None = None,
    redactor: Redactor | None = None,
    probe: bool = True,
) -> AppServices:
    """Assemble the services over `paths` (which must exist: call `paths.ensure()` first).

    With `probe=False` the keyring is not tried yet: the window shows first and then calls
    `accounts.probe_secret_store()`, which cannot hold it up (an unlock prompt may wait)."""
    # Blocking: choosing the keyring may wait on D-Bus and the TLS set-up reads the CA bundle.
    # From a running event loop, call it in a worker thread (the window does).
    prepare_tls()
    # The system's MIME table is read at its first use (a few ms): here, not on the GUI thread
    # when the first finished upload or listed asset needs a type from a name.
    mimetypes.init()
    redactor = redactor or Redactor()
    store = secrets if secrets is not None else SecretStore(redactor=redactor, probe=probe)
    accounts = AccountsService(paths.database, store, redactor)
    uploads = UploadQueue(paths.database, accounts)
    library = LibraryService(paths.database, accounts)
    return AppServices(
        paths=paths,
        redactor=redactor,
        secrets=store,
        accounts=accounts,
        uploads=uploads,
        library=library,
    )
