"""The scripting commands' credentials: from the environment, or a saved account's.

`--account NAME` reads a saved account's address and secret (from the OS keyring); without it
the environment variables ASSETDESK_USEAPI_TOKEN [ASSETDESK_USEAPI_URL] or ASSETDESK_WORDBEE_URL,
ASSETDESK_WORDBEE_ACCOUNT_ID and ASSETDESK_WORDBEE_KEY are used.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from assetdesk.core.addresses import normalise_base_url
from assetdesk.core.errors import InvalidInput, NotFound
from assetdesk.core.ids import check_useapi_token
from assetdesk.core.provider import AccountKind
from assetdesk.core.redact import Redactor
from assetdesk.providers.useapi import DEFAULT_USEAPI_URL

__all__ = [
    "CredentialsMissing",
    "UseapiCredentials",
    "WordbeeCredentials",
    "open_account_credentials",
    "useapi_from_env",
    "wordbee_from_env",
]


class CredentialsMissing(Exception):
    """No account and no environment variables: a usage error (exit status 2)."""


@dataclass(frozen=True)
class UseapiCredentials:
    base_url: str
    token: str


@dataclass(frozen=True)
class WordbeeCredentials:
    base_url: str
    account_id: str
    key: str


def _address_from_env(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """The service address in `name`, checked before anything is sent (https://, or http:// to
    this computer); a bad one is a usage error that names the variable."""
    url = environ.get(name, "").strip() or default
    if not url:
        return url
    try:
        return normalise_base_url(url)
    except InvalidInput as error:
        raise CredentialsMissing(f"{name}: {error.message}") from None


def useapi_from_env(environ: Mapping[str, str]) -> UseapiCredentials | None:
    raw = environ.get("ASSETDESK_USEAPI_TOKEN", "").strip()
    if not raw:
        return None
    try:
        token = check_useapi_token(raw)
    except InvalidInput as error:
        raise CredentialsMissing(f"ASSETDESK_USEAPI_TOKEN: {error.message}") from None
    url = _address_from_env(environ, "ASSETDESK_USEAPI_URL", DEFAULT_USEAPI_URL)
    return UseapiCredentials(url, token)


def wordbee_from_env(environ: Mapping[str, str]) -> WordbeeCredentials | None:
    url = environ.get("ASSETDESK_WORDBEE_URL", "").strip()
    account = environ.get("ASSETDESK_WORDBEE_ACCOUNT_ID", "").strip()
    key = environ.get("ASSETDESK_WORDBEE_KEY", "").strip()
    if not (url and account and key):
        return None
    url = _address_from_env(environ, "ASSETDESK_WORDBEE_URL")
    return WordbeeCredentials(url, account, key)


async def open_account_credentials(
    data_dir: str | None, name: str, kind: AccountKind
) -> UseapiCredentials | WordbeeCredentials:
    """For the CLI's `--account NAME`: the saved account's URL and secret."""
    # Imported here: only `--account` needs the keyring and the accounts service; the commands
    # that read the environment start without them.
    from assetdesk.services.accounts import AccountsService
    from assetdesk.store.paths import AppPaths
    from assetdesk.store.secrets import SecretStore, run_keyring_call

    paths = AppPaths.from_option(data_dir)
    if not paths.database.exists():
        raise NotFound(f"There is no saved account named “{name}” (no accounts are saved yet).")
    redactor = Redactor()
    # Choosing and probing the keyring may block forever: an abandonable thread, as for any call.
    store = await run_keyring_call(functools.partial(SecretStore, redactor=redactor))
    service = AccountsService(paths.database, store, redactor)
    try:
        found = await service.find(name)
        if found is None or found.session_only:
            raise NotFound(f"There is no saved account named “{name}”.")
        if found.kind != kind:
            raise InvalidInput(f"“{name}” is a {found.kind} account; this command needs {kind}.")
        account, secret = await service.saved_secret(found.id)
        if kind is AccountKind.USEAPI:
            return UseapiCredentials(account.base_url, secret)
        return WordbeeCredentials(account.base_url, account.wordbee_account_id or "", secret)
    finally:
        await service.aclose()
