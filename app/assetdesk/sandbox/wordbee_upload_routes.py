"""Wordbee's two-step upload into a segment: `POST /api/media/upload?filename=&maxsize=` stages a
file and answers `{"result": {"token", "name"}}`; `POST /api/resources/assets/{segmentid}?scope=`
with `{"filetoken", "locale"?, "relativePath"?}` attaches it, and the segment's list and download
show it from then on.

Choices where the pages leave room: the staging takes only `multipart/form-data` (a raw body
answers 400) with one file part; the stored type is guessed from the name's extension (the page
asks for one "so the type can be detected"); `maxsize` is in bytes; a file token is used up by
its attach; an unknown, used or expired one answers 400 "Unknown or expired filetoken…"; the
scope must be `pr{project}` (the only form the page lists) and the segment one of the project's
(else 404); a file of the same name, locale and folder is replaced. One-shot expiries
(`state.wordbee_expiries`, control `/wordbee/expire`) end the session token right after a
staging, or make an attach find its file token expired.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.blobs import UploadWriter
from assetdesk.sandbox.http_bits import drain
from assetdesk.sandbox.multipart_form import FormError, boundary_of, receive_file
from assetdesk.sandbox.state import (
    WORDBEE_BUCKET,
    SandboxState,
    WordbeeAsset,
    WordbeeStaged,
)
from assetdesk.sandbox.wordbee_search import project_segments

Fail = Callable[[Request, int, str, str], Response]
Check = Callable[[Request], Response | None]
FILE_TOKEN_REFUSED = "Unknown or expired filetoken. Upload the file again."


def _folder(path: str | None) -> str:
    return (path or "").replace("\\", "/").strip("/")


def upload_routes(
    state: SandboxState,
    *,
    fail: Fail,
    check_token: Check,
    check_scope: Check,
    asset_json: Callable[[WordbeeAsset], dict[str, Any]],
) -> list[Route]:
    """The staging and attach routes, on the Wordbee origin's token and scope checks."""

    def invalid(request: Request, details: str) -> Response:
        return fail(request, 400, "Invalid parameter", details)

    async def stage(request: Request) -> Response:
        refused = check_token(request)
        if refused is not None:
            await drain(request)
            return refused
        boundary = boundary_of(request.headers.get("content-type", ""))
        if boundary is None:
            await drain(request)
            return invalid(request, "The request must be multipart/form-data with a file.")
        maxsize = request.query_params.get("maxsize")
        if maxsize is not None and not maxsize.isdigit():
            await drain(request)
            return invalid(request, "The parameter 'maxsize' must be a whole number.")
        path = state.blobs.new_upload_path()
        writer = UploadWriter(path)
        try:
            part = await receive_file(request.stream(), boundary, writer.write)
            digest = await writer.finish()
        except (FormError, ClientDisconnect) as exc:
            await writer.discard()
            return invalid(request, f"The multipart body cannot be read: {exc}.")
        except BaseException:  # cancelled or failed: no await is safe here
            writer.abandon()
            raise
        name = request.query_params.get("filename") or part.filename
        if maxsize is not None and digest.size > int(maxsize):
            await writer.discard()
            return invalid(request, f"The file is larger than maxsize ({maxsize} bytes).")
        if not name.strip():
            await writer.discard()
            return invalid(request, "The file has no name.")
        session = request.headers["x-auth-token"]
        token = secrets.token_urlsafe(24)
        account = state.wordbee_tokens[session].account_id
        state.wordbee_staged[token] = WordbeeStaged(account, name, path, digest, state.now())
        if state.wordbee_expiries.get("session_after_staging", 0) > 0:
            state.wordbee_expiries["session_after_staging"] -= 1
            state.wordbee_tokens.pop(session, None)
        return JSONResponse({"result": {"token": token, "name": name.rsplit("/", 1)[-1]}})

    async def attach(request: Request) -> Response:
        refused = check_token(request) or check_scope(request)
        if refused is not None:
            return refused
        scope = request.query_params["scope"]
        segment = request.path_params["segmentid"]
        if not segment.isdigit():
            return invalid(request, f"Invalid segment id '{segment}'.")
        if not scope.startswith("pr"):
            return invalid(request, "Files are attached in a project scope: pr{projectid}.")
        project = int(scope[2:])
        found = [s for s in project_segments(state, project) if s.segment_id == int(segment)]
        if not found:
            return fail(
                request, 404, "Not found", f"The segment {segment} does not exist in {scope}."
            )
        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return invalid(request, "The request body must be a JSON object.")
        fields = {str(k).lower(): v for k, v in payload.items()}
        token = fields.get("filetoken")
        if not isinstance(token, str) or not token:
            return invalid(request, "The parameter 'filetoken' is mandatory.")
        if state.wordbee_expiries.get("file_token_at_attach", 0) > 0:
            state.wordbee_expiries["file_token_at_attach"] -= 1
            expired = state.wordbee_staged.pop(token, None)
            if expired is not None:
                expired.path.unlink(missing_ok=True)
        staged = state.wordbee_staged.get(token)
        account = state.wordbee_tokens[request.headers["x-auth-token"]].account_id
        if staged is None or staged.account_id != account:
            return invalid(request, FILE_TOKEN_REFUSED)
        del state.wordbee_staged[token]
        locale = fields.get("locale") or None
        folder, _, name = staged.name.replace("\\", "/").rpartition("/")
        relative = fields.get("relativepath")
        folder = _folder(str(relative) if relative is not None else folder)
        key = f"{WORDBEE_BUCKET}/{uuid.uuid4()}"
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        state.blobs.add(key, staged.path, content_type, staged.digest, owned=True)
        state.wordbee_assets[:] = [
            a
            for a in state.wordbee_assets
            if not (
                a.scope == scope
                and a.segment_id == int(segment)
                and (a.locale or None) == locale
                and _folder(a.relative_path) == folder
                and a.name == name
            )
        ]
        asset = WordbeeAsset(
            scope,
            project,
            found[0].document_id,
            int(segment),
            locale,
            folder,
            name,
            key,
            state.now(),
        )
        state.wordbee_assets.append(asset)
        return JSONResponse(asset_json(asset))

    return [
        Route("/api/media/upload", stage, methods=["POST"]),
        Route("/api/resources/assets/{segmentid}", attach, methods=["POST"]),
    ]
