"""The sandbox's scale controls (sandbox/scale_controls.py): many Runway assets, a Wordbee project
of many segments. Plain HTTP to /_sandbox/, like the launcher's own control helpers."""

from __future__ import annotations

from typing import Any

import httpx


def _control(sb: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        f"{sb.api_url}/_sandbox{path}", json=body, headers=sb.control_headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def seed_runway_assets(
    sb: Any,
    count: int,
    *,
    email: str | None = None,
    token: str | None = None,
    generated_every: int = 3,
    media_type: str = "image",
) -> dict[str, Any]:
    """Add `count` Runway assets (every `generated_every`-th with a task); `{assetIds, taskIds}`."""
    body = {"count": count, "generated_every": generated_every, "media_type": media_type}
    body.update({k: v for k, v in (("email", email), ("token", token)) if v})
    return _control(sb, "/runway/bulk", body)


def seed_wordbee_project(
    sb: Any,
    project_id: int = 7215,
    *,
    segments: int = 20,
    assets_per_segment: int = 2,
    empty_segments: int = 0,
) -> dict[str, Any]:
    """Add a Wordbee project; `{scope, segment_ids, empty_segment_ids}`."""
    return _control(
        sb,
        "/wordbee/project",
        {
            "project_id": project_id,
            "segments": segments,
            "assets_per_segment": assets_per_segment,
            "empty_segments": empty_segments,
        },
    )
