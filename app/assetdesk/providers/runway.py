"""Runway assets through useapi.net: uploading a file, one asset, the paged list and every page
of it, deleting an asset, and a generated asset's task (prompt, seed, model)."""

from __future__ import annotations

import builtins
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    UpstreamFailed,
)
from assetdesk.core.ids import RunwayAssetId
from assetdesk.core.media import MediaType
from assetdesk.core.provider import Provider
from assetdesk.net.answers import AnswerRefused
from assetdesk.net.retry import NO_RETRY
from assetdesk.providers.http import as_dict, json_body, whole_number
from assetdesk.providers.upload_body import (
    UPLOAD_TIMEOUT,
    BeforeLastByte,
    FileBody,
    Progress,
    outcome_unknown,
)
from assetdesk.providers.useapi import UseapiConnection

log = logging.getLogger("assetdesk.providers.runway")

#: The list call's documented bounds.
MAX_OFFSET = 1000
MAX_LIMIT = 50
MEDIA_TYPES = ("video", "image", "audio")
#: What the offset bound means for an account with more assets than one listing reaches.
CAPPED = (
    "useapi.net lists only the newest {count:,} Runway assets of an account{about}; "
    "older ones cannot be listed."
)


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

    @property
    def task_id(self) -> str | None:
        """The generation's task (`GET /tasks/{taskId}`); None for an upload."""
        return _text(self.raw.get("taskId"))

    @property
    def is_upload(self) -> bool | None:
        """`isUserUpload` when the service said it."""
        value = self.raw.get("isUserUpload")
        return value if isinstance(value, bool) else None


@dataclass(frozen=True)
class RunwayTask:
    """What a generation was asked: the prompt, seed and model (`taskType`) of its task."""

    task_id: str
    model: str | None
    prompt: str | None
    seed: int | None
    status: str | None
    created_at: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def parse_task(body: Any, *, task_id: str) -> RunwayTask:
    """The documented gen3a task; other task types' option keys are unknown, so the prompt falls
    back on the task `name` ("<model> <seed>, <prompt>")."""
    if not isinstance(body, dict):
        raise UpstreamFailed("useapi.net sent a Runway task that is not a JSON object.")
    options = as_dict(body.get("options"))
    prompt = _text(options.get("text_prompt"))
    name = _text(body.get("name")) or _text(options.get("name"))
    if prompt is None and name and ", " in name:
        prompt = name.split(", ", 1)[1].strip() or None
    return RunwayTask(
        task_id=_text(body.get("taskId")) or task_id,
        model=_text(body.get("taskType")),
        prompt=prompt,
        seed=whole_number(options.get("seed")),
        status=_text(body.get("status")),
        created_at=_text(body.get("createdAt")),
        raw=body,
    )


def _dims(metadata: dict[str, Any]) -> tuple[int | None, int | None]:
    size = as_dict(metadata.get("size"))
    width, height = whole_number(size.get("width")), whole_number(size.get("height"))
    if width is not None and height is not None:
        return width, height
    dimensions = metadata.get("dimensions")
    if isinstance(dimensions, list) and len(dimensions) >= 2:
        width, height = whole_number(dimensions[0]), whole_number(dimensions[1])
        if width is not None and height is not None:
            return width, height
    return None, None


