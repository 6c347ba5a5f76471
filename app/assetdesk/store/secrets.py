"""Account secrets (useapi.net tokens, Wordbee keys and session tokens) in the OS keyring only.

The backend is chosen once, when the `SecretStore` is made, and named for the user. Of what
`keyring` offers (its own pick, `PYTHON_KEYRING_BACKEND`, its config file, plugins such as
keyrings.alt) only the operating systems' own stores are used: Secret Service, KWallet, the macOS
Keychain and the Windows Credential Manager. Anything else, a file-based keyring above all, is
named and treated as no keyring. When no usable keyring exists the store says why, and
`use_session_only()` keeps secrets in this process's memory instead; nothing is ever written to
disk by AssetDesk itself.

Keyring calls block (D-Bus, a Keychain prompt) and may never return (an unlock prompt nobody
answers): callers run every method through `run_keyring_call`, on a daemon thread that is
abandoned after a timeout so that a stuck call never holds up quitting. Build the store with
`probe=False` on the event loop's thread and run `probe()` that way later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

import keyring
import keyring.backend
from keyring.errors import PasswordDeleteError

from assetdesk.core.errors import SecretStoreError, as_sentence
from assetdesk.core.redact import MARK, Redactor

__all__ = [
    "FIELDS",
    "KEYRING_TIMEOUT",
    "SERVICE_NAME",
    "KeyringTimeout",
    "SecretStore",
    "backend_label",
    "os_store",
    "run_keyring_call",
    "username_for",
]

log = logging.getLogger("assetdesk.store.secrets")

SERVICE_NAME: Final = "AssetDesk"
#: The secrets an account can have.
FIELDS: Final = ("token", "key", "session_token")
_PROBE_USER: Final = "availability-probe"
#: Seconds a keyring call may take before it is abandoned (an unlock prompt may be waiting).
KEYRING_TIMEOUT: Final = 30.0

T = TypeVar("T")

#: The operating systems' own stores, by exact (module, class): no other backend, nor a subclass
#: of one of these from elsewhere, is trusted with a secret.
_OS_STORES: Final = {
    ("keyring.backends.SecretService", "Keyring"): "Secret Service",
    ("keyring.backends.libsecret", "Keyring"): "Secret Service",
    ("keyring.backends.kwallet", "DBusKeyring"): "KWallet",
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"): "KWallet",
    ("keyring.backends.macOS", "Keyring"): "macOS Keychain",
    ("keyring.backends.Windows", "WinVaultKeyring"): "Windows Credential Manager",
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


def _os_store_label(backend: keyring.backend.KeyringBackend) -> str | None:
    return _OS_STORES.get((type(backend).__module__, type(backend).__qualname__))


def os_store(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend | None:
    """`backend` when it is an operating system's store; for keyring's chainer, the first such
    store in it (so that no secret falls through to another member); else None."""
    if _os_store_label(backend) is not None:
        return backend
    if _is_chainer(backend):
        return next((inner for inner in _chained(backend) if _os_store_label(inner)), None)
    return None


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    """A backend's name in plain words: 'Secret Service', 'macOS Keychain', ..."""
    if _is_chainer(backend):
        inner = _chained(backend)
        chosen = os_store(backend)
        if chosen is not None:
            return backend_label(chosen)
        return " and ".join(backend_label(one) for one in inner) if inner else "no keyring"
    if _is_module(backend, "keyring.backends.fail"):
        return "no keyring"
    if _is_module(backend, "keyring.backends.null"):
        return "keyring turned off"
    return _os_store_label(backend) or type(backend).__name__


