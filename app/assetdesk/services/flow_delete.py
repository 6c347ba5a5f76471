"""Deleting Google Flow media in batches, and finding the ids a refused batch objects to.

Google Flow deletes at most 100 mediaGenerationIds per call and per account, and checks a batch
as a whole: one bad id (malformed, foreign, of another account) refuses the whole call and
nothing is deleted. `delete_flow_ids`:

1. reads the account of each id from the id itself (core.ids.MediaGenerationId); an id that does
   not parse is not sent and is reported with the parser's words;
2. sends each account's ids in batches of at most 100, accounts one after the other;
3. when a batch is refused with words that name one of its ids, splits it in halves and retries
   each half, down to single ids, so that every bad id is found in about 2·log2(n) calls and
   every good one is deleted;
4. when a refusal names no id of the batch (the service may object to the request itself), stops
   for that account: every id of it not yet deleted is reported with the service's words, with
   no flood of calls; other accounts go on;
5. when the answer is lost (the connection broke after the request left), the ids of that batch
   are reported as unsure, for the next refresh to check against the service, and that account
   stops.

Pure logic: the HTTP call is the `delete_batch(email, ids)` the caller passes in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assetdesk.core.errors import AssetDeskError, InvalidInput, NetworkError, as_sentence
from assetdesk.core.ids import MediaGenerationId

__all__ = ["BATCH_LIMIT", "DeleteBatch", "DeleteReport", "NotDeleted", "delete_flow_ids"]

#: The most ids Google Flow takes in one delete call (MORE-ENDPOINTS.md 1.3).
BATCH_LIMIT = 100

#: Deletes these ids of one Google Flow account (the email) in one call; raises a core error
#: carrying the service's words when the batch is refused.
DeleteBatch = Callable[[str, list[str]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class NotDeleted:
    """One id that was not deleted: a sentence naming it, the service's own words when it sent
    some, and whether the service may have deleted it all the same (the answer was lost)."""

    id: str
    reason: str
    service_text: str | None = None
    unsure: bool = False


@dataclass(slots=True)
class DeleteReport:
    """Which ids were deleted (in the order asked), which were not and why, and how many calls
    were sent."""

    deleted: list[str] = field(default_factory=list)
    not_deleted: list[NotDeleted] = field(default_factory=list)
    calls: int = 0

    def reasons(self) -> dict[str, str]:
        """Each id that was not deleted, with its sentence."""
        return {item.id: item.reason for item in self.not_deleted}


class _StopAccount(Exception):
    """A refusal that names no id of its batch, or a lost answer: this account stops here."""

    def __init__(self, error: AssetDeskError, sent: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent


async def delete_flow_ids(ids: Iterable[str], delete_batch: DeleteBatch) -> DeleteReport:
    """Delete these Google Flow mediaGenerationIds, at most 100 per call and per account.

    Every id asked for ends up in `deleted` or in `not_deleted` (an id asked twice once).
    Errors of a call are reported, not raised; a cancellation propagates.
    """
    report = DeleteReport()
    by_account: dict[str, list[str]] = {}
    for text in dict.fromkeys(ids):
        try:
            parsed = MediaGenerationId.parse(text)
        except InvalidInput as error:
            why = f"not deleted: {_label(text)} is not a Google Flow mediaGenerationId"
            report.not_deleted.append(NotDeleted(text, as_sentence(f"{why} ({error})")))
            continue
        by_account.setdefault(parsed.email, []).append(text)
    for email, account_ids in by_account.items():
        await _delete_account(email, account_ids, delete_batch, report)
    return report


async def _delete_account(
    email: str, ids: list[str], delete_batch: DeleteBatch, report: DeleteReport
) -> None:
    done: set[str] = set()
    failed: set[str] = set()

    async def search(batch: list[str]) -> None:
        """Delete `batch`; if it is refused for ids it names, find them by halves."""
        report.calls += 1
        try:
            await delete_batch(email, list(batch))
        except AssetDeskError as error:
            if isinstance(error, NetworkError) or not _names_an_id(error, batch):
                raise _StopAccount(error, batch) from error
            if len(batch) == 1:
                (only,) = batch
                failed.add(only)
                report.not_deleted.append(_refused(only, email, error))
                return
            middle = len(batch) // 2
            await search(batch[:middle])
            await search(batch[middle:])
            return
        done.update(batch)
        report.deleted.extend(batch)

    try:
        for start in range(0, len(ids), BATCH_LIMIT):
            await search(ids[start : start + BATCH_LIMIT])
    except _StopAccount as stop:
        lost = isinstance(stop.error, NetworkError)
        for left in ids:
            if left in done or left in failed:
                continue
            unsure = lost and left in stop.sent
            report.not_deleted.append(_stopped(left, email, stop.error, unsure=unsure))


def _words(error: AssetDeskError) -> str:
    return error.service_text or error.message


def _names_an_id(error: AssetDeskError, batch: Sequence[str]) -> bool:
    """Whether the service's words name an id of the batch (whole, or its internal part)."""
    words = _words(error)
    for text in batch:
        if text in words:
            return True
        internal = MediaGenerationId.parse(text).internal_id
        if len(internal) >= 8 and internal in words:
            return True
    return False


def _label(text: str) -> str:
    try:
        return MediaGenerationId.parse(text).short
    except InvalidInput:
        return text if len(text) <= 24 else text[:23] + "…"


def _sentence(text: str, why: str) -> str:
    return as_sentence(f"Google Flow {_label(text)} was not deleted: {why}")


def _refused(text: str, email: str, error: AssetDeskError) -> NotDeleted:
    why = f"{email} refused it: {_words(error)}"
    return NotDeleted(text, _sentence(text, why), error.service_text)


def _stopped(text: str, email: str, error: AssetDeskError, *, unsure: bool) -> NotDeleted:
    if unsure:
        why = (
            f"the answer from {email} was lost ({error.message}); the next refresh checks "
            "whether it is still there"
        )
    elif isinstance(error, NetworkError):
        why = f"nothing more was sent after the connection to {email} broke: {error.message}"
    else:
        why = f"{email} refused the request and nothing more was sent: {_words(error)}"
    return NotDeleted(text, _sentence(text, why), error.service_text, unsure=unsure)
