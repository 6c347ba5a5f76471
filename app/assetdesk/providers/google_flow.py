"""Google Flow through useapi.net: accounts, uploads, signed download URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from assetdesk.core.errors import NetworkError, OutcomeUnknown, UpstreamFailed
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.media import MediaKind, MediaType
from assetdesk.core.provider import Provider
from assetdesk.net.answers import AnswerRefused
from assetdesk.net.retry import NO_RETRY
from assetdesk.providers.http import as_dict, json_body
from assetdesk.providers.upload_body import (
    UPLOAD_TIMEOUT,
    BeforeLastByte,
    FileBody,
    Progress,
    outcome_unknown,
)
from assetdesk.providers.useapi import UseapiConnection

#: Signed URLs last about six hours; without an `Expires` we assume a little less.
SIGNED_URL_LIFETIME = timedelta(hours=6)
_ASSUMED_LIFETIME = timedelta(hours=5, minutes=30)


@dataclass(frozen=True)
class FlowAccount:
    """One Google Flow account connected to the token, as the service reports it."""

    email: str
    health: str
    error: str | None
    project_id: str | None
    project_title: str | None
    next_refresh: str | None
    credits: int | float | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def healthy(self) -> bool:
        return self.health.upper() == "OK" and not self.error


@dataclass(frozen=True)
class UploadedAsset:
    """What an upload answered: the id to keep, the account used, and the media's measures."""

    media_generation_id: str
    kind: MediaKind
    email: str | None
    width: int | None
    height: int | None
    duration_seconds: float | None
    display_name: str | None
    created: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class SignedUrl:
    """A download URL that carries its own authorisation. Never cache it past `expires_at`."""

    url: str
    media_generation_id: str
    resolved_at: datetime
    expires_at: datetime

    def fresh(
        self, *, margin: timedelta = timedelta(minutes=5), now: datetime | None = None
    ) -> bool:
        return (now or datetime.now(UTC)) + margin < self.expires_at


