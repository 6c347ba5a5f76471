"""Controls that fill the sandbox at a library's scale (with --control, under /_sandbox/).

- `POST /runway/bulk` `{count, email?, token?, generated_every?, media_type?}`: `count` Runway
  assets of one account (newest first in the list, after the seeded ones' order is kept); every
  `generated_every`-th one (default 3, 0 = none) is a generation with a task (prompt, seed,
  taskType). Answers `{"assetIds": [...], "taskIds": [...]}`.
- `POST /wordbee/project` `{project_id?, segments?, assets_per_segment?, empty_segments?}`: a
  Wordbee project of `segments` segments (default 20) with `assets_per_segment` files each
  (default 2), plus `empty_segments` segments without files, over two documents. Answers
  `{"scope": "pr{project}", "segment_ids": [...], "empty_segment_ids": [...]}`.
- `POST /runway/copies` `{copies: [[asset_id, name], ...]}`: for each pair a new Runway asset of
  the same user and account that shares `asset_id`'s stored file and preview (its kind, size and
  dimensions too) under its own id and `name`, dated a second apart back from now, the first
  the newest (up to 200,000 in one call). Answers `{"assetIds": [...]}` in that order.

The assets share one stored object each, so thousands cost no disk and no probing.

The copies let a benchmark register a few hundred real files (`/_sandbox/runway/assets`) and list
100,000 assets over them in one call.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.state import (
    RUNWAY_BUCKET,
    WORDBEE_BUCKET,
    RunwayAsset,
    RunwayTask,
    SandboxState,
    WordbeeAsset,
    WordbeeSegment,
)

_NAMESPACE = uuid.UUID("0b7c7f43-51a3-4c63-9e0d-3f1f3b2a6c55")
_FILES = {  # media type -> (demo file, content type, extension, width, height, duration)
    "image": ("sunrise-640x360.png", "image/png", "png", 640, 360, None),
    "video": ("clip-320x180.mp4", "video/mp4", "mp4", 320, 180, 2.0),
}
MAX_COPIES = 200_000
_PROMPTS = (
    "a lighthouse at dusk, slow dolly in",
    "a red fox crossing fresh snow",
    "neon rain on a Tokyo side street",
    "paper boats on a pond, macro",
)


class _Refused(ValueError):
    pass


def _count(body: dict[str, Any], name: str, default: int, high: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        raise _Refused(f"{name} must be a whole number from 0 to {high}")
    return value


def scale_routes(state: SandboxState) -> list[Route]:
    def shared_object(key: str, file: str, content_type: str) -> None:
        if state.blobs.get(key) is None:
            state.blobs.add_file(key, state.seed_dir / file, content_type)

    def runway_bulk(body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("token") or str(state.demo["useapi_token"])
        user = state.users.get(token)
        if user is None:
            raise _Refused(f"no such useapi.net token {token!r}")
        email = str(body.get("email") or next(iter(user.runway_accounts), ""))
        if email not in user.runway_accounts:
            raise _Refused(f"{email!r} is not a Runway account of user {user.user_id}")
        count = _count(body, "count", 300, 5000)
        every = _count(body, "generated_every", 3, 5000)
        kind = str(body.get("media_type") or "image")
        if kind not in _FILES:
            raise _Refused("media_type must be image or video")
        file, content_type, ext, width, height, duration = _FILES[kind]
        key = f"{RUNWAY_BUCKET}/bulk-{kind}.{ext}"
        shared_object(key, file, content_type)
        start = len(state.runway_assets)
        base = state.now()
        asset_ids: list[str] = []
        task_ids: list[str] = []
        for n in range(count):
            asset_uuid = str(uuid.uuid5(_NAMESPACE, f"runway/{email}/{start + n}"))
            task_id = None
            if every and n % every == 0:
                task_uuid = str(uuid.uuid5(_NAMESPACE, f"task/{email}/{start + n}"))
                task_id = f"user:{user.user_id}-runwayml:{email}-task:{task_uuid}"
                state.runway_tasks[task_id] = RunwayTask(
                    task_id,
                    user.user_id,
                    email,
                    "gen3a",
                    _PROMPTS[n % len(_PROMPTS)],
                    100_000 + start + n,
                    base - n,
                )
                task_ids.append(task_id)
            asset = RunwayAsset(
                asset_id=f"user:{user.user_id}-runwayml:{email}-asset:{asset_uuid}",
                uuid=asset_uuid,
                user_id=user.user_id,
                email=email,
                name=f"Bulk {start + n:04d}.{ext}",
                media_type=kind,
                ext=ext,
                object_key=key,
                preview_key=key,
                width=width,
                height=height,
                duration=duration,
                created=base - n,  # the first one made is the newest
                task_id=task_id,
            )
            state.runway_assets[asset.asset_id] = asset
            asset_ids.append(asset.asset_id)
        return {"assetIds": asset_ids, "taskIds": task_ids}

    def runway_copies(body: dict[str, Any]) -> dict[str, Any]:
        pairs = body.get("copies")
        if not isinstance(pairs, list) or len(pairs) > MAX_COPIES:
            raise _Refused(f"copies must be a list of at most {MAX_COPIES} [asset_id, name] pairs")
        base = state.now()
        start = len(state.runway_assets)
        made: list[RunwayAsset] = []
        for n, pair in enumerate(pairs):
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
            ):
                raise _Refused("each copy is [asset_id, name], two strings")
            source = state.runway_assets.get(pair[0])
            if source is None:
                raise _Refused(f"no such Runway asset {pair[0]!r}")
            copy_uuid = str(uuid.uuid5(_NAMESPACE, f"copy/{source.uuid}/{start + n}"))
            made.append(
                replace(
                    source,
                    asset_id=f"user:{source.user_id}-runwayml:{source.email}-asset:{copy_uuid}",
                    uuid=copy_uuid,
                    name=pair[1],
                    created=base - n,
                    task_id=None,
                )
            )
        # All or nothing: a refused pair leaves the sandbox as it was.
        state.runway_assets.update((asset.asset_id, asset) for asset in made)
        return {"assetIds": [asset.asset_id for asset in made]}

    def wordbee_project(body: dict[str, Any]) -> dict[str, Any]:
        project = _count(body, "project_id", 7215, 10**8)
        if project < 1:
            raise _Refused("project_id must be positive")
        segments = _count(body, "segments", 20, 2000)
        per_segment = _count(body, "assets_per_segment", 2, 50)
        empty = _count(body, "empty_segments", 0, 2000)
        key = f"{WORDBEE_BUCKET}/bulk-image.png"
        shared_object(key, "swatch-256x256.png", "image/png")
        scope = f"pr{project}"
        made: list[int] = []
        bare: list[int] = []
        base = state.now()
        for n in range(segments + empty):
            segment_id = project * 10_000 + n + 1
            document_id = 90_000 + project % 1000 * 10 + n % 2
            state.wordbee_segments[segment_id] = WordbeeSegment(
                project, segment_id, document_id, n + 1
            )
            if n >= segments:
                bare.append(segment_id)
                continue
            made.append(segment_id)
            for k in range(per_segment):
                state.wordbee_assets.append(
                    WordbeeAsset(
                        scope,
                        project,
                        document_id,
                        segment_id,
                        "en" if k % 2 else None,
                        "",
                        f"ref-{n + 1:03d}-{k + 1}.png",
                        key,
                        base - n,
                    )
                )
        return {"scope": scope, "segment_ids": made, "empty_segment_ids": bare}

    def endpoint(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            try:
                raw = await request.body()
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise _Refused("body must be a JSON object")
                return JSONResponse(handler(body))
            except (_Refused, ValueError) as exc:
                return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=400)

        return run

    return [
        Route("/runway/bulk", endpoint(runway_bulk), methods=["POST"]),
        Route("/runway/copies", endpoint(runway_copies), methods=["POST"]),
        Route("/wordbee/project", endpoint(wordbee_project), methods=["POST"]),
    ]
