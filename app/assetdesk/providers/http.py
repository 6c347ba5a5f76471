"""Reading a service's answer tolerantly: its JSON body, a JSON object, its text for messages.

The clients, retries and network errors the providers use live in `assetdesk.net`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when the body is empty, not JSON, or nested too deeply
    to read (the strict reading, with a sentence for each, is net.answers.json_answer)."""
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: service bodies are read tolerantly."""
    return value if isinstance(value, dict) else {}


def whole_number(value: Any) -> int | None:
    """A whole number however the service wrote it: 12, 12.0 or "12" (not a bool, not 12.5)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def body_text(response: httpx.Response, limit: int = 500) -> str:
    """The body as short text, for `service_text` when it is not JSON."""
    try:
        text = response.content.decode("utf-8", errors="replace").strip()
    except httpx.ResponseNotRead:
        return ""
    return text[:limit]
