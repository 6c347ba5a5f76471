"""Account secrets (useapi.net tokens, Wordbee keys and session tokens) in the OS keyring only.

The backend is chosen once, when the `SecretStore` is made, and named for the user. When no usable
keyring exists the store says why, and `use_session_only()` keeps secrets in this process's memory
instead; nothing is ever written to disk by AssetDesk itself.

Keyring calls block (D-Bus, a Keychain prompt): callers run every method, and the constructor,
through `asyncio.to_thread`.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

import keyring
import keyring.backend
from keyring.errors import PasswordDeleteError

from assetdesk.core.errors import SecretStoreError
from assetdesk.core.redact import MARK, Redactor

__all__ = ["FIELDS", "SERVICE_NAME", "SecretStore", "backend_label", "username_for"]

log = logging.getLogger("assetdesk.store.secrets")

SERVICE_NAME: Final = "AssetDesk"
#: The secrets an account can have.
FIELDS: Final = ("token", "key", "session_token")
_PROBE_USER: Final = "availability-probe"

_BACKEND_LABELS: Final = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "Secret Service",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.kwallet": "KWallet",
}


def username_for(account_id: int, field: str) -> str:
    """The keyring user name of one secret: 'account-3:token'."""
    if field not in FIELDS:
        raise ValueError(f"unknown secret field {field!r}; expected one of {FIELDS}")
    return f"account-{int(account_id)}:{field}"


def _is_module(backend: keyring.backend.KeyringBackend, module: str) -> bool:
    name = type(backend).__module__
    return name == module or name.startswith(module + ".")


def _is_chainer(backend: keyring.backend.KeyringBackend) -> bool:
    return _is_module(backend, "keyring.backends.chainer")


def _chained(backend: keyring.backend.KeyringBackend) -> list[keyring.backend.KeyringBackend]:
    return list(getattr(type(backend), "backends", []) or [])


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    """A backend's name in plain words: 'Secret Service', 'macOS Keychain', ..."""
    if _is_chainer(backend):
        inner = _chained(backend)
        return backend_label(inner[0]) if inner else "no keyring"
    if _is_module(backend, "keyring.backends.fail"):
        return "no keyring"
    if _is_module(backend, "keyring.backends.null"):
        return "keyring turned off"
    for module, label in _BACKEND_LABELS.items():
        if _is_module(backend, module):
            return label
    return type(backend).__name__


def _scrub(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MARK)
    return text


class SecretStore:
    """Reads and writes account secrets in the keyring chosen at construction.

    `available` says whether that keyring works; `unavailable_reason` says why not, in plain
    words. `use_session_only()` switches to memory for the rest of this process.
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        redactor: Redactor | None = None,
        probe: bool = True,
    ) -> None:
        self._redactor = redactor
        self._lock = threading.Lock()
        self._memory: dict[str, str] = {}
        self._session_only = False
        self.unavailable_reason: str | None = None
        self._backend = backend if backend is not None else keyring.get_keyring()
        self.backend_name = backend_label(self._backend)
        self.unavailable_reason = self._why_unusable(probe=probe)
        self.available = self.unavailable_reason is None
        if self.available:
            log.info("secrets are kept in %s", self.backend_name)
        else:
            log.warning("no usable keyring: %s", self.unavailable_reason)

    # ---- state ---------------------------------------------------------------------------------

    @property
    def session_only(self) -> bool:
        return self._session_only

    def use_session_only(self) -> None:
        """Keep secrets in memory for this process only; the keyring is no longer touched."""
        self._session_only = True
        log.info("secrets are kept in memory for this session only")

    @property
    def where(self) -> str:
        """Where secrets go now, for the Accounts pane: 'Secret Service' or 'this session only'."""
        return "this session only" if self._session_only else self.backend_name

    # ---- secrets -------------------------------------------------------------------------------

    def get(self, account_id: int, field: str) -> str | None:
        """The secret, or None when none is stored."""
        username = username_for(account_id, field)
        if self._session_only:
            with self._lock:
                secret = self._memory.get(username)
        else:
            self._require_keyring("read")
            failure = None
            try:
                secret = self._backend.get_password(SERVICE_NAME, username)
            except Exception as error:  # any backend failure: D-Bus, locked, refused
                failure = self._failure("read", field, error)
            if failure is not None:  # raised here so the backend's error is not chained
                raise failure
        self._register(secret)
        return secret

    def set(self, account_id: int, field: str, secret: str) -> None:
        """Store `secret`, replacing any previous one. An empty secret deletes instead."""
        username = username_for(account_id, field)
        if not secret:
            self.delete(account_id, field)
            return
        self._register(secret)
        if self._session_only:
            with self._lock:
                self._memory[username] = secret
            return
        self._require_keyring("save")
        failure = None
        try:
            self._backend.set_password(SERVICE_NAME, username, secret)
        except Exception as error:  # any backend failure: D-Bus, locked, refused
            failure = self._failure("save", field, error, secret)
        if failure is not None:  # raised here so the backend's error (maybe naming the
            raise failure  # secret) is not chained to ours

    def delete(self, account_id: int, field: str) -> None:
        """Forget one secret; nothing happens when none is stored."""
        username = username_for(account_id, field)
        with self._lock:
            self._memory.pop(username, None)
        if self._session_only:
            return
        self._require_keyring("delete")
        failure = None
        try:
            self._backend.delete_password(SERVICE_NAME, username)
        except PasswordDeleteError:
            return  # nothing stored under that name
        except Exception as error:  # any backend failure: D-Bus, locked, refused
            failure = self._failure("delete", field, error)
        if failure is not None:
            raise failure

    def delete_all(self, account_id: int) -> None:
        """Forget every secret of one account (when the account is removed)."""
        for field in FIELDS:
            self.delete(account_id, field)

    # ---- internals -----------------------------------------------------------------------------

    def _register(self, secret: str | None) -> None:
        if secret and self._redactor is not None:
            self._redactor.register(secret)

    def _why_unusable(self, *, probe: bool) -> str | None:
        backend = self._backend
        if _is_module(backend, "keyring.backends.fail"):
            return "no system keyring was found on this computer"
        if _is_module(backend, "keyring.backends.null"):
            return "the keyring is turned off in keyring's settings"
        if _is_chainer(backend) and not _chained(backend):
            return "no system keyring was found on this computer"
        if not probe:
            return None
        try:
            backend.get_password(SERVICE_NAME, _PROBE_USER)
        except Exception as error:  # any backend failure means the keyring is not usable
            return f"the {self.backend_name} keyring does not answer ({_plain(error)})"
        return None

    def _require_keyring(self, action: str) -> None:
        if not self.available:
            raise SecretStoreError(
                f"cannot {action} the secret: {self.unavailable_reason} — keep secrets for this "
                "session only, or set up a system keyring"
            )

    def _failure(
        self, action: str, field: str, error: Exception, secret: str | None = None
    ) -> SecretStoreError:
        detail = _scrub(_plain(error), secret)
        if self._redactor is not None:
            detail = self._redactor.redact(detail)
        log.warning("keyring refused to %s %s: %s", action, field, detail)
        return SecretStoreError(
            f"{self.backend_name} could not {action} the {field.replace('_', ' ')} ({detail})"
        )


def _plain(error: Exception) -> str:
    text = str(error).strip()
    name = type(error).__name__
    return f"{name}: {text}" if text else name
