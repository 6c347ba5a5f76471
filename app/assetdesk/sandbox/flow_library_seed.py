"""A Google Flow library at scale: users x accounts x projects holding many assets.

`POST /_sandbox/google-flow/library` with `{"users": 2, "accounts": 2, "projects": 3,
"assets": 1000, "generated_every": 3}` adds that many useapi.net users (new tokens), each with
`accounts` Google Flow accounts of `projects` projects (the first is the account's current
project), and spreads `assets` assets over all the projects: every `generated_every`-th one is
generated (on the timeline), the others uploads; images and videos mixed. Three of every four
generated ones have a useapi.net job record (prompt, model, and a seed on every other one); the
fourth was made in Flow's own web page and has none. The assets share the
demo media's bytes (one stored object per kind), so a thousand cost no disk. The answer lists the
tokens, emails and project ids made. The default demo (sandbox/seed.py) stays small.

`POST /_sandbox/google-flow/jobs` with `{"token": T, "email": E, "prompt": P, "model": M,
"seed": S, "count": 2, "kind": "image"}` plays a generation started through useapi.net just now:
`count` new media in the account's current project, one job record naming them (so the job
shows in `GET /v1/google-flow/jobs?options=history` for 15 minutes). Answers the job id and the
mediaGenerationIds.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.flow_job_routes import job_id_for
from assetdesk.sandbox.media_probe import MediaInfo, probe
from assetdesk.sandbox.seed import flow_media_id, new_flow_account, stable_uuid
from assetdesk.sandbox.state import FLOW_BUCKET, FlowAsset, SandboxState, User

_SOURCES = {
    "image": ("sunrise-640x360.png", "image/png"),
    "video": ("clip-320x180.mp4", "video/mp4"),
}
_START = 5000  # user ids of the scale users: 5000, 5001, ...
_LIMITS = {"users": 20, "accounts": 10, "projects": 50, "assets": 100_000, "generated_every": 1000}


def _shared_object(state: SandboxState, kind: str) -> tuple[str, MediaInfo]:
    """The one stored object every seeded medium of `kind` serves (stored once), and what its
    bytes measure."""
    name, content_type = _SOURCES[kind]
    key = f"{FLOW_BUCKET}/library-{kind}"
    if state.blobs.get(key) is None:
        state.blobs.add_file(key, state.seed_dir / name, content_type)
    return key, probe(state.seed_dir / name, content_type)


def _count(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _LIMITS[name]:
        raise ValueError(f"{name} must be a whole number from 0 to {_LIMITS[name]}, not {value!r}")
    return value


def seed_flow_library(
    state: SandboxState,
    users: int,
    accounts: int,
    projects: int,
    assets: int,
    generated_every: int = 3,
) -> dict[str, Any]:
    """Add the users, accounts, projects and assets; returns what was made."""
    if assets and not (users and accounts and projects):
        raise ValueError("assets need at least one user, account and project")
    keys: dict[str, str] = {}
    infos = {}
    for kind in _SOURCES:
        keys[kind], infos[kind] = _shared_object(state, kind)
    start = state.now() - 86400 * 300
    slots: list[tuple[User, str, str]] = []  # (user, account email, project id)
    made: list[dict[str, Any]] = []
    jobs: dict[int, list[str]] = {}
    for u in range(users):
        user_id = _START + u
        token = f"user:{user_id}-SandboxLibraryUser{u:02d}"
        user = User(user_id, token, f"library{u}@assetdesk.invalid", f"Library {u}", start)
        state.users[token] = user
        listed: dict[str, list[str]] = {}
        for a in range(accounts):
            email = f"flow{u}.{a}@gmail.com"
            account = new_flow_account(email, start)
            for p in range(1, projects):
                account.projects[stable_uuid(f"project/{email}/{p}")] = f"Project {p} of {email}"
            user.flow_accounts[email] = account
            ids = [account.project_id, *account.projects][:projects]
            listed[email] = ids
            slots += [(user, email, project_id) for project_id in ids]
        jobs[user_id] = []
        made.append(
            {
                "token": token,
                "user_id": user_id,
                "google_flow_projects": listed,
                "jobs": jobs[user_id],
            }
        )
    for n in range(assets):
        user, email, project_id = slots[n % len(slots)]
        kind = "video" if n % 7 == 6 else "image"
        media_id = stable_uuid(f"library/{user.user_id}/{n}")
        mgid = flow_media_id(user.user_id, email, kind, media_id)
        info = infos[kind]
        generated = bool(generated_every and n % generated_every == 0)
        job_id: str | None = None
        job_request: dict[str, object] | None = None
        if generated and (n // max(generated_every, 1)) % 4 != 3:
            job_id = job_id_for(user.user_id, email, n)
            model = "veo-3.1-fast" if kind == "video" else "imagen-4"
            job_request = {"prompt": f"test scene {n}: a lighthouse at dusk", "model": model}
            if n % 2 == 0:
                job_request["seed"] = 100_000 + n
            jobs[user.user_id].append(job_id)
        state.flow_assets[mgid] = FlowAsset(
            mgid,
            user.user_id,
            email,
            kind,
            media_id,
            keys[kind],
            info.width,
            info.height,
            info.duration,
            str(job_request["prompt"]) if job_request else f"{kind} {n}",
            start + 600 * n,
            project_id=project_id,
            uploaded=not generated,
            job_id=job_id,
            job_request=job_request,
        )
    return {"users": made, "assets": assets}


def control_routes(state: SandboxState) -> list[Route]:
    """The /_sandbox/ route that fills the library (mounted with the other controls)."""

    async def library(request: Request) -> Response:
        try:
            body = await request.json() if await request.body() else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            made = seed_flow_library(
                state,
                _count(body, "users", 2),
                _count(body, "accounts", 2),
                _count(body, "projects", 3),
                _count(body, "assets", 1000),
                _count(body, "generated_every", 3),
            )
        except ValueError as exc:
            return JSONResponse({"error": f"ValueError: {exc}"}, status_code=400)
        return JSONResponse(made)

    async def fresh_job(request: Request) -> Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            made = generate_job(state, body)
        except ValueError as exc:
            return JSONResponse({"error": f"ValueError: {exc}"}, status_code=400)
        return JSONResponse(made)

    return [
        Route("/google-flow/library", library, methods=["POST"]),
        Route("/google-flow/jobs", fresh_job, methods=["POST"]),
    ]


def generate_job(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    """New media made now by one job (see the module's docstring); what was made."""
    user = state.users.get(str(body.get("token")))
    if user is None:
        raise ValueError("token names no sandbox user")
    email = str(body.get("email") or next(iter(user.flow_accounts), ""))
    account = user.flow_accounts.get(email)
    if account is None:
        raise ValueError(f"{email!r} is not a Google Flow account of user {user.user_id}")
    kind = str(body.get("kind") or "image")
    if kind not in _SOURCES:
        raise ValueError("kind must be image or video")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 4:
        raise ValueError("count must be a whole number from 1 to 4")
    request: dict[str, object] = {
        "prompt": str(body.get("prompt") or "a lighthouse at dusk"),
        "model": str(body.get("model") or ("imagen-4" if kind == "image" else "veo-3.1-fast")),
    }
    if body.get("seed") is not None:
        request["seed"] = int(body["seed"])
    key, info = _shared_object(state, kind)
    n = 9_000_000 + sum(1 for a in state.flow_assets.values() if a.job_id)
    job_id = job_id_for(user.user_id, email, n)
    made = []
    for i in range(count):
        media_id = stable_uuid(f"job/{job_id}/{i}")
        mgid = flow_media_id(user.user_id, email, kind, media_id)
        state.flow_assets[mgid] = FlowAsset(
            mgid,
            user.user_id,
            email,
            kind,
            media_id,
            key,
            info.width,
            info.height,
            info.duration,
            str(request["prompt"]),
            state.now(),
            project_id=account.project_id,
            uploaded=False,
            job_id=job_id,
            job_request=request,
        )
        made.append(mgid)
    return {"jobid": job_id, "mediaGenerationIds": made}
