"""The scripting commands' output: one JSON object per line, and the shape of each item."""

from __future__ import annotations

import contextlib
import json
from typing import Any, TextIO

from assetdesk.core.errors import AssetDeskError, InvalidInput
from assetdesk.core.ids import RunwayAssetId, wordbee_key
from assetdesk.providers.google_flow import SignedUrl, UploadedAsset
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.services.local_files import UploadCandidate

__all__ = [
    "Output",
    "error_item",
    "runway_item",
    "runway_uploaded_item",
    "uploaded_item",
    "url_item",
    "wordbee_item",
    "wordbee_uploaded_item",
]


class Output:
    """One JSON object per line, flushed at once so a pipe sees each item as it finishes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def emit(self, item: dict[str, Any]) -> None:
        self.stream.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()


def error_item(error: AssetDeskError, **about: Any) -> dict[str, Any]:
    return {**about, **error.to_dict()}


def uploaded_item(candidate: UploadCandidate, result: UploadedAsset) -> dict[str, Any]:
    item: dict[str, Any] = {
        "file": str(candidate.path),
        "mediaGenerationId": result.media_generation_id,
        "kind": result.kind.value,
        "type": candidate.media_type.mime,
        "bytes": candidate.size,
        "email": result.email,
        "width": result.width,
        "height": result.height,
    }
    if result.duration_seconds is not None:
        item["durationSeconds"] = result.duration_seconds
    if candidate.note:
        item["note"] = candidate.note
    return item


def url_item(signed: SignedUrl) -> dict[str, Any]:
    return {
        "mediaGenerationId": signed.media_generation_id,
        "url": signed.url,
        "expiresAt": signed.expires_at.isoformat(),
    }


def runway_item(asset: RunwayAsset) -> dict[str, Any]:
    return {
        "assetId": asset.asset_id,
        "name": asset.name,
        "mediaType": asset.media_type,
        "fileSize": asset.file_size,
        "width": asset.width,
        "height": asset.height,
        "duration": asset.duration,
        "createdAt": asset.created_at,
        "url": asset.url,
        "previewUrls": list(asset.preview_urls),
    }


def wordbee_item(asset: WordbeeAsset) -> dict[str, Any]:
    return {
        "segmentId": asset.segment_id,
        "projectId": asset.project_id,
        "documentId": asset.document_id,
        "name": asset.name,
        "locale": asset.locale,
        "relativePath": asset.relative_path,
        "size": asset.size,
        "contentType": asset.content_type,
        "modifiedDate": asset.modified,
    }


def runway_uploaded_item(
    candidate: UploadCandidate, asset: RunwayAsset, email: str | None
) -> dict[str, Any]:
    """A file uploaded to Runway: its assetId, and width, height and duration where known."""
    with contextlib.suppress(InvalidInput):
        email = RunwayAssetId.parse(asset.asset_id).email  # the account that holds it, whole
    item: dict[str, Any] = {
        "file": str(candidate.path),
        "assetId": asset.asset_id,
        "name": asset.name,
        "kind": candidate.media_type.kind.value,
        "type": candidate.media_type.mime,
        "bytes": candidate.size,
        "email": email,
    }
    if asset.width is not None and asset.height is not None:
        item["width"], item["height"] = asset.width, asset.height
    if asset.duration is not None:
        item["durationSeconds"] = asset.duration
    if candidate.note:
        item["note"] = candidate.note
    return item


def wordbee_uploaded_item(
    candidate: UploadCandidate, asset: WordbeeAsset, scope: str
) -> dict[str, Any]:
    """A file attached to a Wordbee segment; `id` is the reference the Library files it under."""
    item: dict[str, Any] = {
        "file": str(candidate.path),
        "id": wordbee_key(scope, asset.segment_id, asset.locale, asset.relative_path, asset.name),
        "segmentId": asset.segment_id,
        "scope": scope,
        "name": asset.name,
        "locale": asset.locale,
        "relativePath": asset.relative_path,
        "size": asset.size if asset.size is not None else candidate.size,
        "contentType": asset.content_type or candidate.media_type.mime,
    }
    if candidate.note:
        item["note"] = candidate.note
    return item
