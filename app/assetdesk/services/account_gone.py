"""The words for an upload or a library item whose account no longer exists.

An account is gone when it was removed, or when it was a session-only account (the sandbox's,
negative ids) of an earlier run that this run has not added again (session ids start at -1 in
every run). The sentence names the account when its name is known, says what happened, and
offers the fix; never "account number -1".
"""

from __future__ import annotations

from assetdesk.core.errors import AccountGone, NotFound

__all__ = ["EARLIER_SESSION", "gone_account", "library_gone", "upload_gone", "who_was"]

#: What a session-only account of an earlier run is called when its name is not known.
EARLIER_SESSION = "a sandbox account of an earlier session"


def who_was(account_id: int | None, name: str | None) -> str:
    """The gone account in words: “Studio”, “Sandbox” (a sandbox account of an earlier session),
    a sandbox account of an earlier session, or a removed account."""
    earlier = account_id is not None and account_id < 0
    if name and earlier:
        return f"“{name}” ({EARLIER_SESSION})"
    if name:
        return f"“{name}”"
    return EARLIER_SESSION if earlier else "a removed account"


def gone_account(account_id: int | None, name: str | None = None) -> NotFound:
    """What AccountsService raises for an account id it does not know: a plain NotFound, in
    words; the upload queue and the Library turn it into their AccountGone."""
    return NotFound(
        f"Its account, {who_was(account_id, name)}, is gone: choose another account or remove it."
    )


def upload_gone(account_id: int | None, name: str | None) -> AccountGone:
    """An upload's: it can go to another account of the same kind, or be removed."""
    return AccountGone(
        f"Its account, {who_was(account_id, name)}, is gone: choose another account in "
        "“Upload to” and retry, or remove it."
    )


def library_gone(account_id: int | None) -> AccountGone:
    """A library item's (the catalog keeps no account names): it can be removed from the
    library, or added again through another account. No colon: the Library puts the asset's
    name before it with one ("Could not get “x”: its account, …")."""
    return AccountGone(
        f"Its account, {who_was(account_id, None)}, is gone, so it can only be removed from "
        "the library or added again through another account."
    )
