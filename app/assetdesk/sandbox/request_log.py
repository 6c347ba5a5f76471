"""The record of every non-control request, as the control surface returns it: without credentials.

A credential (the `Authorization`, `Proxy-Authorization`, `X-Auth-Token` and `Cookie` headers, an
api key, token or signature in the query string) is recorded as `control_secret.redacted(secret,
value)`: equal values give equal records, so a test can still tell which credential was sent
(`SandboxProcess.redacted(value)`), but the log holds none of them.
"""

from __future__ import annotations

import collections
import time
import urllib.parse
from collections.abc import MutableMapping
from typing import Any

from assetdesk.sandbox.control_secret import new_secret, redacted

#: Request headers (lower case) that carry a credential.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-auth-token", "cookie"})
#: Query parameters (compared in lower case) that carry a credential.
CREDENTIAL_PARAMS = frozenset(
    {
        "key",
        "apikey",
        "api_key",
        "api-key",
        "token",
        "access_token",
        "auth",
        "password",
        "signature",
        "x-goog-signature",
        "x-goog-credential",
    }
)


class RequestLog:
    """Every non-control request, per origin, in arrival order (the newest 20 000)."""

    def __init__(self, secret: str | None = None, limit: int = 20_000) -> None:
        self._secret = secret or new_secret()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=limit)

    def record(self, origin: str, scope: MutableMapping[str, Any]) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            if name in CREDENTIAL_HEADERS:
                value = redacted(self._secret, value)
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        query = self._query(scope["query_string"].decode("latin-1"))
        self._entries.append(
            {
                "origin": origin,
                "method": scope["method"],
                "path": scope["path"],
                "raw_path": (scope.get("raw_path") or scope["path"].encode()).decode("latin-1"),
                "query": query,
                "params": dict(urllib.parse.parse_qsl(query)),
                "headers": headers,
                "time": time.time(),
            }
        )

    def _query(self, query: str) -> str:
        """The query string with each credential's value replaced (the rest kept as sent)."""
        parts = query.split("&") if query else []
        for i, part in enumerate(parts):
            name, equals, value = part.partition("=")
            if equals and urllib.parse.unquote_plus(name).lower() in CREDENTIAL_PARAMS:
                plain = urllib.parse.unquote_plus(value)
                parts[i] = f"{name}={redacted(self._secret, plain)}"
        return "&".join(parts)

    def entries(self, origin: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self._entries if origin is None or e["origin"] == origin]

    def clear(self) -> None:
        self._entries.clear()
