"""Refreshing the Library from every account: what each service lists, synced into the catalog.

1. For each useapi.net account: each Google Flow account of the token (its projects, then each
   project's media, all pages; the prompt, model and seed of media that the token's recent
   useapi.net jobs made, services/flow_jobs.py), then each Runway account of the token (every
   page of the asset listing, offset 0 to 1000), with the prompt, model and seed of generations
   read once from their Runway task. For each Wordbee account: the projects the user follows
   (named once, services/wordbee_projects.py), every file of their segments.
2. Each source is synced in one transaction (store/library_sync.py): new assets appear, changed
   ones update, assets the service no longer lists are marked gone (never deleted here).
3. A failure is said on the account it concerns and the rest go on: a refused token (401) stops
   that useapi.net account, a Google account to reconnect (596) or throttled (429) stops that
   Google account. What a listing cut short had listed is still synced, as incomplete: nothing is
   marked gone on the strength of a partial listing.

Progress goes to a plain callback as `RefreshProgress` (services/refresh_progress.py words it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assetdesk.core.errors import AssetDeskError, Unauthorized
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.providers.google_flow_listing import GoogleFlowLibrary
from assetdesk.providers.runway import MAX_LIMIT, MAX_OFFSET
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.providers.wordbee_segments import WordbeeSegments
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.account_health import AccountHealth, health_from_error
from assetdesk.services.accounts import AccountInfo, AccountsService
from assetdesk.services.flow_jobs import JobProvenance, KnownJobs, recent_job_provenance
from assetdesk.services.library_provenance import Provenance, runway_provenance, with_provenance
from assetdesk.services.library_refresh import (
    flow_drafts,
    flow_source,
    runway_listed,
    runway_source,
    wordbee_drafts,
    wordbee_source,
)
from assetdesk.services.refresh_progress import (
    RefreshProgress,
    failed_line,
    finished_line,
)
from assetdesk.store.library import Asset, AssetDraft
from assetdesk.store.library_sync import Source, SyncResult

__all__ = ["LibraryRefresher", "RefreshReport", "SyncCatalog"]

log = logging.getLogger("assetdesk.services.library")

#: `sync(source, drafts, complete)`: one source's listing into the catalog (store/library_sync.py).
SyncCatalog = Callable[[Source, Sequence[AssetDraft], bool], Awaitable[SyncResult]]
#: `find(provider, remote_ids)`: the catalog's assets among these ids, by id.
FindAssets = Callable[[Provider, list[str]], Awaitable[dict[str, Asset]]]
#: `followed(account_id)`: the Wordbee project scopes the Library follows for that account.
FollowedProjects = Callable[[int], Awaitable[list[str]]]
OnProgress = Callable[[RefreshProgress], None]
#: Runway task calls in flight at once while a refresh reads prompts.
TASK_CALLS_AT_ONCE = 4


@dataclass
class RefreshReport:
    """What a refresh did: a line per source (done or failed), the sync results, the failures
    by account (account id -> the line), and what they say of each account's health, for the
    Accounts pane (a refused token, a Google account to reconnect, throttled until a time)."""

    lines: list[str] = field(default_factory=list)
    results: list[SyncResult] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)
    health: dict[int, AccountHealth] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(result.changed for result in self.results)


class LibraryRefresher:
    """One refresh of every account's listings; `refresh()` may be called again for the next."""

    def __init__(
        self,
        accounts: AccountsService,
        sync: SyncCatalog,
        find: FindAssets,
        followed: FollowedProjects,
        known_jobs: KnownJobs,
    ) -> None:
        self._accounts = accounts
        self._sync = sync
        self._find = find
        self._followed = followed
        self._known_jobs = known_jobs

    async def refresh(self, progress: OnProgress | None = None) -> RefreshReport:
        report = RefreshReport()
        said = progress or _ignore
        for account in await self._accounts.list():
            if account.kind is AccountKind.USEAPI:
                await self._useapi_account(account, report, said)
            else:
                for scope in await self._followed(account.id):
                    await self._wordbee_project(account, scope, report, said)
        return report

    async def _useapi_account(
        self, account: AccountInfo, report: RefreshReport, progress: OnProgress
    ) -> None:
        try:
            clients = await self._accounts.useapi(account.id)
            flow_emails = [flow.email for flow in await clients.google_flow.accounts()]
        except AssetDeskError as error:
            self._failed(report, account, Provider.GOOGLE_FLOW, account.name, error)
            return
        jobs = JobProvenance()
        if flow_emails:  # the prompts of generations started through useapi.net lately
            library = GoogleFlowLibrary(clients.connection)
            jobs = await recent_job_provenance(library, self._known_jobs)
        for email in flow_emails:
            if not await self._flow_account(clients, account, email, jobs, report, progress):
                return  # the token itself was refused: nothing else of it will answer
        try:
            runway_emails = await clients.runway.accounts()
        except AssetDeskError as error:
            self._failed(report, account, Provider.RUNWAY, account.name, error)
            return
        for email in runway_emails:
            await self._runway_account(clients, account, email, report, progress)

    async def _flow_account(
        self,
        clients: UseapiClients,
        account: AccountInfo,
        email: str,
        jobs: JobProvenance,
        report: RefreshReport,
        progress: OnProgress,
    ) -> bool:
        """Sync one Google account's projects (with what recent `jobs` say of their media);
        False when the token was refused."""
        library = GoogleFlowLibrary(clients.connection)
        drafts: list[AssetDraft] = []
        failure: AssetDeskError | None = None
        try:
            progress(RefreshProgress(Provider.GOOGLE_FLOW, email))
            projects = [project async for project in library.list_projects(email)]
            for step, project in enumerate(projects, start=1):
                progress(
                    RefreshProgress(Provider.GOOGLE_FLOW, email, step, len(projects), len(drafts))
                )
                media = [m async for m in library.list_media(email, project.project_id)]
                drafts.extend(flow_drafts(media, account.id, email, project.project_id))
        except AssetDeskError as error:
            failure = error
        listed = len(drafts)
        drafts = jobs.apply(drafts) if jobs else drafts
        await self._finish(
            report, account, flow_source(account.id, email), email, listed, drafts, failure
        )
        return not isinstance(failure, Unauthorized)

    async def _runway_account(
        self,
        clients: UseapiClients,
        account: AccountInfo,
        email: str,
        report: RefreshReport,
        progress: OnProgress,
    ) -> None:
        # Each asset's draft made as it comes (~20 µs each), not all at the listing's end in
        # one turn of the window's loop (19 ms for the 1,050 a listing reaches).
        listed: list[AssetDraft] = []
        capped: list[str] = []
        failure: AssetDeskError | None = None
        pages = MAX_OFFSET // MAX_LIMIT + 1
        progress(RefreshProgress(Provider.RUNWAY, email, 1, pages, 0))
        try:
            async for asset in clients.runway.list_all(email, on_capped=capped.append):
                listed.append(runway_listed(asset, account.id, email))
                if len(listed) % MAX_LIMIT == 0:  # a full page read: the next one starts
                    step = len(listed) // MAX_LIMIT + 1
                    progress(RefreshProgress(Provider.RUNWAY, email, step, pages, len(listed)))
        except AssetDeskError as error:
            failure = error
        drafts = await self._with_task_provenance(clients, listed)
        source = runway_source(account.id, email)
        await self._finish(
            report, account, source, email, len(listed), drafts, failure, complete=not capped
        )

    async def _wordbee_project(
        self, account: AccountInfo, scope: str, report: RefreshReport, progress: OnProgress
    ) -> None:
        """Every file of the project's segments (a segment search, then the files by batches)."""
        listed: list[WordbeeAsset] = []
        failure: AssetDeskError | None = None
        progress(RefreshProgress(Provider.WORDBEE, scope))
        try:
            client = await self._accounts.wordbee(account.id)
            listed = await WordbeeSegments(client).list_project_assets(scope)
        except AssetDeskError as error:
            failure = error
        drafts = wordbee_drafts(listed, account.id, scope)
        source = wordbee_source(account.id, scope)
        await self._finish(report, account, source, scope, len(listed), drafts, failure)

    async def _with_task_provenance(
        self, clients: UseapiClients, drafts: list[AssetDraft]
    ) -> list[AssetDraft]:
        """The drafts, those of generations whose prompt the catalog does not know yet with their
        task's prompt, model and seed (one task call each, a few at a time; a refresh that finds
        nothing new asks for none). A task that fails to load is asked again next time."""
        generated = [draft for draft in drafts if draft.task_id]
        known = await self._find(Provider.RUNWAY, [draft.remote_id for draft in generated])
        wanted = {
            draft.remote_id: draft.task_id
            for draft in generated
            if draft.task_id
            and not ((asset := known.get(draft.remote_id)) and (asset.prompt or asset.model))
        }
        gate = asyncio.Semaphore(TASK_CALLS_AT_ONCE)

        async def read(task_id: str) -> Provenance | None:
            async with gate:
                try:
                    return runway_provenance(await clients.runway.get_task(task_id))
                except AssetDeskError as error:
                    log.info("a Runway task could not be read: %s", error.kind)
                    return None

        ids = list(wanted)
        found = await asyncio.gather(*(read(wanted[remote_id]) for remote_id in ids))
        provenance = {remote_id: p for remote_id, p in zip(ids, found, strict=True) if p}
        return [
            with_provenance(draft, provenance[draft.remote_id])
            if draft.remote_id in provenance
            else draft
            for draft in drafts
        ]

    async def _finish(
        self,
        report: RefreshReport,
        account: AccountInfo,
        source: Source,
        label: str,
        listed: int,
        drafts: Sequence[AssetDraft],
        failure: AssetDeskError | None,
        *,
        complete: bool = True,
    ) -> None:
        """Sync what was listed (incomplete when the listing failed) and say how it went."""
        if drafts or failure is None:
            result = await self._sync(source, drafts, complete and failure is None)
            report.results.append(result)
            if failure is None:
                report.lines.append(finished_line(source.provider, label, listed, result))
        if failure is not None:
            self._failed(report, account, source.provider, label, failure)

    def _failed(
        self,
        report: RefreshReport,
        account: AccountInfo,
        provider: Provider,
        label: str,
        error: AssetDeskError,
    ) -> None:
        log.info("refresh of %s %s stopped: %s", provider.label, label, error.kind)
        line = failed_line(provider, label, error)
        report.lines.append(line)
        report.failures.setdefault(account.id, line)
        report.health.setdefault(account.id, health_from_error(error, datetime.now(UTC)))


def _ignore(_progress: RefreshProgress) -> None:
    pass
