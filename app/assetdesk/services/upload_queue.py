"""The upload queue: files checked, persisted, sent a few at a time, and never lost.

Qt-free. The window (or a test) adds files and asks for cancel / retry / remove; the queue keeps
each item's row in SQLite (store/uploads.py) so that a quit or a crash loses nothing: at the next
start every pending item is there again and uploads cut off midway return to pending.

Sending is the scheduler's (upload_scheduler.py); what a failed try leads to (a 429, a 401, a
596, a network error) is the failure policy's (upload_failures.py).

Progress is not pushed per chunk: each item has a `Meter`, and the changed items are collected in
a set that the window drains on its own clock (`take_changed`), ~10 times a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.accounts import AccountsService
from assetdesk.services.local_files import collect_uploads, inspect_upload
from assetdesk.services.upload_failures import RETRY
from assetdesk.services.upload_items import AddResult, UploadItem, UploadTarget, new_row
from assetdesk.services.upload_scheduler import UploadScheduler
from assetdesk.services.upload_sentences import item_sentence
from assetdesk.store.uploads import FINISHED, ItemState, QueueRow, UploadQueueStore
from assetdesk.transfer.progress import Meter

__all__ = ["MAX_CONCURRENCY", "UploadQueue"]

log = logging.getLogger("assetdesk.services.uploads")

MAX_CONCURRENCY = 8
CONCURRENCY_SETTING = "uploads.concurrency"


class UploadQueue(UploadScheduler):
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
        """Read the queue from disk; uploads that were cut off return to pending."""

        def read(store: UploadQueueStore) -> tuple[int, list[QueueRow], str | None]:
            returned = store.return_in_flight()
            return returned, store.rows(), store.setting(CONCURRENCY_SETTING)

        returned, rows, concurrency = await self._db(read)
        if returned:
            log.info("%d upload(s) cut off last time are pending again", returned)
        if concurrency and concurrency.isdigit() and not self._concurrency_fixed:
            self._concurrency = max(1, min(MAX_CONCURRENCY, int(concurrency)))
        self._items = {row.id: UploadItem(row) for row in rows if row.id is not None}
        self._batch = {i for i, item in self._items.items() if item.state is ItemState.PENDING}
        return list(self._items.values())

    async def aclose(self) -> None:
        """Stop: running uploads are cancelled and stay pending for the next start."""
        self._closing = True
        self._running = False
        if self._wake is not None:
            self._wake.cancel()
        running = [item.task for item in self._items.values() if item.task is not None]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=10)
        if self._chores:
            await asyncio.wait(list(self._chores), timeout=10)

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
        """Check every file in `paths` (folders recursively) and queue it.

        A file that fails the checks is queued as refused, with the reason, and never sent. A
        file already waiting or uploading is not queued twice.
        """
        collected = await collect_uploads(list(paths))
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
            rows.append(new_row(checked.path, checked.candidate, checked.error, target))
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

    def _new_batch_if_idle(self) -> None:
        """Once per addition or retry (a summary walks the batch): when the queue had nothing
        left to do, the overall figures start again from the items that come now."""
        if not self._was_busy and not self.summary().busy:
            self._batch = set()

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
        item's account when that account no longer exists.
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
                    candidate = await inspect_upload(row.path)
                except AssetDeskError as error:
                    row.message = item_sentence(error)
                    row.error_kind = error.kind
                    await self._save(item)
                    continue
                if self._items.get(item_id) is not item or item.state is not ItemState.REFUSED:
                    continue  # removed or retried by someone else meanwhile
                row.size, row.mime = candidate.size, candidate.media_type.mime
                row.kind, row.note = candidate.media_type.kind.value, candidate.note
                item.meter.total = row.size
            if (row.account_id is None or row.account_id not in known) and target is not None:
                row.account_id, row.account_name = target.account_id, target.account_name
                row.email = target.email
            row.state = ItemState.PENDING
            row.message = row.error_kind = row.service_text = row.finished_at = None
            row.attempts = 0
            item.waiting_until = None
            item.meter = Meter(None)
            item.meter.total = row.size
            if not joined:
                joined = True
                self._new_batch_if_idle()
            self._batch.add(item.id)
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
