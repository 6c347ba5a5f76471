"""Child process of the crash test: queues one file for Google Flow, sends it, says "SENT" once
the queue has recorded on disk that the file's last byte went (the service is made to hold its
answer), and waits to be SIGKILLed before the answer comes. With a fifth argument "quiet" it
says nothing and only sends, so that the parent picks the moment of the kill itself.

argv: data_dir api_url token file [quiet]
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import keyring.backends.fail

from assetdesk.services.app import build_services
from assetdesk.services.upload_items import UploadTarget
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore


def sent_on_disk(database: Path) -> bool:
    conn = sqlite3.connect(database)
    try:
        row = conn.execute("SELECT sent_at FROM upload_queue WHERE state = 'uploading'").fetchone()
    finally:
        conn.close()
    return row is not None and row[0] is not None


async def main(data_dir: str, api_url: str, token: str, file: str, quiet: bool) -> None:
    paths = AppPaths.from_option(data_dir).ensure()
    store = SecretStore(keyring.backends.fail.Keyring())
    store.use_session_only()
    services = build_services(paths, secrets=store)
    account = await services.accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=api_url, secret=token
    )
    queue = services.uploads
    await queue.load()
    await queue.add_paths([Path(file)], UploadTarget.google_flow(account.id, account.name))
    queue.start()
    if quiet:
        await asyncio.sleep(3600)
        return
    while not await asyncio.to_thread(sent_on_disk, paths.database):  # noqa: ASYNC110 (polls)
        await asyncio.sleep(0.01)
    print("SENT", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5], quiet=sys.argv[5:] == ["quiet"]))
