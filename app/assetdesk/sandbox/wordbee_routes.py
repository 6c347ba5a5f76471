"""The Wordbee Translator origin: auth tokens, segment assets (list, download, delete, and the
upload of sandbox/wordbee_upload_routes.py) and the segment search under /api/.

Status choices where the pages leave room: a missing, unknown or idle-expired token answers
Wordbee's default 400 with "Token invalid or expired." (401 with the setting
`wordbee_expired_status=401`); other errors use 400 too, and a missing asset 404.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
import urllib.parse
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.http_bits import FileStream
from assetdesk.sandbox.state import SandboxState, WordbeeAsset, WordbeeToken, iso
from assetdesk.sandbox.wordbee_search import search_segments
from assetdesk.sandbox.wordbee_upload_routes import upload_routes

SCOPE = re.compile(r"(pr|jbs|jbc)\d+")
TOKEN_INVALID = "Token invalid or expired."


def wordbee_error(request: Request, status: int, title: str, details: str, now: float) -> Response:
    body = {
        "error": {
            "operation": f"{request.method} {request.url.path}",
            "date": iso(now),
            "title": title,
            "details": details,
            "errorurl": "",
            "messages": [details],
        },
        "reason": details,
    }
    return JSONResponse(body, status_code=status)


def content_disposition(name: str) -> str:
    """`inline; filename="..."`, plus `filename*=UTF-8''...` when the name is not ASCII."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    quoted = ascii_name.replace("\\", "\\\\").replace('"', '\\"')
    value = f'inline; filename="{quoted}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
    return value


def _norm(path: str | None) -> str:
    return (path or "").replace("\\", "/").strip("/")


def wordbee_app(state: SandboxState) -> Starlette:
    def fail(request: Request, status: int, title: str, details: str) -> Response:
        return wordbee_error(request, status, title, details, state.now())

    def check_token(request: Request) -> Response | None:
        token = request.headers.get("x-auth-token", "")
        account = request.headers.get("x-auth-accountid", "")
        session = state.wordbee_tokens.get(token)
        now = state.now()
        if session is not None and now - session.last_used > state.settings.wordbee_token_idle:
            del state.wordbee_tokens[token]
            session = None
        if session is None or session.account_id != account:
            status = state.settings.wordbee_expired_status
            return fail(request, status, "Authentication failed", TOKEN_INVALID)
        session.last_used = now
        return None

    def check_scope(request: Request) -> Response | None:
        scope = request.query_params.get("scope")
        if not scope:
            return fail(request, 400, "Invalid parameter", "The parameter 'scope' is mandatory.")
        if SCOPE.fullmatch(scope) is None:
            return fail(
                request,
                400,
                "Invalid parameter",
                f"Invalid scope '{scope}'. Use pr{{projectid}}, jbs{{jobid}} or jbc{{jobid}}.",
            )
        return None

    def asset_json(asset: WordbeeAsset) -> dict[str, Any]:
        obj = state.blobs.get(asset.object_key)
        query: dict[str, str] = {"scope": asset.scope, "filename": asset.name}
        if asset.locale:
            query["locale"] = asset.locale
        if asset.relative_path:
            query["relativePath"] = asset.relative_path
        query["v"] = str(int(asset.created))
        body: dict[str, Any] = {
            "projectId": asset.project_id,
            "documentId": asset.document_id,
            "segmentId": asset.segment_id,
        }
        if asset.locale:
            body["locale"] = asset.locale
        body.update(
            relativePath=asset.relative_path,
            name=asset.name,
            size=obj.size if obj else 0,
            contentType=obj.content_type if obj else "application/octet-stream",
            createdDate=iso(asset.created),
            modifiedDate=iso(asset.created),
            downloadUrl=f"{state.wordbee_url}/api/resources/assets/{asset.segment_id}?"
            + urllib.parse.urlencode(query, quote_via=urllib.parse.quote),
        )
        return body

    async def token(request: Request) -> Response:
        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return fail(request, 400, "Invalid request", "The request body must be a JSON object.")
        fields = {str(k).lower(): v for k, v in payload.items()}
        account, key = fields.get("accountid"), fields.get("key")
        if not account or state.wordbee_accounts.get(str(account)) != key:
            return fail(request, 400, "Authentication failed", "Invalid account id or API key.")
        value = secrets.token_hex(20)
        state.wordbee_tokens[value] = WordbeeToken(str(account), state.now())
        return JSONResponse(value)

    async def end_token(request: Request) -> Response:
        refused = check_token(request)
        if refused is not None:
            return refused
        state.wordbee_tokens.pop(request.headers["x-auth-token"], None)
        return JSONResponse(True)

    def segment_assets(scope: str, segment_ids: set[int]) -> list[dict[str, Any]]:
        return [
            asset_json(a)
            for a in state.wordbee_assets
            if a.scope == scope and a.segment_id in segment_ids
        ]

    async def list_one(request: Request) -> Response:
        refused = check_token(request) or check_scope(request)
        if refused is not None:
            return refused
        segment = request.path_params["segmentid"]
        if not segment.isdigit():
            return fail(request, 400, "Invalid parameter", f"Invalid segment id '{segment}'.")
        return JSONResponse(segment_assets(request.query_params["scope"], {int(segment)}))

    async def list_many(request: Request) -> Response:
        refused = check_token(request) or check_scope(request)
        if refused is not None:
            return refused
        raw = request.query_params.get("segmentIds", "")
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if not parts or not all(p.isdigit() for p in parts):
            return fail(
                request,
                400,
                "Invalid parameter",
                "The parameter 'segmentIds' must be a comma separated list of segment ids.",
            )
        return JSONResponse(segment_assets(request.query_params["scope"], {int(p) for p in parts}))

    async def download(request: Request) -> Response:
        refused = check_token(request) or check_scope(request)
        if refused is not None:
            return refused
        segment = request.path_params["segmentid"]
        filename = request.query_params.get("filename", "")
        if not segment.isdigit():
            return fail(request, 400, "Invalid parameter", f"Invalid segment id '{segment}'.")
        if not filename:
            return fail(request, 400, "Invalid parameter", "The parameter 'filename' is mandatory.")
        asset = _find(
            state,
            request.query_params["scope"],
            int(segment),
            filename,
            request.query_params.get("locale") or None,
            request.query_params.get("relativePath"),
        )
        obj = state.blobs.get(asset.object_key) if asset else None
        if asset is None or obj is None:
            return fail(request, 404, "Not found", "The requested file does not exist.")
        headers = {
            "Content-Length": str(obj.size),
            "Content-Disposition": content_disposition(asset.name),
        }
        return FileStream(obj.path, 0, obj.size, media_type=obj.content_type, headers=headers)

    async def delete(request: Request) -> Response:
        refused = check_token(request) or check_scope(request)
        if refused is not None:
            return refused
        segment = request.path_params["segmentid"]
        if not segment.isdigit():
            return fail(request, 400, "Invalid parameter", f"Invalid segment id '{segment}'.")
        delete_assets(
            state,
            request.query_params["scope"],
            int(segment),
            request.query_params.get("filename") or None,
            request.query_params.get("locale") or None,
            request.query_params.get("relativePath"),
        )
        return Response(status_code=200)  # empty, also when nothing matched (idempotent)

    async def search(request: Request) -> Response:
        refused = check_token(request)
        if refused is not None:
            return refused
        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        answer = search_segments(state, payload)
        if isinstance(answer, str):
            return fail(request, 400, "Invalid parameter", answer)
        return JSONResponse(answer)

    async def not_found(request: Request, exc: Exception) -> Response:
        return fail(request, 404, "Not found", "The requested resource does not exist.")

    routes = [
        Route("/api/auth/token", token, methods=["POST"]),
        Route("/api/auth/token", end_token, methods=["DELETE"]),
        Route("/api/resources/assets/list", list_many, methods=["GET"]),
        Route("/api/resources/assets/{segmentid}/list", list_one, methods=["GET"]),
        Route("/api/resources/assets/{segmentid}", download, methods=["GET"]),
        Route("/api/resources/assets/{segmentid}", delete, methods=["DELETE"]),
        Route("/api/resources/segments/search", search, methods=["POST"]),
    ]
    routes += upload_routes(
        state, fail=fail, check_token=check_token, check_scope=check_scope, asset_json=asset_json
    )
    return Starlette(routes=routes, exception_handlers={404: not_found})


