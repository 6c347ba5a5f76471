"""The typed errors of AssetDesk.

Every service error becomes one of these. `str(error)` is one clear sentence for the user; the
service's own text, when there is one, is kept in `service_text`. No secret ever goes into either.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar


def as_sentence(text: str) -> str:
    """'no keyring was found' -> 'No keyring was found.': lower layers raise fragments; what the
    user reads is one sentence (whitespace tidied, capital first, a full stop at the end)."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class AssetDeskError(Exception):
    """Base of every error AssetDesk reports to the user."""

    kind: ClassVar[str] = "error"
    #: Whether repeating the same request later can succeed.
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        service_text: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.service_text = service_text
        self.status = status

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description, as the CLI prints it."""
        out: dict[str, object] = {"error": self.message, "kind": self.kind}
        if self.status is not None:
            out["status"] = self.status
        if self.service_text:
            out["service_text"] = self.service_text
        return out


class InvalidInput(AssetDeskError):
    """Something the user typed or chose cannot be used (a malformed id, a bad option)."""

    kind = "invalid_input"


class BadRequest(AssetDeskError):
    """The service refused the request's parameters or content (400)."""

    kind = "bad_request"


class Unauthorized(AssetDeskError):
    """The token or key was refused (401)."""

    kind = "unauthorized"


class PaymentRequired(AssetDeskError):
    """No active plan or no credits left (402)."""

    kind = "payment_required"


class Forbidden(AssetDeskError):
    """The credentials are valid but may not touch this item (403)."""

    kind = "forbidden"


class NotFound(AssetDeskError):
    """The item or the account does not exist (404)."""

    kind = "not_found"


class Throttled(AssetDeskError):
    """Too many requests or quota exhausted (429); `retry_at` says when trying again makes sense."""

    kind = "throttled"
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        now: datetime | None = None,
        service_text: str | None = None,
        status: int | None = 429,
    ) -> None:
        super().__init__(message, service_text=service_text, status=status)
        self.retry_after = retry_after
        start = now or datetime.now(UTC)
        self.retry_at = start + timedelta(seconds=retry_after) if retry_after is not None else None

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        if self.retry_at is not None:
            out["retry_at"] = self.retry_at.isoformat()
        return out


class SessionExpired(AssetDeskError):
    """The Google account behind useapi.net must be reconnected (596). Never retried."""

    kind = "session_expired"


class UpstreamFailed(AssetDeskError):
    """The service or the one behind it failed (5xx other than 596).

    `retry_after` is the service's own `Retry-After`, when it sent one (503 "overloaded").
    """

    kind = "upstream_failed"
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        service_text: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, service_text=service_text, status=status)
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        return out


class ContentPolicy(AssetDeskError):
    """The content was refused by the service's policy. The message says why in words (never the
    service's code); `reason` is the code (`PUBLIC_ERROR_…`), also kept in `service_text`."""

    kind = "content_policy"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        service_text: str | None = None,
        status: int | None = 400,
    ) -> None:
        super().__init__(message, service_text=service_text, status=status)
        self.reason = reason

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "reason": self.reason}


class BatchRefused(AssetDeskError):
    """The service checked a batch (of Google Flow ids to delete) as a whole and refused all of
    it: nothing was done. `named_ids` are the batch's ids that the service's words name (empty
    when they name none, e.g. when the body's shape is what it objects to)."""

    kind = "batch_refused"

    def __init__(
        self,
        message: str,
        *,
        named_ids: tuple[str, ...] = (),
        service_text: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, service_text=service_text, status=status)
        self.named_ids = named_ids

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.named_ids:
            out["named_ids"] = list(self.named_ids)
        return out


class AccountGone(NotFound):
    """The account an item belongs to no longer exists: removed, or a session-only account (the
    sandbox's) of an earlier run. The sentence says so and offers the fix."""

    kind = "account_gone"


class TooLarge(AssetDeskError):
    """The file is over the service's limit for its type."""

    kind = "too_large"

    def __init__(
        self,
        message: str,
        *,
        size: int | None = None,
        limit: int | None = None,
        service_text: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, service_text=service_text, status=status)
        self.size = size
        self.limit = limit


class BadType(AssetDeskError):
    """The file's real type is not one the service accepts."""

    kind = "bad_type"


class EmptyFile(AssetDeskError):
    """The file has no bytes."""

    kind = "empty_file"


class LocalFileError(AssetDeskError):
    """A local file cannot be read, changed while in use, or cannot be written."""

    kind = "local_file"


class NetworkError(AssetDeskError):
    """The service could not be reached, or the connection broke."""

    kind = "network"
    retryable = True


class OutcomeUnknown(AssetDeskError):
    """An upload's whole body was sent and the connection broke before the answer: the service
    may have kept the file. Never re-sent without the user's word (it could be a duplicate)."""

    kind = "outcome_unknown"


class IntegrityError(AssetDeskError):
    """Downloaded bytes do not match the size or hash the server announced."""

    kind = "integrity"
    retryable = True


class SecretStoreError(AssetDeskError):
    """The OS keyring is missing, locked or refused the request."""

    kind = "secret_store"


class SecretMissing(SecretStoreError):
    """A saved account has no secret in the keyring (cleared, or kept for an earlier session)."""

    kind = "secret_missing"


class Cancelled(AssetDeskError):
    """The user cancelled the operation."""

    kind = "cancelled"
