"""Wordbee Translator: token from account id + API key, segment assets (list, download, upload).

Every call sends `X-Auth-Token` and `X-Auth-AccountId`. A token dies after 30 minutes without use;
the client then gets a new one with the stored key, once, and repeats the call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assetdesk.core.addresses import normalise_base_url
from assetdesk.core.errors import (
    AssetDeskError,
    BadRequest,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.core.ids import WordbeeScope
from assetdesk.net.answers import ANSWER_DEADLINE, exchange, json_answer
from assetdesk.net.clients import DEFAULT_TIMEOUT, make_http_client
from assetdesk.net.retry import DEFAULT_RETRY, RetryPolicy, with_retries
from assetdesk.providers.http import body_text, json_body, whole_number
from assetdesk.providers.upload_body import BeforeLastByte, Progress
from assetdesk.providers.wordbee_errors import (
    SERVICE,
    error_text,
    is_expired_token,
    wordbee_error,
)
from assetdesk.providers.wordbee_upload import SegmentTarget, stage_and_attach

log = logging.getLogger("assetdesk.providers.wordbee")


@dataclass(frozen=True)
class WordbeeAsset:
    """One file attached to a segment, as the list calls describe it."""

    project_id: int | None
    document_id: int | None
    segment_id: int
    locale: str | None
    relative_path: str | None
    name: str
    size: int | None
    content_type: str | None
    created: str | None
    modified: str | None
    download_url: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_asset(item: dict[str, Any]) -> WordbeeAsset | None:
    segment = whole_number(item.get("segmentId"))
    name = _text(item.get("name"))
    if segment is None or name is None:
        return None
    return WordbeeAsset(
        project_id=whole_number(item.get("projectId")),
        document_id=whole_number(item.get("documentId")),
        segment_id=segment,
        locale=_text(item.get("locale")),
        relative_path=_text(item.get("relativePath")),
        name=name,
        size=whole_number(item.get("size")),
        content_type=_text(item.get("contentType")),
        created=_text(item.get("createdDate")),
        modified=_text(item.get("modifiedDate")),
        download_url=_text(item.get("downloadUrl")),
        raw=item,
    )


class WordbeeClient:
    """One Wordbee account: its base URL (the company's Wordbee address), account id and API key."""

    def __init__(
        self,
        base_url: str,
        account_id: str,
        api_key: str,
        *,
        token: str | None = None,
        on_token: Callable[[str | None], None] | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float = ANSWER_DEADLINE,
    ) -> None:
        root = normalise_base_url(base_url)
        root = root.removesuffix("/api")
        self.base_url = root
        self.account_id = account_id
        self._key = api_key
        self._token = token
        self._on_token = on_token
        self._token_lock = asyncio.Lock()
        self.retry = retry
        #: A call's whole exchange, in seconds (net/answers.py); uploads bound only their answer.
        self.deadline = deadline
        self.http = make_http_client(root, timeout=timeout)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> WordbeeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def token(self) -> str | None:
        return self._token

    def _set_token(self, token: str | None) -> None:
        self._token = token
        if self._on_token is not None:
            self._on_token(token)

    async def authenticate(self) -> str:
        """`POST /api/auth/token`: a new session token from the account id and key."""
        request = self.http.build_request(
            "POST", "/api/auth/token", json={"accountid": self.account_id, "key": self._key}
        )
        response = await exchange(self.http, request, service=SERVICE, deadline=self.deadline)
        if not response.is_success:
            refused = wordbee_error(response, subject="sign-in")
            if isinstance(refused, BadRequest | NotFound | Forbidden):
                raise Unauthorized(
                    "Wordbee refused the account id or API key.",
                    service_text=refused.service_text,
                    status=response.status_code,
                )
            raise refused
        token = json_body(response)
        if isinstance(token, dict):
            token = token.get("token")
        elif token is None:  # tolerate a bare, unquoted token in a text/plain answer
            bare = response.text.strip()
            token = bare if bare and " " not in bare and len(bare) < 4096 else None
        if not isinstance(token, str) or not token:
            raise UpstreamFailed("Wordbee answered the sign-in without a token.")
        self._set_token(token)
        return token

    async def sign_out(self) -> None:
        """`DELETE /api/auth/token`: end the session token, if there is one."""
        token, self._token = self._token, None
        if token is None:
            return
        request = self.http.build_request("DELETE", "/api/auth/token", headers=self._headers(token))
        try:
            await exchange(self.http, request, service=SERVICE, deadline=self.deadline)
        except AssetDeskError as error:  # the session ends on its own anyway
            log.info("Wordbee sign-out did not complete: %s", error.kind)
        finally:
            self._set_token(None)

    async def renew_session(self) -> str:
        """Sign in afresh (the account's connection test), ending the previous session first."""
        async with self._token_lock:
            await self.sign_out()
            return await self.authenticate()

    def _headers(self, token: str) -> dict[str, str]:
        return {"X-Auth-Token": token, "X-Auth-AccountId": self.account_id}

    async def _current_token(self, stale: str | None = None) -> str:
        async with self._token_lock:
            if self._token is None or self._token == stale:
                return await self.authenticate()
            return self._token

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
    ) -> httpx.Response:
        """One call (with `payload` as its JSON body, or `content` as it is), re-authenticating
        once if the token has expired (`content` is then sent again: a body that can make a
        second pass); a non-2xx answer raises its typed error. The answer is read within bounds
        (net/answers.py: the whole exchange within the deadline, an `upload` only its answer;
        a `stream`ed success is the caller's to read)."""

        async def attempt() -> httpx.Response:
            token = await self._current_token()
            for renewed in (False, True):
                request = self.http.build_request(
                    method,
                    path,
                    params=params,
                    headers={**(headers or {}), **self._headers(token)},
                    json=payload,
                    content=content,
                    timeout=timeout if timeout is not None else self.http.timeout,
                )
                response = await exchange(
                    self.http,
                    request,
                    service=SERVICE,
                    deadline=None if upload else self.deadline,
                    stream=stream,
                )
                if response.is_success:
                    return response
                text = error_text(json_body(response)) or body_text(response)
                if not renewed and is_expired_token(response.status_code, text):
                    log.info("Wordbee token expired; signing in again")
                    token = await self._current_token(stale=token)
                    continue
                raise wordbee_error(response, subject=subject)
            raise AssertionError("unreachable")

        return await with_retries(attempt, retry or self.retry, what=f"Wordbee {path}")

    async def list_segment_assets(self, segment_id: int, scope: str) -> list[WordbeeAsset]:
        """`GET /api/resources/assets/{segmentid}/list?scope=`."""
        checked = WordbeeScope.parse(scope)
        response = await self.send(
            "GET",
            f"/api/resources/assets/{int(segment_id)}/list",
            params={"scope": str(checked)},
            subject=f"segment {segment_id}",
        )
        return self._parse_list(response)

    async def list_assets(self, segment_ids: Sequence[int], scope: str) -> list[WordbeeAsset]:
        """`GET /api/resources/assets/list?scope=&segmentIds=1,2`."""
        if not segment_ids:
            raise InvalidInput("Name at least one segment id.")
        checked = WordbeeScope.parse(scope)
        response = await self.send(
            "GET",
            "/api/resources/assets/list",
            params={
                "scope": str(checked),
                "segmentIds": ",".join(str(int(s)) for s in segment_ids),
            },
            subject=f"{len(segment_ids)} segments",
        )
        return self._parse_list(response)

    @staticmethod
    def _parse_list(response: httpx.Response) -> list[WordbeeAsset]:
        body = json_answer(response, service=SERVICE, what="an asset list")
        if not isinstance(body, list):
            raise UpstreamFailed("Wordbee sent an asset list that is not a JSON array.")
        return [asset for item in body if isinstance(item, dict) if (asset := parse_asset(item))]

    @asynccontextmanager
    async def open_download(
        self,
        segment_id: int,
        scope: str,
        filename: str,
        *,
        locale: str | None = None,
        relative_path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """`GET /api/resources/assets/{segmentid}?scope=&filename=&locale=&relativePath=`, streamed.

        The response's headers (Content-Type, Content-Length, Content-Disposition) are the server's
        data: the transfer layer sanitises any file name taken from them.
        """
        if not filename.strip():
            raise InvalidInput("A Wordbee file name is needed.")
        params: dict[str, Any] = {"scope": str(WordbeeScope.parse(scope)), "filename": filename}
        if locale:
            params["locale"] = locale
        if relative_path:
            params["relativePath"] = relative_path
        response = await self.send(
            "GET",
            f"/api/resources/assets/{int(segment_id)}",
            params=params,
            subject=filename,
            stream=True,
            headers=headers,
        )
        try:
            yield response
        finally:
            await response.aclose()

    async def upload_to_segment(
        self,
        path: Path,
        *,
        scope: str,
        segment_id: int,
        filename: str,
        content_type: str,
        size: int,
        locale: str | None = None,
        relative_path: str | None = None,
        progress: Progress | None = None,
        before_last_byte: BeforeLastByte | None = None,
    ) -> WordbeeAsset:
        """Stage the file, then attach it to the segment (providers/wordbee_upload.py: what
        is renewed, staged again or left to the upload queue); the attached file, its fields
        filled from what was sent where the answer leaves them out. `before_last_byte` is
        awaited before the attach's body goes (the call that puts the file on the segment)."""
        target = SegmentTarget.parse(scope, segment_id, filename, locale, relative_path)
        item, answer = await stage_and_attach(
            self,
            path,
            target,
            content_type=content_type,
            size=size,
            progress=progress,
            before_last_byte=before_last_byte,
        )
        asset = parse_asset(item)
        if asset is None:  # unreachable: `item` holds the segment and name that were sent
            raise UpstreamFailed(f"Wordbee's answer for {filename} names no file.")
        return dataclasses.replace(asset, raw=answer)
