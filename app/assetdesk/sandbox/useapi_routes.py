"""The useapi.net origin: /v2/account, Google Flow and Runway (and /_sandbox/ when enabled)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from assetdesk.sandbox import (
    flow_job_routes,
    flow_listing_routes,
    google_flow_routes,
    runway_routes,
    runway_upload_routes,
)
from assetdesk.sandbox.http_bits import authorize
from assetdesk.sandbox.state import SandboxState, iso


def useapi_app(state: SandboxState, control: Starlette | None) -> Starlette:
    async def account(request: Request) -> Response:
        user = authorize(state, request)
        if isinstance(user, Response):
            return user
        return JSONResponse(
            {
                "id": user.user_id,
                "email": user.email,
                "name": user.name,
                "created": iso(user.created),
                "subscriptionIsActive": True,
                "verified": True,
                "accounts": {
                    "google-flow": sorted(user.flow_accounts),
                    "runwayml": sorted(user.runway_accounts),
                },
            }
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": "Not found", "code": 404}, status_code=404)

    routes: list[BaseRoute] = [Route("/v2/account", account, methods=["GET"])]
    routes += flow_listing_routes.make_routes(state)  # before the asset-URL GET
    routes += flow_job_routes.make_routes(state)
    routes += google_flow_routes.make_routes(state)
    routes += runway_routes.make_routes(state)
    routes += runway_upload_routes.make_routes(state)
    if control is not None:
        routes.append(Mount("/_sandbox", app=control))
    return Starlette(routes=routes, exception_handlers={404: not_found})
