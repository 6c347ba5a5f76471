"""useapi.net Google Flow: accounts, asset upload, signed download URL."""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.blobs import UploadWriter
from assetdesk.sandbox.http_bits import authorize, drain, error
from assetdesk.sandbox.media_probe import ProbeError, probe
from assetdesk.sandbox.seed import record_flow_asset
from assetdesk.sandbox.state import (
    IMAGE_LIMIT,
    IMAGE_TYPES,
    VIDEO_LIMIT,
    VIDEO_TYPES,
    FlowAccount,
    SandboxState,
    User,
    iso,
    mask_email,
)

SESSION_ERROR = "Failed to refresh session: 500 Internal Server Error"
MEDIA_ID = re.compile(r"user:(\d+)-email:([0-9a-fA-F]+)-([A-Za-z]+):(.+)", re.DOTALL)
_EXT = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp", "video/mp4": "mp4"}


def _google_error(status: int, message: str, state: str, reason: str) -> dict[str, Any]:
    detail = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}
    return {"error": {"code": status, "message": message, "status": state, "details": [detail]}}


def _micro_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _account_json(state: SandboxState, account: FlowAccount, *, detail: bool) -> dict[str, Any]:
    now = state.now()
    body: dict[str, Any] = {"created": iso(account.created), "health": account.health}
    if account.session_error:
        body["health"] = "Session error: reconnect this account"
        body["error"] = SESSION_ERROR
    elif account.throttled_until and account.throttled_until > now:
        body["health"] = f"Throttled until {iso(account.throttled_until)}"
        body["error"] = "PUBLIC_ERROR_USER_REQUESTS_THROTTLED"
    body["project"] = {"projectId": account.project_id, "projectTitle": account.project_title}
    body["nextRefresh"] = {"scheduledFor": iso(now + 47 * 60)}
    if detail:
        body["credits"] = {"credits": account.credits, "userPaygateTier": "PAYGATE_TIER_ONE"}
    return body


def throttled_response(seconds: float) -> JSONResponse:
    body = _google_error(
        429,
        "Resource has been exhausted (e.g. check quota).",
        "RESOURCE_EXHAUSTED",
        "PUBLIC_ERROR_USER_REQUESTS_THROTTLED",
    )
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(math.ceil(seconds))})


def _pick_account(state: SandboxState, user: User, email: str | None) -> FlowAccount | Response:
    """The pinned account, or the healthiest one (fewest stored assets among usable accounts)."""
    now = state.now()
    if email is not None:
        account = user.flow_accounts.get(email.lower())
        if account is None:
            return error(404, f"Google Flow account {email} not found")
        candidates = [account]
    else:
        candidates = list(user.flow_accounts.values())
        if not candidates:
            return error(404, "No Google Flow accounts configured")
    usable = [
        a
        for a in candidates
        if not a.session_error and not (a.throttled_until and a.throttled_until > now)
    ]
    if usable:
        healthy = [a for a in usable if a.health == "OK"] or usable
        load = {a.email: 0 for a in healthy}
        for asset in state.flow_assets.values():
            if asset.user_id == user.user_id and asset.email in load:
                load[asset.email] += 1
        return min(healthy, key=lambda a: load[a.email])
    throttled = [
        a.throttled_until - now
        for a in candidates
        if a.throttled_until and a.throttled_until > now and not a.session_error
    ]
    if throttled:
        return throttled_response(min(throttled))
    return error(596, SESSION_ERROR)


