"""Catalog drafts: a Runway or Wordbee asset as the Library's catalog keeps it.

A draft holds where the asset lives and what it is (kind, MIME type, size, dimensions), never a
URL: signed links expire. The kind and type are guessed from what the service sent, then from
the file name's extension.
"""

from __future__ import annotations

import contextlib
import mimetypes
from pathlib import Path

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId, wordbee_key
from assetdesk.core.media import KNOWN_MEDIA_TYPES, media_type_for_extension, media_type_for_mime
from assetdesk.core.provider import Provider
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.store.library import AssetDraft

__all__ = ["flow_pasted_draft", "runway_draft", "wordbee_draft"]


#: The kinds the catalog tells apart; anything else is "other".
KINDS = ("image", "video", "audio")


def _kind_of(mime: str | None, name: str | None) -> str | None:
    if mime:
        major = mime.split("/", 1)[0].strip().lower()
        return major if major in KINDS else "other"
    known = media_type_for_extension(Path(name).suffix, among=KNOWN_MEDIA_TYPES) if name else None
    return known.kind.value if known else None


def _mime_for(extension: str | None, name: str | None) -> str | None:
    known = media_type_for_extension(extension, among=KNOWN_MEDIA_TYPES) if extension else None
    if known is not None:
        return known.mime
    guessed = mimetypes.guess_type(name or "")[0] if name else None
    return guessed


def flow_pasted_draft(ref: MediaGenerationId, account_id: int) -> AssetDraft:
    """A Google Flow medium added by its id (pasted, or named by a pasted job), filed under the
    Google account its id names."""
    return AssetDraft(
        provider=Provider.GOOGLE_FLOW,
        remote_id=str(ref),
        origin="pasted",
        kind=ref.kind,
        account_id=account_id,
        account_email=ref.email,
    )


def runway_draft(
    asset: RunwayAsset, account_id: int, origin: str, email: str | None = None
) -> AssetDraft:
    """A Runway asset as the catalog keeps it (no URL: its links expire)."""
    with contextlib.suppress(InvalidInput):  # the id names the Runway account, when it parses
        email = RunwayAssetId.parse(asset.asset_id).email
    media = asset.media_type
    kind = None if media is None else (media if media in KINDS else "other")
    return AssetDraft(
        provider=Provider.RUNWAY,
        remote_id=asset.asset_id,
        origin=origin,
        kind=kind,
        name=asset.name,
        mime=_mime_for(asset.extension, asset.name),
        size=asset.file_size,
        width=asset.width,
        height=asset.height,
        duration_seconds=asset.duration,
        account_id=account_id,
        account_email=email,
        created_at=asset.created_at,
    )


def wordbee_draft(asset: WordbeeAsset, scope: str, account_id: int, origin: str) -> AssetDraft:
    """A Wordbee segment file as the catalog keeps it: where it lives, so it can be fetched."""
    known = media_type_for_mime(asset.content_type, among=KNOWN_MEDIA_TYPES)
    return AssetDraft(
        provider=Provider.WORDBEE,
        remote_id=wordbee_key(
            scope, asset.segment_id, asset.locale, asset.relative_path, asset.name
        ),
        origin=origin,
        kind=_kind_of(asset.content_type, asset.name),
        name=asset.name,
        mime=known.mime if known else asset.content_type,
        size=asset.size,
        account_id=account_id,
        created_at=asset.created,
        scope=scope,
        segment_id=asset.segment_id,
        locale=asset.locale,
        relative_path=asset.relative_path,
    )
