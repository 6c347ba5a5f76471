"""Wordbee's refusals in words: the useful text of its error bodies, whether a refusal means the
session token expired or an attach's file token was refused, and the typed error for a non-2xx
answer."""

from __future__ import annotations

from typing import Any

import httpx

from assetdesk.core.errors import (
    AssetDeskError,
    BadRequest,
    Forbidden,
    NotFound,
    Throttled,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.providers.http import body_text, json_body

SERVICE = "Wordbee"
#: Wordbee's 429 names no retry time; its documentation asks for at least ten seconds.
THROTTLE_WAIT = 10.0

_EXPIRED_MARKERS = ("token invalid", "token expired", "invalid or expired")


def error_text(body: Any) -> str:
    """The most useful words of Wordbee's error body, whatever its exact shape."""
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    error = body.get("error")
    if isinstance(error, dict):
        messages = error.get("messages")
        if isinstance(messages, list):
            for message in messages:
                if isinstance(message, str):
                    parts.append(message)
                elif isinstance(message, dict):
                    parts.extend(str(v) for k, v in message.items() if k in ("message", "text"))
        for key in ("title", "details"):
            value = error.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
    elif isinstance(error, str):
        parts.append(error)
    reason = body.get("reason")
    if isinstance(reason, str) and reason and reason not in parts:
        parts.append(reason)
    return " ".join(part.strip() for part in parts if part.strip())


def is_expired_token(status: int, text: str) -> bool:
    """Whether Wordbee refused the session token (sign in again). A 400/403 whose words name
    the file token ("Invalid or expired file token") is about the staged file, not the session:
    a new staging cures it (`file_token_refused`), signing in again would not."""
    lowered = text.lower()
    if status == 401:
        return True
    if _names_file_token(text):
        return False
    return status in (400, 403) and any(m in lowered for m in _EXPIRED_MARKERS)


def wordbee_error(response: httpx.Response, *, subject: str = "") -> AssetDeskError:
    status = response.status_code
    text = error_text(json_body(response)) or body_text(response)
    service_text = text or None
    about = f" ({subject})" if subject else ""
    lowered = text.lower()
    if status >= 500:
        return UpstreamFailed(
            f"Wordbee failed{about} (HTTP {status}).", service_text=service_text, status=status
        )
    if status == 429 or "requests throttled" in lowered:
        return Throttled(
            f"Wordbee is limiting requests{about}; try again in a little while.",
            retry_after=THROTTLE_WAIT,
            service_text=service_text,
        )
    if is_expired_token(status, text) or "invalid credentials" in lowered:
        return Unauthorized(
            f"Wordbee refused the account id or API key{about}.",
            service_text=service_text,
            status=status,
        )
    if status == 404 or "does not exist" in lowered or "not found" in lowered:
        return NotFound(
            f"Wordbee found nothing{about}: {text or 'not found'}",
            service_text=service_text,
            status=status,
        )
    if status == 403:
        return Forbidden(
            f"Wordbee refused access{about}: {text or 'no access rights'}",
            service_text=service_text,
            status=status,
        )
    return BadRequest(
        f"Wordbee refused the request{about}: {text or f'HTTP {status}'}",
        service_text=service_text,
        status=status,
    )


def file_token_refused(error: AssetDeskError) -> bool:
    """Whether an attach was refused for its file token (unknown, used or expired), which a new
    staging cures. Wordbee's words for it are not documented: a refusal that names the file
    token ("filetoken", "file token") counts."""
    refusal = isinstance(error, BadRequest | NotFound | Forbidden)
    return refusal and _names_file_token(error.service_text or "")


def _names_file_token(text: str) -> bool:
    """Whether Wordbee's words are about the staged file's token ("filetoken", "file token")."""
    return "filetoken" in text.lower().replace(" ", "")
