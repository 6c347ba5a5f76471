"""The upload queue: files checked, persisted, sent a few at a time, and never lost.

Qt-free. The window (or a test) adds files and asks for cancel / retry / remove; the queue keeps
each item's row in SQLite (store/uploads.py) so that a quit or a crash loses nothing: at the next
start every pending item is there again and uploads cut off midway are pending, unless their whole
body had gone: those are `unknown` (the service may have kept them: never sent again without the
user's word). Each item keeps its target (Google Flow, Runway, a Wordbee segment); files are checked
against it when added, when sent and when the target changes (`retarget`).

Sending is the scheduler's (upload_scheduler.py); what a failed try leads to (a 429, a 401, a
596, a network error) is the failure policy's (upload_failures.py).

Progress is not pushed per chunk: each item has a `Meter`, and the changed items are collected in
a set that the window drains on its own clock (`take_changed`), ~10 times a second.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_actions import UploadActions
from assetdesk.services.upload_checks import check_file, collect_files
from assetdesk.services.upload_failures import RETRY
from assetdesk.services.upload_items import (
    AddResult,
    UploadItem,
    UploadTarget,
    apply_target,
    new_row,
    take_candidate,
)
from assetdesk.services.upload_sentences import item_sentence
from assetdesk.store.uploads import FINISHED, ItemState, QueueRow, UploadQueueStore

__all__ = ["MAX_CONCURRENCY", "UploadQueue"]

log = logging.getLogger("assetdesk.services.uploads")

MAX_CONCURRENCY = 8
CONCURRENCY_SETTING = "uploads.concurrency"


#: What an upload a crash cut off says at the next start.
CUT_OFF = (
    "AssetDesk stopped after the whole file was sent: it is not known whether the service "
    "kept it. Check the service, or send it again."
)


class UploadQueue(UploadActions):
    """The persisted queue and its scheduler. Call `load()` once, then `start()`."""

    def __init__(
        self,
        database: Path,
        accounts: AccountsService,
        *,
        concurrency: int | None = None,
        retry: RetryPolicy = RETRY,
    ) -> None:
        super().__init__(database, accounts, concurrency=concurrency, retry=retry)
        self._adding: set[str] = set()
        #: Called with (items) after files were added and (ids) after items were removed.
        self.on_added: Callable[[list[UploadItem]], None] | None = None
        self.on_removed: Callable[[list[int]], None] | None = None

    async def load(self) -> list[UploadItem]:
        """Read the queue from disk. Uploads a crash cut off are pending again, or `unknown`
        when their whole body had gone (the service may have kept them)."""

        def read(store: UploadQueueStore) -> tuple[tuple[int, int], list[QueueRow], str | None]:
            returned = store.return_in_flight(CUT_OFF)
            return returned, store.rows(), store.setting(CONCURRENCY_SETTING)

        (pending, unknown), rows, concurrency = await self._db(read)
        if pending:
            log.info("%d upload(s) cut off last time are pending again", pending)
        if unknown:
            log.info("%d upload(s) cut off after their last byte: outcome unknown", unknown)
        if concurrency and concurrency.isdigit() and not self._concurrency_fixed:
            self._concurrency = max(1, min(MAX_CONCURRENCY, int(concurrency)))
        self._items = {row.id: UploadItem(row) for row in rows if row.id is not None}
        self._batch = {i for i, item in self._items.items() if item.state is ItemState.PENDING}
        return list(self._items.values())

    async def aclose(self) -> None:
        """Stop: running uploads are cancelled and stay pending for the next start."""
        self._closing = True
        self._running = False
        self._accounts.unsubscribe(self._account_changed)
        if self._wake is not None:
            self._wake.cancel()
        running = [item.task for item in self._items.values() if item.task is not None]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=10)
        if self._chores:
            await asyncio.wait(list(self._chores), timeout=10)
        if self._writes:
            await asyncio.wait(list(self._writes), timeout=10)

        def close() -> None:
            with self._lock:
                self._closed = True
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None

        await asyncio.to_thread(close)

    # ------------------------------------------------------------------ reading

    @property
    def items(self) -> list[UploadItem]:
        """Every item, in queue order."""
        return list(self._items.values())

    def item(self, item_id: int) -> UploadItem | None:
        return self._items.get(item_id)

    def take_changed(self) -> set[int]:
        """The ids of items whose state or progress changed since the last call."""
        changed = {i for i, item in self._items.items() if item.task is not None}
        changed |= self._changed
        self._changed = set()
        return changed & self._items.keys()

    @property
    def concurrency(self) -> int:
        return self._concurrency

    async def set_concurrency(self, value: int) -> None:
        """How many uploads run at once (1..MAX_CONCURRENCY); saved for the next start."""
        self._concurrency = max(1, min(MAX_CONCURRENCY, int(value)))
        text = str(self._concurrency)
        await self._db(lambda store: store.set_setting(CONCURRENCY_SETTING, text))
        self._pump()

    # ------------------------------------------------------------------ adding

    async def add_paths(self, paths: Iterable[Path], target: UploadTarget | None) -> AddResult:
        """Check every file in `paths` (folders recursively) against `target` and queue it.

        A file that fails the checks is queued as refused, with the reason, and never sent. A
        file already waiting or uploading is not queued twice. A file inside a dropped folder
        keeps its folder (a Wordbee target sends it as the file's relative path).
        """
        dropped = [Path(os.fspath(path)) for path in paths]
        provider = target.provider if target is not None else Provider.GOOGLE_FLOW
        collected = await collect_files(dropped, provider)
        busy = self._adding | {
            item.row.path
            for item in self._items.values()
            if item.state in (ItemState.PENDING, ItemState.UPLOADING)
        }
        rows: list[QueueRow] = []
        already = 0
        for checked in collected.files:
            key = str(checked.path.absolute())
            if key in busy:
                already += 1
                continue
            busy.add(key)
            folder = checked.folder or None  # where it sat inside a dropped folder
            rows.append(new_row(checked.path, checked.candidate, checked.error, target, folder))
        # Held until the rows are in, so that a second drop of the same files meanwhile waits.
        reserved = {row.path for row in rows} - self._adding
        self._adding |= reserved
        try:
            added = await self._db(lambda store: store.add(rows)) if rows else []
        finally:
            self._adding -= reserved
        items = [UploadItem(row) for row in added]
        self._new_batch_if_idle()
        for item in items:
            self._items[item.id] = item
            if item.state is ItemState.PENDING:
                self._batch.add(item.id)
        if items and self.on_added is not None:
            self.on_added(items)
        self._pump()
        return AddResult(items, collected.hidden_skipped, already)

    # ------------------------------------------------------------------ user actions

    def start(self) -> None:
        """Begin sending (the window calls it once its accounts are known)."""
        self._running = True
        self._pump()

    def stop(self) -> None:
        """Start nothing more (the window is closing); what runs is cut off by `aclose`."""
        self._running = False
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None

    async def cancel(self, ids: Iterable[int]) -> None:
        """Stop these items: uploading ones are cut off, waiting ones never start."""
        for item_id in ids:
            item = self._items.get(item_id)
            if item is None or item.state not in (ItemState.PENDING, ItemState.UPLOADING):
                continue
            if item.task is not None:
                item.cancel_requested = True
                item.task.cancel()
            else:
                self._set_end(item, ItemState.CANCELLED, "Cancelled; nothing was kept.", None)
                await self._save(item)
        self._pump()

    async def retry(self, ids: Iterable[int], target: UploadTarget | None = None) -> None:
        """Queue failed, cancelled or refused items again.

        A refused file is checked again first (it may have been fixed). `target` replaces the
        item's account when that account no longer exists and `target` is on the same service
        (another service's target is `retarget`'s: it checks the file for it). An `unknown` item
        is not sent again here: that is `send_again`'s, the user's explicit word.
        """
        known = await self._account_ids()
        joined = False
        for item_id in ids:
            item = self._items.get(item_id)
            if item is None or item.state not in (
                ItemState.FAILED,
                ItemState.CANCELLED,
                ItemState.REFUSED,
            ):
                continue
            row = item.row
            if item.state is ItemState.REFUSED:
                try:
                    candidate = await check_file(row.path, row.provider)
                except AssetDeskError as error:
                    row.message = item_sentence(error)
                    row.error_kind = error.kind
                    await self._save(item)
                    continue
                if self._items.get(item_id) is not item or item.state is not ItemState.REFUSED:
                    continue  # removed or retried by someone else meanwhile
                take_candidate(item, candidate)
            gone = row.account_id is None or row.account_id not in known
            if gone and target is not None and target.provider is row.provider:
                apply_target(row, target)
            self._requeue(item, first=not joined)
            joined = True
            await self._save(item)
        self._pump()

    async def remove(self, ids: Iterable[int]) -> None:
        """Take items out of the queue (cutting off those uploading). The service keeps what it
        already has."""
        doomed = [self._items[i] for i in ids if i in self._items]
        for item in doomed:
            item.cancel_requested = True
            if item.task is not None:
                item.task.cancel()
        tasks = [item.task for item in doomed if item.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        gone = [item.id for item in doomed]
        await self._db(lambda store: store.remove(gone))
        for item_id in gone:
            self._items.pop(item_id, None)
            self._batch.discard(item_id)
            self._changed.discard(item_id)
        if gone and self.on_removed is not None:
            self.on_removed(gone)
        self._pump()

    async def clear_finished(self) -> int:
        """Remove uploaded, cancelled and refused items; returns how many."""
        finished = [item.id for item in self._items.values() if item.state in FINISHED]
        await self.remove(finished)
        return len(finished)

    async def _account_ids(self) -> set[int]:
        return {account.id for account in await self._accounts.list()}
