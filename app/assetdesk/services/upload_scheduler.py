"""The upload scheduler: the queue's items sent a few at a time, and each try's outcome kept.

`_pump` starts what may start (within the concurrency, past every wait), and arranges to be
called again when the next wait ends. A try that ends is recorded in the item's row: uploaded
(with its catalog entry), cancelled, or failed, when the failure policy (upload_failures.py)
decides whether it waits, is tried again, or stops, alone or with the items that share its fate
(an item whose account's secret is missing waits, with its account's others, until the accounts
service says the account changed);
an upload whose answer was lost after the whole file was sent is `unknown` and waits for the user.
An item is recorded on disk as sent in full (`sent_at`) before its last byte goes
(`_record_sent`), so a crash from then on leaves it unknown at the next start, never sent again
by itself; a crash before leaves it pending, to be sent again (the service never had it whole).
The public queue (adding, cancel, retry, remove) is UploadQueue in upload_queue.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from assetdesk.core.errors import AssetDeskError, LocalFileError, OutcomeUnknown, Throttled
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_failures import (
    RETRY,
    FailItem,
    MarkUnknown,
    RetryLater,
    StopItems,
    TryAnotherAccount,
    WaitForSecret,
    WaitThrottled,
    decide,
    throttle_scope,
    unknown_sentence,
)
from assetdesk.services.upload_items import QueueSummary, UploadItem, summarize
from assetdesk.services.upload_sender import Sent, finish_uploaded, send
from assetdesk.services.upload_sentences import throttled_sentence
from assetdesk.store.db import open_database
from assetdesk.store.uploads import ItemState, UploadQueueStore, now_text
from assetdesk.transfer.progress import Meter, Phase

__all__ = ["DEFAULT_CONCURRENCY", "UploadScheduler"]

log = logging.getLogger("assetdesk.services.uploads")

T = TypeVar("T")

DEFAULT_CONCURRENCY = 3  # uploads at once unless set (upload_queue.MAX_CONCURRENCY at most)


class UploadScheduler:
    """The items, their storage and the scheduler; UploadQueue adds what the window asks for."""

    def __init__(
        self,
        database: Path,
        accounts: AccountsService,
        *,
        concurrency: int | None = None,
        retry: RetryPolicy = RETRY,
    ) -> None:
        self._database = database
        self._accounts = accounts
        self.retry_policy = retry
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._items: dict[int, UploadItem] = {}
        self._changed: set[int] = set()
        self._batch: set[int] = set()
        self._throttled: dict[tuple[int, str], datetime] = {}
        self._chores: set[asyncio.Task[None]] = set()
        self._writes: set[asyncio.Future[Any]] = set()
        self._concurrency = concurrency or DEFAULT_CONCURRENCY
        self._concurrency_fixed = concurrency is not None
        self._running = False
        self._closing = False
        self._closed = False
        self._wake: asyncio.TimerHandle | None = None
        self._was_busy = False
        accounts.subscribe(self._account_changed)
        #: Called with (succeeded, failed) when the queue has nothing left to do after having
        #: work.
        self.on_idle: Callable[[int, int], None] | None = None

    # ------------------------------------------------------------------ storage

    def _store(self) -> UploadQueueStore:
        if self._closed:
            raise LocalFileError("the upload queue is closed")
        if self._conn is None:
            self._conn = open_database(self._database, check_same_thread=False)
        return UploadQueueStore(self._conn)

    async def _db(self, call: Callable[[UploadQueueStore], T]) -> T:
        """Run `call` on the queue's connection in a thread. A write once begun is finished
        whatever happens to its caller: a quit cancels a running upload, and the one that had
        just been answered still records its catalog entry before the connection closes
        (`aclose` waits for `_writes`)."""

        def run() -> T:
            with self._lock:
                return call(self._store())

        write = asyncio.ensure_future(asyncio.to_thread(run))
        self._writes.add(write)
        write.add_done_callback(self._written)
        return await asyncio.shield(write)

    def _written(self, write: asyncio.Future[Any]) -> None:
        self._writes.discard(write)
        if not write.cancelled():
            write.exception()  # retrieved: a caller cancelled meanwhile has gone, not raised it

    async def _save(self, item: UploadItem) -> None:
        row = item.row
        await self._db(lambda store: store.save(row))
        self._changed.add(item.id)

    def summary(self) -> QueueSummary:
        batch = (self._items[i] for i in self._batch if i in self._items)
        return summarize(batch)

    # ------------------------------------------------------------------ the scheduler

    def _pump(self) -> None:
        """Start what may start now, and arrange to be called again when a wait ends."""
        if not self._running or self._closing:
            return
        now = datetime.now(UTC)
        active = sum(1 for item in self._items.values() if item.task is not None)
        next_wake: datetime | None = None
        for item in self._items.values():
            if item.state is not ItemState.PENDING or item.task is not None or item.needs_secret:
                continue
            until = self._throttled.get(throttle_scope(item.row))
            if until is not None and until > now and (item.waiting_until or now) < until:
                item.waiting_until = until
                item.row.message = throttled_sentence(until)
                item.row.error_kind = Throttled.kind
                self._changed.add(item.id)
            if item.waiting_until is not None and item.waiting_until > now:
                next_wake = min(next_wake or item.waiting_until, item.waiting_until)
                continue
            if active >= self._concurrency:
                continue
            active += 1
            item.waiting_until = None
            task = asyncio.get_running_loop().create_task(
                self._run(item), name=f"upload[{item.id}]"
            )
            item.task = task
            task.add_done_callback(functools.partial(self._run_ended, item))
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        if next_wake is not None:
            delay = max(0.05, (next_wake - datetime.now(UTC)).total_seconds())
            self._wake = asyncio.get_running_loop().call_later(delay, self._pump)
        self._check_idle()

    def _check_idle(self) -> None:
        summary = self.summary()
        if summary.busy:
            self._was_busy = True
            return
        if self._was_busy:
            self._was_busy = False
            # Cancelling or removing what was left is not "finished": nothing to announce.
            if self.on_idle is not None and summary.done + summary.failed > 0:
                self.on_idle(summary.done, summary.failed)

    async def _run(self, item: UploadItem) -> None:
        row = item.row
        row.state = ItemState.UPLOADING
        row.attempts += 1
        row.message = None
        row.sent_at = None
        item.meter = Meter(None)
        item.meter.total = row.size
        item.meter.set_phase(Phase.CONNECTING)
        try:
            await self._save(item)
            try:
                result = await send(
                    item, self._accounts, before_last_byte=lambda: self._record_sent(item)
                )
            except AssetDeskError as error:
                await self._failed(item, error)
            else:
                await self._finished(item, result)
        except asyncio.CancelledError:
            await asyncio.shield(self._cancelled(item))
            raise
        except Exception as error:  # a bug or a broken database: the item says so, not hangs
            log.exception("queue item %d failed unexpectedly", item.id)
            self._set_end(
                item,
                ItemState.FAILED,
                f"AssetDesk could not upload this file ({type(error).__name__}); the log "
                "has the details. Retry may work.",
                None,
            )
            with contextlib.suppress(Exception):
                await self._save(item)

    async def _record_sent(self, item: UploadItem) -> None:
        """The item's last byte is about to go: recorded on disk first, so that a crash from
        now on leaves it unknown rather than pending (the service may keep it whatever happens
        next). Before this, the service cannot have the whole file, and a crash leaves the item
        pending, to be sent again. A record that cannot be written stops the send short of its
        last byte."""
        when = now_text()
        item_id = item.id
        try:
            await self._db(lambda store: store.mark_sent(item_id, when))
        except sqlite3.Error as error:
            raise LocalFileError(
                f"AssetDesk could not record the upload of {item.row.name} in its database "
                f"({error}), so it stopped before the last byte; nothing was kept. Retry may work."
            ) from None
        item.row.sent_at = when

    def _run_ended(self, item: UploadItem, task: asyncio.Task[None]) -> None:
        """Always called when an upload's task ends, even one cancelled before it started."""
        if item.task is task:
            item.task = None
        self._changed.add(item.id)
        if task.cancelled() and (item.cancel_requested or item.state is ItemState.UPLOADING):
            # Cancelled before `_run` could see it (or after its last await): settle it here.
            self._chore(self._cancelled(item))
        elif item.cancel_requested and item.state is ItemState.PENDING:
            # The cancel came while a failure was being recorded: the user's word wins.
            self._chore(self._cancelled(item))
        elif not self._closing:
            self._pump()

    def _chore(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _cancelled(self, item: UploadItem) -> None:
        if item.row.sent_at is not None and item.row.state is ItemState.UPLOADING:
            # Its whole file had gone: the service may keep it whatever a cancel or a quit
            # says, so it is never sent again without the user's word.
            item.cancel_requested = False
            self._set_end(item, ItemState.UNKNOWN, unknown_sentence(item.row), None)
            item.row.error_kind = OutcomeUnknown.kind
        elif item.cancel_requested:
            item.cancel_requested = False
            self._set_end(item, ItemState.CANCELLED, "Cancelled; nothing was kept.", None)
        elif item.row.state is ItemState.UPLOADING:  # the app is closing: it goes on next time
            item.row.state = ItemState.PENDING
        with contextlib.suppress(sqlite3.Error, AssetDeskError):
            await self._save(item)
        if not self._closing and item.task is None:
            self._pump()

    async def _finished(self, item: UploadItem, result: Sent) -> None:
        row = item.row
        await finish_uploaded(
            row, result, lambda done, entry: self._db(lambda store: store.finish(done, entry))
        )
        item.meter.set_phase(Phase.DONE)
        self._changed.add(item.id)
        log.info("queue item %d uploaded (%s, %s bytes)", item.id, row.mime, row.size)

    async def _failed(self, item: UploadItem, error: AssetDeskError) -> None:
        """Apply the failure policy's decision (upload_failures.decide) to the item and, for a
        throttle or a refusal, to the items that share its fate."""
        row = item.row
        decision = decide(error, item, datetime.now(UTC), retry=self.retry_policy)
        if isinstance(decision, TryAnotherAccount | WaitThrottled | RetryLater):
            if isinstance(decision, WaitThrottled):
                self._throttled[throttle_scope(row)] = decision.until
            if not isinstance(decision, RetryLater):
                row.attempts -= 1  # a wait the service asked for is not a failed try
            row.state = ItemState.PENDING
            item.waiting_until = decision.until
            row.message = decision.sentence
            row.error_kind, row.service_text = error.kind, error.service_text
        elif isinstance(decision, StopItems):
            await self._stop_items(item, decision, error)
        elif isinstance(decision, WaitForSecret):
            await self._wait_for_secret(item, decision, error)
        elif isinstance(decision, MarkUnknown):
            self._set_end(item, ItemState.UNKNOWN, decision.sentence, error)
        else:
            assert isinstance(decision, FailItem)
            self._set_end(item, ItemState.FAILED, decision.sentence, error)
        if isinstance(decision, TryAnotherAccount):
            item.throttled_before = True
        elif not isinstance(error, Throttled):
            item.throttled_before = False
        await self._save(item)

    async def _wait_for_secret(
        self, item: UploadItem, wait: WaitForSecret, error: AssetDeskError
    ) -> None:
        """The item, and every waiting item of its account, wait for the account's secret
        (pending, no try counted) until `_account_changed` lets them go on."""
        item.row.attempts -= 1
        account_id = item.row.account_id
        others = self._waiting_besides(item, lambda other: other.row.account_id == account_id)
        for waiting in (item, *others):
            row = waiting.row
            row.state = ItemState.PENDING
            row.message = wait.sentence
            row.error_kind, row.service_text = error.kind, None
            waiting.needs_secret = True
            waiting.waiting_until = None
            self._changed.add(waiting.id)
        if others:
            rows = [other.row for other in others]
            await self._db(lambda store: store.save_all(rows))

    def _waiting_besides(
        self, item: UploadItem, shares_fate: Callable[[UploadItem], bool]
    ) -> list[UploadItem]:
        """The queue's other pending items not being sent now that `shares_fate` picks (those
        a missing secret or a refusal of `item` holds back with it)."""
        return [
            other
            for other in list(self._items.values())
            if other is not item
            and other.state is ItemState.PENDING
            and other.task is None
            and shares_fate(other)
        ]

    def _account_changed(self, account_id: int | None) -> None:
        """An account was added, edited or removed (None: the secret store changed): the items
        that wait for its secret go on (they wait again if it is still missing)."""
        released = False
        for item in self._items.values():
            if item.needs_secret and account_id in (None, item.row.account_id):
                item.needs_secret = False
                self._changed.add(item.id)
                released = True
        if released:
            self._pump()

    async def _stop_items(self, item: UploadItem, stop: StopItems, error: AssetDeskError) -> None:
        """Fail the item and every waiting item that would meet the same refusal, unsent."""
        scope = throttle_scope(item.row)
        others = self._waiting_besides(
            item,
            lambda other: (
                throttle_scope(other.row) == scope
                or (stop.whole_token and (other.row.account_id or 0) == scope[0])
            ),
        )
        for other in others:
            self._set_end(other, ItemState.FAILED, stop.sentence, error)
        self._set_end(item, ItemState.FAILED, stop.sentence, error)
        if others:
            rows = [other.row for other in others]

            def save_all(store: UploadQueueStore) -> None:
                for other_row in rows:
                    store.save(other_row)

            await self._db(save_all)

    def _set_end(
        self, item: UploadItem, state: ItemState, sentence: str, error: AssetDeskError | None
    ) -> None:
        row = item.row
        row.state = state
        row.message = sentence
        row.error_kind = error.kind if error else None
        row.service_text = error.service_text if error else None
        row.finished_at = now_text()
        item.waiting_until = None
        item.needs_secret = False
        self._changed.add(item.id)
