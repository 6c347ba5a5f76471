"""Sending a file to a Wordbee segment: stage it (`POST /api/media/upload?filename=`, one
multipart part streamed from disk), then attach its file token to the segment (`POST
/api/resources/assets/{segmentid}?scope=pr…` with `{filetoken, locale?, relativePath?}`).

1. Staging sends the whole file. Its session token refused: the client signs in again and sends
   it again (nothing was kept). Its answer lost: a NetworkError, since nothing is attached yet
   and sending again is safe.
2. The attach is a small JSON call. Its session token expired since the staging: the client
   signs in again and repeats the attach with the same file token. The file token refused
   (unknown, used or expired): the file is staged again, once. Its answer lost once the request
   was sent in full: OutcomeUnknown (the segment may hold the file now). Its body awaits the
   caller's `before_last_byte` first: from the attach on, the segment may hold the file.

Neither call is retried otherwise: the upload queue decides what each typed error means.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from assetdesk.core.errors import (
    BadRequest,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    UpstreamFailed,
)
from assetdesk.core.ids import ScopeKind, WordbeeScope
from assetdesk.net.answers import AnswerRefused
from assetdesk.net.retry import NO_RETRY, RetryPolicy
from assetdesk.providers.http import as_dict, body_text, json_body
from assetdesk.providers.upload_body import (
    UPLOAD_TIMEOUT,
    BeforeLastByte,
    BytesBody,
    MultipartFileBody,
    Progress,
    outcome_unknown,
)
from assetdesk.providers.wordbee_errors import SERVICE, file_token_refused

log = logging.getLogger("assetdesk.providers.wordbee")


class WordbeeSender(Protocol):
    """The signed-in call of `WordbeeClient` (renewing an expired session token once)."""

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any],
        subject: str,
        stream: bool = False,
        headers: dict[str, str] | None = None,
        payload: Any = None,
        content: Any = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | None = None,
        upload: bool = False,
    ) -> httpx.Response: ...


@dataclass(frozen=True)
class SegmentTarget:
    """Where a file goes: a project scope, a segment, the file's name, locale and folder."""

    scope: WordbeeScope
    segment_id: int
    filename: str
    locale: str | None
    relative_path: str | None

    @classmethod
    def parse(
        cls,
        scope: str,
        segment_id: int,
        filename: str,
        locale: str | None,
        relative_path: str | None,
    ) -> SegmentTarget:
        """Checked before anything is sent: uploads go to a project's segments only."""
        checked = WordbeeScope.parse(scope)
        if checked.kind is not ScopeKind.PROJECT:
            raise InvalidInput(
                f"Wordbee takes uploads into a project's segments (pr and a number), not {scope}."
            )
        if not filename.strip():
            raise InvalidInput("A Wordbee file name is needed.")
        return cls(checked, int(segment_id), filename, locale or None, relative_path or None)


async def stage(
    client: WordbeeSender,
    path: Path,
    filename: str,
    *,
    content_type: str,
    size: int,
    progress: Progress | None,
) -> str:
    """`POST /api/media/upload?filename=`: the staged file's token."""
    body = MultipartFileBody(
        path, size, filename=filename, content_type=content_type, progress=progress
    )
    response = await client.send(
        "POST",
        "/api/media/upload",
        params={"filename": filename},
        subject=filename,
        headers={"Content-Type": body.content_type, "Content-Length": str(body.length)},
        content=body,
        retry=NO_RETRY,
        timeout=UPLOAD_TIMEOUT,
        upload=True,
    )
    token = as_dict(as_dict(json_body(response)).get("result")).get("token")
    if not isinstance(token, str) or not token:
        raise UpstreamFailed(
            f"Wordbee took {filename} but sent no file token.",
            service_text=body_text(response) or None,
        )
    return token


async def attach(
    client: WordbeeSender,
    token: str,
    target: SegmentTarget,
    *,
    before_last_byte: BeforeLastByte | None = None,
) -> Any:
    """`POST /api/resources/assets/{segmentid}?scope=` with the file token: the answer."""
    payload: dict[str, Any] = {"filetoken": token}
    if target.locale:
        payload["locale"] = target.locale
    if target.relative_path:
        payload["relativePath"] = target.relative_path
    body = BytesBody(json.dumps(payload).encode(), before_last_byte=before_last_byte)
    try:
        response = await client.send(
            "POST",
            f"/api/resources/assets/{target.segment_id}",
            params={"scope": str(target.scope)},
            subject=f"{target.filename} for segment {target.segment_id}",
            headers={"Content-Type": "application/json", "Content-Length": str(len(body.data))},
            content=body,
            retry=NO_RETRY,
        )
    except (NetworkError, AnswerRefused) as error:
        raise outcome_unknown(error, body, service=SERVICE, name=target.filename) from None
    return json_body(response)


async def stage_and_attach(
    client: WordbeeSender,
    path: Path,
    target: SegmentTarget,
    *,
    content_type: str,
    size: int,
    progress: Progress | None = None,
    before_last_byte: BeforeLastByte | None = None,
) -> tuple[dict[str, Any], Any]:
    """Stage, attach (staging again once if the file token is refused): the attached file as a
    list item, the answer's fields over what was sent, and the answer itself."""
    for restaged in (False, True):
        token = await stage(
            client, path, target.filename, content_type=content_type, size=size, progress=progress
        )
        try:
            answer = await attach(client, token, target, before_last_byte=before_last_byte)
        except (BadRequest, NotFound, Forbidden) as error:
            if restaged or not file_token_refused(error):
                raise
            log.info("Wordbee refused the file token of %s; staging it again", target.filename)
            continue
        sent = {
            "projectId": target.scope.number,
            "segmentId": target.segment_id,
            "locale": target.locale,
            "relativePath": target.relative_path or "",
            "name": target.filename,
            "size": size,
            "contentType": content_type,
        }
        item = as_dict(answer)
        return {**sent, **{k: v for k, v in item.items() if v is not None}}, answer
    raise AssertionError("unreachable")
