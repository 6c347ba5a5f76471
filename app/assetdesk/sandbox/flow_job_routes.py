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


#: How far back `options=history` looks, and how many jobs it lists (MORE-ENDPOINTS.md 1.5).
HISTORY_SECONDS = 15 * 60
HISTORY_JOBS = 10


def jobs_summary(state: SandboxState, user_id: int, options: str) -> dict[str, Any]:
    """`GET /v1/google-flow/jobs?options=`: per-account counts; with `history`, the newest
    completed jobs of the last 15 minutes. The page does not show this answer's fields: shape
    "a" nests them under `summary` / `history`, shape "b" lists `accounts` and `completed`."""
    jobs: dict[str, FlowAsset] = {}
    counts: dict[str, int] = {}
    for asset in state.flow_assets.values():
        if asset.user_id == user_id and asset.job_id:
            jobs.setdefault(asset.job_id, asset)
    for asset in jobs.values():
        counts[mask_email(asset.email)] = counts.get(mask_email(asset.email), 0) + 1
    per_account = {
        email: {"executing": 0, "completed": n, "failed": 0, "rateLimited": 0}
        for email, n in counts.items()
    }
    recent = sorted(
        (a for a in jobs.values() if state.now() - a.created <= HISTORY_SECONDS),
        key=lambda a: a.created,
        reverse=True,
    )[:HISTORY_JOBS]
    entries = [
        {
            "jobid": a.job_id,
            "status": "completed",
            "type": a.kind,
            "email": mask_email(a.email),
            "created": iso(a.created - 90),
            "updated": iso(a.created),
        }
        for a in recent
    ]
    if state.settings.flow_listing_shape == "b":
        answer: dict[str, Any] = {"accounts": per_account}
        if options == "history":
            answer["completed"] = [{"jobId": e["jobid"], "elapsed": 90} for e in entries]
        return answer
    answer = {"summary": {"accounts": per_account}}
    if options == "history":
        answer["history"] = entries
    return answer


def make_routes(state: SandboxState) -> list[Route]:
    async def jobs(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        options = request.query_params.get("options", "summary")
        if options not in ("summary", "executing", "history"):
            return error(400, f"Unknown options value {options!r}")
        return JSONResponse(jobs_summary(state, user.user_id, options))

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

    return [
        Route("/v1/google-flow/jobs", jobs, methods=["GET"]),
        Route("/v1/google-flow/jobs/{job_id}", job, methods=["GET"]),
    ]
