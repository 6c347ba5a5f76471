"""services/library_refresh.py: a listing's entries as drafts filed under their source."""

from __future__ import annotations

from typing import Any

from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow_listing import FlowMedia
from assetdesk.providers.runway import parse_asset as parse_runway
from assetdesk.providers.wordbee import parse_asset as parse_wordbee
from assetdesk.services.library_refresh import (
    flow_drafts,
    flow_source,
    runway_listed,
    runway_source,
    wordbee_drafts,
    wordbee_source,
)
from assetdesk.store.library_sync import Source

JO = "jo.demo@x.co"


def Media(media_generation_id: str, **fields: Any) -> FlowMedia:
    """A Google Flow media entry as the client yields it, with what the test leaves out unknown."""
    unknown = dict.fromkeys(
        ("project_id", "likely_upload", "kind", "width", "height", "created", "title")
    )
    return FlowMedia(media_generation_id, **{**unknown, **fields})


def test_a_flow_entry_takes_its_kind_and_account_from_the_id() -> None:
    video = str(MediaGenerationId(1, "ann@x.co", "video", "v1"))
    image = str(MediaGenerationId(1, JO, "image", "i1"))
    drafts = flow_drafts(
        [
            Media(video, kind="IMAGE", likely_upload=False, title="a cat", created="2026-09-01"),
            Media(image, project_id="P9", likely_upload=True, width=640, height=480),
        ],
        account_id=3,
        email=JO,
        project_id="P1",
    )
    first, second = drafts
    assert (first.provider, first.remote_id, first.origin) == (
        Provider.GOOGLE_FLOW,
        video,
        "listed",
    )
    assert (first.kind, first.account_email, first.project_id) == ("video", "ann@x.co", "P1")
    assert (first.uploaded, first.name, first.created_at) == (False, "a cat", "2026-09-01")
    assert (second.kind, second.account_email, second.project_id) == ("image", JO, "P9")
    assert (second.uploaded, second.width, second.height, second.account_id) == (True, 640, 480, 3)


def test_a_flow_entry_whose_id_does_not_parse_is_kept_with_what_it_said() -> None:
    (draft,) = flow_drafts([Media("odd-id", kind="video/mp4", title="")], 3, JO)
    assert (draft.remote_id, draft.kind, draft.account_email, draft.name) == (
        "odd-id",
        "video",
        JO,
        None,
    )
    (other,) = flow_drafts([Media("odd-2", kind="character")], 3, JO)
    assert other.kind == "other" and other.uploaded is None and other.project_id is None


def runway_item(n: int, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "assetId": f"user:1-runwayml:{JO}-asset:a{n}",
        "name": f"clip {n}.mp4",
        "mediaType": "video",
        "fileSize": 1000 + n,
        "fileExtStandardized": "mp4",
        "metadata": {"size": {"width": 1280, "height": 768}, "duration": 5},
    }
    item.update(extra)
    return item


def test_runway_listed_keeps_whether_it_was_uploaded_and_its_task() -> None:
    generated = parse_runway(
        runway_item(1, isUserUpload=False, taskId=f"user:1-runwayml:{JO}-task:t1")
    )
    uploaded = parse_runway(runway_item(2, isUserUpload=True))
    unsaid = parse_runway(runway_item(3, isUserUpload="yes", taskId=""))
    first, second, third = (runway_listed(a, 4, JO) for a in (generated, uploaded, unsaid))
    assert (first.uploaded, first.task_id) == (False, f"user:1-runwayml:{JO}-task:t1")
    assert (first.kind, first.mime, first.width, first.origin) == (
        "video",
        "video/mp4",
        1280,
        "listed",
    )
    assert (second.uploaded, second.task_id) == (True, None)
    assert (third.uploaded, third.task_id) == (None, None)
    assert {draft.account_email for draft in (first, second, third)} == {JO}


def test_wordbee_drafts_are_filed_under_their_scope() -> None:
    asset = parse_wordbee(
        {"segmentId": 5, "name": "a.jpg", "locale": "en", "contentType": "image/jpeg"}
    )
    assert asset is not None
    (draft,) = wordbee_drafts([asset], 2, "pr7")
    assert (draft.remote_id, draft.scope, draft.segment_id, draft.kind, draft.origin) == (
        "pr7/5/en//a.jpg",
        "pr7",
        5,
        "image",
        "listed",
    )


def test_sources() -> None:
    assert flow_source(3, JO, "P") == Source(Provider.GOOGLE_FLOW, 3, JO, "P")
    assert flow_source(3, JO) == Source(Provider.GOOGLE_FLOW, 3, JO, None)
    assert runway_source(4, JO) == Source(Provider.RUNWAY, 4, JO)
    assert wordbee_source(2, "pr7") == Source(Provider.WORDBEE, 2, scope="pr7")