def signed_url_expiry(url: str, resolved_at: datetime) -> datetime:
    """When a signed URL stops working: `Expires` (V2) or `X-Goog-Date` + `X-Goog-Expires` (V4)."""
    query = {key.lower(): values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    try:
        if "expires" in query:
            return datetime.fromtimestamp(int(query["expires"]), UTC)
        if "x-goog-date" in query and "x-goog-expires" in query:
            start = datetime.strptime(query["x-goog-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return start + timedelta(seconds=int(query["x-goog-expires"]))
    except (ValueError, OverflowError, OSError):
        pass
    return resolved_at + _ASSUMED_LIFETIME


def _flow_account(email: str, data: Any) -> FlowAccount:
    info = as_dict(data)
    project = as_dict(info.get("project"))
    refresh = as_dict(info.get("nextRefresh"))
    credits = info.get("credits")
    if isinstance(credits, dict):
        credits = credits.get("credits")
    error = info.get("error")
    return FlowAccount(
        email=email,
        health=str(info.get("health") or ("OK" if not error else "error")),
        error=str(error) if error else None,
        project_id=_text(project.get("projectId")),
        project_title=_text(project.get("projectTitle")),
        next_refresh=_text(refresh.get("scheduledFor")),
        credits=credits if isinstance(credits, int | float) else None,
        raw=info,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)s?\s*", value)
        if match:
            return float(match[1])
    return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def parse_upload_response(body: Any, media_type: MediaType) -> UploadedAsset:
    """Read either documented shape (image or video); tolerant of missing optional parts."""
    # A 2xx for the whole file that cannot be read: the service may well have kept the file,
    # so it is an unknown outcome (never re-sent by itself), not a failure to retry.
    if not isinstance(body, dict):
        raise OutcomeUnknown(
            "useapi.net answered the upload with something that is not JSON: it is not known "
            "whether Google Flow kept the file."
        )
    ref = body.get("mediaGenerationId")
    media_generation_id = ref.get("mediaGenerationId") if isinstance(ref, dict) else ref
    if not isinstance(media_generation_id, str) or not media_generation_id:
        raise OutcomeUnknown(
            "useapi.net accepted the upload but sent no mediaGenerationId: it is not known "
            "whether Google Flow kept the file.",
            service_text=str(body)[:300],
        )
    media = as_dict(body.get("media"))
    dims = as_dict(as_dict(media.get(media_type.kind.value)).get("dimensions"))
    metadata = as_dict(as_dict(body.get("workflow")).get("metadata"))
    media_meta = as_dict(media.get("mediaMetadata"))
    duration = _number(body.get("durationSeconds"))
    if duration is None and media_type.kind is MediaKind.VIDEO:
        duration = _number(dims.get("length"))
    return UploadedAsset(
        media_generation_id=media_generation_id,
        kind=media_type.kind,
        email=_text(body.get("email")),
        width=_int(body.get("width")) or _int(dims.get("width")),
        height=_int(body.get("height")) or _int(dims.get("height")),
        duration_seconds=duration,
        display_name=_text(metadata.get("displayName")),
        created=_text(media_meta.get("createTime")),
        raw=body,
    )


class GoogleFlowClient:
    """Google Flow calls for one useapi.net account."""

    def __init__(self, connection: UseapiConnection) -> None:
        self.connection = connection

    async def accounts(self) -> list[FlowAccount]:
        """`GET /v1/google-flow/accounts`: every Google account connected to the token."""
        body = await self.connection.get_json(
            "/v1/google-flow/accounts", subject="Google Flow accounts"
        )
        if not isinstance(body, dict):
            return []
        return [_flow_account(email, data) for email, data in body.items()]

    async def account(self, email: str) -> FlowAccount:
        """`GET /v1/google-flow/accounts/{email}`, with credits."""
        body = await self.connection.get_json(
            f"/v1/google-flow/accounts/{quote(email, safe='')}",
            subject=f"Google Flow account {email}",
        )
        return _flow_account(email, body)

    async def upload(
        self,
        path: Path,
        media_type: MediaType,
        size: int,
        *,
        email: str | None = None,
        progress: Progress | None = None,
        before_last_byte: BeforeLastByte | None = None,
    ) -> UploadedAsset:
        """`POST /v1/google-flow/assets[/{email}]` with the file as a streaming body.

        The caller has checked the file's real type and size (core.sniff). Not retried here:
        the upload queue decides what to do with each typed error. A connection lost once the
        whole file was sent raises OutcomeUnknown (the service may have kept it);
        `before_last_byte` is awaited before the file's last chunk goes (upload_body.py).
        """
        target = "/v1/google-flow/assets"
        if email:
            target += f"/{quote(email, safe='')}"
        body = FileBody(path, size, progress=progress, before_last_byte=before_last_byte)
        try:
            response = await self.connection.send(
                "POST",
                target,
                subject=path.name,
                headers={"Content-Type": media_type.mime, "Content-Length": str(size)},
                content=body,
                retry=NO_RETRY,
                timeout=UPLOAD_TIMEOUT,
                upload=True,
            )
        except (NetworkError, AnswerRefused) as error:
            raise outcome_unknown(
                error, body, service=Provider.GOOGLE_FLOW.label, name=path.name
            ) from None
        return parse_upload_response(json_body(response), media_type)

    async def resolve_url(self, media_generation_id: str | MediaGenerationId) -> SignedUrl:
        """`GET /v1/google-flow/assets/{mediaGenerationId}`: a fresh signed download URL."""
        parsed = (
            media_generation_id
            if isinstance(media_generation_id, MediaGenerationId)
            else MediaGenerationId.parse(media_generation_id)
        )
        parsed.require_asset()
        text = str(parsed)
        resolved_at = datetime.now(UTC)
        body = await self.connection.get_json(
            f"/v1/google-flow/assets/{quote(text, safe='')}", subject=f"asset {parsed.short}"
        )
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UpstreamFailed(
                "useapi.net sent no download URL for this asset.", service_text=str(body)[:300]
            )
        return SignedUrl(
            url=url,
            media_generation_id=text,
            resolved_at=resolved_at,
            expires_at=signed_url_expiry(url, resolved_at),
        )
