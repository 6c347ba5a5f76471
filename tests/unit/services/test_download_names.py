"""services/downloads.py: the name an asset is saved under before any clash, and the id's short
form a clash adds; catalog rows built here, since the names come from the row alone."""

from __future__ import annotations

from typing import Any

import pytest

from assetdesk.core.ids import wordbee_key
from assetdesk.core.provider import Provider
from assetdesk.services.downloads import asset_name, id_tag
from assetdesk.store.library import Asset

FLOW_ID = f"user:1001-email:{b'jo.demo@gmail.com'.hex()}-image:2b707d51-8c3e-4f70-9a55-0d1c2e3f4a5b"
RUNWAY_ID = "user:1001-runwayml:runway.demo@example.com-asset:68d6d12f-77aa-4bbb-8ccc-0123456789ab"
WORDBEE_ID = wordbee_key("pr7214", 27665601, "de", "refs/", "pexels-gons3.jpg")


def row(provider: Provider, remote_id: str, **fields: Any) -> Asset:
    base: dict[str, Any] = dict.fromkeys(
        (
            "kind",
            "name",
            "mime",
            "size",
            "width",
            "height",
            "duration_seconds",
            "account_id",
            "account_email",
            "source_path",
            "created_at",
        )
    )
    base |= {"origin": "listed", "added_at": "2026-12-05T10:00:00+00:00"}
    return Asset(id=1, provider=provider, remote_id=remote_id, **(base | fields))


def test_the_ids_short_form_has_no_ellipsis_and_no_kind() -> None:
    assert id_tag(Provider.GOOGLE_FLOW, FLOW_ID) == "2b707d51"
    assert id_tag(Provider.RUNWAY, RUNWAY_ID) == "68d6d12f"
    assert id_tag(Provider.WORDBEE, WORDBEE_ID) == "27665601-de"
    assert id_tag(Provider.WORDBEE, wordbee_key("pr7214", 27665601, None, "", "a.png")) == (
        "27665601"
    )
    odd = id_tag(Provider.GOOGLE_FLOW, "not an id")  # a row the parsers refuse
    assert len(odd) == 8 and odd.isalnum()


@pytest.mark.parametrize(
    ("asset", "expected"),
    [
        # an upload: the file's name, whatever the service calls it
        (row(Provider.GOOGLE_FLOW, FLOW_ID, name="sunrise.png", mime="image/png"), "sunrise.png"),
        # a Google Flow title, without an extension until the type is known
        (row(Provider.GOOGLE_FLOW, FLOW_ID, name="a red fox", kind="image"), "a red fox"),
        (row(Provider.GOOGLE_FLOW, FLOW_ID, name="a red fox", mime="image/jpeg"), "a red fox.jpg"),
        # no name: the kind once and the id's short form, never a display title
        (row(Provider.GOOGLE_FLOW, FLOW_ID, kind="image"), "flow-image-2b707d51"),
        (row(Provider.GOOGLE_FLOW, FLOW_ID, mime="video/mp4"), "flow-asset-2b707d51.mp4"),
        # Runway says `jpeg`: the catalog's "Race car.jpg" stays
        (row(Provider.RUNWAY, RUNWAY_ID, name="Race car.jpg", mime="image/jpeg"), "Race car.jpg"),
        (row(Provider.RUNWAY, RUNWAY_ID, mime="image/webp"), "runway-68d6d12f.webp"),
        # the source file's name when the row has no name of its own
        (
            row(Provider.GOOGLE_FLOW, FLOW_ID, source_path="C:\\Users\\jo\\Dusk.webp"),
            "Dusk.webp",
        ),
        # a Wordbee name: only its last part, made safe
        (row(Provider.WORDBEE, WORDBEE_ID, name="..\\..\\evil:win?.jpg"), "evil_win_.jpg"),
        (row(Provider.WORDBEE, WORDBEE_ID, name="photo.jpg", mime="image/png"), "photo.png"),
    ],
)
def test_the_name_an_asset_is_saved_under(asset: Asset, expected: str) -> None:
    assert asset_name(asset) == expected
