"""Deleting a selection too large to read at once (select all of 100,000), by its ids.

1. The ids are read as assets a page at a time (`DELETE_PAGE`), in a worker thread; the ids the
   catalog no longer has (removed meanwhile) are left out.
2. Each page goes through `LibraryDeleter.delete` (library_delete.py): Google Flow grouped per
   account within the page, "download them first" page by page, the confirmed ones forgotten at
   the end of each page (and of a page cut short by a quit).
3. A `DeleteTally` keeps what the notice at the end needs: the counts, and for each asset not
   (surely) deleted its id, state and sentence; a finished page's assets and outcomes are dropped,
   so at most about two pages of assets are in memory whatever the selection's size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assetdesk.services.library_delete import DeleteOutcome, DeleteState, LibraryDeleter, OnOutcome
from assetdesk.store.library import Asset

__all__ = ["DELETE_PAGE", "DeleteTally", "LeftOver", "delete_in_pages"]

#: Assets read, deleted and forgotten together (~1 KB each; a Google Flow batch holds 100).
DELETE_PAGE = 500

ReadMany = Callable[[Sequence[int]], Awaitable[dict[int, Asset]]]
OnPage = Callable[[list[int]], None]


@dataclass(frozen=True, slots=True)
class LeftOver:
    """An asset a delete left in place: not deleted (with the reason) or unsure."""

    asset_id: int
    state: DeleteState
    reason: str | None


@dataclass(slots=True)
class DeleteTally:
    """A delete's outcomes counted; `left` holds those not (surely) deleted, in their order."""

    deleted: int = 0
    unsure: int = 0
    not_deleted: int = 0
    left: list[LeftOver] = field(default_factory=list)

    @classmethod
    def of(cls, outcomes: Sequence[DeleteOutcome]) -> DeleteTally:
        tally = cls()
        for outcome in outcomes:
            tally.count(outcome)
        return tally

    def count(self, outcome: DeleteOutcome) -> None:
        if outcome.deleted:
            self.deleted += 1
            return
        if outcome.state is DeleteState.UNSURE:
            self.unsure += 1
        else:
            self.not_deleted += 1
        self.left.append(LeftOver(outcome.asset.id, outcome.state, outcome.reason))


async def delete_in_pages(
    deleter: LibraryDeleter,
    read: ReadMany,
    asset_ids: Sequence[int],
    *,
    download_to: Path | None = None,
    on_page: OnPage | None = None,
    on_outcome: OnOutcome | None = None,
) -> DeleteTally:
    """Delete the assets `asset_ids` name, `DELETE_PAGE` at a time, each page `read` by id
    (`CatalogViews.many`). `on_page(ids)` as a page begins, `on_outcome` for each asset."""
    tally = DeleteTally()

    def settle(outcome: DeleteOutcome) -> None:
        tally.count(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    ids = list(dict.fromkeys(asset_ids))
    for start in range(0, len(ids), DELETE_PAGE):
        page = ids[start : start + DELETE_PAGE]
        found = await read(page)
        assets = [found[asset_id] for asset_id in page if asset_id in found]
        del found  # the page's assets live in `assets` only, until the next page is read
        if on_page is not None:
            on_page([asset.id for asset in assets])
        await deleter.delete(assets, download_to=download_to, on_outcome=settle)
        del assets
    return tally
