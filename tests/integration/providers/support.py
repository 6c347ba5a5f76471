"""Shared helpers of the provider tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assetdesk.net.retry import RetryPolicy

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo"

#: Retries as in the app, without the waits: tests check how often a call is tried, not the clock.
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_throttle_wait=3)


def api_requests(sb: Any, path_prefix: str, origin: str = "api") -> list[dict[str, Any]]:
    """The requests an origin received under `path_prefix`."""
    return [r for r in sb.requests(origin) if r["path"].startswith(path_prefix)]
