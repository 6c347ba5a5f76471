"""The control surface's per-run secret and what the request log shows in place of a credential.

Stdlib only: the launcher (which makes the secret and hands it to the child in the environment,
never on its command line) and the server (which checks it) both use it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

#: The environment variable that carries the secret from the launcher to the child.
SECRET_ENV = "ASSETDESK_SANDBOX_SECRET"
#: The request header every control call carries the secret in.
SECRET_HEADER = "X-Sandbox-Secret"
#: Starts every value the request log holds in place of a credential.
REDACTED_PREFIX = "redacted:"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_from_environment() -> str:
    """The launcher's secret, taken out of the environment (a fresh one when there is none: a
    `--control` started by hand prints it in its banner)."""
    return os.environ.pop(SECRET_ENV, "") or new_secret()


def redacted(secret: str, value: str) -> str:
    """What the request log holds instead of the credential `value`: a keyed hash, equal for
    equal values within one run, that tells nothing about the value without the run's secret."""
    digest = hmac.new(secret.encode(), value.encode("latin-1", "replace"), hashlib.sha256)
    return REDACTED_PREFIX + digest.hexdigest()[:32]


def secret_matches(secret: str, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(secret.encode(), offered.encode())
