"""The useapi.net connection shared by the Google Flow and Runway clients of one account.

One token, one pooled httpx client. The `Authorization` header is added per request, only to
requests for the API's own origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from assetdesk.core.addresses import normalise_base_url
from assetdesk.core.errors import (
    AssetDeskError,
    BadRequest,
    ContentPolicy,
    Forbidden,
    NotFound,
    PaymentRequired,
    SessionExpired,
    Throttled,
    TooLarge,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.net.answers import ANSWER_DEADLINE, exchange, json_answer
from assetdesk.net.clients import DEFAULT_TIMEOUT, make_http_client
from assetdesk.net.retry import DEFAULT_RETRY, RetryPolicy, parse_retry_after, with_retries
from assetdesk.providers.http import body_text, json_body

DEFAULT_USEAPI_URL = "https://api.useapi.net"
SERVICE = "useapi.net"

_TOO_LARGE = re.compile(r"File size \((\d+)\) is over (\d+) bytes")

#: Google's content-policy codes (the `reason` of its error details) in words, finishing "…: ".
#: A code not listed here gets the general sentence; the code itself stays in `service_text`.
_POLICY_REASONS = {
    "PUBLIC_ERROR_TRUMP_FACE_DETECTED": "it shows the face of a public figure",
    "PUBLIC_ERROR_PROMINENT_PEOPLE_UPLOAD": "it shows a prominent person",
    "PUBLIC_ERROR_MINOR_UPLOAD": "it appears to show a minor",
    "PUBLIC_ERROR_UNSAFE_GENERATION": "it was judged unsafe",
}


@dataclass(frozen=True)
class UseapiAccount:
    """What `GET /v2/account` tells about the token's owner."""

    id: int | str | None
    email: str | None
    name: str | None
    subscription_active: bool | None
    verified: bool | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def policy_sentence(reason: str) -> str:
    """What the user reads for Google's content-policy `reason` code: words, never the code."""
    words = _POLICY_REASONS.get(reason)
    if words is None:
        return (
            "Google Flow refused this content under its content policy; "
            "change the file or upload another one."
        )
    return f"Google Flow refused this content under its content policy: {words}."


def policy_details(text: str, reason: str) -> str:
    """The service's text with its policy code, as the details beside the sentence show it."""
    said = text.strip()
    return f"{said} (reason: {reason})" if said else f"reason: {reason}"


def _error_parts(body: Any) -> tuple[str, str | None]:
    """(text of the error, policy reason if any) from a useapi.net error body."""
    if not isinstance(body, dict):
        return "", None
    error = body.get("error")
    if isinstance(error, str):
        return error, None
    if isinstance(error, dict):
        message = str(error.get("message") or error.get("status") or "")
        reason = None
        details = error.get("details")
        if isinstance(details, list):
            for item in details:
                if isinstance(item, dict) and isinstance(item.get("reason"), str):
                    reason = item["reason"]
                    break
        return message, reason
    fallback = body.get("message")
    return (str(fallback) if fallback else ""), None


