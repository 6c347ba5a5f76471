"""Google Flow libraries in the sandbox: the scale seed (`/_sandbox/google-flow/library`) and
the listing shape, for the listing tests of the sandbox, the providers and the CLI."""

from __future__ import annotations

from typing import Any

import httpx

#: The shapes the sandbox serves Google Flow's listings in (sandbox/flow_listing_shapes.py).
FLOW_SHAPES = ("a", "b")


def seed_flow_library(
    sb: Any,
    *,
    users: int = 1,
    accounts: int = 1,
    projects: int = 3,
    assets: int = 12,
    generated_every: int = 3,
) -> dict[str, Any]:
    """Add users x accounts x projects holding `assets` in all; returns the sandbox's answer
    (`users`: [{token, user_id, google_flow_projects: {email: [project ids]}}])."""
    counts = {"users": users, "accounts": accounts, "projects": projects, "assets": assets}
    counts["generated_every"] = generated_every
    answer = httpx.post(
        f"{sb.api_url}/_sandbox/google-flow/library",
        json=counts,
        headers=sb.control_headers,
        timeout=60,
    )
    answer.raise_for_status()
    made: dict[str, Any] = answer.json()
    return made


def flow_listing_shape(sb: Any, shape: str, *, media_page_size: int | None = None) -> None:
    """Serve Google Flow's listings in `shape` ("a" or "b") until the next reset."""
    settings: dict[str, Any] = {"flow_listing_shape": shape}
    if media_page_size is not None:
        settings["flow_media_page_size"] = media_page_size
    sb.configure(**settings)