def _wanted(filename: str, relative_path: str | None) -> list[tuple[str, str]]:
    """(folder, name) pairs a `filename` (+ `relativePath`) can mean: the exact name first, else a
    path inside `filename` (which `relativePath`, when given, overrides)."""
    wanted = [(_norm(relative_path), filename)]
    if "/" in filename:
        folder, _, base = filename.rpartition("/")
        wanted.append((_norm(relative_path) if relative_path is not None else _norm(folder), base))
    return wanted


def _find(
    state: SandboxState,
    scope: str,
    segment: int,
    filename: str,
    locale: str | None,
    relative_path: str | None,
) -> WordbeeAsset | None:
    """The stored asset: the exact name first, else a path inside `filename` (which
    `relativePath`, when given, overrides)."""
    candidates = [
        a
        for a in state.wordbee_assets
        if a.scope == scope and a.segment_id == segment and (a.locale or None) == locale
    ]
    for folder, name in _wanted(filename, relative_path):
        for asset in candidates:
            if asset.name == name and _norm(asset.relative_path) == folder:
                return asset
    return None


def delete_assets(
    state: SandboxState,
    scope: str,
    segment: int,
    filename: str | None,
    locale: str | None,
    relative_path: str | None,
) -> int:
    """Remove what a DELETE names; how many files went. No (or an empty) `filename` is the
    documented delete-all: every file of the segment, in every locale. With `filename`, the file
    of that name in every locale, or only `locale`'s copy when a locale is given."""

    def doomed(asset: WordbeeAsset) -> bool:
        if asset.scope != scope or asset.segment_id != segment:
            return False
        if not filename:
            return True
        if locale and (asset.locale or None) != locale:
            return False
        return any(
            asset.name == name and _norm(asset.relative_path) == folder
            for folder, name in _wanted(filename, relative_path)
        )

    before = len(state.wordbee_assets)
    state.wordbee_assets[:] = [a for a in state.wordbee_assets if not doomed(a)]
    return before - len(state.wordbee_assets)