def useapi_error(response: httpx.Response, *, subject: str = "") -> AssetDeskError:
    """The typed error for a non-2xx useapi.net answer; `subject` names what was asked for."""
    status = response.status_code
    text, reason = _error_parts(json_body(response))
    service_text = text or body_text(response) or None
    said = text.rstrip(". ")  # the service's words, inside a sentence of ours
    about = f" ({subject})" if subject else ""
    if status == 400:
        if reason and reason != "PUBLIC_ERROR_USER_REQUESTS_THROTTLED":
            return ContentPolicy(
                policy_sentence(reason),
                reason=reason,
                service_text=policy_details(service_text or "", reason),
                status=status,
            )
        if match := _TOO_LARGE.search(text):
            size, limit = int(match[1]), int(match[2])
            return TooLarge(
                f"useapi.net refused the file: it is {size:,} bytes and the limit is {limit:,}.",
                size=size,
                limit=limit,
                service_text=service_text,
                status=status,
            )
        return BadRequest(
            f"useapi.net refused the request{about}: {said or 'no reason given'}.",
            service_text=service_text,
            status=status,
        )
    if status == 401:
        return Unauthorized(
            "useapi.net refused the API token; check that it is complete and still active.",
            service_text=service_text,
            status=status,
        )
    if status == 402:
        return PaymentRequired(
            "The useapi.net subscription is not active or has no credits left.",
            service_text=service_text,
            status=status,
        )
    if status == 403:
        return Forbidden(
            f"useapi.net refused access{about}: {said or 'access denied'}.",
            service_text=service_text,
            status=status,
        )
    if status == 404:
        return NotFound(
            f"Not found{about}: {said or 'useapi.net has no such item'}.",
            service_text=service_text,
            status=status,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        when = f"; try again in {_wait_words(retry_after)}" if retry_after else ""
        return Throttled(
            f"The service is busy or out of quota{about}{when}.",
            retry_after=retry_after,
            service_text=service_text,
        )
    if status == 596:
        return SessionExpired(
            "The Google account behind useapi.net must be reconnected "
            "(delete it and add it again at useapi.net).",
            service_text=service_text,
            status=status,
        )
    if 500 <= status < 600:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        when = f"; try again in {_wait_words(retry_after)}" if retry_after else ""
        return UpstreamFailed(
            f"useapi.net or the service behind it failed{about} (HTTP {status}){when}.",
            retry_after=retry_after,
            service_text=service_text,
            status=status,
        )
    return BadRequest(
        f"useapi.net answered with an unexpected HTTP {status}{about}.",
        service_text=service_text,
        status=status,
    )


def _wait_words(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds)} s"


class UseapiConnection:
    """A token and its pooled HTTP client. Shared by `GoogleFlowClient` and `RunwayClient`."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_USEAPI_URL,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float = ANSWER_DEADLINE,
    ) -> None:
        self._token = token
        self.base_url = normalise_base_url(base_url)
        self.retry = retry
        #: A call's whole exchange, in seconds (net/answers.py); uploads bound only their answer.
        self.deadline = deadline
        self._origin = httpx.URL(self.base_url)
        self.http = make_http_client(self.base_url, timeout=timeout)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> UseapiConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def auth_headers(self, url: httpx.URL) -> dict[str, str]:
        """The bearer header, for the API's own origin only."""
        if (url.scheme, url.host, url.port) != (
            self._origin.scheme,
            self._origin.host,
            self._origin.port,
        ):
            raise ValueError("refusing to send the useapi.net token to another origin")
        return {"Authorization": f"Bearer {self._token}"}

    async def send(
        self,
        method: str,
        path: str,
        *,
        subject: str = "",
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: Any = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | None = None,
        upload: bool = False,
    ) -> httpx.Response:
        """One API call with the policy's retries; a non-2xx answer raises its typed error.

        The answer is read within bounds (net/answers.py): the whole exchange within the
        connection's deadline (an `upload` only its answer), its body up to a size cap."""

        async def attempt() -> httpx.Response:
            request = self.http.build_request(
                method,
                path,
                params=params,
                headers=headers,
                content=content() if callable(content) else content,
                timeout=timeout if timeout is not None else self.http.timeout,
            )
            request.headers.update(self.auth_headers(request.url))
            response = await exchange(
                self.http,
                request,
                service=SERVICE,
                deadline=None if upload else self.deadline,
            )
            if response.is_success:
                return response
            raise useapi_error(response, subject=subject)

        return await with_retries(attempt, retry or self.retry, what=f"{method} {path}")

    async def get_json(self, path: str, *, subject: str = "", **kwargs: Any) -> Any:
        response = await self.send("GET", path, subject=subject, **kwargs)
        return json_answer(response, service=SERVICE, what=path)

    async def account(self) -> UseapiAccount:
        """`GET /v2/account`: the cheap check that the token is valid."""
        body = await self.get_json("/v2/account", subject="account check")
        if not isinstance(body, dict):
            body = {}
        return UseapiAccount(
            id=body.get("id"),
            email=_str_or_none(body.get("email")),
            name=_str_or_none(body.get("name")),
            subscription_active=_bool_or_none(body.get("subscriptionIsActive")),
            verified=_bool_or_none(body.get("verified")),
            raw=body,
        )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


__all__ = [
    "DEFAULT_USEAPI_URL",
    "UseapiAccount",
    "UseapiConnection",
    "policy_details",
    "policy_sentence",
    "useapi_error",
]
