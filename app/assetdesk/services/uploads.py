"""The upload queue: files checked, persisted, sent a few at a time, and never lost.

Qt-free. The window (or a test) adds files and asks for cancel / retry / remove; the queue keeps
each item's row in SQLite (store/uploads.py) so that a quit or a crash loses nothing: at the next
start every pending item is there again and uploads cut off midway return to pending.

How failures are handled (DESIGN.md: retry only what can succeed):
- 429: the item waits until the service's Retry-After, and so does every item aimed at the same
  Google account (or, for items without a pinned account, every other such item of the token:
  the service's load balancing had nothing left). Items aimed elsewhere go on.
- 596: the Google account must be reconnected; the item and every waiting item aimed at it stop
  with that sentence. 401 stops every item of the token the same way. Retry clears it.
- Network failures and 5xx: tried again after a backoff, `attempts` times in all.
- Content policy, too large, bad type, a file that changed or vanished: the item fails with the
  reason, at once.

Progress is not pushed per chunk: each item has a `Meter`, and the changed items are collected in
a set that the window drains on its own clock (`take_changed`), ~10 times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    LocalFileError,
    NotFound,
    SecretStoreError,
    SessionExpired,
    Throttled,
    Unauthorized,
)
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.media import MediaType, media_type_for_mime
from assetdesk.net.retry import RetryPolicy
from assetdesk.providers.google_flow import UploadedAsset
from assetdesk.services.accounts import AccountsService
from assetdesk.services.local_files import collect_uploads, inspect_upload
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft
from assetdesk.store.uploads import (
    FINISHED,
    ItemState,
    QueueRow,
    UploadQueueStore,
    now_text,
)
from assetdesk.transfer.progress import Meter, Phase, TransferProgress

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "AddResult",
    "ItemState",
    "QueueSummary",
    "UploadItem",
    "UploadQueue",
    "UploadTarget",
]

log = logging.getLogger("assetdesk.services.uploads")

T = TypeVar("T")

DEFAULT_CONCURRENCY = 3
MAX_CONCURRENCY = 8
CONCURRENCY_SETTING = "uploads.concurrency"
#: A 429 without a Retry-After waits this long.
DEFAULT_THROTTLE_WAIT = timedelta(seconds=60)
#: An automatic item throttled once tries again this soon (the service picks another account).
AUTOMATIC_THROTTLE_RETRY = timedelta(seconds=2)
#: Network failures and 5xx: this many tries in all, waiting longer each time.
RETRY = RetryPolicy(attempts=4, base_delay=2.0, max_delay=60.0)
AUTO = "*"  # the throttle/stop key of items that let the service pick the Google account


@dataclass(frozen=True)
class UploadTarget:
    """Where uploads go: a useapi.net account and, optionally, one of its Google accounts."""

    account_id: int
    account_name: str
    email: str | None = None  # None: the service picks (load balancing)


class UploadItem:
    """One queued file: its persisted row and, while it uploads, its progress."""

    def __init__(self, row: QueueRow) -> None:
        self.row = row
        self.meter = Meter(None)
        self.meter.total = row.size
        self.waiting_until: datetime | None = None
        self.task: asyncio.Task[None] | None = None
        self.cancel_requested = False
        #: The last try of this automatic item was throttled (the next one waits with the rest).
        self.throttled_before = False

    @property
    def id(self) -> int:
        assert self.row.id is not None
        return self.row.id

    @property
    def state(self) -> ItemState:
        return self.row.state

    @property
    def path(self) -> Path:
        return Path(self.row.path)

    @property
    def media_type(self) -> MediaType | None:
        return media_type_for_mime(self.row.mime)

    @property
    def progress(self) -> TransferProgress:
        return self.meter.snapshot()

    @property
    def waiting(self) -> bool:
        """Pending but held back until `waiting_until` (throttled, or a retry's backoff)."""
        return (
            self.row.state is ItemState.PENDING
            and self.waiting_until is not None
            and self.waiting_until > datetime.now(UTC)
        )

    def __repr__(self) -> str:
        return f"<UploadItem {self.row.id} {self.row.name!r} {self.row.state.value}>"


@dataclass(frozen=True)
class AddResult:
    """What adding files did: the new items and what was passed over."""

    items: list[UploadItem]
    hidden_skipped: int
    already_queued: int


@dataclass(frozen=True)
class QueueSummary:
    """The overall progress line's figures, over the current batch."""

    done: int
    failed: int
    active: int
    waiting: int
    queued: int
    bytes_done: int
    bytes_total: int
    speed: float
    eta: float | None

    @property
    def busy(self) -> bool:
        return self.active + self.waiting + self.queued > 0


class UploadQueue:
    """The persisted queue and its scheduler. Call `load()` once, then `start()`."""

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
        self._adding: set[str] = set()
        self._chores: set[asyncio.Task[None]] = set()
        self._concurrency = concurrency or DEFAULT_CONCURRENCY
        self._concurrency_fixed = concurrency is not None
        self._running = False
        self._closing = False
        self._closed = False
        self._wake: asyncio.TimerHandle | None = None
        self._was_busy = False
        #: Called with (items) after files were added, (ids) after items were removed, and
        #: (succeeded, failed) when the queue has nothing left to do after having work.
        self.on_added: Callable[[list[UploadItem]], None] | None = None
        self.on_removed: Callable[[list[int]], None] | None = None
        self.on_idle: Callable[[int, int], None] | None = None

    # ------------------------------------------------------------------ storage

    def _store(self) -> UploadQueueStore:
        if self._closed:
            raise LocalFileError("the upload queue is closed")
        if self._conn is None:
            self._conn = open_database(self._database, check_same_thread=False)
        return UploadQueueStore(self._conn)

    async def _db(self, call: Callable[[UploadQueueStore], T]) -> T:
        def run() -> T:
            with self._lock:
                return call(self._store())

        return await asyncio.to_thread(run)

    async def _save(self, item: UploadItem) -> None:
        row = item.row
        await self._db(lambda store: store.save(row))
        self._changed.add(item.id)

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

    def summary(self) -> QueueSummary:
        done = failed = active = waiting = queued = 0
        bytes_done = bytes_total = 0
        speed = 0.0
        for item_id in self._batch:
            item = self._items.get(item_id)
            if item is None:
                continue
            size = item.row.size or 0
            state = item.state
            if state is ItemState.DONE:
                done += 1
                bytes_done += size
                bytes_total += size
            elif state is ItemState.FAILED:
                failed += 1
            elif state is ItemState.UPLOADING:
                active += 1
                progress = item.progress
                bytes_done += progress.done
                bytes_total += size
                speed += progress.speed
            elif state is ItemState.PENDING:
                if item.waiting:
                    waiting += 1
                else:
                    queued += 1
                bytes_total += size
        left = bytes_total - bytes_done
        eta = left / speed if speed > 0 and active else None
        return QueueSummary(
            done, failed, active, waiting, queued, bytes_done, bytes_total, speed, eta
        )

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
            rows.append(self._new_row(checked.path, checked.candidate, checked.error, target))
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

    def _new_row(
        self,
        path: Path,
        candidate: Any,
        error: AssetDeskError | None,
        target: UploadTarget | None,
    ) -> QueueRow:
        row = QueueRow(path=str(path.absolute()), name=path.name, state=ItemState.PENDING)
        if target is not None:
            row.account_id, row.account_name, row.email = (
                target.account_id,
                target.account_name,
                target.email,
            )
        if candidate is None:
            row.state = ItemState.REFUSED
            row.message = _sentence(error) if error else "This file cannot be uploaded."
            row.error_kind = error.kind if error else None
            with contextlib.suppress(OSError):
                row.size = path.stat().st_size
            row.finished_at = now_text()
            return row
        row.size = candidate.size
        row.mime = candidate.media_type.mime
        row.kind = candidate.media_type.kind.value
        row.note = candidate.note
        if target is None:
            row.state = ItemState.FAILED
            row.message = "There is no useapi.net account to upload to; add one, then retry."
            row.error_kind = "no_account"
        return row

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
                    row.message = _sentence(error)
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

    # ------------------------------------------------------------------ the scheduler

    def _pump(self) -> None:
        """Start what may start now, and arrange to be called again when a wait ends."""
        if not self._running or self._closing:
            return
        now = datetime.now(UTC)
        active = sum(1 for item in self._items.values() if item.task is not None)
        next_wake: datetime | None = None
        for item in self._items.values():
            if item.state is not ItemState.PENDING or item.task is not None:
                continue
            until = self._throttled.get(_key(item.row))
            if until is not None and until > now and (item.waiting_until or now) < until:
                item.waiting_until = until
                item.row.message = _throttled_sentence(until)
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

    async def _account_ids(self) -> set[int]:
        return {account.id for account in await self._accounts.list()}

    async def _run(self, item: UploadItem) -> None:
        row = item.row
        row.state = ItemState.UPLOADING
        row.attempts += 1
        row.message = None
        item.meter = Meter(None)
        item.meter.total = row.size
        item.meter.set_phase(Phase.CONNECTING)
        try:
            await self._save(item)
            try:
                result = await self._send(item)
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

    async def _send(self, item: UploadItem) -> UploadedAsset:
        row = item.row
        # Checked again right before sending: the file may have changed since it was queued.
        candidate = await inspect_upload(row.path)
        if (candidate.size, candidate.media_type.mime) != (row.size, row.mime):
            row.size, row.mime = candidate.size, candidate.media_type.mime
            row.kind, row.note = candidate.media_type.kind.value, candidate.note
            item.meter.total = row.size
        if row.account_id is None:
            raise InvalidInput("There is no useapi.net account to upload to; add one, then retry.")
        try:
            clients = await self._accounts.useapi(row.account_id)
        except NotFound:
            raise NotFound(
                f"Its account “{row.account_name}” no longer exists; choose another in "
                "“Upload to” and retry."
            ) from None
        except SecretStoreError as error:
            raise type(error)(
                f"The secret of “{row.account_name}” cannot be read: {error.message}"
            ) from None

        def sent(done: int, total: int) -> None:
            item.meter.total = total
            if item.meter.phase is not Phase.DOWNLOADING:
                item.meter.phase = Phase.DOWNLOADING
            item.meter.add(done - item.meter.done)

        return await clients.google_flow.upload(
            item.path, candidate.media_type, candidate.size, email=row.email, progress=sent
        )

    async def _cancelled(self, item: UploadItem) -> None:
        if item.cancel_requested:
            item.cancel_requested = False
            self._set_end(item, ItemState.CANCELLED, "Cancelled; nothing was kept.", None)
        elif item.row.state is ItemState.UPLOADING:  # the app is closing: it goes on next time
            item.row.state = ItemState.PENDING
        with contextlib.suppress(sqlite3.Error, AssetDeskError):
            await self._save(item)
        if not self._closing and item.task is None:
            self._pump()

    async def _finished(self, item: UploadItem, result: UploadedAsset) -> None:
        row = item.row
        row.state = ItemState.DONE
        row.message = row.error_kind = row.service_text = None
        row.media_generation_id = result.media_generation_id
        row.used_email = _owner_email(result)
        row.width, row.height = result.width, result.height
        row.duration_seconds = result.duration_seconds
        row.finished_at = now_text()
        item.meter.set_phase(Phase.DONE)
        entry = AssetDraft(
            provider="google-flow",
            remote_id=result.media_generation_id,
            origin="upload",
            kind=result.kind.value,
            name=row.name,  # the file the user knows; the service says "upload.png"
            mime=row.mime,
            size=row.size,
            width=result.width,
            height=result.height,
            duration_seconds=result.duration_seconds,
            account_id=row.account_id,
            account_email=row.used_email,
            source_path=row.path,
            created_at=result.created,
        )
        await self._db(lambda store: store.finish(row, entry))
        self._changed.add(item.id)
        log.info("queue item %d uploaded (%s, %s bytes)", item.id, row.mime, row.size)

    async def _failed(self, item: UploadItem, error: AssetDeskError) -> None:
        row = item.row
        key = _key(row)
        now = datetime.now(UTC)
        automatic = row.email is None
        if isinstance(error, Throttled) and automatic and not item.throttled_before:
            # The service takes a throttled account out of its load balancing: an automatic
            # item tries again soon, on another account, and the others go on meanwhile.
            item.throttled_before = True
            row.state = ItemState.PENDING
            row.attempts -= 1
            item.waiting_until = now + AUTOMATIC_THROTTLE_RETRY
            row.message = "The Google account the service picked is throttled; trying another."
            row.error_kind, row.service_text = error.kind, error.service_text
        elif isinstance(error, Throttled):
            # A pinned account, or no account left in the pool: its items wait together.
            until = error.retry_at or now + DEFAULT_THROTTLE_WAIT
            self._throttled[key] = until
            row.state = ItemState.PENDING
            row.attempts -= 1  # a wait the service asked for is not a failed try
            item.waiting_until = until
            row.message = _throttled_sentence(until)
            row.error_kind, row.service_text = error.kind, error.service_text
        elif isinstance(error, Unauthorized) or (
            isinstance(error, SessionExpired) and not automatic
        ):
            # Every item that would meet the same refusal stops now, without being sent: all
            # of the token's for a refused token, a pinned Google account's for a 596.
            sentence = _stop_sentence(error, row)
            whole_token = isinstance(error, Unauthorized)
            others = [
                other
                for other in list(self._items.values())
                if other is not item
                and other.state is ItemState.PENDING
                and other.task is None
                and (
                    _key(other.row) == key
                    or (whole_token and (other.row.account_id or 0) == key[0])
                )
            ]
            for other in others:
                self._set_end(other, ItemState.FAILED, sentence, error)
            self._set_end(item, ItemState.FAILED, sentence, error)
            if others:
                rows = [other.row for other in others]

                def save_all(store: UploadQueueStore) -> None:
                    for other_row in rows:
                        store.save(other_row)

                await self._db(save_all)
        elif error.retryable and row.attempts < self.retry_policy.attempts:
            wait = getattr(error, "retry_after", None) or self.retry_policy.delay(row.attempts - 1)
            row.state = ItemState.PENDING
            item.waiting_until = now + timedelta(seconds=wait)
            row.message = (
                f"{_sentence(error)} Trying again in {round(wait)} s "
                f"(try {row.attempts + 1} of {self.retry_policy.attempts})."
            )
            row.error_kind, row.service_text = error.kind, error.service_text
        elif isinstance(error, SessionExpired):  # automatic: only this item met that account
            self._set_end(item, ItemState.FAILED, _stop_sentence(error, row), error)
        else:
            self._set_end(item, ItemState.FAILED, _sentence(error), error)
        if not isinstance(error, Throttled):
            item.throttled_before = False
        await self._save(item)

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
        self._changed.add(item.id)


def _key(row: QueueRow) -> tuple[int, str]:
    return (row.account_id or 0, (row.email or AUTO).lower())


def _sentence(error: AssetDeskError | None) -> str:
    """The error as one sentence; a message that starts with a file name keeps its case."""
    if error is None:
        return ""
    text = error.message.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _throttled_sentence(until: datetime) -> str:
    return (
        f"Throttled by the service until {until.astimezone().strftime('%H:%M')}; "
        "it goes on by itself then."
    )


def _stop_sentence(error: AssetDeskError, row: QueueRow) -> str:
    if isinstance(error, Unauthorized):
        return (
            f"useapi.net refused the token of “{row.account_name}”; fix it in Accounts, then retry."
        )
    who = row.email or "the Google account the service picked"  # (a 596 on an automatic item)
    return f"Reconnect this Google account ({who}) at useapi.net: its session expired. Then retry."


def _owner_email(result: UploadedAsset) -> str | None:
    """The account's real email: the id carries it whole; the answer's `email` is masked."""
    try:
        return MediaGenerationId.parse(result.media_generation_id).email
    except AssetDeskError:
        return result.email
