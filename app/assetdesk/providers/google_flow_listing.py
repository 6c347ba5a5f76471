"""Google Flow's library through useapi.net: list an account's projects and a project's media,
read the job record of a generation, delete media in batches.

The answers' envelopes and field names are not public (MORE-ENDPOINTS.md 1.1-1.3), so they are
read by what they carry, not by where: a media entry is the outermost object of a list that holds
exactly one `mediaGenerationId` (a string, or wrapped as `{"mediaGenerationId": "..."}`); a project
entry is an object of a list that carries a project id. Everything else (kind from the id,
dimensions, create time, title, upload flag, counts) is taken when present, and the next page's
cursor is followed under any of the usual keys. An answer with nothing recognisable raises one
sentence naming the account.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from assetdesk.core.errors import (
    BadRequest,
    BatchRefused,
    Forbidden,
    InvalidInput,
    NotFound,
    UpstreamFailed,
)
from assetdesk.core.ids import JOB_SUFFIX, MediaGenerationId
from assetdesk.net.retry import NO_RETRY
from assetdesk.providers.http import whole_number
from assetdesk.providers.useapi import UseapiConnection

#: The service's limit on ids per delete call.
DELETE_BATCH_LIMIT = 100
#: The delete body's key (the page does not show it; the sandbox uses the same guess).
DELETE_KEY = "mediaGenerationIds"
#: A listing that keeps sending new cursors is cut off here rather than followed forever.
MAX_PAGES = 10_000

_CURSOR_KEYS = (
    "nextCursor",
    "next_cursor",
    "cursor",
    "nextPageToken",
    "next_page_token",
    "pageToken",
    "continuationToken",
    "next",
    "nextPage",
)
_PROJECT_ID_KEYS = ("projectId", "project_id")
_TITLE_KEYS = ("title", "projectTitle", "displayName", "mediaTitle", "name")
_COUNT_KEYS = ("mediaCount", "media_count", "total", "totalCount", "count")
_CREATED_KEYS = ("createTime", "createdAt", "created", "creationTime", "createdTime")
_UPLOAD_KEYS = ("likelyUpload", "likely_upload")
_UPLOAD_MARKS = ("userUploadedImage", "userUploadedVideo")
_LIST_KEYS = ("projects", "media", "items", "results", "entries", "data")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class FlowProject:
    """One project of a Google Flow account. `media_count` counts generated media only (the
    service's counts come from the generation history; uploads are not in them)."""

    project_id: str
    title: str | None
    media_count: int | None


@dataclass(frozen=True)
class FlowMedia:
    """One entry of a project's media: generated (the timeline) or attached (mostly uploads)."""

    media_generation_id: str
    project_id: str | None
    likely_upload: bool | None
    kind: str | None
    width: int | None
    height: int | None
    created: str | None
    title: str | None


# ----------------------------------------------------------------- walking an answer


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    """`value` and the objects nested in it through objects only (not lists), breadth first."""
    queue = [value]
    while queue:
        item = queue.pop(0)
        if isinstance(item, dict):
            yield item
            queue += [v for v in item.values() if isinstance(v, dict)]


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return whole_number(value) is not None


def _first(value: Any, keys: Sequence[str], accept: Callable[[Any], bool]) -> Any:
    """The first value under one of `keys` that `accept` takes, nearest objects first."""
    for obj in _dicts(value):
        for key in keys:
            if key in obj and accept(obj[key]):
                return obj[key]
    return None


def _media_ids(value: Any) -> set[str]:
    """Every mediaGenerationId carried anywhere in `value`."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key == "mediaGenerationId" and isinstance(inner, str) and inner:
                    found.add(inner)
                else:
                    stack.append(inner)
        elif isinstance(item, list):
            stack += item
    return found


def _entries(value: Any, accept: Callable[[dict[str, Any]], bool]) -> Iterator[dict[str, Any]]:
    """The outermost objects inside lists of `value` that `accept` takes, in order."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and accept(item):
                yield item
            else:
                yield from _entries(item, accept)
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _entries(inner, accept)


def _has_list(body: Any) -> bool:
    """Whether the answer holds a collection under a listing key (maybe empty)."""
    return any(isinstance(obj.get(key), list) for obj in _dicts(body) for key in _LIST_KEYS)


def _without_lists(value: Any) -> Any:
    """The answer's envelope: its objects with every list left out (where a cursor may sit)."""
    if isinstance(value, dict):
        return {k: _without_lists(v) for k, v in value.items() if not isinstance(v, list)}
    return value


def next_cursor(body: Any) -> str | None:
    """The next page's cursor when the answer carries one (a URL's `cursor` parameter too)."""
    found = _first(_without_lists(body), _CURSOR_KEYS, _is_text)
    if not isinstance(found, str) or not found.strip():
        return None
    if found.startswith(("http://", "https://", "/")) or "cursor=" in found:
        query = parse_qs(urlsplit(found).query)
        values = query.get("cursor") or query.get("pageToken")
        return values[0] if values else None
    return found


def _project_id(entry: dict[str, Any]) -> str | None:
    found = _first(entry, _PROJECT_ID_KEYS, _is_text)
    if found is None:
        nested = entry.get("project")
        candidate = nested.get("id") if isinstance(nested, dict) else entry.get("id")
        found = candidate if isinstance(candidate, str) and candidate else None
    return found if isinstance(found, str) else None


def parse_projects(body: Any) -> list[FlowProject]:
    """The projects of one answer (an empty list for an empty listing); None-safe fields."""
    projects = []
    for entry in _entries(body, lambda item: _project_id(item) is not None):
        project_id = _project_id(entry)
        assert project_id is not None
        title = _first(entry, _TITLE_KEYS, _is_text)
        count = whole_number(_first(entry, _COUNT_KEYS, _is_number))
        projects.append(FlowProject(project_id, title, count))
    return projects


def _dimension(entry: dict[str, Any], name: str) -> int | None:
    for obj in _dicts(entry):
        dims = obj.get("dimensions")
        if isinstance(dims, dict) and whole_number(dims.get(name)) is not None:
            return whole_number(dims.get(name))
    return whole_number(_first(entry, (name,), _is_number))


def _kind(media_generation_id: str, entry: dict[str, Any]) -> str | None:
    try:
        return MediaGenerationId.parse(media_generation_id).kind
    except InvalidInput:
        found = _first(entry, ("type", "kind", "mediaType"), _is_text)
        return found.lower() if isinstance(found, str) else None


def _likely_upload(entry: dict[str, Any]) -> bool | None:
    flag = _first(entry, _UPLOAD_KEYS, _is_flag)
    if isinstance(flag, bool):
        return flag
    if any(key in obj for obj in _dicts(entry) for key in _UPLOAD_MARKS):
        return True
    return None


def parse_media(body: Any, project_id: str | None = None) -> list[FlowMedia]:
    """The media entries of one answer; `project_id` stands in where an entry names none."""
    envelope_project = project_id or _first(_without_lists(body), _PROJECT_ID_KEYS, _is_text)
    media = []
    for entry in _entries(body, lambda item: len(_media_ids(item)) == 1):
        (media_generation_id,) = _media_ids(entry)
        media.append(
            FlowMedia(
                media_generation_id=media_generation_id,
                project_id=_first(entry, _PROJECT_ID_KEYS, _is_text) or envelope_project,
                likely_upload=_likely_upload(entry),
                kind=_kind(media_generation_id, entry),
                width=_dimension(entry, "width"),
                height=_dimension(entry, "height"),
                created=_first(entry, _CREATED_KEYS, _is_text),
                title=_first(entry, _TITLE_KEYS[:4], _is_text),
            )
        )
    return media


# ---------------------------------------------------------------------- the client


class GoogleFlowLibrary:
    """The listing and deleting calls of Google Flow for one useapi.net account."""

    def __init__(self, connection: UseapiConnection) -> None:
        self.connection = connection

    async def _pages(
        self, path: str, params: dict[str, str], subject: str, what: str
    ) -> AsyncIterator[Any]:
        """Each page's body, following the cursor; refuses an answer with nothing to read."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = {**params, **({"cursor": cursor} if cursor else {})}
            body = await self.connection.get_json(path, subject=subject, params=query or None)
            yield body
            cursor = next_cursor(body)
            if cursor is None:
                return
            if cursor in seen:
                raise UpstreamFailed(
                    f"useapi.net sent the same page of the {what} twice; the listing stopped there."
                )
            seen.add(cursor)
        raise UpstreamFailed(
            f"useapi.net kept sending pages of the {what}; it stopped at {MAX_PAGES}."
        )

    async def list_projects(self, email: str) -> AsyncIterator[FlowProject]:
        """`GET /v1/google-flow/assets/projects/{email}`: every project holding media, all pages."""
        what = f"Google Flow projects of {email}"
        path = f"/v1/google-flow/assets/projects/{quote(email, safe='')}"
        async for body in self._pages(path, {}, what, what):
            projects = parse_projects(body)
            if not projects and not _has_list(body):
                raise _unreadable(what, body)
            for project in projects:
                yield project

    async def list_media(
        self, email: str, project_id: str | None = None, *, progress: Progress | None = None
    ) -> AsyncIterator[FlowMedia]:
        """`GET /v1/google-flow/assets/media/{email}?projectId=`: a project's media (without
        `project_id`, the account's current project), all pages; `progress` gets the number of
        entries read so far after each page."""
        where = f"project {project_id}" if project_id else "current project"
        what = f"Google Flow media of {email} ({where})"
        path = f"/v1/google-flow/assets/media/{quote(email, safe='')}"
        params = {"projectId": project_id} if project_id else {}
        seen: set[str] = set()
        async for body in self._pages(path, params, what, what):
            media = parse_media(body, project_id)
            if (
                not media
                and not _has_list(body)
                and _first(body, ("likelyUploads",), _is_number) is None
            ):
                raise _unreadable(what, body)
            for item in media:
                if item.media_generation_id not in seen:
                    seen.add(item.media_generation_id)
                    yield item
            if progress is not None:
                progress(len(seen))

    async def job(self, job_id: str) -> dict[str, Any]:
        """`GET /v1/google-flow/jobs/{jobId}`: the record of a generation started through
        useapi.net, as the service sent it (prompt, model and seed in `request`; its media in
        `response`, in one of two documented shapes: services read it defensively)."""
        body = await self.connection.get_json(
            f"/v1/google-flow/jobs/{quote(job_id, safe='')}", subject=f"Google Flow job {job_id}"
        )
        if not isinstance(body, dict):
            raise UpstreamFailed(
                f"useapi.net answered Google Flow job {job_id} with something other than a record.",
                service_text=str(body)[:300],
            )
        return body

    async def recent_jobs(self) -> list[str]:
        """`GET /v1/google-flow/jobs?options=history`: the ids of the jobs useapi.net ran for
        this token lately (its page: the 10 newest completed ones of the last 15 minutes).

        The answer's fields are not on the page: every job id is taken wherever it sits (a
        string ending in `-bot:google-flow`), newest first as listed, each once."""
        body = await self.connection.get_json(
            "/v1/google-flow/jobs", params={"options": "history"}, subject="Google Flow jobs"
        )
        return list(dict.fromkeys(_job_ids(body)))

    async def delete_media(self, email: str, ids: Sequence[str]) -> None:
        """`DELETE /v1/google-flow/assets/{email}` with at most 100 ids, checked whole by the
        service: a refusal raises BatchRefused with the service's words and the batch's ids they
        name, and nothing was deleted. Not retried: after a lost answer only a new listing can
        tell what happened."""
        batch = list(dict.fromkeys(ids))
        if not batch:
            raise InvalidInput("No Google Flow assets were given to delete.")
        if len(batch) > DELETE_BATCH_LIMIT:
            raise InvalidInput(
                f"Google Flow deletes at most {DELETE_BATCH_LIMIT} assets per call; "
                f"{len(batch)} were given for {email}."
            )
        try:
            await self.connection.send(
                "DELETE",
                f"/v1/google-flow/assets/{quote(email, safe='')}",
                subject=f"delete on Google Flow account {email}",
                headers={"Content-Type": "application/json"},
                content=json.dumps({DELETE_KEY: batch}).encode(),
                retry=NO_RETRY,
            )
        except (BadRequest, Forbidden, NotFound) as refusal:
            words = refusal.service_text or refusal.message
            named = tuple(i for i in batch if i in words)
            raise BatchRefused(
                f"Google Flow refused to delete {_assets(len(batch))} on {email}, so none was "
                f"deleted: {words.rstrip('. ')}.",
                named_ids=named,
                service_text=refusal.service_text,
                status=refusal.status,
            ) from None


def _assets(count: int) -> str:
    return "1 asset" if count == 1 else f"{count} assets"


def _unreadable(what: str, body: Any) -> UpstreamFailed:
    return UpstreamFailed(
        f"useapi.net answered the {what} with nothing recognisable as a listing.",
        service_text=str(body)[:300],
    )


def _job_ids(value: Any) -> Iterator[str]:
    """Every useapi.net Google Flow job id in an answer, wherever it sits."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(JOB_SUFFIX) and " " not in text:
            yield text
    elif isinstance(value, list):
        for item in value:
            yield from _job_ids(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _job_ids(item)
