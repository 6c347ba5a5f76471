"""Catalog assets made in memory for tests that need `Asset` objects and no catalog: a Runway
image listed by a sandbox account, with any field given instead."""

from __future__ import annotations

from typing import Any

from assetdesk.core.provider import Provider
from assetdesk.services.library import Asset


def listed_asset(asset_id: int, **fields: Any) -> Asset:
    """Asset `asset_id`, a listed Runway image named "`asset_id`.png" of unknown size, unless
    `fields` say otherwise."""
    base: dict[str, Any] = {
        "provider": Provider.RUNWAY,
        "remote_id": f"user:1-runwayml:a@b.c-asset:{asset_id:05d}",
        "kind": "image",
        "name": f"{asset_id}.png",
        "mime": None,
        "size": None,
        "width": None,
        "height": None,
        "duration_seconds": None,
        "account_id": None,
        "account_email": None,
        "source_path": None,
        "origin": "listed",
        "created_at": None,
        "added_at": "2026-12-05T00:00:00+00:00",
    }
    return Asset(id=asset_id, **(base | fields))
