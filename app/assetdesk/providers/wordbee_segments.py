"""Wordbee's segments as a library: finding a project's segments, listing their assets in chunks,
and deleting one segment file, on a `WordbeeClient`'s authenticated session.

The delete endpoint deletes EVERY file of a segment when no `filename` is sent. Nothing here can
send that: `delete_asset` refuses a blank file name before any request, and always puts the file
name in the query it builds.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from assetdesk.core.errors import InvalidInput, UpstreamFailed
from assetdesk.core.ids import ScopeKind, WordbeeScope
from assetdesk.providers.http import as_dict, json_body
from assetdesk.providers.wordbee import WordbeeAsset, WordbeeClient

log = logging.getLogger("assetdesk.providers.wordbee")

#: Segment ids per multi-segment list call. The page names no maximum; the ids travel in the
#: query string (about 11 bytes each as `27665601%2C`), and IIS, which serves Wordbee, refuses
#: query strings over 2,048 bytes by default: 100 ids (~1.1 KB) stay well inside that.
LIST_CHUNK = 100
#: Rows per segment-search page: API2's generic lists allow `take` up to 500.
SEARCH_TAKE = 500
#: A project larger than this is surely a service that ignores `skip`: stop rather than loop.
SEARCH_MAX_PAGES = 2000


def scope_object(scope: WordbeeScope) -> dict[str, Any]:
    """The search API's scope object for a `pr…`, `jbs…` or `jbc…` scope."""
    if scope.kind is ScopeKind.PROJECT:
        return {"type": "Project", "projectid": scope.number}
    return {"type": "Job", "jobid": scope.number, "jobcdyt": scope.kind is ScopeKind.CODYT_JOB}


def _rows(body: Any) -> list[Any]:
    result = as_dict(as_dict(body).get("result")) or as_dict(body)
    rows = result.get("rows")
    if not isinstance(rows, list):
        raise UpstreamFailed("Wordbee answered the segment search without a list of rows.")
    return rows


def _sid(row: Any) -> int | None:
    value = as_dict(row).get("sid")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def check_filename(filename: str | None) -> str:
    """`filename` when it names a file; InvalidInput when it is missing or blank (also a bare
    folder like `refs/`), which the service would take as "delete every file"."""
    if not isinstance(filename, str) or not filename.strip():
        raise InvalidInput("A Wordbee file name is needed to delete a segment file.")
    if not filename.replace("\\", "/").rsplit("/", 1)[-1].strip():
        raise InvalidInput(f"“{filename}” names a folder, not a Wordbee file.")
    return filename


class WordbeeSegments:
    """A project's segments and their files, through one signed-in `WordbeeClient`."""

    def __init__(self, client: WordbeeClient) -> None:
        self.client = client

    async def search_segments(self, project: int | str) -> list[int]:
        """`POST /api/resources/segments/search`: every segment id (`sid`) of a project (a
        project number, or a `pr…`/`jbs…`/`jbc…` scope), all pages, in the service's order."""
        scope = WordbeeScope.parse(f"pr{project}" if isinstance(project, int) else project)
        found: dict[int, None] = {}
        for page in range(SEARCH_MAX_PAGES):
            response = await self.client.send(
                "POST",
                "/api/resources/segments/search",
                params={},
                subject=f"segments of {scope}",
                payload={
                    "scope": scope_object(scope),
                    "skip": page * SEARCH_TAKE,
                    "take": SEARCH_TAKE,
                },
            )
            rows = _rows(json_body(response))
            before = len(found)
            found.update((sid, None) for row in rows if (sid := _sid(row)) is not None)
            if len(rows) < SEARCH_TAKE:
                break
            if len(found) == before:
                log.warning("Wordbee repeated a segment search page; stopping at %d", before)
                break
        return list(found)

    async def list_assets(self, scope: str, segment_ids: Sequence[int]) -> list[WordbeeAsset]:
        """`GET /api/resources/assets/list?scope=&segmentIds=`, `LIST_CHUNK` ids per call."""
        checked = str(WordbeeScope.parse(scope))
        unique = list(dict.fromkeys(int(s) for s in segment_ids))
        assets: list[WordbeeAsset] = []
        for start in range(0, len(unique), LIST_CHUNK):
            assets += await self.client.list_assets(unique[start : start + LIST_CHUNK], checked)
        return assets

    async def list_project_assets(self, scope: str) -> list[WordbeeAsset]:
        """The assets of every segment the search finds for `scope`."""
        segments = await self.search_segments(scope)
        return await self.list_assets(scope, segments) if segments else []

    async def delete_asset(
        self,
        segment_id: int,
        scope: str,
        filename: str,
        *,
        locale: str | None = None,
        relative_path: str | None = None,
    ) -> None:
        """`DELETE /api/resources/assets/{segmentid}?scope=&filename=[&locale=][&relativePath=]`:
        one file (only `locale`'s copy when given), permanently. The service answers 200 also
        when there was no such file."""
        params: dict[str, Any] = {
            "scope": str(WordbeeScope.parse(scope)),
            "filename": check_filename(filename),
        }
        if locale:
            params["locale"] = locale
        if relative_path:
            params["relativePath"] = relative_path
        await self.client.send(
            "DELETE", f"/api/resources/assets/{int(segment_id)}", params=params, subject=filename
        )
