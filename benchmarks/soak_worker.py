"""The soak's worker: the real services (upload queue, library downloads) over one data folder,
run until every planned item has ended, SIGKILLed at random moments by benchmarks/soak.py and
started again on the same folder.

Each start does what the window does at its start: the queue is loaded (uploads a kill cut off
are pending again, or `unknown` once their whole body had gone) and started; downloads noted in
`pending_downloads` go on from their kept `.part`. Then it does what a user would have done: it
queues the planned files not yet in the queue and starts the planned downloads that have neither
an outcome nor a pending row (adding their asset to the catalog by its reference first). A
download's outcome (saved at a path, or failed with the error's sentence) goes to the soak's own
journal (`journal.sqlite`, beside the data folder) before its pending row is removed, as the
window shows it in its downloads list.

argv: plan.json (written by soak.py: data folder, journal, sandbox address and token, items)
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import keyring.backends.fail

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.services.app import AppServices, build_services
from assetdesk.services.library import Asset
from assetdesk.services.upload_items import ItemState, UploadTarget
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore

DOWNLOADS_AT_ONCE = 4
ADD_TRIES = 6  # a reference the sandbox was made to refuse (5xx, 429) is pasted again
BUSY = {ItemState.PENDING, ItemState.UPLOADING}


class Journal:
    """Download outcomes, one row per planned download, written through before the pending
    row goes (a kill between the two repeats the download; it never loses it)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS outcome (item INTEGER PRIMARY KEY, state TEXT NOT NULL,"
            " message TEXT, path TEXT)"
        )

    def ended(self) -> set[int]:
        return {row[0] for row in self._conn.execute("SELECT item FROM outcome")}

    def write(self, item: int, state: str, message: str | None, path: str | None) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO outcome VALUES (?, ?, ?, ?)", (item, state, message, path)
        )


async def catalog_asset(services: AppServices, ref: str, account_id: int) -> Asset:
    """The catalog's asset for a reference, pasted (added after the service confirms it) when
    the catalog does not have it yet."""
    for asset in await services.library.assets():
        if asset.remote_id == ref:
            return asset
    for attempt in range(ADD_TRIES):
        try:
            outcome = await services.library.add_reference(ref, account_id)
            return outcome.assets[0]
        except AssetDeskError:
            if attempt == ADD_TRIES - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


async def download_one(
    services: AppServices,
    journal: Journal,
    item: dict[str, Any],
    account_id: int,
    folder: Path,
    pending_id: int | None,
) -> None:
    """One planned download: "Save as" an exact name (Google Flow items) or "Download to a
    folder" under the asset's own name (Runway items), as the Library pane starts them."""
    library, pending = services.library, services.library.pending_downloads
    number = int(item["number"])
    save_as = item["provider"] == Provider.GOOGLE_FLOW
    try:
        asset = await catalog_asset(services, item["ref"], account_id)
        if pending_id is None:
            name = item["name"] if save_as else None
            noted = await pending.add(asset.id, folder, filename=name, keep_folders=False)
            pending_id = noted.id
        if save_as:
            result = await library.save_as(asset, folder / item["name"])
        else:
            result = await library.save_to_folder(asset, folder)
    except AssetDeskError as error:
        journal.write(number, "failed", str(error), None)
    except Exception as error:  # an unclear failure: a figure of the soak, not its end
        journal.write(number, "crashed", f"{type(error).__name__}: {error}", None)
    else:
        journal.write(number, "done", None, str(result.path))
    if pending_id is not None:
        await pending.remove(pending_id)


async def run_downloads(
    services: AppServices, journal: Journal, plan: dict[str, Any], account_id: int
) -> None:
    folder = Path(plan["downloads"])
    items = {int(item["number"]): item for item in plan["download_items"]}
    by_ref = {item["ref"]: item for item in items.values()}
    gate = asyncio.Semaphore(DOWNLOADS_AT_ONCE)
    ended = journal.ended()
    started: set[int] = set()
    jobs: list[tuple[dict[str, Any], int | None]] = []
    # First what a kill cut short (as the window's resume does), then the rest.
    for job in await services.library.pending_downloads.all():
        asset = await services.library.get(job.asset_id)
        item = by_ref.get(asset.remote_id) if asset is not None else None
        number = None if item is None else int(item["number"])
        if item is None or number in ended or number in started:
            await services.library.pending_downloads.remove(job.id)
            continue
        started.add(int(item["number"]))
        jobs.append((item, job.id))
    jobs += [(item, None) for n, item in items.items() if n not in ended and n not in started]

    async def gated(item: dict[str, Any], pending_id: int | None) -> None:
        async with gate:
            await download_one(services, journal, item, account_id, folder, pending_id)

    await asyncio.gather(*(gated(item, pending_id) for item, pending_id in jobs))


async def run_uploads(services: AppServices, plan: dict[str, Any], account_id: int) -> None:
    queue = services.uploads
    await queue.load()
    queue.start()
    queued = {item.row.path for item in queue.items}
    for provider in (Provider.GOOGLE_FLOW, Provider.RUNWAY):
        missing = [
            Path(item["path"])
            for item in plan["upload_items"]
            if item["provider"] == provider and str(Path(item["path"])) not in queued
        ]
        if not missing:
            continue
        make = UploadTarget.google_flow if provider == Provider.GOOGLE_FLOW else UploadTarget.runway
        await queue.add_paths(missing, make(account_id, "Sandbox"))
    while any(item.state in BUSY for item in queue.items):  # noqa: ASYNC110 (polls)
        await asyncio.sleep(0.2)


async def main(plan: dict[str, Any]) -> None:
    paths = AppPaths.from_option(plan["data_dir"]).ensure()
    store = SecretStore(keyring.backends.fail.Keyring())
    store.use_session_only()
    services = build_services(paths, secrets=store)
    journal = Journal(Path(plan["journal"]))
    # A session account: the same id (-1) at every start, so the queue's rows find it again.
    account = await services.accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=plan["api_url"], secret=plan["token"]
    )
    print("READY", flush=True)
    try:
        await asyncio.gather(
            run_uploads(services, plan, account.id),
            run_downloads(services, journal, plan, account.id),
        )
    finally:
        await services.aclose()
    print("DONE", flush=True)


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text())))
