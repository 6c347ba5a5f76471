"""services/upload_sender.py: a finished upload's row and catalog entry, per service."""

from __future__ import annotations

from assetdesk.core.ids import wordbee_key
from assetdesk.core.provider import Provider
from assetdesk.providers import runway, wordbee
from assetdesk.services.upload_sender import mark_uploaded
from assetdesk.store.uploads import ItemState, QueueRow

RUNWAY_ID = "user:1-runwayml:jo@x.co-asset:a1"


def row(provider: Provider, **fields: object) -> QueueRow:
    return QueueRow(
        path="/home/jo/drop/shots/Swatch.PNG",
        name="Swatch.PNG",
        state=ItemState.UPLOADING,
        size=1234,
        mime="image/png",
        kind="image",
        provider=provider,
        account_id=3,
        account_name="Studio",
        **fields,  # type: ignore[arg-type]
    )


def test_a_runway_upload_is_catalogued_under_its_asset_id_and_the_files_name() -> None:
    queued = row(Provider.RUNWAY)
    answer = runway.parse_asset(
        {
            "assetId": RUNWAY_ID,
            "name": "upload",
            "mediaType": "image",
            "fileSize": 1234,
            "metadata": {"size": {"width": 256, "height": 256}},
            "createdAt": "2026-12-05T12:00:00Z",
        }
    )
    entry = mark_uploaded(queued, answer)
    assert (queued.state, queued.remote_id, queued.used_email) == (
        ItemState.DONE,
        RUNWAY_ID,
        "jo@x.co",
    )
    assert (queued.width, queued.height) == (256, 256)
    assert (entry.provider, entry.remote_id, entry.origin) == (Provider.RUNWAY, RUNWAY_ID, "upload")
    assert (entry.name, entry.mime, entry.size, entry.source_path) == (
        "Swatch.PNG",
        "image/png",
        1234,
        "/home/jo/drop/shots/Swatch.PNG",
    )
    assert (entry.account_id, entry.account_email) == (3, "jo@x.co")


def test_a_wordbee_upload_is_catalogued_under_the_key_a_refresh_gives_the_same_file() -> None:
    queued = row(
        Provider.WORDBEE, scope="pr7214", segment_id=27, locale="fr", relative_path="refs/shots"
    )
    answer = wordbee.parse_asset(
        {
            "segmentId": 27,
            "locale": "fr",
            "relativePath": "refs/shots",
            "name": "Swatch.PNG",
            "size": 1234,
            "contentType": "image/png",
        }
    )
    assert answer is not None
    entry = mark_uploaded(queued, answer)
    key = wordbee_key("pr7214", 27, "fr", "refs/shots", "Swatch.PNG")
    assert queued.remote_id == entry.remote_id == key
    assert (entry.provider, entry.scope, entry.segment_id, entry.locale, entry.relative_path) == (
        Provider.WORDBEE,
        "pr7214",
        27,
        "fr",
        "refs/shots",
    )
    assert (entry.name, entry.source_path, entry.kind) == (
        "Swatch.PNG",
        "/home/jo/drop/shots/Swatch.PNG",
        "image",
    )
