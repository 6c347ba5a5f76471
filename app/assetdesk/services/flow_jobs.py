"""Google Flow provenance from useapi.net jobs: which media a job made, with the prompt, model and
seed it was made with (MORE-ENDPOINTS.md 1.4 and 1.5).

A Google Flow listing names no job, and there is no lookup from a medium to its job: jobs exist
only for generations started through useapi.net, and only their ids lead to them. Two ways in:

1. A refresh asks `GET /v1/google-flow/jobs?options=history` once per useapi.net account (the
   jobs of the last 15 minutes) and reads each job no asset names yet (`known`): one call each,
   a few at a time; a job already filed is never read again.
2. A job id the user pastes (their own scripts print it) is read at once, and its media are
   filed with their provenance (`LibraryService.add_reference`).

A job names its media by mediaGenerationId (older records) or by a `name` UUID (newer ones),
which is taken as the medium whose id ends in it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetdesk.core.errors import AssetDeskError, NotFound
from assetdesk.core.ids import FlowJobId, MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow_listing import GoogleFlowLibrary
from assetdesk.services.library_drafts import flow_pasted_draft
from assetdesk.services.library_errors import with_asset_name
from assetdesk.services.library_provenance import (
    Provenance,
    flow_job_names,
    flow_job_provenance,
    with_provenance,
)
from assetdesk.store.library import Asset, AssetDraft
from assetdesk.store.library_sync import Source, SyncResult

__all__ = ["JobProvenance", "file_job", "job_drafts", "recent_job_provenance"]

log = logging.getLogger(__name__)

#: Job calls in flight at once while a refresh reads recent jobs.
JOB_CALLS_AT_ONCE = 4
#: `known(ids)`: which of these job ids some asset of the catalog already names.
KnownJobs = Callable[[list[str]], Awaitable[set[str]]]
SyncCatalog = Callable[[Source, Sequence[AssetDraft], bool], Awaitable[SyncResult]]
FindAssets = Callable[[Provider, list[str]], Awaitable[dict[str, Asset]]]


@dataclass
class JobProvenance:
    """What jobs said of their media: by mediaGenerationId, and by the newer records' `name`."""

    by_id: dict[str, Provenance] = field(default_factory=dict)
    by_name: dict[str, Provenance] = field(default_factory=dict)

    def add(self, job: Any) -> None:
        for media_id, provenance in flow_job_provenance(job).items():
            self.by_id.setdefault(media_id, provenance)
        for name, provenance in flow_job_names(job).items():
            self.by_name.setdefault(name, provenance)

    def __bool__(self) -> bool:
        return bool(self.by_id or self.by_name)

    def of(self, remote_id: str) -> Provenance | None:
        """The provenance of the medium `remote_id`, if a job named it."""
        found = self.by_id.get(remote_id)
        if found is None and self.by_name:
            try:
                found = self.by_name.get(MediaGenerationId.parse(remote_id).internal_id)
            except AssetDeskError:
                return None
        return found

    def apply(self, drafts: Sequence[AssetDraft]) -> list[AssetDraft]:
        """The drafts, those a job named with its prompt, model, seed and job id."""
        return [
            with_provenance(draft, found) if (found := self.of(draft.remote_id)) else draft
            for draft in drafts
        ]


async def recent_job_provenance(library: GoogleFlowLibrary, known: KnownJobs) -> JobProvenance:
    """What the token's recent jobs say, reading only those no asset names yet. A failure is
    logged and gives less: provenance never stops a refresh."""
    found = JobProvenance()
    try:
        recent = await library.recent_jobs()
    except AssetDeskError as error:
        log.info("the recent Google Flow jobs could not be listed: %s", error.kind)
        return found
    filed = await known(recent) if recent else set()
    wanted = [job_id for job_id in recent if job_id not in filed]
    gate = asyncio.Semaphore(JOB_CALLS_AT_ONCE)

    async def read(job_id: str) -> Any:
        async with gate:
            try:
                return await library.job(job_id)
            except AssetDeskError as error:
                log.info("a Google Flow job could not be read: %s", error.kind)
                return None

    for job in await asyncio.gather(*(read(job_id) for job_id in wanted)):
        if job is not None:
            found.add(job)
    return found


def job_drafts(job: Any, account_id: int) -> list[AssetDraft]:
    """The media an older job record names by mediaGenerationId, as pasted catalog entries
    with the job's provenance (a newer record's `name` alone is no id to file)."""
    drafts = []
    for media_id, provenance in flow_job_provenance(job).items():
        try:
            parsed = MediaGenerationId.parse(media_id).require_asset()
        except AssetDeskError:
            continue
        draft = dataclasses.replace(flow_pasted_draft(parsed, account_id), uploaded=False)
        drafts.append(with_provenance(draft, provenance))
    return drafts


async def file_job(
    library: GoogleFlowLibrary,
    job: FlowJobId,
    account_id: int,
    sync: SyncCatalog,
    find: FindAssets,
) -> tuple[list[Asset], int]:
    """Read a pasted job and file its media under `account_id` with the job's provenance (new
    ones added as pasted, known ones given the prompt); the assets, and how many were new."""
    try:
        record = await library.job(str(job))
    except AssetDeskError as error:
        raise with_asset_name(error, job.short) from error
    drafts = job_drafts(record, account_id)
    if not drafts:
        raise NotFound(f"Google Flow {job.short} names no media AssetDesk can file.")
    by_email: dict[str | None, list[AssetDraft]] = {}
    for draft in drafts:
        by_email.setdefault(draft.account_email, []).append(draft)
    added = 0
    for email, group in by_email.items():
        added += (await sync(Source(Provider.GOOGLE_FLOW, account_id, email), group, False)).added
    ids = [draft.remote_id for draft in drafts]
    found = await find(Provider.GOOGLE_FLOW, ids)
    return [found[remote_id] for remote_id in ids if remote_id in found], added
