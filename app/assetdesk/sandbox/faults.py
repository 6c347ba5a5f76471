"""Fault injection, bandwidth caps and the request record: one ASGI middleware per origin.

A fault rule matches origin + path (exact, or a prefix when it ends with `*`) + optional method and
is consumed by the next `count` matching requests. What a rule can do:

- `status` (+ `body`, `headers`): answer that instead of the real handler;
- `headers` without `status`: add/override headers on the real answer;
- `drop_headers`: remove these response headers (any case, every line of each) from the answer;
- `latency`: wait that many seconds before answering;
- `drop_after_bytes` K: send K body bytes, then abort the connection (the client sees a truncated
  body: a protocol error, never a clean short body);
- `stall_after_bytes` K + `stall_seconds` S: pause S seconds after K body bytes, then go on;
- `corrupt_byte_at` N: flip every bit of body byte N;
- `content_length` L: send `Content-Length: L`. When L is smaller than the real body, the body is
  cut to L bytes and the answer ends cleanly (only a hash or stored-length check can tell); when L
  is larger, the real bytes are sent and then the connection is aborted.
- `drop_after_request_bytes` K: the connection is cut (reset) once K bytes of the request body
  have arrived; the handler sees the client gone, and the client fails while it is still sending.
- `lose_answer`: the real handler runs (it reads the whole request body and does what it asks:
  an upload is stored), then the connection is closed before a byte of its answer is sent (the
  client sees "server disconnected without sending a response").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from assetdesk.sandbox.request_log import RequestLog

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PREFIX = "/_sandbox/"


class DropConnection(Exception):
    """Raised inside the response stream so that uvicorn aborts the connection."""


class _HideDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DropConnection)


def hide_drop_tracebacks() -> None:
    """uvicorn logs every aborted response as an error; injected drops are not errors."""
    logging.getLogger("uvicorn.error").addFilter(_HideDrops())


@dataclass
class FaultRule:
    origin: str
    path: str
    method: str | None = None
    count: int = 1
    status: int | None = None
    body: bytes | None = None
    body_type: str | None = None
    headers: dict[str, str] | None = None
    drop_after_bytes: int | None = None
    stall_after_bytes: int | None = None
    stall_seconds: float | None = None
    latency: float | None = None
    corrupt_byte_at: int | None = None
    content_length: int | None = None
    drop_headers: list[str] | None = None
    lose_answer: bool = False
    drop_after_request_bytes: int | None = None

    def matches(self, origin: str, method: str, path: str) -> bool:
        if origin != self.origin or (self.method and self.method.upper() != method):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class FaultBook:
    """The queue of pending rules."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)

    def take(self, origin: str, method: str, path: str) -> FaultRule | None:
        for rule in self._rules:
            if rule.matches(origin, method, path):
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def pending(self) -> list[dict[str, Any]]:
        return [
            {"origin": r.origin, "path": r.path, "method": r.method, "count": r.count}
            for r in self._rules
        ]

    def clear(self) -> None:
        self._rules.clear()


