"""The upload queue's items: where uploads go, one queued file, and the queue's figures.

An item is its persisted row (store/uploads.py) plus, while it uploads, its progress meter. A new
row records a file as the checks found it against its target: pending, refused with the reason,
or failed when there is no account to send it to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.media import KNOWN_MEDIA_TYPES, MediaType, media_type_for_mime
from assetdesk.core.provider import Provider
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
    "apply_target",
    "join_folder",
    "new_row",
    "summarize",
    "take_candidate",
]


@dataclass(frozen=True)
class UploadTarget:
    """Where uploads go: a service and the account that reaches it; for Google Flow and Runway
    optionally one of the token's accounts (`email`), for Wordbee a segment of a project (with
    an optional locale and folder). Build one with `google_flow`, `runway` or `wordbee`."""

    account_id: int
    account_name: str
    email: str | None = None  # None: the service picks (load balancing)
    _: KW_ONLY
    provider: Provider = Provider.GOOGLE_FLOW
    scope: str | None = None  # Wordbee: pr{n}
    segment_id: int | None = None
    locale: str | None = None
    relative_path: str | None = None

    @classmethod
    def google_flow(cls, account_id: int, name: str, email: str | None = None) -> UploadTarget:
        return cls(account_id, name, email, provider=Provider.GOOGLE_FLOW)

    @classmethod
    def runway(cls, account_id: int, name: str, email: str | None = None) -> UploadTarget:
        return cls(account_id, name, email, provider=Provider.RUNWAY)

    @classmethod
    def wordbee(
        cls,
        account_id: int,
        name: str,
        scope: str,
        segment_id: int,
        locale: str | None = None,
        relative_path: str | None = None,
    ) -> UploadTarget:
        return cls(
            account_id,
            name,
            provider=Provider.WORDBEE,
            scope=scope,
            segment_id=segment_id,
            locale=locale or None,
            relative_path=join_folder(relative_path, None),
        )

    @property
    def label(self) -> str:
        """One line: "Runway · studio · a@b.c", "Wordbee · pr7214 · segment 27665601 · fr"."""
        parts = [self.provider.label]
        if self.provider is Provider.WORDBEE:
            parts += [self.scope or "?", f"segment {self.segment_id}"]
            parts += [part for part in (self.locale, self.relative_path) if part]
        else:
            alone = "its only Runway account" if self.provider is Provider.RUNWAY else "automatic"
            parts += [self.account_name, self.email or alone]
        return " · ".join(parts)


def join_folder(base: str | None, folder: str | None) -> str | None:
    """A Wordbee relative path: the target's folder, then the file's own (forward slashes, no
    slash at either end); None when both are empty."""
    parts = [
        part.replace("\\", "/").strip("/") for part in (base, folder) if part and part.strip("/\\")
    ]
    return "/".join(parts) or None


def apply_target(row: QueueRow, target: UploadTarget) -> None:
    """Aim `row` at `target` (the Wordbee path is the target's joined with the file's folder)."""
    row.provider = target.provider
    row.account_id, row.account_name = target.account_id, target.account_name
    wordbee = target.provider is Provider.WORDBEE
    row.email = None if wordbee else target.email
    row.scope = target.scope if wordbee else None
    row.segment_id = target.segment_id if wordbee else None
    row.locale = target.locale if wordbee else None
    row.relative_path = join_folder(target.relative_path, row.folder) if wordbee else None


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
        #: Pending, but its account's secret is missing: it waits until the account changes.
        self.needs_secret = False

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
        return media_type_for_mime(self.row.mime, among=KNOWN_MEDIA_TYPES)

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
    failed: int  # failed, or unknown (the answer was lost): both wait for the user's word
    active: int
    waiting: int
    queued: int
    bytes_done: int
    bytes_total: int
    speed: float
    eta: float | None
    #: Pending items that wait for their account's secret: not busy (nothing runs until the
    #: user enters it), so they keep neither the queue from being idle nor the app from quitting.
    needs_secret: int = 0

    @property
    def busy(self) -> bool:
        return self.active + self.waiting + self.queued > 0


def summarize(batch: Iterable[UploadItem]) -> QueueSummary:
    """The figures over the items of the current batch."""
    done = failed = active = waiting = queued = needs_secret = 0
    bytes_done = bytes_total = 0
    speed = 0.0
    for item in batch:
        size = item.row.size or 0
        state = item.state
        if state is ItemState.DONE:
            done += 1
            bytes_done += size
            bytes_total += size
        elif state in (ItemState.FAILED, ItemState.UNKNOWN):  # both wait for the user
            failed += 1
        elif state is ItemState.UPLOADING:
            active += 1
            progress = item.progress
            bytes_done += progress.done
            bytes_total += size
            speed += progress.speed
        elif state is ItemState.PENDING:
            if item.needs_secret:
                needs_secret += 1
            elif item.waiting:
                waiting += 1
            else:
                queued += 1
            bytes_total += size
    left = bytes_total - bytes_done
    eta = left / speed if speed > 0 and active else None
    return QueueSummary(
        done, failed, active, waiting, queued, bytes_done, bytes_total, speed, eta, needs_secret
    )


def take_candidate(item: UploadItem, candidate: UploadCandidate) -> None:
    """Record what the checks found of the item's file (its size, real type and name note)."""
    row = item.row
    row.size, row.mime = candidate.size, candidate.media_type.mime
    row.kind, row.note = candidate.media_type.kind.value, candidate.note
    item.meter.total = row.size


def new_row(
    path: Path,
    candidate: UploadCandidate | None,
    error: AssetDeskError | None,
    target: UploadTarget | None,
    folder: str | None = None,
) -> QueueRow:
    """A file's row as the checks found it: pending, refused (with the reason) or, with no
    account to send it to, failed. `folder` is the file's folder inside a dropped one."""
    row = QueueRow(
        path=str(path.absolute()), name=path.name, state=ItemState.PENDING, folder=folder
    )
    if target is not None:
        apply_target(row, target)
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
