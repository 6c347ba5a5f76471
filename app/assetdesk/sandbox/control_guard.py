"""The gate in front of the /_sandbox/ control surface: only the launcher that started us gets in.

Every control request must
1. name this machine and port in `Host` (`127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`):
   a web page that rebinds its own DNS name to 127.0.0.1 still sends its own name (403);
2. carry the run's secret in `X-Sandbox-Secret` (control_secret.py; 403 without it);
3. when it is a POST, say `Content-Type: application/json` (415): a page's form POST cannot.
Refusals answer JSON `{"error": ...}` and never reach the routes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from assetdesk.sandbox.control_secret import SECRET_HEADER, secret_matches

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class ControlGuard:
    """Wraps the control app; refuses what is not the launcher's own call."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, text = refusal
        body = json.dumps({"error": text}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, reason) when the request must be refused, else None."""
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            headers.setdefault(raw_name.decode("latin-1").lower(), raw_value.decode("latin-1"))
        server = scope.get("server")
        port = server[1] if server else None
        allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES}
        if headers.get("host", "").lower() not in allowed:
            return 403, f"Host must be one of {', '.join(sorted(allowed))}"
        if not secret_matches(self.secret, headers.get(SECRET_HEADER.lower())):
            return 403, f"the control surface needs this run's secret in {SECRET_HEADER}"
        if scope["method"] == "POST":
            media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                return 415, "control requests send Content-Type: application/json"
        return None
