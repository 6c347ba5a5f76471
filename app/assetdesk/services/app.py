"""The services the window and the CLI are built on, assembled once at start-up."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
from dataclasses import dataclass

from assetdesk.core.redact import Redactor, install
from assetdesk.providers.http import warm_up
from assetdesk.services.accounts import AccountsService
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

    async def aclose(self) -> None:
        """Close every client; the app calls this once on shutdown."""
        await self.accounts.aclose()


def configure_logging(paths: AppPaths, redactor: Redactor, *, level: int = logging.INFO) -> None:
    """A rotating log file under the data folder; every handler redacts secrets first."""
    handler = logging.handlers.RotatingFileHandler(
        paths.logs / "assetdesk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(install(redactor))
    root = logging.getLogger("assetdesk")
    root.setLevel(level)
    root.addHandler(handler)


def build_services(
    paths: AppPaths, *, secrets: SecretStore | None = None, redactor: Redactor | None = None
) -> AppServices:
    """Assemble the services over `paths` (which must exist: call `paths.ensure()` first)."""
    redactor = redactor or Redactor()
    # Choosing the keyring may block on D-Bus: call this off the event loop (see open_services).
    store = secrets if secrets is not None else SecretStore(redactor=redactor)
    accounts = AccountsService(paths.database, store, redactor)
    return AppServices(paths=paths, redactor=redactor, secrets=store, accounts=accounts)


async def open_services(paths: AppPaths) -> AppServices:
    """`build_services` from a running event loop: the keyring probe and the TLS set-up run in
    worker threads, so the window never stalls on them."""
    await warm_up()
    return await asyncio.to_thread(build_services, paths)
