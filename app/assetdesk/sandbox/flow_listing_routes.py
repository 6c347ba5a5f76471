"""useapi.net Google Flow: list an account's projects, list a project's media, delete media.

The rules kept here (MORE-ENDPOINTS.md 1.1-1.3): projects are the account's projects that hold
media, with counts of generated media only, paged by an opaque cursor; a project's media is its
timeline and its attached media (uploads) merged into one list, with `likelyUploads` and a
per-entry `likelyUpload`; a delete names at most 100 ids and is checked whole first (format,
owner, account, type, existence): one bad id refuses the batch and nothing is deleted.
The answers' field names are the sandbox's own (see flow_listing_shapes.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assetdesk.sandbox.flow_listing_shapes import ProjectSummary, media_answer, projects_answer
from assetdesk.sandbox.google_flow_routes import (
    MEDIA_ID,
    SESSION_ERROR,
    hex_email,
    throttled_response,
)
from assetdesk.sandbox.http_bits import authorize, error
from assetdesk.sandbox.state import FlowAccount, FlowAsset, SandboxState, User

#: Projects per page: small, so that every client follows the cursor even on the demo.
PROJECTS_PAGE = 2
#: The page's limit on ids per delete call.
DELETE_LIMIT = 100
#: The body key of a delete (the page does not show it; this is the sandbox's choice).
DELETE_KEY = "mediaGenerationIds"


def _encode_cursor(scope: str, offset: int) -> str:
    raw = json.dumps([scope, offset]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str | None, scope: str) -> int | None:
    """The offset a cursor stands for; None when it is not one of ours for this listing."""
    if not text:
        return 0
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        found, offset = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        return None
    if found != scope or not isinstance(offset, int) or offset < 0:
        return None
    return offset


def _usable_account(state: SandboxState, user: User, email: str) -> FlowAccount | Response:
    account = user.flow_accounts.get(email.lower())
    if account is None:
        return error(404, f"Google Flow account {email} not found")
    if account.session_error:
        return error(596, SESSION_ERROR)
    now = state.now()
    if account.throttled_until and account.throttled_until > now:
        return throttled_response(account.throttled_until - now)
    return account


def _account_assets(state: SandboxState, user: User, account: FlowAccount) -> list[FlowAsset]:
    return [
        a
        for a in state.flow_assets.values()
        if a.user_id == user.user_id and a.email == account.email
    ]


def _project_of(asset: FlowAsset, account: FlowAccount) -> str:
    return asset.project_id or account.project_id


def project_summaries(
    state: SandboxState, user: User, account: FlowAccount
) -> list[ProjectSummary]:
    """Every project of the account that holds media, the current one first."""
    titles = {account.project_id: account.project_title, **account.projects}
    held: dict[str, list[FlowAsset]] = {}
    for asset in _account_assets(state, user, account):
        held.setdefault(_project_of(asset, account), []).append(asset)
    summaries = []
    for project_id, title in titles.items():
        assets = held.get(project_id)
        if not assets:
            continue
        generated = [a for a in assets if not a.uploaded]
        times = [a.created for a in generated]
        summaries.append(
            ProjectSummary(
                project_id,
                title,
                sum(a.kind == "image" for a in generated),
                sum(a.kind == "video" for a in generated),
                min(times) if times else None,
                max(times) if times else None,
            )
        )
    return summaries


def _bad_id(state: SandboxState, user: User, account: FlowAccount, ref: Any) -> Response | None:
    """Why `ref` cannot be deleted from `account`, naming it; None when it can."""
    text = ref if isinstance(ref, str) else json.dumps(ref)
    match = MEDIA_ID.fullmatch(text) if isinstance(ref, str) else None
    email = hex_email(match.group(2)) if match else None
    if match is None or email is None:
        return error(400, f"Invalid mediaGenerationId format: {text}")
    owner, kind = int(match.group(1)), match.group(3)
    if kind not in ("image", "video"):
        return error(
            400, f"mediaGenerationId type must be 'image' or 'video', got '{kind}': {text}"
        )
    if owner != user.user_id:
        return error(
            403, f"Unauthorized access to user:{owner} detected in mediaGenerationId {text}"
        )
    if email.lower() != account.email:
        return error(
            400,
            f"mediaGenerationId {text} belongs to Google Flow account {email}, not {account.email}",
        )
    asset = state.flow_assets.get(text)
    if asset is None or asset.user_id != owner:
        return error(404, f"Media not found: {text}")
    return None


def make_routes(state: SandboxState) -> list[Route]:
    """Listed before google_flow_routes' `GET /v1/google-flow/assets/{ref:path}`, which would
    otherwise take `projects/...` and `media/...` for asset references."""

    async def list_projects(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        account = _usable_account(state, user, request.path_params["email"])
        if isinstance(account, Response):
            return account
        scope = f"projects:{account.email}"
        offset = _decode_cursor(request.query_params.get("cursor"), scope)
        if offset is None:
            return error(400, f"Invalid cursor: {request.query_params.get('cursor')}")
        summaries = project_summaries(state, user, account)
        page = summaries[offset : offset + PROJECTS_PAGE]
        end = offset + len(page)
        cursor = _encode_cursor(scope, end) if end < len(summaries) else None
        return JSONResponse(projects_answer(state.settings.flow_listing_shape, page, cursor))

    async def list_media(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        account = _usable_account(state, user, request.path_params["email"])
        if isinstance(account, Response):
            return account
        project_id = request.query_params.get("projectId") or account.project_id
        if project_id != account.project_id and project_id not in account.projects:
            return error(
                404, f"Project {project_id} not found on Google Flow account {account.email}"
            )
        scope = f"media:{account.email}:{project_id}"
        offset = _decode_cursor(request.query_params.get("cursor"), scope)
        if offset is None:
            return error(400, f"Invalid cursor: {request.query_params.get('cursor')}")
        held = [
            a
            for a in _account_assets(state, user, account)
            if _project_of(a, account) == project_id
        ]
        # the timeline (generated) first, then the attached media (uploads), oldest first
        held.sort(key=lambda a: (a.uploaded, a.created, a.media_generation_id))
        size = state.settings.flow_media_page_size
        page = held[offset : offset + size]
        end = offset + len(page)
        cursor = _encode_cursor(scope, end) if end < len(held) else None
        uploads = sum(a.uploaded for a in held)
        shape = state.settings.flow_listing_shape
        return JSONResponse(media_answer(shape, project_id, page, uploads, len(held), cursor))

    async def delete_media(request: Request) -> Response:
        user = authorize(state, request, code=False)
        if isinstance(user, Response):
            return user
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        refs = body.get(DELETE_KEY) if isinstance(body, dict) else None
        if not isinstance(refs, list):
            return error(400, f'Request body must be JSON like {{"{DELETE_KEY}": ["..."]}}')
        if not refs:
            return error(400, f"{DELETE_KEY} is empty")
        if len(refs) > DELETE_LIMIT:
            return error(400, f"At most {DELETE_LIMIT} {DELETE_KEY} per request, got {len(refs)}")
        account = _usable_account(state, user, request.path_params["email"])
        if isinstance(account, Response):
            return account
        for ref in refs:  # the whole batch is checked before anything is deleted
            refusal = _bad_id(state, user, account, ref)
            if refusal is not None:
                return refusal
        deleted = list(dict.fromkeys(refs))
        for ref in deleted:
            state.flow_assets.pop(ref, None)
        return JSONResponse({"deleted": deleted, "count": len(deleted)})

    return [
        Route("/v1/google-flow/assets/projects/{email}", list_projects, methods=["GET"]),
        Route("/v1/google-flow/assets/media/{email}", list_media, methods=["GET"]),
        Route("/v1/google-flow/assets/{email}", delete_media, methods=["DELETE"]),
    ]