def _not_an_os_store(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why keyring's choice `backend` is not used, naming what was found (a fragment); None for
    an operating system's store, and for no keyring at all (said elsewhere)."""
    if os_store(backend) is not None or _is_module(backend, "keyring.backends.fail"):
        return None
    if _is_module(backend, "keyring.backends.null"):
        return None
    found = _chained(backend) if _is_chainer(backend) else [backend]
    if not found:
        return None
    names = " and ".join(dict.fromkeys(type(one).__name__ for one in found))
    one = len(found) == 1
    if all(hasattr(each, "file_path") for each in found):  # keyrings.alt's file keyrings
        return f"found {names}, which {'keeps' if one else 'keep'} secrets in a file: not used"
    what = "is not one of" if one else "are not"
    return f"found {names}, which {what} the operating system's keyrings: not used"


def _scrub(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MARK)
    return text


class KeyringTimeout(SecretStoreError):
    """A keyring call did not return in time; its thread was abandoned."""


def _timeout_fragment(timeout: float) -> str:
    return f"the keyring did not answer in {timeout:g} s; it may be waiting for you to unlock it"


async def run_keyring_call(fn: Callable[..., T], *args: Any, timeout: float = KEYRING_TIMEOUT) -> T:
    """`fn(*args)` on a new daemon thread, abandoned after `timeout` seconds.

    Not `asyncio.to_thread`: its threads are joined when the interpreter exits, so a keyring call
    stuck on D-Bus or an unanswered unlock prompt would keep the app from quitting.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: Exception | None) -> None:
        if future.done():  # timed out or cancelled meanwhile: nobody is waiting
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result: T | None = None
        error: Exception | None = None
        try:
            result = fn(*args)
        except Exception as caught:  # handed to the awaiting task as it is
            error = caught
        with contextlib.suppress(RuntimeError):  # a closed loop: the caller is long gone
            loop.call_soon_threadsafe(settle, result, error)

    name = getattr(getattr(fn, "func", fn), "__name__", "call")  # functools.partial too
    threading.Thread(target=run, name=f"assetdesk-keyring-{name}", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        log.warning("a keyring call (%s) did not return in %g s; abandoned", name, timeout)
        raise KeyringTimeout(as_sentence(_timeout_fragment(timeout))) from None


class SecretStore:
    """Reads and writes account secrets in the keyring chosen at construction.

    `available` says whether that keyring works (as far as is known: with `probe=False`, until
    `probe()` has run); `unavailable_reason` says why not, in one plain sentence.
    `use_session_only()` switches to memory for the rest of this process.
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
        self._problem: str | None = None  # why the keyring is unusable, as a sentence fragment
        self._refusal: str | None = None  # keyring's choice is not an operating system's store
        if backend is None:
            found = keyring.get_keyring()
            self._refusal = _not_an_os_store(found)
            backend = os_store(found) or found
        # A backend given by the caller is used as it is (the tests' refusing or silent ones).
        self._backend = backend
        self.backend_name = backend_label(self._backend)
        self._problem = self._why_unusable(probe=probe)
        if self._problem is None:
            log.info("secrets are kept in %s", self.backend_name)
        else:
            log.warning("no usable keyring: %s", self._problem)

    # ---- state ---------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._problem is None

    @property
    def unavailable_reason(self) -> str | None:
        """Why the keyring cannot be used, in one sentence; None when it can (or is untested)."""
        return None if self._problem is None else as_sentence(self._problem)

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

    def probe(self) -> None:
        """Blocking: try the keyring once (a read) and remember whether it answers."""
        if self._session_only:
            return
        problem = self._why_unusable(probe=True)
        self._problem = problem
        if problem is not None:
            log.warning("no usable keyring: %s", problem)

    @property
    def has_backend(self) -> bool:
        """Whether a real keyring is configured at all (it may still be locked or silent)."""
        return self._why_unusable(probe=False) is None

    def mark_unusable(self, error: SecretStoreError) -> None:
        """Remember that the keyring failed (e.g. a call timed out), so later calls fail fast."""
        message = error.message.rstrip(".")
        self._problem = message[:1].lower() + message[1:]

    # ---- secrets -------------------------------------------------------------------------------

    def get(self, account_id: int, field: str, *, owner: str | None = None) -> str | None:
        """The secret, or None when none is stored. `owner` names the account in errors."""
        username = username_for(account_id, field)
        if self._session_only:
            with self._lock:
                secret = self._memory.get(username)
        else:
            self._require_keyring("read", field, owner)
            failure = None
            try:
                secret = self._backend.get_password(SERVICE_NAME, username)
            except Exception as error:  # any backend failure: D-Bus, locked, refused
                failure = self._failure("read", field, owner, error)
            if failure is not None:  # raised here so the backend's error is not chained
                raise failure
        self._register(secret)
        return secret

    def set(self, account_id: int, field: str, secret: str, *, owner: str | None = None) -> None:
        """Store `secret`, replacing any previous one. An empty secret deletes instead."""
        username = username_for(account_id, field)
        if not secret:
            self.delete(account_id, field, owner=owner)
            return
        self._register(secret)
        if self._session_only:
            with self._lock:
                self._memory[username] = secret
            return
        self._require_keyring("save", field, owner)
        failure = None
        try:
            self._backend.set_password(SERVICE_NAME, username, secret)
        except Exception as error:  # any backend failure: D-Bus, locked, refused
            failure = self._failure("save", field, owner, error, secret)
        if failure is not None:  # raised here so the backend's error (maybe naming the
            raise failure  # secret) is not chained to ours

    def delete(self, account_id: int, field: str, *, owner: str | None = None) -> None:
        """Forget one secret; nothing happens when none is stored."""
        username = username_for(account_id, field)
        with self._lock:
            self._memory.pop(username, None)
        if self._session_only:
            return
        self._require_keyring("delete", field, owner)
        failure = None
        try:
            self._backend.delete_password(SERVICE_NAME, username)
        except PasswordDeleteError:
            return  # nothing stored under that name
        except Exception as error:  # any backend failure: D-Bus, locked, refused
            failure = self._failure("delete", field, owner, error)
        if failure is not None:
            raise failure

    def delete_all(self, account_id: int, *, owner: str | None = None) -> None:
        """Forget every secret of one account (when the account is removed)."""
        for field in FIELDS:
            self.delete(account_id, field, owner=owner)

    # ---- internals -----------------------------------------------------------------------------

    def _register(self, secret: str | None) -> None:
        if secret and self._redactor is not None:
            self._redactor.register(secret)

    def _why_unusable(self, *, probe: bool) -> str | None:
        backend = self._backend
        if self._refusal is not None:
            return self._refusal
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

    @staticmethod
    def _what(field: str, owner: str | None) -> str:
        words = field.replace("_", " ")
        return f"{words} of “{owner}”" if owner else words

    def _require_keyring(self, action: str, field: str, owner: str | None) -> None:
        if self._problem is not None:
            raise SecretStoreError(
                f"Cannot {action} the {self._what(field, owner)}: {self._problem} — keep "
                "secrets for this session only, or set up a system keyring."
            )

    def _failure(
        self,
        action: str,
        field: str,
        owner: str | None,
        error: Exception,
        secret: str | None = None,
    ) -> SecretStoreError:
        detail = _scrub(_plain(error), secret)
        if self._redactor is not None:
            detail = self._redactor.redact(detail)
        log.warning("keyring refused to %s %s: %s", action, field, detail)
        return SecretStoreError(
            f"{self.backend_name} could not {action} the {self._what(field, owner)} ({detail})."
        )


def _plain(error: Exception) -> str:
    text = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {text}" if text else name
