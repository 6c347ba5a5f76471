"""Child process of the kill test: queues files with the real services, starts sending, says
"SENDING" once bytes flow, and waits to be SIGKILLed mid-queue.

argv: data_dir api_url token file...
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import keyring.backends.fail

from assetdesk.services.app import build_services
from assetdesk.services.upload_items import UploadTarget
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore


async def main(data_dir: str, api_url: str, token: str, files: list[str]) -> None:
    paths = AppPaths.from_option(data_dir).ensure()
    store = SecretStore(keyring.backends.fail.Keyring())
    store.use_session_only()
    services = build_services(paths, secrets=store)
    account = await services.accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=api_url, secret=token
    )
    queue = services.uploads
    await queue.load()
    await queue.set_concurrency(1)
    await queue.add_paths([Path(f) for f in files], UploadTarget(account.id, account.name))
    queue.start()
    while not any(item.progress.done > 0 for item in queue.items):  # noqa: ASYNC110 (polls)
        await asyncio.sleep(0.01)
    print("SENDING", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
