"""useapi.net Runway: accounts, one asset, the asset list."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.http_bits import authorize, error
from assetdesk.sandbox.state import RunwayAsset, SandboxState, User, iso

MEDIA_TYPES = ("video", "image", "audio")


def asset_json(state: SandboxState, asset: RunwayAsset, user: User) -> dict[str, Any]:
    if asset.sparse:  # every field of the model is optional: a bare user upload
        return {
            "assetId": asset.asset_id,
            "name": asset.name,
            "mediaType": asset.media_type,
            "url": state.signed_url(asset.object_key),
            "metadata": None,
        }
    obj = state.blobs.get(asset.object_key)
    account = user.runway_accounts.get(asset.email)
    runway_user = account.runway_user_id if account else 0
    metadata: dict[str, Any] | None = None
    if asset.with_metadata and asset.width and asset.height:
        metadata = {
            "dimensions": [asset.width, asset.height],
            "size": {"width": asset.width, "height": asset.height},
        }
        if asset.duration is not None:
            metadata["duration"] = round(asset.duration, 3)
    return {
        "assetId": asset.asset_id,
        "id": asset.uuid,
        "createdAt": iso(asset.created),
        "updatedAt": iso(asset.created),
        "name": asset.name,
        "url": state.signed_url(asset.object_key),
        "previewUrls": [state.signed_url(asset.preview_key)],
        "mediaType": asset.media_type,
        "fileCount": 1,
        "fileSize": obj.size if obj else 0,
        "fileExtStandardized": asset.ext,
        "isUserUpload": True,
        "metadata": metadata,
        "username": account.username if account else "",
        "userId": runway_user,
        "createdBy": runway_user,
        "userPicture": None,
        "private": True,
        "privateInTeam": True,
        "parentAssetGroupId": None,
        "favorite": False,
    }


def _int_param(request: Request, name: str, low: int, high: int) -> int | Response:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return error(400, f"Parameter {name} is required", code=True)
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        return error(400, f"Parameter {name} must be an integer from {low} to {high}", code=True)
    return value


def make_routes(state: SandboxState) -> list[Route]:
    async def accounts(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        return JSONResponse(
            {
                email: {
                    "email": email,
                    "created": iso(a.created),
                    "username": a.username,
                    "userId": a.runway_user_id,
                    "maxJobs": 5,
                }
                for email, a in user.runway_accounts.items()
            }
        )

    async def list_assets(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        offset = _int_param(request, "offset", 0, 1000)
        if isinstance(offset, Response):
            return offset
        limit = _int_param(request, "limit", 1, 50)
        if isinstance(limit, Response):
            return limit
        media_type = request.query_params.get("mediaType") or None
        if media_type is not None and media_type not in MEDIA_TYPES:
            return error(400, "Parameter mediaType must be one of video, image, audio", code=True)
        email = request.query_params.get("email") or None
        if email is None:
            if not user.runway_accounts:
                return error(404, "No Runway accounts configured", code=True)
            if len(user.runway_accounts) > 1:
                return error(
                    400,
                    "Multiple Runway accounts configured, parameter email is required",
                    code=True,
                )
            email = next(iter(user.runway_accounts))
        elif email not in user.runway_accounts:
            return error(404, f"Runway account {email} not found", code=True)
        found = [
            a
            for a in state.runway_assets.values()
            if a.user_id == user.user_id
            and a.email == email
            and (media_type is None or a.media_type == media_type)
        ]
        found.sort(key=lambda a: a.created, reverse=True)
        page = found[offset : offset + limit]
        return JSONResponse([asset_json(state, a, user) for a in page])

    async def one_asset(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        asset = state.runway_assets.get(request.path_params["asset_id"])
        if asset is None or asset.user_id != user.user_id:
            return error(404, "Not found.", code=True)
        return JSONResponse(asset_json(state, asset, user))

    return [
        Route("/v1/runwayml/accounts", accounts, methods=["GET"]),
        Route("/v1/runwayml/accounts/", accounts, methods=["GET"]),
        Route("/v1/runwayml/assets", list_assets, methods=["GET"]),
        Route("/v1/runwayml/assets/", list_assets, methods=["GET"]),
        Route("/v1/runwayml/assets/{asset_id:path}", one_asset, methods=["GET"]),
    ]
