"""A refresh of the Library, the pure part: what a service's listing yields, as catalog drafts
filed under the source it was listed from (store/library_sync.py takes them from there).

- Google Flow: one `FlowMedia` per entry of a project's media listing. The kind comes from the
  mediaGenerationId (`-image:` / `-video:`), else from what the entry said; `likelyUpload` is how
  Google recorded it (an upload or a generation); the account is the email encoded in the id.
- Runway: the listing's `RunwayAsset`s, with `isUserUpload` and `taskId` kept (the task holds the
  prompt, seed and model: services/library_provenance.py reads it). A listing that ran into the
  offset cap (the client says so) is synced as incomplete by the refresher.
- Wordbee: the segment files of a project scope, as `wordbee_draft` makes them.

No HTTP here: the provider clients list, the library service drives, this module translates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import ASSET_KINDS, MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow_listing import FlowMedia
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.services.library_drafts import runway_draft, wordbee_draft
from assetdesk.store.library import AssetDraft
from assetdesk.store.library_sync import Source

__all__ = [
    "flow_drafts",
    "flow_source",
    "runway_listed",
    "runway_source",
    "wordbee_drafts",
    "wordbee_source",
]


def flow_source(account_id: int, email: str, project_id: str | None = None) -> Source:
    """A Google Flow account of a useapi.net account, or one of its projects."""
    return Source(Provider.GOOGLE_FLOW, account_id, email, project_id)


def runway_source(account_id: int, email: str | None) -> Source:
    return Source(Provider.RUNWAY, account_id, email)


def wordbee_source(account_id: int, scope: str) -> Source:
    return Source(Provider.WORDBEE, account_id, scope=scope)


def flow_drafts(
    entries: Iterable[FlowMedia],
    account_id: int,
    email: str,
    project_id: str | None = None,
) -> list[AssetDraft]:
    """The entries of one Google Flow listing (of `project_id`, when the entries do not say)."""
    return [_flow_draft(entry, account_id, email, project_id) for entry in entries]


def _flow_draft(
    entry: FlowMedia, account_id: int, email: str, project_id: str | None
) -> AssetDraft:
    kind = _flow_kind(entry.kind)
    account_email = email
    try:
        parsed = MediaGenerationId.parse(entry.media_generation_id)
    except InvalidInput:  # kept as the service wrote it: it is still deletable and listable
        pass
    else:
        account_email = parsed.email
        kind = parsed.kind if parsed.kind in ASSET_KINDS else kind
    return AssetDraft(
        provider=Provider.GOOGLE_FLOW,
        remote_id=entry.media_generation_id,
        origin="listed",
        kind=kind,
        name=entry.title or None,
        width=entry.width,
        height=entry.height,
        account_id=account_id,
        account_email=account_email,
        created_at=entry.created,
        project_id=entry.project_id or project_id,
        uploaded=entry.likely_upload,
    )


def _flow_kind(said: str | None) -> str | None:
    """'IMAGE', 'image/png', 'video' -> 'image' / 'video'; anything else known -> 'other'."""
    if not said:
        return None
    word = said.strip().lower().split("/", 1)[0]
    return word if word in ASSET_KINDS else "other"


def runway_listed(asset: RunwayAsset, account_id: int, email: str | None) -> AssetDraft:
    """One asset of a Runway listing, with whether it is an upload and the task that made it."""
    draft = runway_draft(asset, account_id, "listed", email)
    uploaded = asset.raw.get("isUserUpload")
    task_id = asset.raw.get("taskId")
    return dataclasses.replace(
        draft,
        uploaded=uploaded if isinstance(uploaded, bool) else None,
        task_id=task_id if isinstance(task_id, str) and task_id else None,
    )


def wordbee_drafts(assets: Iterable[WordbeeAsset], account_id: int, scope: str) -> list[AssetDraft]:
    """The segment files of a Wordbee project or job scope."""
    return [wordbee_draft(asset, scope, account_id, "listed") for asset in assets]
