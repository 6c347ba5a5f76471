"""The /_sandbox/ control surface (only with --control): faults, clock, seeding, the request log.

Mounted on the api origin and never recorded; behind control_guard.py (the run's secret, a
loopback Host, JSON POSTs only). Every answer is JSON; a bad request answers 400
`{"error": ...}`. A file it is asked to serve must lie inside the sandbox's own folders (its data
folder, its demo media): the launcher links anything else into `<data>/control-files` first.
`launcher.SandboxProcess` wraps each endpoint in a method.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.control_guard import ControlGuard
from assetdesk.sandbox.faults import FaultRule
from assetdesk.sandbox.flow_library_seed import control_routes as flow_library_routes
from assetdesk.sandbox.media_probe import ProbeError, probe
from assetdesk.sandbox.scale_controls import scale_routes
from assetdesk.sandbox.seed import add_runway_asset, new_flow_account, record_flow_asset
from assetdesk.sandbox.state import (
    WORDBEE_BUCKET,
    SandboxState,
    User,
    WordbeeAsset,
)

ORIGINS = ("api", "storage", "wordbee")
_RULE_FIELDS = (
    "drop_after_bytes",
    "stall_after_bytes",
    "stall_seconds",
    "latency",
    "corrupt_byte_at",
    "content_length",
    "drop_after_request_bytes",
)


class ControlError(ValueError):
    pass


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise ControlError(f"body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ControlError("body must be a JSON object")
    return payload


def _origin(value: Any) -> str:
    if value not in ORIGINS:
        raise ControlError(f"origin must be one of {', '.join(ORIGINS)}, not {value!r}")
    return str(value)


def _user(state: SandboxState, token: str | None) -> User:
    user = state.users.get(token or str(state.demo["useapi_token"]))
    if user is None:
        raise ControlError(f"no such useapi.net token {token!r}")
    return user


def control_files(data_dir: Path) -> Path:
    """Where the launcher links a file from elsewhere before it asks us to serve it."""
    return data_dir / "control-files"


def _file(state: SandboxState, value: Any) -> Path:
    """`value` as a file inside the sandbox's own folders (links followed before the check)."""
    try:
        path = Path(str(value or "")).resolve(strict=True)
    except (OSError, RuntimeError):
        raise ControlError(f"no such file {value!r}") from None
    roots = [folder.resolve() for folder in (state.data_dir, state.seed_dir)]
    if not any(path.is_relative_to(root) for root in roots):
        raise ControlError(f"{value!r} is outside the sandbox's folders")
    if not path.is_file():
        raise ControlError(f"no such file {value!r}")
    return path


