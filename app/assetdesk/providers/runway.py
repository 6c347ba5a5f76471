"""Runway assets through useapi.net: one asset, and the paged list."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from assetdesk.core.errors import InvalidInput, UpstreamFailed
from assetdesk.core.ids import RunwayAssetId
from assetdesk.providers.http import as_dict
from assetdesk.providers.useapi import UseapiConnection

#: The list call's documented bounds.
MAX_OFFSET = 1000
MAX_LIMIT = 50
MEDIA_TYPES = ("video", "image", "audio")


@dataclass(frozen=True)
class RunwayAsset:
    """The documented asset model; every field is optional on the service's side."""

    asset_id: str
    id: str | None
    name: str | None
    url: str | None
    preview_urls: tuple[str, ...]
    media_type: str | None
    file_size: int | None
    extension: str | None
    created_at: str | None
    width: int | None
    height: int | None
    duration: float | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def _whole(value: Any) -> int | None:
    """An integer, also when the service sends it as a whole float (1280.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _dims(metadata: dict[str, Any]) -> tuple[int | None, int | None]:
    size = as_dict(metadata.get("size"))
    width, height = _whole(size.get("width")), _whole(size.get("height"))
    if width is not None and height is not None:
        return width, height
    dimensions = metadata.get("dimensions")
    if isinstance(dimensions, list) and len(dimensions) >= 2:
        width, height = _whole(dimensions[0]), _whole(dimensions[1])
        if width is not None and height is not None:
            return width, height
    return None, None


def parse_asset(body: Any, *, asset_id: str | None = None) -> RunwayAsset:
    if not isinstance(body, dict):
        raise UpstreamFailed("useapi.net sent a Runway asset that is not a JSON object.")
    metadata = as_dict(body.get("metadata"))
    width, height = _dims(metadata)
    duration = metadata.get("duration")
    previews = body.get("previewUrls")
    size = body.get("fileSize")
    found_id = body.get("assetId") if isinstance(body.get("assetId"), str) else asset_id
    if not found_id:
        raise UpstreamFailed("useapi.net sent a Runway asset without an assetId.")
    return RunwayAsset(
        asset_id=found_id,
        id=_text(body.get("id")),
        name=_text(body.get("name")),
        url=_text(body.get("url")),
        preview_urls=tuple(u for u in previews if isinstance(u, str))
        if isinstance(previews, list)
        else (),
        media_type=_text(body.get("mediaType")),
        file_size=_whole(size),
        extension=_text(body.get("fileExtStandardized")),
        created_at=_text(body.get("createdAt")),
        width=width,
        height=height,
        duration=float(duration)
        if isinstance(duration, int | float) and not isinstance(duration, bool)
        else None,
        raw=body,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class RunwayClient:
    """Runway calls for one useapi.net account."""

    def __init__(self, connection: UseapiConnection) -> None:
        self.connection = connection

    async def get(self, asset_id: str) -> RunwayAsset:
        """`GET /v1/runwayml/assets/{assetId}`, with fresh signed `url` and `previewUrls`."""
        text = asset_id.strip()
        if not text:
            raise InvalidInput("A Runway assetId is needed.")
        try:
            subject = RunwayAssetId.parse(text).short
        except InvalidInput:
            subject = "Runway asset"  # the service judges ids the parser does not know
        body = await self.connection.get_json(
            f"/v1/runwayml/assets/{quote(text, safe=':@')}", subject=subject
        )
        return parse_asset(body, asset_id=text)

    async def list(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        media_type: str | None = None,
        email: str | None = None,
    ) -> builtins.list[RunwayAsset]:
        """`GET /v1/runwayml/assets/?offset=&limit=&mediaType=&email=`: one page."""
        if not 0 <= offset <= MAX_OFFSET:
            raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}; it was {offset}.")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}; it was {limit}.")
        if media_type is not None and media_type not in MEDIA_TYPES:
            raise InvalidInput(
                f"media type must be one of {', '.join(MEDIA_TYPES)}; it was “{media_type}”."
            )
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if media_type:
            params["mediaType"] = media_type
        if email:
            params["email"] = email
        body = await self.connection.get_json(
            "/v1/runwayml/assets/", params=params, subject="Runway assets"
        )
        if not isinstance(body, list):
            raise UpstreamFailed("useapi.net sent a Runway asset list that is not a JSON array.")
        return [parse_asset(item) for item in body if isinstance(item, dict)]

    async def accounts(self) -> builtins.list[str]:
        """`GET /v1/runwayml/accounts`: the emails of the Runway accounts of the token."""
        body = await self.connection.get_json("/v1/runwayml/accounts", subject="Runway accounts")
        return sorted(body) if isinstance(body, dict) else []
