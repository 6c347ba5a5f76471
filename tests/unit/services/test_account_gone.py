"""services/account_gone.py: what an item whose account is gone says, never "account number -1"."""

from __future__ import annotations

from assetdesk.core.errors import AccountGone, NotFound
from assetdesk.services.account_gone import gone_account, library_gone, upload_gone, who_was


def test_the_gone_account_is_named_when_known_and_described_otherwise() -> None:
    assert who_was(4, "Studio") == "“Studio”"
    assert who_was(-3, "Sandbox") == "“Sandbox” (a sandbox account of an earlier session)"
    assert who_was(-1, None) == "a sandbox account of an earlier session"
    assert who_was(4, None) == "a removed account"
    assert who_was(None, None) == "a removed account"


def test_an_upload_of_a_gone_account_is_told_how_to_fix_it() -> None:
    error = upload_gone(-1, "Sandbox")
    assert isinstance(error, AccountGone) and error.kind == "account_gone"
    assert error.message == (
        "Its account, “Sandbox” (a sandbox account of an earlier session), is gone: choose "
        "another account in “Upload to” and retry, or remove it."
    )


def test_a_library_item_of_a_gone_account_can_be_removed_or_added_again() -> None:
    error = library_gone(-1)
    assert isinstance(error, NotFound) and error.kind == "account_gone"
    assert error.message == (
        "Its account, a sandbox account of an earlier session, is gone, so it can only be "
        "removed from the library or added again through another account."
    )
    assert "-1" not in error.message and "number" not in error.message


def test_the_accounts_service_says_it_in_words_as_a_plain_not_found() -> None:
    error = gone_account(-1)
    assert type(error) is NotFound
    assert error.message == (
        "Its account, a sandbox account of an earlier session, is gone: choose another account "
        "or remove it."
    )
