"""useapi.net Runway: accounts, one asset, the asset list, deleting an asset, a generation task.

Choices where the pages leave room: DELETE answers 200 `{"success": true}`; an unknown id, and
an id of another user or of an account the token does not hold, answer 404
`{"error": "Not found.", "code": 404}` (what the service's MCP listing shows for an unknown id).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.http_bits import authorize, error
from assetdesk.sandbox.state import RunwayAsset, RunwayTask, SandboxState, User, iso

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
        "isUserUpload": asset.task_id is None,
        "metadata": metadata,
        "username": account.username if account else "",
        "userId": runway_user,
        "createdBy": runway_user,
        "userPicture": None,
        "private": True,
        "privateInTeam": True,
        "parentAssetGroupId": None,
        "favorite": False,
        **({"taskId": asset.task_id} if asset.task_id else {}),
    }


def task_json(state: SandboxState, task: RunwayTask) -> dict[str, Any]:
    """The page's gen3a example, with the task's own prompt, seed and type."""
    name = f"{task.task_type} {task.seed}, {task.prompt}"
    artifacts = [
        {
            "assetId": a.asset_id,
            "id": a.uuid,
            "taskId": task.task_id,
            "filename": f"{name}.{a.ext}",
            "url": state.signed_url(a.object_key),
            "fileSize": str(obj.size if (obj := state.blobs.get(a.object_key)) else 0),
            "previewUrls": [state.signed_url(a.preview_key)],
            "deleted": False,
            "reported": False,
            "metadata": {},
            "favorite": False,
        }
        for a in state.runway_assets.values()
        if a.task_id == task.task_id
    ]
    return {
        "taskId": task.task_id,
        "id": task.task_id.rsplit("-task:", 1)[-1],
        "name": name,
        "image": None,
        "createdAt": iso(task.created),
        "updatedAt": iso(task.created),
        "taskType": task.task_type,
        "options": {
            "name": name,
            "seconds": 5,
            "text_prompt": task.prompt,
            "seed": task.seed,
            "exploreMode": True,
            "watermark": False,
            "enhance_prompt": False,
            "resolution": "720p",
            "assetGroupName": "Generative Video",
            "recordingEnabled": True,
        },
        "status": "SUCCEEDED",
        "error": None,
        "progressText": None,
        "progressRatio": "1",
        "estimatedTimeToStartSeconds": None,
        "artifacts": artifacts,
        "sharedAsset": None,
    }


def _owned(user: User, item: RunwayAsset | RunwayTask | None) -> bool:
    return item is not None and item.user_id == user.user_id and item.email in user.runway_accounts


def runway_email(user: User, email: str | None) -> str | Response:
    """The account a call names, or the only one; the documented refusals otherwise."""
    if email is None:
        if not user.runway_accounts:
            return error(404, "No Runway accounts configured", code=True)
        if len(user.runway_accounts) > 1:
            return error(
                400, "Multiple Runway accounts configured, parameter email is required", code=True
            )
        return next(iter(user.runway_accounts))
    if email not in user.runway_accounts:
        return error(404, f"Runway account {email} not found", code=True)
    return email


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
        email = runway_email(user, request.query_params.get("email") or None)
        if isinstance(email, Response):
            return email
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

    async def delete_asset(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        asset = state.runway_assets.get(request.path_params["asset_id"])
        if asset is None or not _owned(user, asset):
            return error(404, "Not found.", code=True)
        del state.runway_assets[asset.asset_id]
        return JSONResponse({"success": True})

    async def one_task(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        task = state.runway_tasks.get(request.path_params["task_id"])
        if task is None or not _owned(user, task):
            return error(404, "Not found.", code=True)
        return JSONResponse(task_json(state, task))

    return [
        Route("/v1/runwayml/accounts", accounts, methods=["GET"]),
        Route("/v1/runwayml/accounts/", accounts, methods=["GET"]),
        Route("/v1/runwayml/assets", list_assets, methods=["GET"]),
        Route("/v1/runwayml/assets/", list_assets, methods=["GET"]),
        Route("/v1/runwayml/assets/{asset_id:path}", one_asset, methods=["GET"]),
        Route("/v1/runwayml/assets/{asset_id:path}", delete_asset, methods=["DELETE"]),
        Route("/v1/runwayml/tasks/{task_id:path}", one_task, methods=["GET"]),
    ]