def make_routes(state: SandboxState) -> list[Route]:
    async def list_accounts(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        accounts = {
            email: _account_json(state, account, detail=False)
            for email, account in user.flow_accounts.items()
        }
        return JSONResponse(accounts)

    async def one_account(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        email = request.path_params["email"]
        account = user.flow_accounts.get(email.lower())
        if account is None:
            return error(404, f"Google Flow account {email} not found")
        return JSONResponse(_account_json(state, account, detail=True))

    async def upload(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            await drain(request)
            return user
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in IMAGE_TYPES + VIDEO_TYPES:
            await drain(request)
            if not content_type:
                return error(400, "Content-Type header is required")
            return error(
                400,
                f"Unsupported Content-Type: {content_type}. Supported types: "
                + ", ".join(IMAGE_TYPES + VIDEO_TYPES),
            )
        limit = VIDEO_LIMIT if content_type in VIDEO_TYPES else IMAGE_LIMIT
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await drain(request)
            return error(400, f"File size ({int(declared)}) is over {limit} bytes")
        if declared == "0":
            return error(400, "File content is empty")
        account = _pick_account(state, user, request.path_params.get("email"))
        if isinstance(account, Response):
            await drain(request)
            return account
        return await _receive(state, request, user, account, content_type, limit)

    async def asset_url(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        ref: str = request.path_params["ref"]
        match = MEDIA_ID.fullmatch(ref)
        email = hex_email(match.group(2)) if match else None
        if match is None or email is None:
            return error(400, f"Invalid mediaGenerationId format: {ref}")
        owner, kind, media_id = int(match.group(1)), match.group(3), match.group(4)
        if kind not in ("image", "video"):
            return error(400, f"mediaGenerationId type must be 'image' or 'video', got '{kind}'")
        if owner != user.user_id:
            return error(403, f"Unauthorized access to user:{owner} detected in mediaGenerationId")
        account = user.flow_accounts.get(email.lower())
        if account is None:
            return error(404, f"Google Flow account {email} not found")
        if account.session_error:
            return error(596, SESSION_ERROR)
        asset = state.flow_assets.get(ref)
        if asset is None or asset.user_id != owner or state.blobs.get(asset.object_key) is None:
            return error(502, f"Failed to resolve URL for media {media_id}")
        return JSONResponse({"url": state.signed_url(asset.object_key), "mediaGenerationId": ref})

    return [
        Route("/v1/google-flow/accounts", list_accounts, methods=["GET"]),
        Route("/v1/google-flow/accounts/", list_accounts, methods=["GET"]),
        Route("/v1/google-flow/accounts/{email}", one_account, methods=["GET"]),
        Route("/v1/google-flow/assets", upload, methods=["POST"]),
        Route("/v1/google-flow/assets/", upload, methods=["POST"]),
        Route("/v1/google-flow/assets/{email}", upload, methods=["POST"]),
        Route("/v1/google-flow/assets/{ref:path}", asset_url, methods=["GET"]),
    ]


def hex_email(text: str) -> str | None:
    try:
        email = bytes.fromhex(text).decode()
    except ValueError:
        return None
    return email if "@" in email else None


async def _receive(
    state: SandboxState,
    request: Request,
    user: User,
    account: FlowAccount,
    content_type: str,
    limit: int,
) -> Response:
    """Stream the body to a file (hashing as it comes), check it, and register the asset."""
    path = state.blobs.new_upload_path()
    writer = UploadWriter(path)
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:  # past the limit only count, like a buffering proxy
                await writer.write(chunk)
        digest = await writer.finish()
    except ClientDisconnect:
        await writer.discard()
        return Response(status_code=400)
    except BaseException:  # cancelled or failed: no await is safe here
        writer.abandon()
        raise
    if size > limit:
        await writer.discard()
        return error(400, f"File size ({size}) is over {limit} bytes")
    if digest.size == 0:
        await writer.discard()
        return error(400, "File content is empty")
    try:
        info = await asyncio.to_thread(probe, path, content_type)
    except ProbeError as exc:
        await writer.discard()
        return error(400, str(exc))
    except FileNotFoundError:  # the sandbox was reset (its files cleared) during this upload
        return error(503, "The sandbox was reset during this upload; send it again")
    is_video = content_type in VIDEO_TYPES
    if digest.has_marker and not is_video:
        await writer.discard()
        refusal = _google_error(
            400,
            "Request contains an invalid argument.",
            "INVALID_ARGUMENT",
            "PUBLIC_ERROR_TRUMP_FACE_DETECTED",
        )
        return JSONResponse(refusal, status_code=400)

    media_id, workflow_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = state.now()
    display = f"upload.{_EXT[content_type]}"
    mgid, key = record_flow_asset(
        state, user.user_id, account.email, content_type, media_id, info, display, now
    )
    state.blobs.add(key, path, content_type, digest, owned=True)
    created = _micro_iso(now)
    media: dict[str, Any] = {
        "name": media_id,
        "projectId": account.project_id,
        "workflowId": workflow_id,
        "workflowStepId": "CAE",
        "mediaMetadata": {
            "createTime": created,
            "requestData": {"clientPlatform": "CLIENT_PLATFORM_WEB"},
            "visibility": "PRIVATE",
        },
    }
    body: dict[str, Any] = {"media": media}
    if is_video:
        duration = info.duration or 0.0
        length = f"{duration:.3f}s"
        media["mediaMetadata"]["mediaStatus"] = {
            "mediaGenerationStatus": "MEDIA_GENERATION_STATUS_PENDING"
        }
        media["video"] = {
            "dimensions": {"width": info.width, "height": info.height, "length": length},
            "videoOffset": {"startOffset": "0s", "endOffset": length},
            "userUploadedVideo": {"encodedVideo": ""},
        }
        body["mediaGenerationId"] = {"mediaGenerationId": mgid}
        body["durationSeconds"] = round(duration, 3)
    else:
        aspect = "IMAGE_ASPECT_RATIO_UNSPECIFIED"
        if info.width != info.height:
            aspect = "LANDSCAPE" if info.width > info.height else "PORTRAIT"
        media["image"] = {
            "userUploadedImage": {"aspectRatio": aspect},
            "dimensions": {"width": info.width, "height": info.height},
        }
        body["workflow"] = {
            "name": workflow_id,
            "metadata": {"displayName": display, "createTime": created, "primaryMediaId": media_id},
            "projectId": account.project_id,
        }
        body["mediaGenerationId"] = {"mediaGenerationId": mgid}
    body.update(width=info.width, height=info.height, email=mask_email(account.email))
    return JSONResponse(body)
