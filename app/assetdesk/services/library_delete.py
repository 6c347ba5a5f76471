"""Deleting catalog assets on their services, and the catalog following what was confirmed.

1. Google Flow assets go through `flow_delete.delete_flow_ids` (batches of at most 100 per Google
   account, a refused batch searched by halves), grouped by useapi.net account (the asset's
   `account_id`); the Google account is the email in each id. Runway assets go one per call,
   Wordbee files one per call (never without a filename: the client refuses to send it).
2. Each asset gets one `DeleteOutcome`: deleted, not deleted with the sentence why, or unsure
   (the answer was lost: the asset stays in the catalog for the next refresh to check).
3. The catalog forgets exactly the confirmed deletes (and their cached links), nothing more;
   a delete cut short (a quit) still forgets those confirmed before it stopped.
4. An asset the last refresh no longer found (gone) is not sent: the service's own listing
   already said it is not there, so the catalog forgets it as deleted ("already gone").
5. "Download them first": each asset is saved in the folder the user chose and only those that
   downloaded and verified are deleted; the others are reported, untouched on the service.

`delete_summary` counts a selection per service and account, for the confirmation
(`summary_of_places` the same from SQLite's counts, for a selection too large to read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow_listing import GoogleFlowLibrary
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.providers.wordbee_segments import WordbeeSegments
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.flow_delete import delete_flow_ids
from assetdesk.services.library_errors import account_of, after_colon, wordbee_place
from assetdesk.store.library import Asset
from assetdesk.store.library_query import PlaceCount
from assetdesk.transfer.options import DownloadResult

__all__ = [
    "DeleteOutcome",
    "DeleteState",
    "DeleteSummary",
    "LibraryDeleter",
    "delete_summary",
    "summary_of_places",
]

UseapiFor = Callable[[int, str], Awaitable[UseapiClients]]
WordbeeFor = Callable[[int, str], Awaitable[WordbeeClient]]
Forget = Callable[[Iterable[int]], Awaitable[int]]
Save = Callable[[Asset, Path], Awaitable[DownloadResult]]
OnOutcome = Callable[["DeleteOutcome"], None]


class DeleteState(StrEnum):
    DELETED = "deleted"
    NOT_DELETED = "not deleted"
    UNSURE = "unsure"  # the answer was lost; the next refresh checks


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """What happened to one asset; `reason` is the sentence when it was not (surely) deleted."""

    asset: Asset
    state: DeleteState
    reason: str | None = None

    @property
    def deleted(self) -> bool:
        return self.state is DeleteState.DELETED


@dataclass(frozen=True, slots=True)
class DeleteSummary:
    """How many assets a delete would touch: (service label, account, count), in order."""

    total: int
    places: tuple[tuple[str, str, int], ...]
    gone: int = 0  # of `total`, those a refresh no longer found: nothing is sent for them

    def lines(self) -> list[str]:
        return [f"{count} on {service} ({where})" for service, where, count in self.places]

    def sentence(self) -> str:
        noun = "asset" if self.total == 1 else "assets"
        return f"{self.total} {noun}: " + "; ".join(self.lines())


def _already_gone(asset: Asset) -> str:
    return f"“{asset.title}” was already gone from {asset.provider.label}: forgotten here."


def _where(provider: Provider, scope: str | None, email: str | None, account_id: int | None) -> str:
    if provider == Provider.WORDBEE:
        return f"project {scope}" if scope else "Wordbee"
    if email:
        return email
    if account_id is None:
        return "no account"
    # A session-only account's id is negative and means nothing to the user.
    return "a sandbox account" if account_id < 0 else f"account {account_id}"


def delete_summary(assets: Sequence[Asset]) -> DeleteSummary:
    """Counts per service and account (Google account, Runway account, Wordbee project)."""
    return summary_of_places(
        PlaceCount(a.provider, a.account_id, a.account_email, a.scope, 1, int(a.gone))
        for a in assets
    )


def summary_of_places(counted: Iterable[PlaceCount]) -> DeleteSummary:
    """`delete_summary` of a selection SQLite counted (`CatalogViews.places`): the same lines."""
    counts: dict[tuple[str, str], int] = {}
    total = gone = 0
    for place in counted:
        where = _where(place.provider, place.scope, place.account_email, place.account_id)
        key = (place.provider.label, where)
        counts[key] = counts.get(key, 0) + place.count
        total += place.count
        gone += place.gone
    places = tuple((service, where, n) for (service, where), n in sorted(counts.items()))
    return DeleteSummary(total, places, gone)


class LibraryDeleter:
    """One delete of a selection; the catalog forgets what the services confirmed."""

    def __init__(
        self, useapi: UseapiFor, wordbee: WordbeeFor, forget: Forget, save: Save | None = None
    ) -> None:
        self._useapi = useapi
        self._wordbee = wordbee
        self._forget = forget
        self._save = save

    async def delete(
        self,
        assets: Sequence[Asset],
        *,
        download_to: Path | None = None,
        on_outcome: OnOutcome | None = None,
    ) -> list[DeleteOutcome]:
        """Delete `assets` on their services (after saving each in `download_to` when given);
        one outcome per asset, in the order given. Errors are reported, not raised."""
        outcomes: dict[int, DeleteOutcome] = {}

        def settle(outcome: DeleteOutcome) -> None:
            outcomes[outcome.asset.id] = outcome
            if on_outcome is not None:
                on_outcome(outcome)

        try:
            await self._delete(assets, download_to, settle)
        finally:  # cut short too (a quit): what the services confirmed is forgotten
            confirmed = [o.asset.id for o in outcomes.values() if o.deleted]
            if confirmed:
                await asyncio.shield(self._forget(confirmed))
        return [outcomes[asset_id] for asset_id in dict.fromkeys(a.id for a in assets)]

    async def _delete(
        self, assets: Sequence[Asset], download_to: Path | None, settle: OnOutcome
    ) -> None:
        chosen = []
        for asset in {asset.id: asset for asset in assets}.values():
            if asset.gone:
                settle(DeleteOutcome(asset, DeleteState.DELETED, _already_gone(asset)))
            else:
                chosen.append(asset)
        if download_to is not None:
            chosen = await self._download_first(chosen, download_to, settle)
        flow: dict[int | None, list[Asset]] = {}
        for asset in chosen:
            if asset.provider == Provider.GOOGLE_FLOW:
                flow.setdefault(asset.account_id, []).append(asset)
            elif asset.provider == Provider.WORDBEE:
                settle(await self._one_wordbee(asset))
            else:
                settle(await self._one_runway(asset))
        for group in flow.values():
            for outcome in await self._flow_account(group):
                settle(outcome)

    async def _download_first(
        self, assets: list[Asset], folder: Path, settle: OnOutcome
    ) -> list[Asset]:
        if self._save is None:
            raise RuntimeError("LibraryDeleter needs `save` to download first")
        saved: list[Asset] = []
        for asset in assets:
            try:
                result = await self._save(asset, folder)
            except AssetDeskError as error:
                why = f"“{asset.title}” was not deleted: its download failed ({error.message})"
                settle(DeleteOutcome(asset, DeleteState.NOT_DELETED, as_sentence(why)))
                continue
            if not result.path.is_file() or result.path.stat().st_size != result.bytes:
                why = f"“{asset.title}” was not deleted: its download could not be verified"
                settle(DeleteOutcome(asset, DeleteState.NOT_DELETED, as_sentence(why)))
                continue
            saved.append(asset)
        return saved

    async def _flow_account(self, assets: list[Asset]) -> list[DeleteOutcome]:
        try:
            clients = await self._useapi(account_of(assets[0]), "deleting Google Flow assets")
        except AssetDeskError as error:
            return [_failed(asset, error) for asset in assets]
        library = GoogleFlowLibrary(clients.connection)
        report = await delete_flow_ids([a.remote_id for a in assets], library.delete_media)
        deleted = set(report.deleted)
        missing = {item.id: item for item in report.not_deleted}
        outcomes: list[DeleteOutcome] = []
        for asset in assets:
            if asset.remote_id in deleted:
                outcomes.append(DeleteOutcome(asset, DeleteState.DELETED))
                continue
            item = missing.get(asset.remote_id)
            reason = item.reason if item else f"“{asset.title}” was not deleted."
            state = DeleteState.UNSURE if item and item.unsure else DeleteState.NOT_DELETED
            outcomes.append(DeleteOutcome(asset, state, reason))
        return outcomes

    async def _one_runway(self, asset: Asset) -> DeleteOutcome:
        if asset.provider != Provider.RUNWAY:
            why = f"“{asset.title}” was not deleted: it comes from an unknown service."
            return DeleteOutcome(asset, DeleteState.NOT_DELETED, why)
        try:
            clients = await self._useapi(account_of(asset), "deleting a Runway asset")
            await clients.runway.delete_asset(asset.remote_id)
        except AssetDeskError as error:
            return _failed(asset, error)
        return DeleteOutcome(asset, DeleteState.DELETED)

    async def _one_wordbee(self, asset: Asset) -> DeleteOutcome:
        try:
            segment_id, scope, name = wordbee_place(asset)
            client = await self._wordbee(account_of(asset), "deleting a Wordbee file")
            await WordbeeSegments(client).delete_asset(
                segment_id, scope, name, locale=asset.locale, relative_path=asset.relative_path
            )
        except AssetDeskError as error:
            return _failed(asset, error)
        return DeleteOutcome(asset, DeleteState.DELETED)


def _failed(asset: Asset, error: AssetDeskError) -> DeleteOutcome:
    said = error.message
    if asset.title in said:
        return DeleteOutcome(asset, DeleteState.NOT_DELETED, as_sentence(said))
    why = f"“{asset.title}” was not deleted: {after_colon(said)}"
    return DeleteOutcome(asset, DeleteState.NOT_DELETED, as_sentence(why))
