"""useapi.net Google Flow: `GET /v1/google-flow/jobs/{jobId}`, the record of a generation started
through useapi.net (MORE-ENDPOINTS.md 1.4): prompt, model and seed in `request`, the media made in
`response`.

The record is built from the assets that carry the job's id. Listing shape "a" answers the newest
version (`response.media[]` with `name`, `projectId`, `mediaMetadata.mediaTitle`; the sandbox
adds each item's `mediaGenerationId`, which the page may or may not show), shape "b" the older
one (`response.operations[]` with `video.mediaGenerationId` and `video.seed`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.http_bits import authorize, error
from assetdesk.sandbox.state import FlowAsset, SandboxState, iso, mask_email


def job_id_for(user_id: int, email: str, n: int) -> str:
    """`j{n}v-u{user}-email:{masked}-bot:google-flow`, like the page's example."""
    return f"j{n:07d}v-u{user_id}-email:{mask_email(email)}-bot:google-flow"


def _newest(asset: FlowAsset, project_id: str) -> dict[str, Any]:
    return {
        "name": asset.media_id,
        "projectId": project_id,
        "workflowId": f"wf-{asset.media_id[:8]}",
        "workflowStepId": "CAE",
        "mediaGenerationId": asset.media_generation_id,
        "mediaMetadata": {
            "createTime": iso(asset.created),
            "mediaTitle": str((asset.job_request or {}).get("prompt") or ""),
            "mediaStatus": {"mediaGenerationStatus": "MEDIA_GENERATION_STATUS_SUCCESSFUL"},
            "visibility": "PRIVATE",
        },
    }


def _older(asset: FlowAsset) -> dict[str, Any]:
    seed = (asset.job_request or {}).get("seed")
    return {
        "operation": {"name": f"operations/{asset.media_id}"},
        "sceneId": asset.media_id[:8],
        "status": "VIDEO_GENERATION_STATUS_SUCCEEDED",
        asset.kind: {"seed": seed, "mediaGenerationId": asset.media_generation_id},
    }


def job_record(shape: str, job_id: str, assets: list[FlowAsset], project_id: str) -> dict[str, Any]:
    first = assets[0]
    request = {"email": mask_email(first.email), **(first.job_request or {})}
    request.update(count=len(assets), **{"async": False})
    if shape == "b":
        response: dict[str, Any] = {"operations": [_older(a) for a in assets]}
    else:
        response = {"media": [_newest(a, project_id) for a in assets]}
    return {
        "jobid": job_id,
        "type": first.kind,
        "status": "completed",
        "created": iso(first.created - 90),
        "updated": iso(first.created),
        "request": request,
        "response": response,
    }


def make_routes(state: SandboxState) -> list[Route]:
    async def job(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        job_id: str = request.path_params["job_id"]
        assets = [
            a
            for a in state.flow_assets.values()
            if a.job_id == job_id and a.user_id == user.user_id
        ]
        if not assets:
            return error(404, f"Job {job_id} not found")
        account = user.flow_accounts.get(assets[0].email)
        project_id = assets[0].project_id or (account.project_id if account else "")
        shape = state.settings.flow_listing_shape
        return JSONResponse(job_record(shape, job_id, assets, project_id))

    return [Route("/v1/google-flow/jobs/{job_id}", job, methods=["GET"])]
