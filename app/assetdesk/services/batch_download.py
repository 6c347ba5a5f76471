"""Downloads of many assets at once: a bounded runner, the connection budget, an account's 429s.

How a batch goes:

1. Ids are taken in input order. Each one is first *prepared* (its signed link looked up: a
   Google Flow resolve, a Runway get) up to `lookahead` items ahead of the transfers, so that a
   transfer rarely waits for the API. The link is reused until shortly before it expires: one
   that would expire within LINK_MARGIN when its transfer starts is looked up again first (and
   the source resolves a fresh one if storage refuses it anyway).
2. At most `jobs` transfers run at once. No more than `jobs + lookahead` items are alive at any
   time, so a batch of 100,000 ids holds a few dozen objects, not 100,000.
3. A 429 on a lookup, before a transfer or during one (a link that expired mid-transfer and is
   looked up again), pauses every lookup of that account (`ThrottleGate`, throttle_gate.py) for
   the service's `Retry-After`, then the lookup is tried again: the batch slows down instead of
   failing.
4. Each item's outcome (its result or its typed error) is reported in input order, as soon as
   it and every item before it have finished.

The connection budget (`segments_per_file`): with `jobs` files at once and `segments` asked, the
storage host sees at most max(jobs, segments) connections.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.ids import MediaGenerationId, parse_asset_ref
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import signed_url_expiry
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.services.downloads import (
    FolderNames,
    asset_name,
    flow_source,
    id_tag,
    runway_source,
)
from assetdesk.services.throttle_gate import ThrottleGate
from assetdesk.store.library import Asset
from assetdesk.transfer.download import download
from assetdesk.transfer.names import sanitise_filename
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.sources import SignedUrlSource

__all__ = [
    "LINK_MARGIN",
    "AssetBatch",
    "ReadyAsset",
    "run_bounded",
    "segments_per_file",
]


P = TypeVar("P")
R = TypeVar("R")

#: A looked-up link used later than this before its expiry is looked up again first.
LINK_MARGIN = timedelta(seconds=60)


def segments_per_file(jobs: int, segments: int, count: int) -> int:
    """Segments for each file so that at most max(jobs, segments) connections are open: the
    budget shared by the files that can run at once (fewer than `jobs` when the batch is
    smaller), at least one each. One file alone keeps all its `segments`."""
    budget = max(jobs, segments)
    running = max(1, min(jobs, count))
    return max(1, min(segments, budget // running))


async def run_bounded(
    items: Iterable[str],
    prepare: Callable[[str], Awaitable[P]],
    transfer: Callable[[str, P], Awaitable[R]],
    report: Callable[[str, R | None, AssetDeskError | None], None],
    *,
    jobs: int,
    lookahead: int,
) -> int:
    """Prepare and transfer each item: at most `jobs` transfers at once, preparations at most
    `lookahead` items ahead (and at most `lookahead` of them at once, at least one). `report`
    gets each item's result or typed error in input order (an item that finished early waits
    for the ones before it, and holds its place in the window of `jobs + lookahead` meanwhile).
    Returns how many failed; a failure of one item never stops the others."""
    if jobs < 1 or lookahead < 0:
        raise ValueError("jobs must be at least 1 and lookahead at least 0")
    alive = asyncio.Semaphore(jobs + lookahead)
    preparing = asyncio.Semaphore(max(1, lookahead))
    running = asyncio.Semaphore(jobs)
    tasks: set[asyncio.Task[None]] = set()
    finished: dict[int, tuple[str, R | None, AssetDeskError | None]] = {}
    next_out = 0
    failed = 0

    def report_in_order() -> None:
        nonlocal next_out
        while next_out in finished:
            report(*finished.pop(next_out))
            next_out += 1
            alive.release()

    async def one(index: int, ref: str) -> None:
        nonlocal failed
        try:
            async with preparing:
                prepared = await prepare(ref)
            async with running:
                result = await transfer(ref, prepared)
        except AssetDeskError as error:
            failed += 1
            finished[index] = (ref, None, error)
        else:
            finished[index] = (ref, result, None)
        report_in_order()

    try:
        for index, ref in enumerate(items):
            await alive.acquire()
            task = asyncio.create_task(one(index, ref), name=f"batch item {index}")
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*list(tasks))
    finally:
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    return failed


@dataclass(frozen=True)
class ReadyAsset:
    """An asset whose signed link is looked up, and when that link stops working."""

    source: SignedUrlSource
    expires_at: datetime


@dataclass
class AssetBatch:
    """Google Flow and Runway assets of one useapi.net account into one folder.

    `connection` should use throttle_gate.BATCH_RETRY so that 429s reach the gate; `known` is
    what the window's catalog has for the ids (their names)."""

    connection: UseapiConnection
    http: httpx.AsyncClient
    folder: Path
    options: DownloadOptions
    known: dict[str, Asset] = dataclasses.field(default_factory=dict)
    gate: ThrottleGate = dataclasses.field(default_factory=ThrottleGate)
    names: FolderNames = dataclasses.field(default_factory=FolderNames)

    async def prepare(self, text: str) -> ReadyAsset:
        """The asset's source with its signed link already looked up, and when it expires."""
        ref = parse_asset_ref(text)
        if isinstance(ref, MediaGenerationId):
            source = flow_source(self.connection, self.http, ref, gate=self.gate)
        else:
            source = await runway_source(self.connection, self.http, ref, gate=self.gate)
        url = await source.url()
        return ReadyAsset(source, signed_url_expiry(url, datetime.now(UTC)))

    async def _fresh_enough(self, ready: ReadyAsset) -> None:
        """A link that would expire within LINK_MARGIN (it waited long in the window) is
        looked up again (through the account's gate, as every lookup of the source) before its
        transfer starts."""
        if ready.expires_at - datetime.now(UTC) >= LINK_MARGIN:
            return
        await ready.source.fresh_url(await ready.source.url())

    async def transfer(self, text: str, ready: ReadyAsset) -> DownloadResult:
        """The prepared asset saved under its catalog or service name (download_asset's rule),
        names held across the whole batch so that two of its assets never share one."""
        await self._fresh_enough(ready)
        source = ready.source
        ref = parse_asset_ref(text)
        known = self.known.get(text)
        if isinstance(ref, MediaGenerationId):
            provider = Provider.GOOGLE_FLOW
            name = asset_name(known) if known else None
        else:
            provider = Provider.RUNWAY
            name = asset_name(known) if known else sanitise_filename(source.suggested_name or "")
        if name is None:
            return await download(source, self.folder, options=self.options)
        reserved = self.names.reserve(
            self.folder,
            name,
            owner=str(ref),
            tag=id_tag(provider, str(ref)),
            policy=self.options.on_conflict,
        )
        async with reserved as chosen:
            return await download(source, self.folder, filename=chosen, options=self.options)
