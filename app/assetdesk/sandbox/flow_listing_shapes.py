"""The JSON of Google Flow's project and media listings, in each shape the sandbox serves.

The pages name the calls and some facts (a media count by type and a date range per project; one
merged `media` list with a `likelyUploads` count and a per-entry `likelyUpload`, each entry with
its `mediaGenerationId`) but not the field names. Shape "a" is a flat, plausible reading; shape "b"
nests everything differently (envelope, key names, the id one level deeper as the old upload
answer had it, `mediaMetadata.createTime`, `image.dimensions`), so that a client fitted to one
shape fails on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assetdesk.sandbox.state import FlowAsset, iso


@dataclass(frozen=True)
class ProjectSummary:
    """One project of an account as the projects listing describes it."""

    project_id: str
    title: str
    images: int  # generated only: uploads are not counted (the page's caveat)
    videos: int
    earliest: float | None
    latest: float | None


def projects_answer(
    shape: str, projects: list[ProjectSummary], cursor: str | None
) -> dict[str, Any]:
    if shape == "b":
        items = [_project_b(p) for p in projects]
        return {"data": {"items": items}, "pagination": {"cursor": cursor, "hasMore": bool(cursor)}}
    answer: dict[str, Any] = {"projects": [_project_a(p) for p in projects]}
    if cursor:
        answer["nextCursor"] = cursor
    return answer


def _range(p: ProjectSummary) -> dict[str, str] | None:
    if p.earliest is None or p.latest is None:
        return None
    return {"from": iso(p.earliest), "to": iso(p.latest)}


def _project_a(p: ProjectSummary) -> dict[str, Any]:
    return {
        "projectId": p.project_id,
        "title": p.title,
        "mediaCount": p.images + p.videos,
        "mediaByType": {"image": p.images, "video": p.videos},
        "dateRange": _range(p),
    }


def _project_b(p: ProjectSummary) -> dict[str, Any]:
    by_type = [{"type": "IMAGE", "count": p.images}, {"type": "VIDEO", "count": p.videos}]
    stats: dict[str, Any] = {"total": p.images + p.videos, "byType": by_type}
    dates = _range(p)
    if dates:
        stats.update(earliest=dates["from"], latest=dates["to"])
    return {"project": {"id": p.project_id, "displayName": p.title}, "stats": stats}


def media_answer(
    shape: str,
    project_id: str,
    entries: list[FlowAsset],
    likely_uploads: int,
    total: int,
    cursor: str | None,
) -> dict[str, Any]:
    if shape == "b":
        result = {
            "project": {"id": project_id},
            "media": [
                {"media": _media_b(a, project_id), "likelyUpload": a.uploaded} for a in entries
            ],
            "likelyUploads": likely_uploads,
            "total": total,
        }
        return {"result": result, "paging": {"nextPageToken": cursor or ""}}
    answer: dict[str, Any] = {
        "projectId": project_id,
        "media": [_media_a(a, project_id) for a in entries],
        "likelyUploads": likely_uploads,
        "total": total,
    }
    if cursor:
        answer["nextCursor"] = cursor
    return answer


def _media_a(asset: FlowAsset, project_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "mediaGenerationId": asset.media_generation_id,
        "projectId": project_id,
        "type": asset.kind,
        "likelyUpload": asset.uploaded,
        "width": asset.width,
        "height": asset.height,
        "createTime": iso(asset.created),
        "title": asset.display_name,
    }
    if asset.duration is not None:
        entry["durationSeconds"] = round(asset.duration, 3)
    return entry


def _media_b(asset: FlowAsset, project_id: str) -> dict[str, Any]:
    """Like the upload answer's `media` object, with the id wrapped as the old answer had it."""
    body: dict[str, Any] = {
        "name": asset.media_id,
        "projectId": project_id,
        "mediaGenerationId": {"mediaGenerationId": asset.media_generation_id},
        "mediaMetadata": {
            "createTime": iso(asset.created),
            "mediaTitle": asset.display_name,
            "visibility": "PRIVATE",
        },
    }
    dimensions: dict[str, Any] = {"width": asset.width, "height": asset.height}
    if asset.kind == "video":
        dimensions["length"] = f"{asset.duration or 0.0:.3f}s"
        body["video"] = {"dimensions": dimensions}
        if asset.uploaded:
            body["video"]["userUploadedVideo"] = {"encodedVideo": ""}
    else:
        body["image"] = {"dimensions": dimensions}
        if asset.uploaded:
            body["image"]["userUploadedImage"] = {"aspectRatio": "IMAGE_ASPECT_RATIO_UNSPECIFIED"}
    return body
