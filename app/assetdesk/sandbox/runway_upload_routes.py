"""useapi.net Runway upload: `POST /v1/runwayml/assets/?email=&name=&width=&height=&duration=`
with the file as the raw body, of one of the page's Content-Types; the new asset in the upload
answer's documented shape (`size` and a `type{}` object), listed from then on like the others.

Choices where the page leaves room: no size limit (none is documented); an empty body, a missing
`name` or another Content-Type answer 400 `{"error", "code": 400}`; width, height and duration
are read from the bytes of PNG, JPEG, WEBP and MP4 (a body that is not what its type says answers
400), and taken from the query for the other types ("for your records").
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.blobs import UploadWriter
from assetdesk.sandbox.http_bits import authorize, drain, error
from assetdesk.sandbox.media_probe import ProbeError, probe
from assetdesk.sandbox.runway_routes import runway_email
from assetdesk.sandbox.state import RUNWAY_BUCKET, RunwayAsset, SandboxState, User, iso

#: The page's Content-Types (July 2025) and the extension each is stored under.
UPLOAD_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/mpo": "mpo",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/x-matroska": "mkv",
    "video/x-flv": "flv",
    "video/mpeg": "mpeg",
    "video/MP2T": "ts",
    "video/x-msvideo": "avi",
    "video/x-motion-jpeg": "mjpeg",
    "video/webm": "webm",
    "video/ogg": "ogv",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
}
_BY_LOWER = {mime.lower(): mime for mime in UPLOAD_TYPES}
PROBED = ("image/png", "image/jpeg", "image/webp", "video/mp4")


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def upload_json(state: SandboxState, asset: RunwayAsset, user: User, size: int) -> dict[str, Any]:
    account = user.runway_accounts[asset.email]
    person = {
        "id": account.runway_user_id,
        "username": account.username,
        "firstName": "",
        "lastName": "",
        "picture": None,
        "teamName": "",
        "teamPicture": None,
    }
    url = state.signed_url(asset.object_key)
    return {
        "assetId": asset.asset_id,
        "id": asset.uuid,
        "user": person,
        "createdAt": iso(asset.created),
        "updatedAt": iso(asset.created),
        "name": asset.name,
        "description": "",
        "type": {"name": asset.media_type, "type": asset.media_type, "isDirectory": False},
        "size": size,
        "url": url,
        "previewUrls": [url],
        "fileCount": 1,
        "private": True,
        "permissions": {"read": True, "write": True, "admin": True},
        "annotated": False,
        "isUserUpload": True,
        "sourceApplication": "web",
        "createdBy": person,
        "favorite": False,
    }


def make_routes(state: SandboxState) -> list[Route]:
    async def upload(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            await drain(request)
            return user
        query = request.query_params
        name = (query.get("name") or "").strip()
        email = runway_email(user, query.get("email") or None)
        raw_type = request.headers.get("content-type", "").split(";")[0].strip()
        mime = _BY_LOWER.get(raw_type.lower())
        refusal: Response
        if not name:
            refusal = error(400, "Parameter name is required", code=True)
        elif isinstance(email, Response):
            refusal = email
        elif mime is None:
            refusal = error(
                400,
                f"Unsupported Content-Type: {raw_type or 'none'}. Supported types: "
                + ", ".join(UPLOAD_TYPES),
                code=True,
            )
        else:
            return await _receive(state, request, user, email, name, mime)
        await drain(request)
        return refusal

    return [
        Route("/v1/runwayml/assets", upload, methods=["POST"]),
        Route("/v1/runwayml/assets/", upload, methods=["POST"]),
    ]


async def _receive(
    state: SandboxState, request: Request, user: User, email: str, name: str, mime: str
) -> Response:
    """Stream the body to a file, check it, and register the asset."""
    path = state.blobs.new_upload_path()
    writer = UploadWriter(path)
    try:
        async for chunk in request.stream():
            await writer.write(chunk)
        digest = await writer.finish()
    except ClientDisconnect:
        await writer.discard()
        return Response(status_code=400)
    except BaseException:  # cancelled or failed: no await is safe here
        writer.abandon()
        raise
    if digest.size == 0:
        await writer.discard()
        return error(400, "File content is empty", code=True)
    query = request.query_params
    width, height = _number(query.get("width")), _number(query.get("height"))
    duration = _number(query.get("duration"))
    if mime in PROBED:
        try:
            info = await asyncio.to_thread(probe, path, mime)
        except ProbeError as exc:
            await writer.discard()
            return error(400, str(exc), code=True)
        except FileNotFoundError:  # the sandbox was reset during this upload
            return error(503, "The sandbox was reset during this upload; send it again")
        width, height = info.width, info.height
        duration = info.duration if info.duration is not None else duration
    asset_uuid = str(uuid.uuid4())
    ext = UPLOAD_TYPES[mime]
    key = f"{RUNWAY_BUCKET}/{asset_uuid}.{ext}"
    state.blobs.add(key, path, mime, digest, owned=True)
    asset = RunwayAsset(
        asset_id=f"user:{user.user_id}-runwayml:{email}-asset:{asset_uuid}",
        uuid=asset_uuid,
        user_id=user.user_id,
        email=email,
        name=name,
        media_type=mime.split("/")[0],
        ext=ext,
        object_key=key,
        preview_key=key,
        width=int(width) if width else None,
        height=int(height) if height else None,
        duration=duration,
        created=state.now(),
    )
    state.runway_assets[asset.asset_id] = asset
    return JSONResponse(upload_json(state, asset, user, digest.size))
