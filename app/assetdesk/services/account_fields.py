"""An account's fields as the user gives them, checked into the record that is kept.

The kind decides what the secret is (a useapi.net token, checked by its shape; a Wordbee API key)
and where it goes: useapi.net has a default address, a Wordbee account never gets a guessed one.
Every refusal is InvalidInput with one sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assetdesk.core.errors import InvalidInput, as_sentence
from assetdesk.core.ids import check_useapi_token
from assetdesk.core.provider import AccountKind
from assetdesk.providers.useapi import DEFAULT_USEAPI_URL
from assetdesk.store.accounts import Account, validated

__all__ = ["SECRET_FIELD", "checked_account", "invalid_input_as_sentences", "saved_id"]

#: The secret field each kind of account keeps in the keyring.
SECRET_FIELD = {AccountKind.USEAPI: "token", AccountKind.WORDBEE: "key"}


@contextmanager
def invalid_input_as_sentences() -> Iterator[None]:
    """InvalidInput from the store and core layers (fragments) re-raised as sentences."""
    try:
        yield
    except InvalidInput as error:
        raise InvalidInput(as_sentence(error.message)) from None


def checked_account(
    *,
    name: str,
    kind: str,
    secret: str | None,
    base_url: str | None,
    wordbee_account_id: str | None,
    default_email: str | None = None,
    account_id: int | None = None,
) -> tuple[Account, str | None]:
    """The account as it will be kept, and its cleaned secret (None when `secret` is None);
    InvalidInput with one sentence otherwise."""
    with invalid_input_as_sentences():
        account_kind = AccountKind(kind)
        cleaned: str | None = None
        if account_kind is AccountKind.USEAPI:
            if secret is not None:
                cleaned = check_useapi_token(secret)
            url = (base_url or "").strip() or DEFAULT_USEAPI_URL
        else:
            if secret is not None:
                cleaned = secret.strip()
                if not cleaned:
                    raise InvalidInput("The Wordbee API key is empty.")
            if not base_url or not base_url.strip():
                # Never guess: a Wordbee key must only ever go to the company's own Wordbee.
                raise InvalidInput(
                    "A Wordbee account needs its address (your company's Wordbee URL)."
                )
            url = base_url
        account = validated(
            Account(
                name=name,
                kind=account_kind,
                base_url=url,  # validated() checks and tidies it
                wordbee_account_id=wordbee_account_id,
                default_email=default_email,
                id=account_id,
            )
        )
    return account, cleaned


def saved_id(account: Account) -> int:
    if account.id is None:
        raise ValueError(f"account {account.name!r} has not been saved")
    return account.id
