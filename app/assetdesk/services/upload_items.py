"""The upload queue's items: where uploads go, one queued file, and the queue's figures.

An item is its persisted row (store/uploads.py) plus, while it uploads, its progress meter. A new
row records a file as the checks found it: pending, refused with the reason, or failed when
there is no account to send it to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.media import MediaType, media_type_for_mime
from assetdesk.services.local_files import UploadCandidate
from assetdesk.services.upload_sentences import item_sentence
from assetdesk.store.uploads import ItemState, QueueRow, now_text
from assetdesk.transfer.progress import Meter, TransferProgress

__all__ = [
    "AddResult",
    "ItemState",
    "QueueSummary",
    "UploadItem",
    "UploadTarget",
    "new_row",
    "summarize",
]


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


def summarize(batch: Iterable[UploadItem]) -> QueueSummary:
    """The figures over the items of the current batch."""
    done = failed = active = waiting = queued = 0
    bytes_done = bytes_total = 0
    speed = 0.0
    for item in batch:
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
    return QueueSummary(done, failed, active, waiting, queued, bytes_done, bytes_total, speed, eta)


def new_row(
    path: Path,
    candidate: UploadCandidate | None,
    error: AssetDeskError | None,
    target: UploadTarget | None,
) -> QueueRow:
    """A file's row as the checks found it: pending, refused (with the reason) or, with no
    account to send it to, failed."""
    row = QueueRow(path=str(path.absolute()), name=path.name, state=ItemState.PENDING)
    if target is not None:
        row.account_id, row.account_name, row.email = (
            target.account_id,
            target.account_name,
            target.email,
        )
    if candidate is None:
        row.state = ItemState.REFUSED
        row.message = item_sentence(error) if error else "This file cannot be uploaded."
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
