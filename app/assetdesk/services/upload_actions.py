"""The queue's actions that aim items again or settle an unknown outcome.

- `retarget`: waiting items (pending, failed, refused) go to another target and are checked
  against it: a refused file may become pending and a pending one refused, with the new reason.
- `check_service`: an `unknown` item (its answer was lost after the whole file was sent) is
  looked for in its service's listing (upload_lookup.py): found, it is done with the id the
  service gave and its catalog entry; not there, it fails with "Not on Runway: send it again?".
- `send_again`: the user's word that an unknown (or failed, cancelled) item goes again.
- `move_to_account`: items whose account is gone go to another account of the same kind.

UploadQueue (upload_queue.py) builds on this; the sending is the scheduler's.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.services.local_files import UploadCandidate
from assetdesk.services.upload_checks import check_file
from assetdesk.services.upload_items import UploadItem, UploadTarget, apply_target, take_candidate
from assetdesk.services.upload_lookup import find_upload, not_found_sentence
from assetdesk.services.upload_scheduler import UploadScheduler
from assetdesk.services.upload_sender import finish_uploaded
from assetdesk.services.upload_sentences import item_sentence
from assetdesk.store.uploads import ItemState, UploadQueueStore, now_text
from assetdesk.transfer.progress import Meter

__all__ = ["RETARGETABLE", "SENDABLE_AGAIN", "UploadActions"]

#: Items that may change target: nothing of theirs is on the way.
RETARGETABLE = frozenset({ItemState.PENDING, ItemState.FAILED, ItemState.REFUSED})
#: Items the user may send again by their explicit word.
SENDABLE_AGAIN = frozenset({ItemState.UNKNOWN, ItemState.FAILED, ItemState.CANCELLED})


class UploadActions(UploadScheduler):
    """retarget / check_service / send_again over the scheduler's items."""

    def _new_batch_if_idle(self) -> None:
        """Once per addition or retry (a summary walks the batch): when the queue had nothing
        left to do, the overall figures start again from the items that come now."""
        if not self._was_busy and not self.summary().busy:
            self._batch = set()

    def _requeue(self, item: UploadItem, *, first: bool) -> None:
        """Make `item` pending from scratch (no message, no try counted, a new meter) in the
        current batch; `first` for the first item of an action (it may start a new batch)."""
        row = item.row
        row.state = ItemState.PENDING
        row.message = row.error_kind = row.service_text = row.finished_at = None
        row.attempts = 0
        item.waiting_until = None
        item.throttled_before = False
        item.needs_secret = False
        item.meter = Meter(None)
        item.meter.total = row.size
        if first:
            self._new_batch_if_idle()
        self._batch.add(item.id)
        self._changed.add(item.id)

    def _chosen(self, ids: Iterable[int], states: frozenset[ItemState]) -> list[UploadItem]:
        return [
            item
            for item_id in ids
            if (item := self._items.get(item_id)) is not None
            and item.state in states
            and item.task is None
        ]

    async def _save_rows(self, items: list[UploadItem]) -> None:
        rows = [item.row for item in items]
        if rows:
            await self._db(lambda store: store.save_all(rows))
        self._changed.update(item.id for item in items)

    async def retarget(self, ids: Iterable[int], target: UploadTarget) -> None:
        """Aim the waiting items among `ids` at `target`, each checked against it again."""
        chosen = self._chosen(ids, RETARGETABLE)

        async def check(item: UploadItem) -> UploadCandidate | AssetDeskError:
            try:
                return await check_file(item.row.path, target.provider)
            except AssetDeskError as error:
                return error

        outcomes = await asyncio.gather(*(check(item) for item in chosen))
        moved: list[UploadItem] = []
        for item, outcome in zip(chosen, outcomes, strict=True):
            if self._items.get(item.id) is not item or item not in self._chosen(
                [item.id], RETARGETABLE
            ):
                continue  # removed, started or settled meanwhile
            apply_target(item.row, target)
            if isinstance(outcome, AssetDeskError):
                self._refuse(item, outcome)
            else:
                take_candidate(item, outcome)
                self._requeue(item, first=not moved)
            moved.append(item)
        await self._save_rows(moved)
        self._pump()

    async def move_to_account(self, ids: Iterable[int], account_id: int) -> list[int]:
        """Give the waiting, failed or refused items among `ids` another account of the same
        kind (the fix for an item whose account is gone), keeping the rest of their target; a
        Google Flow or Runway item lets the new token's service pick its Google or Runway
        account. Waiting and failed ones are queued again from scratch; a refused one stays
        refused (its file is the reason). Returns the ids moved (items for another kind of
        account stay as they are); NotFound when `account_id` is not there."""
        account = await self._accounts.info(account_id)
        moved: list[UploadItem] = []
        for item in self._chosen(ids, RETARGETABLE):
            row = item.row
            wordbee = row.provider is Provider.WORDBEE
            if wordbee != (account.kind is AccountKind.WORDBEE):
                continue
            row.account_id, row.account_name = account.id, account.name
            if not wordbee:
                row.email = row.used_email = None
            if item.state is not ItemState.REFUSED:
                self._requeue(item, first=not moved)
            moved.append(item)
        await self._save_rows(moved)
        self._pump()
        return [item.id for item in moved]

    def _refuse(self, item: UploadItem, error: AssetDeskError) -> None:
        row = item.row
        row.state = ItemState.REFUSED
        row.message = item_sentence(error)
        row.error_kind = error.kind
        row.service_text = None
        row.finished_at = now_text()
        item.waiting_until = None
        self._batch.discard(item.id)
        self._changed.add(item.id)

    async def send_again(self, ids: Iterable[int]) -> None:
        """Send unknown, failed or cancelled items again: the user's explicit word (an unknown
        one may then be on the service twice)."""
        chosen = self._chosen(ids, SENDABLE_AGAIN)
        for number, item in enumerate(chosen):
            self._requeue(item, first=number == 0)
        await self._save_rows(chosen)
        self._pump()

    async def check_service(self, ids: Iterable[int]) -> dict[int, str]:
        """Look each unknown item among `ids` up in its service's listing; returns what was
        found for each, as one sentence. Found: done, in the catalog. Not listed: failed, with
        "Not on <service>: send it again?". Not checkable, or the listing failed: still unknown.
        """
        said: dict[int, str] = {}
        for item in self._chosen(ids, frozenset({ItemState.UNKNOWN})):
            row = item.row
            try:
                found = await find_upload(row, self._accounts)
            except AssetDeskError as error:
                said[item.id] = item_sentence(error)
                continue
            if self._items.get(item.id) is not item or item.state is not ItemState.UNKNOWN:
                continue  # removed or sent again meanwhile
            if found is None:
                sentence = not_found_sentence(row)
                self._set_end(item, ItemState.FAILED, sentence, None)
                await self._save(item)
            else:
                await finish_uploaded(
                    row,
                    found,
                    lambda done, entry: self._db(
                        functools.partial(UploadQueueStore.finish, row=done, entry=entry)
                    ),
                )
                self._changed.add(item.id)
                sentence = f"Found on {row.provider.label}: it is in the Library."
            said[item.id] = sentence
        return said