class _Pacer:
    """Keeps one stream at or below `rate` bytes per second."""

    def __init__(self, rate: int) -> None:
        self.rate = max(1, rate)
        self.start = time.monotonic()
        self.count = 0

    @property
    def piece(self) -> int:
        return max(1, min(64 * 1024, self.rate // 20))

    async def account(self, n: int) -> None:
        self.count += n
        delay = self.start + self.count / self.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class _ResponseShaper:
    """Wraps `send` to apply a rule's body effects and the bandwidth cap."""

    def __init__(self, send: Send, rule: FaultRule | None, rate: int | None) -> None:
        self._send = send
        self._rule = rule
        self._pacer = _Pacer(rate) if rate else None
        self._sent = 0
        self._stalled = False
        self._finished = False
        self.dropped = False

    async def __call__(self, message: Message) -> None:
        if self._finished:
            return  # the body was cut to a lying Content-Length; swallow the rest
        rule = self._rule
        if message["type"] == "http.response.start":
            if rule is not None:
                message = dict(message)
                headers = list(message.get("headers", []))
                overrides = dict(rule.headers or {})
                if rule.content_length is not None:
                    overrides["content-length"] = str(rule.content_length)
                lowered = {k.lower().encode("latin-1") for k in overrides}
                headers = [(k, v) for k, v in headers if k.lower() not in lowered]
                headers += [
                    (k.encode("latin-1"), v.encode("latin-1")) for k, v in overrides.items()
                ]
                dropped = {k.lower().encode("latin-1") for k in rule.drop_headers or ()}
                headers = [(k, v) for k, v in headers if k.lower() not in dropped]
                message["headers"] = headers
            await self._send(message)
            return
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if rule is not None and rule.corrupt_byte_at is not None:
            at = rule.corrupt_byte_at - self._sent
            if 0 <= at < len(body):
                body = body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]
        await self._emit(body, more)

    async def _emit(self, body: bytes, more: bool) -> None:
        rule = self._rule
        if rule is None:
            await self._write(body, more=more)
            return
        claimed = rule.content_length
        if claimed is not None and len(body) > claimed - self._sent:
            await self._write(body[: claimed - self._sent], more=True)
            await self._send({"type": "http.response.body", "body": b"", "more_body": False})
            self._finished = True
            return
        drop_at = rule.drop_after_bytes
        if drop_at is not None and self._sent + len(body) >= drop_at:
            await self._write(body[: drop_at - self._sent], more=True)
            self.dropped = True
            raise DropConnection(f"dropped after {drop_at} bytes")
        stall_at = rule.stall_after_bytes
        if stall_at is not None and not self._stalled and self._sent + len(body) >= stall_at:
            head, body = body[: stall_at - self._sent], body[stall_at - self._sent :]
            await self._write(head, more=True)
            self._stalled = True
            await asyncio.sleep(rule.stall_seconds or 0)
        if claimed is not None and not more and self._sent + len(body) < claimed:
            await self._write(body, more=True)
            self.dropped = True
            raise DropConnection("body shorter than the announced Content-Length")
        await self._write(body, more=more)

    async def _write(self, body: bytes, *, more: bool) -> None:
        if self._pacer is None or not body:
            self._sent += len(body)
            await self._send({"type": "http.response.body", "body": body, "more_body": more})
            return
        piece = self._pacer.piece
        for start in range(0, len(body), piece):
            part = body[start : start + piece]
            last = start + piece >= len(body)
            self._sent += len(part)
            await self._send(
                {"type": "http.response.body", "body": part, "more_body": more or not last}
            )
            await self._pacer.account(len(part))


def _throttled_receive(receive: Receive, rate: int) -> Receive:
    pacer = _Pacer(rate)

    async def wrapped() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            await pacer.account(len(message.get("body", b"")))
        return message

    return wrapped


def _cut_receive(receive: Receive, cycle: Any, limit: int) -> Receive:
    """`receive` that resets the connection once `limit` body bytes have come (uvicorn's request
    `cycle` holds the transport) and tells the handler the client is gone."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            transport = getattr(cycle, "transport", None)
            if seen >= limit and transport is not None:
                transport.abort()
                return {"type": "http.disconnect"}
        return message

    return wrapped


class OriginMiddleware:
    """Records the request, applies the next matching fault rule and the bandwidth cap."""

    def __init__(
        self,
        app: ASGIApp,
        origin: str,
        faults: FaultBook,
        log: RequestLog,
        bandwidth: dict[str, int],
        *,
        control: bool,
    ) -> None:
        self.app = app
        self.origin = origin
        self.faults = faults
        self.log = log
        self.bandwidth = bandwidth
        self.control = control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.control and self.origin == "api" and path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        self.log.record(self.origin, scope)
        rule = self.faults.take(self.origin, scope["method"], path)
        rate = self.bandwidth.get(self.origin)
        cycle = getattr(receive, "__self__", None)  # before a bandwidth cap wraps `receive`
        if rule is not None and rule.latency:
            await asyncio.sleep(rule.latency)
        if rate:
            receive = _throttled_receive(receive, rate)
        if rule is not None and rule.drop_after_request_bytes is not None:
            receive = _cut_receive(receive, cycle, rule.drop_after_request_bytes)
        shaper = _ResponseShaper(send, rule, rate)
        if rule is not None and rule.lose_answer and rule.status is None:
            await self._lose_answer(scope, receive, send, cycle)
            return
        try:
            if rule is not None and rule.status is not None:
                await _answer(shaper, rule)
            else:
                await self.app(scope, receive, shaper)
        except BaseException:
            if shaper.dropped:
                raise DropConnection("injected drop") from None
            raise

    async def _lose_answer(self, scope: Scope, receive: Receive, send: Send, cycle: Any) -> None:
        """Run the handler with its answer held back, then close the connection unanswered.

        The connection is uvicorn's: its request `cycle` (the object whose method the server's
        `receive` is) holds the transport. Under another server the answer's head goes out and
        the connection is aborted before its body, which a client cannot read either.
        """
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            if held:
                await send(held[0])
            raise DropConnection("answer lost")
        transport.close()
        for _ in range(100):  # uvicorn marks the cycle disconnected on the next loop turn
            if getattr(cycle, "disconnected", True):
                return
            await asyncio.sleep(0.001)


async def _answer(send: Send, rule: FaultRule) -> None:
    body = rule.body or b""
    headers = {"content-type": rule.body_type or "text/plain; charset=utf-8"}
    headers["content-length"] = str(len(body))
    await send(
        {
            "type": "http.response.start",
            "status": rule.status,
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