def parse_asset(body: Any, *, asset_id: str | None = None) -> RunwayAsset:
    """The list's item (`fileSize`, `mediaType`) or the upload's answer (`size`, `type{}`)."""
    if not isinstance(body, dict):
        raise UpstreamFailed("useapi.net sent a Runway asset that is not a JSON object.")
    metadata = as_dict(body.get("metadata"))
    width, height = _dims(metadata)
    duration = metadata.get("duration")
    previews = body.get("previewUrls")
    size = body.get("fileSize") if body.get("fileSize") is not None else body.get("size")
    kind = as_dict(body.get("type"))
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
        media_type=_text(body.get("mediaType"))
        or _text(kind.get("type"))
        or _text(kind.get("name")),
        file_size=whole_number(size),
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

    async def upload(
        self,
        path: Path,
        media_type: MediaType,
        size: int,
        *,
        name: str,
        email: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration_seconds: float | None = None,
        progress: Progress | None = None,
        before_last_byte: BeforeLastByte | None = None,
    ) -> RunwayAsset:
        """`POST /v1/runwayml/assets/?email=&name=[&width=&height=&duration=]` with the file as a
        raw streaming body of its real type; the new asset, its fields filled from what was sent
        where the answer leaves them out.

        The caller has checked the file against Runway's rules. Not retried here (the upload
        queue decides); a 400 keeps the service's words in `service_text`; a connection lost
        once the whole file was sent raises OutcomeUnknown (Runway may have kept it);
        `before_last_byte` is awaited before the file's last chunk goes (upload_body.py).
        """
        if not name.strip():
            raise InvalidInput("A Runway asset needs a name.")
        params: dict[str, Any] = {"name": name}
        if email:
            params["email"] = email
        if width and height:
            params.update(width=width, height=height)
        if duration_seconds is not None and duration_seconds > 0:
            params["duration"] = round(duration_seconds, 3)
        body = FileBody(path, size, progress=progress, before_last_byte=before_last_byte)
        try:
            response = await self.connection.send(
                "POST",
                "/v1/runwayml/assets/",
                subject=name,
                params=params,
                headers={"Content-Type": media_type.mime, "Content-Length": str(size)},
                content=body,
                retry=NO_RETRY,
                timeout=UPLOAD_TIMEOUT,
                upload=True,
            )
        except (NetworkError, AnswerRefused) as error:
            raise outcome_unknown(error, body, service=Provider.RUNWAY.label, name=name) from None
        answer = json_body(response)
        if not isinstance(answer, dict) or not isinstance(answer.get("assetId"), str):
            # A 2xx for the whole file: Runway may well have kept it. Not retried by itself.
            raise OutcomeUnknown(
                f"useapi.net accepted {name} for Runway but sent no assetId: it is not known "
                f"whether Runway kept {name}.",
                service_text=str(answer)[:300],
            )
        asset = parse_asset(answer)
        return dataclasses.replace(
            asset,
            name=asset.name or name,
            media_type=asset.media_type or media_type.kind.value,
            file_size=asset.file_size if asset.file_size is not None else size,
            width=asset.width or width,
            height=asset.height or height,
            duration=asset.duration if asset.duration is not None else duration_seconds,
        )

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
        return (await self._page(offset, limit, media_type, email))[1]

    async def _page(
        self, offset: int, limit: int, media_type: str | None, email: str | None
    ) -> tuple[int, builtins.list[RunwayAsset]]:
        """One page: how many items the service sent, and the assets among them."""
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
        return len(body), [parse_asset(item) for item in body if isinstance(item, dict)]

    async def list_all(
        self,
        email: str | None = None,
        media_type: str | None = None,
        *,
        on_capped: Callable[[str], None] | None = None,
    ) -> AsyncIterator[RunwayAsset]:
        """Every page, offset 0 to the documented 1000 by 50, until a page comes back short.

        An asset seen twice (the list moved while it was read) is yielded once. When the page at
        the last offset is full, more assets may exist that no offset reaches: the listing stops
        there and says so (a warning in the log, and `on_capped` with the sentence).
        """
        seen: set[str] = set()
        offset = 0
        while True:
            sent, assets = await self._page(offset, MAX_LIMIT, media_type, email)
            for asset in assets:
                if asset.asset_id not in seen:
                    seen.add(asset.asset_id)
                    yield asset
            if sent < MAX_LIMIT:
                return
            if offset + MAX_LIMIT > MAX_OFFSET:
                about = f" ({email})" if email else ""
                sentence = CAPPED.format(count=offset + MAX_LIMIT, about=about)
                log.warning("%s", sentence)
                if on_capped is not None:
                    on_capped(sentence)
                return
            offset += MAX_LIMIT

    async def delete_asset(self, asset_id: str) -> None:
        """`DELETE /v1/runwayml/assets/{assetId}`: one asset, permanently.

        A lost answer or a failed service is not guessed at: the asset is looked up, and only if
        it is still there is the delete sent again. An unknown id (or one already deleted) raises
        NotFound.
        """
        try:
            parsed = RunwayAssetId.parse(asset_id)
        except InvalidInput as error:
            raise InvalidInput(f"Invalid Runway assetId: {error.message}.") from None
        path = f"/v1/runwayml/assets/{quote(str(parsed), safe=':@')}"
        try:
            await self.connection.send("DELETE", path, subject=parsed.short, retry=NO_RETRY)
        except AssetDeskError as error:
            if not error.retryable:
                raise
            log.info("Runway delete of %s had no answer (%s); checking", parsed.short, error.kind)
            try:
                await self.get(str(parsed))
            except NotFound:
                return  # the first call did it
            await self.connection.send("DELETE", path, subject=parsed.short)

    async def get_task(self, task_id: str) -> RunwayTask:
        """`GET /v1/runwayml/tasks/{taskId}`: a generated asset's prompt, seed and model."""
        text = task_id.strip()
        if not text or "/" in text:
            raise InvalidInput("A Runway taskId is needed.")
        body = await self.connection.get_json(
            f"/v1/runwayml/tasks/{quote(text, safe=':@')}", subject="Runway task"
        )
        return parse_task(body, task_id=text)

    async def accounts(self) -> builtins.list[str]:
        """`GET /v1/runwayml/accounts`: the emails of the Runway accounts of the token."""
        body = await self.connection.get_json("/v1/runwayml/accounts", subject="Runway accounts")
        return sorted(body) if isinstance(body, dict) else []
