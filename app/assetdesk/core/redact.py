"""Keep secrets out of every log line and error text.

A `Redactor` knows the secrets AssetDesk holds (tokens, API keys, session tokens: the secret store
registers each one it sees) and also hides anything shaped like a useapi.net token. A
`RedactingFilter` applies it to log records before any handler formats them.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote

__all__ = ["MARK", "MIN_SECRET_LENGTH", "RedactingFilter", "Redactor", "install"]

MARK = "«redacted»"
#: Shorter strings are not registered: hiding every "a" would make logs unreadable.
MIN_SECRET_LENGTH = 4

# `user:<digits>-<8+ letters/digits>` not followed by more of them or by ':', so that a
# mediaGenerationId (`user:1-email:…`) or Runway id (`user:1-runwayml:…`) stays readable.
# The URL-encoded form (`user%3A123-…`) is covered too.
_TOKEN_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])user(?::|%3[Aa])[0-9]+-[A-Za-z0-9]{8,}(?![A-Za-z0-9:]|%3[Aa])"
)


class Redactor:
    """Replaces registered secrets and token-shaped text with «redacted». Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None

    def register(self, secret: str | None) -> None:
        """Hide `secret` (and its URL-encoded form) from now on. Short or empty ones are ignored."""
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        forms = {secret, quote(secret, safe=""), secret.strip()}
        forms = {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets = self._secrets | forms
            ordered = sorted(self._secrets, key=len, reverse=True)  # longest first
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))

    def __contains__(self, secret: object) -> bool:
        return secret in self._secrets

    def redact(self, text: str) -> str:
        """`text` with every registered secret and every token-shaped string replaced."""
        pattern = self._pattern  # one read: a concurrent register() swaps it atomically
        if pattern is not None:
            text = pattern.sub(MARK, text)
        return _TOKEN_SHAPE.sub(MARK, text)


class RedactingFilter(logging.Filter):
    """Formats a record's message, redacts it, and drops the args, so no handler sees a secret.

    Put it on handlers (a logger's own filters do not see records that propagate from its
    children); `install` does that for the handlers that exist.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a broken format: keep every piece, redacted
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        return True


def install(redactor: Redactor, logger_name: str = "assetdesk") -> RedactingFilter:
    """Attach one RedactingFilter to the named logger, its handlers and the root's handlers.

    Handlers added later need `handler.addFilter(returned_filter)`.
    """
    redacting = RedactingFilter(redactor)
    logger = logging.getLogger(logger_name)
    targets: list[logging.Filterer] = [logger, *logger.handlers, *logging.getLogger().handlers]
    for target in targets:
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(redacting)
    return redacting


_URL_QUERY = re.compile(r"((?:https?|rtsp)://[^\s?#\"'<>]+)[?#][^\s\"'<>]*", re.IGNORECASE)


def without_url_queries(text: str) -> str:
    """`text` with every web address cut at its query ('…?…'): a signed link's query is its
    secret, and a player's or a library's error quotes the link whole."""
    return _URL_QUERY.sub(r"\1?…", text)
