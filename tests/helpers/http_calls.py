"""HTTP calls of the provider and transfer tests: the app's retries without their waits, and the
requests an origin of the sandbox received."""

from __future__ import annotations

from typing import Any

from assetdesk.net.retry import RetryPolicy

#: Retries as in the app, without the waits: tests check how often a call is tried, not the clock.
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_throttle_wait=3)


def api_requests(sb: Any, path_prefix: str, origin: str = "api") -> list[dict[str, Any]]:
    """The requests an origin received under `path_prefix`."""
    return [r for r in sb.requests(origin) if r["path"].startswith(path_prefix)]