def control_app(state: SandboxState, secret: str) -> Starlette:
    async def reset(request: Request, body: dict[str, Any]) -> Any:
        state.reset()
        return {"ok": True}

    async def add_fault(request: Request, body: dict[str, Any]) -> Any:
        rule = FaultRule(origin=_origin(body.get("origin")), path=str(body.get("path") or ""))
        if not rule.path.startswith("/"):
            raise ControlError("path must start with /")
        rule.method = body.get("method") or None
        rule.count = int(body.get("count") or 1)
        rule.status = body.get("status")
        rule.headers = body.get("headers")
        drop_headers = body.get("drop_headers")
        if drop_headers is not None:
            if not isinstance(drop_headers, list) or not all(
                isinstance(h, str) and h for h in drop_headers
            ):
                raise ControlError("drop_headers must be a list of header names")
            rule.drop_headers = drop_headers
        for name in _RULE_FIELDS:
            setattr(rule, name, body.get(name))
        rule.lose_answer = bool(body.get("lose_answer"))
        if body.get("body_b64") is not None:
            rule.body, rule.body_type = (
                base64.b64decode(body["body_b64"]),
                "application/octet-stream",
            )
        elif body.get("body_text") is not None:
            rule.body, rule.body_type = body["body_text"].encode(), "text/plain; charset=utf-8"
        elif body.get("body_json") is not None:
            rule.body, rule.body_type = json.dumps(body["body_json"]).encode(), "application/json"
        state.faults.add(rule)
        return {"pending": state.faults.pending()}

    async def faults(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "DELETE":
            state.faults.clear()
        return state.faults.pending()

    async def bandwidth(request: Request, body: dict[str, Any]) -> Any:
        origin = _origin(body.get("origin"))
        rate = body.get("bytes_per_second")
        if rate:
            state.bandwidth[origin] = int(rate)
        else:
            state.bandwidth.pop(origin, None)
        return dict(state.bandwidth)

    async def requests(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "DELETE":
            state.requests.clear()
            return []
        return state.requests.entries(request.query_params.get("origin") or None)

    async def clock(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "POST":
            state.clock_offset += float(body.get("advance") or 0)
        return {"now": state.now(), "offset": state.clock_offset}

    async def configure(request: Request, body: dict[str, Any]) -> Any:
        state.settings.update(body)
        return state.settings.as_dict()

    async def flow_account(request: Request, body: dict[str, Any]) -> Any:
        user = _user(state, body.get("token"))
        email = str(body.get("email") or "").lower()
        if "@" not in email:
            raise ControlError("email is required")
        if not body.get("present", True):
            user.flow_accounts.pop(email, None)
            return {"ok": True}
        account = user.flow_accounts.get(email) or new_flow_account(email, state.now())
        account.health = str(body.get("health") or "OK")
        account.session_error = bool(body.get("session_error"))
        throttled_for = body.get("throttled_for")
        account.throttled_until = state.now() + float(throttled_for) if throttled_for else None
        user.flow_accounts[email] = account
        return {"ok": True}

    async def flow_assets(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "GET":
            listed = []
            for asset in state.flow_assets.values():
                obj = state.blobs.get(asset.object_key)
                listed.append(
                    {
                        "mediaGenerationId": asset.media_generation_id,
                        "user_id": asset.user_id,
                        "email": asset.email,
                        "kind": asset.kind,
                        "width": asset.width,
                        "height": asset.height,
                        "duration": asset.duration,
                        "object": obj.describe() if obj else None,
                    }
                )
            return listed
        user = _user(state, body.get("token"))
        path, content_type = _file(state, body.get("path")), str(body.get("content_type"))
        email = str(body.get("email") or next(iter(user.flow_accounts), ""))
        if email not in user.flow_accounts:
            raise ControlError(f"{email!r} is not a Google Flow account of user {user.user_id}")
        try:
            info = await asyncio.to_thread(probe, path, content_type)
        except ProbeError as exc:
            raise ControlError(str(exc)) from None
        mgid, key = record_flow_asset(
            state,
            user.user_id,
            email,
            content_type,
            str(uuid.uuid4()),
            info,
            path.name,
            state.now(),
        )
        await asyncio.to_thread(state.blobs.add_file, key, path, content_type)
        return {"mediaGenerationId": mgid}

    async def runway_assets(request: Request, body: dict[str, Any]) -> Any:
        user = _user(state, body.get("token"))
        path, content_type = _file(state, body.get("path")), str(body.get("content_type"))
        email = str(body.get("email") or next(iter(user.runway_accounts), ""))
        if email not in user.runway_accounts:
            raise ControlError(f"{email!r} is not a Runway account of user {user.user_id}")
        try:
            asset = await asyncio.to_thread(
                add_runway_asset,
                state,
                path,
                content_type,
                user,
                email,
                str(body.get("name") or path.name),
                str(uuid.uuid4()),
                state.now(),
            )
        except ProbeError as exc:
            raise ControlError(str(exc)) from None
        return {"assetId": asset.asset_id}

    async def wordbee_assets(request: Request, body: dict[str, Any]) -> Any:
        path = _file(state, body.get("path"))
        key = f"{WORDBEE_BUCKET}/{uuid.uuid4()}"
        await asyncio.to_thread(state.blobs.add_file, key, path, str(body.get("content_type")))
        scope = str(body.get("scope") or "pr7214")
        segment = int(body["segment_id"])
        state.wordbee_assets.append(
            WordbeeAsset(
                scope,
                int(scope.lstrip("prjbsc") or 0),
                880 + segment % 10,
                segment,
                body.get("locale") or None,
                str(body.get("relative_path") or ""),
                str(body["name"]),
                key,
                state.now(),
            )
        )
        return {"ok": True}

    async def wordbee_expire(request: Request, body: dict[str, Any]) -> Any:
        """One-shot expiries: the session token of the next `session_after_staging` stagings
        ends as they answer; the next `file_token_at_attach` attaches find their token expired."""
        for name in ("session_after_staging", "file_token_at_attach"):
            count = int(body.get(name) or 0)
            if count < 0:
                raise ControlError(f"{name} must be 0 or more")
            state.wordbee_expiries[name] = count
        return dict(state.wordbee_expiries)

    async def stderr(request: Request, body: dict[str, Any]) -> Any:
        """Write `text` as one line to stderr: once the launcher reads it back, it has read
        everything the sandbox wrote before (see SandboxProcess.stderr_mark)."""
        text = str(body.get("text") or "").replace("\n", " ")
        print(text, file=sys.stderr, flush=True)
        return {"ok": True}

    async def objects(request: Request, body: dict[str, Any]) -> Any:
        return [obj.describe() for obj in state.blobs.all()]

    async def sign(request: Request, body: dict[str, Any]) -> Any:
        ttl = body.get("ttl")
        return {"url": state.signed_url(str(body["key"]), None if ttl is None else float(ttl))}

    def endpoint(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            try:
                body = await _json(request) if request.method == "POST" else {}
                return JSONResponse(await handler(request, body))
            except (ControlError, KeyError, TypeError, ValueError) as exc:
                return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=400)

        return run

    routes = [
        Route("/reset", endpoint(reset), methods=["POST"]),
        Route("/faults", endpoint(add_fault), methods=["POST"]),
        Route("/faults", endpoint(faults), methods=["GET", "DELETE"]),
        Route("/bandwidth", endpoint(bandwidth), methods=["POST"]),
        Route("/requests", endpoint(requests), methods=["GET", "DELETE"]),
        Route("/clock", endpoint(clock), methods=["GET", "POST"]),
        Route("/configure", endpoint(configure), methods=["POST"]),
        Route("/google-flow/accounts", endpoint(flow_account), methods=["POST"]),
        Route("/google-flow/assets", endpoint(flow_assets), methods=["GET", "POST"]),
        Route("/runway/assets", endpoint(runway_assets), methods=["POST"]),
        Route("/wordbee/assets", endpoint(wordbee_assets), methods=["POST"]),
        Route("/wordbee/expire", endpoint(wordbee_expire), methods=["POST"]),
        Route("/objects", endpoint(objects), methods=["GET"]),
        Route("/stderr", endpoint(stderr), methods=["POST"]),
        Route("/sign", endpoint(sign), methods=["POST"]),
        *scale_routes(state),
    ]
    routes += flow_library_routes(state)
    return Starlette(routes=routes, middleware=[Middleware(ControlGuard, secret=secret)])
