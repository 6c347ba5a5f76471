"""Child process of the one-window test: holds the data folder as a window does (WindowClaim),
sends its queue with the real services and keyring, says "SENDING" once bytes flow, and never
answers a later start (it does not listen for one), as a hung window would not.

argv: data_dir account_id file
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from assetdesk.services.app import build_services
from assetdesk.services.upload_items import UploadTarget
from assetdesk.store.paths import AppPaths
from assetdesk.ui.single_instance import WindowClaim


async def main(data_dir: str, account_id: int, file: str) -> None:
    claim = WindowClaim.take(AppPaths.from_option(data_dir).root)
    if claim is None:
        print("HELD", flush=True)
        return
    services = build_services(AppPaths.from_option(data_dir).ensure())
    account = next(a for a in await services.accounts.list() if a.id == account_id)
    queue = services.uploads
    await queue.load()
    await queue.set_concurrency(1)
    await queue.add_paths([Path(file)], UploadTarget(account.id, account.name))
    queue.start()
    while not any(item.progress.done > 0 for item in queue.items):  # noqa: ASYNC110 (polls)
        await asyncio.sleep(0.01)
    print("SENDING", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
