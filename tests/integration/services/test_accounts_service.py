"""AccountsService against the sandbox: health states, session-only and saved accounts."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from tests.helpers.secrets_on_disk import assert_no_file_holds
from tests.helpers.session_accounts import session_store

from assetdesk.services.accounts import AccountsService
from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio


@pytest.fixture
async def session_services(app_paths: AppPaths) -> AsyncIterator[AppServices]:
    """Services whose secrets stay in memory: no keyring needed."""
    services = build_services(app_paths, secrets=session_store())
    yield services
    await services.aclose()


async def add_sandbox(accounts: AccountsService, sb: Any, token: str | None = None) -> int:
    info = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=token or sb.demo["useapi_token"]
    )
    return info.id


async def test_valid_account_lists_its_flow_accounts(
    sb: Any, session_services: AppServices
) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb)
    health = await accounts.check(account_id)
    assert health.state == "valid"
    assert "2 Google Flow accounts" in health.sentence
    assert all(line.endswith(": OK") for line in health.details)
    (info,) = await accounts.list()
    assert info.session_only and info.secret_state == "session"


async def test_invalid_token(sb: Any, session_services: AppServices) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb, token="user:1001-NotTheRightOne1")
    health = await accounts.check(account_id)
    assert health.state == "invalid"
    assert health.sentence == (
        "useapi.net refused the API token; check that it is complete and still active."
    )


async def test_throttled_until_a_time(sb: Any, session_services: AppServices) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb)
    sb.fault("api", "/v2/account", status=429, headers={"Retry-After": "1800"}, body={})
    health = await accounts.check(account_id)
    assert health.state == "throttled"
    assert health.retry_at is not None
    assert health.sentence == f"Throttled until {health.retry_at.astimezone():%H:%M}."


async def test_every_flow_account_needing_reconnection(
    sb: Any, session_services: AppServices
) -> None:
    accounts = session_services.accounts
    for email in sb.demo["google_flow_emails"]:
        sb.set_google_flow_account(email, session_error=True)
    health = await accounts.check(await add_sandbox(accounts, sb))
    assert health.state == "reconnect"


async def test_596_on_the_check_means_reconnect(sb: Any, session_services: AppServices) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb)
    sb.fault(
        "api",
        "/v1/google-flow/accounts",
        status=596,
        body={"error": "Failed to refresh session: 500 Internal Server Error"},
    )
    health = await accounts.check(account_id)
    assert health.state == "reconnect"
    assert "reconnected" in health.sentence


async def test_unreachable(session_services: AppServices) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    info = await session_services.accounts.add_session_account(
        name="Gone", kind="useapi", base_url=f"http://127.0.0.1:{port}", secret="user:1-abcdefgh"
    )
    health = await session_services.accounts.check(info.id)
    assert health.state == "unreachable"
    assert f"127.0.0.1:{port}" in health.sentence


async def test_wordbee_account(sb: Any, session_services: AppServices) -> None:
    accounts = session_services.accounts
    good = await accounts.add_session_account(
        name="WB",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret=sb.demo["wordbee_key"],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    assert (await accounts.check(good.id)).state == "valid"
    bad = await accounts.add_session_account(
        name="WB wrong",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret="wrong-key",
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    assert (await accounts.check(bad.id)).state == "invalid"


@pytest.mark.keyring
async def test_saved_account_survives_and_missing_secret_is_said(sb: Any, tmp_path: Path) -> None:
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")
    paths = AppPaths.from_option(str(tmp_path / "data")).ensure()
    services = build_services(paths)
    assert services.accounts.secret_store_name == "Secret Service"
    info = await services.accounts.add(
        name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
    )
    assert info.secret_state == "stored"
    await services.aclose()

    reopened = build_services(paths)
    (found,) = await reopened.accounts.list()
    assert found.name == "Studio" and found.secret_state == "stored"
    assert (await reopened.accounts.check(found.id)).state == "valid"
    keyring.delete_password("AssetDesk", f"account-{found.id}:token")
    await reopened.aclose()

    third = build_services(paths)
    (found,) = await third.accounts.list()
    assert found.secret_state == "missing"
    health = await third.accounts.check(found.id)
    assert health.state == "secret_missing"
    assert health.sentence == "The secret of “Studio” is missing — enter it again in Accounts."
    await third.accounts.remove(found.id)
    assert await third.accounts.list() == []
    await third.aclose()
    token = sb.demo["useapi_token"]
    assert_no_file_holds(paths.root, [token], expected=[paths.database])


async def test_pasted_bearer_prefix_is_cleaned(sb: Any, session_services: AppServices) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb, token=f"  Bearer {sb.demo['useapi_token']} ")
    assert (await accounts.check(account_id)).state == "valid"
    sent = sb.requests("api")[0]["headers"]["authorization"]
    assert sent == sb.redacted(f"Bearer {sb.demo['useapi_token']}")


async def test_wordbee_account_needs_its_own_address(session_services: AppServices) -> None:
    from assetdesk.core.errors import InvalidInput

    for url in (None, "  "):
        with pytest.raises(InvalidInput) as caught:
            await session_services.accounts.add(
                name="WB", kind="wordbee", secret="k-123456", base_url=url, wordbee_account_id="a1"
            )
        assert "Wordbee URL" in caught.value.message
    with pytest.raises(InvalidInput):
        await session_services.accounts.add_session_account(
            name="WB", kind="wordbee", base_url="http://127.0.0.1:1", secret="k-123456"
        )
    assert await session_services.accounts.list() == []


async def test_removing_while_a_client_is_being_made_leaves_no_client(
    sb: Any, session_services: AppServices
) -> None:
    """remove() and useapi() on the same account, interleaved: the removed account's client must
    not survive, and a later account never gets it."""
    import asyncio

    accounts = session_services.accounts
    first = await add_sandbox(accounts, sb)
    making = asyncio.create_task(accounts.useapi(first))
    removing = asyncio.create_task(accounts.remove(first))
    results = await asyncio.gather(making, removing, return_exceptions=True)
    assert results[1] is True  # removed, and its secrets deleted
    second = await add_sandbox(accounts, sb, token="user:1001-SecondToken0001")
    assert second != first
    health = await accounts.check(second)
    assert health.state == "invalid", "the second account must use its own token"
    with pytest.raises(Exception) as caught:
        await accounts.useapi(first)
    assert caught.value.__class__.__name__ == "NotFound"


async def test_no_secret_reaches_logs_or_disk_after_failures(
    sb: Any, session_services: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    """Good and bad secrets, failed checks with logging on: the bytes are nowhere on disk."""
    import logging

    from assetdesk.services.app import configure_logging

    handler = configure_logging(
        session_services.paths, session_services.redactor, level=logging.DEBUG
    )
    caplog.set_level(logging.DEBUG, logger="assetdesk")
    try:
        await _leak_checks(sb, session_services, caplog)
    finally:
        logging.getLogger("assetdesk").removeHandler(handler)
        handler.close()


async def _leak_checks(
    sb: Any, session_services: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    accounts = session_services.accounts
    secrets = [sb.demo["useapi_token"], "user:1001-WrongTokenAbc123", "wbk-WrongKey-123456"]
    good = await add_sandbox(accounts, sb)
    bad = await add_sandbox(accounts, sb, token=secrets[1])
    wordbee = await accounts.add_session_account(
        name="WB",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret=secrets[2],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    sb.fault("api", "/v2/account", count=1, drop_after_bytes=3)
    logging.getLogger("assetdesk.test").warning("token in a message: %s", secrets[0])
    for account_id in (good, bad, wordbee.id):
        health = await accounts.check(account_id)
        assert not any(secret in health.sentence for secret in secrets)
    for handler in logging.getLogger("assetdesk").handlers:
        handler.flush()
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert "token in a message" in log_text
    data = session_services.paths
    assert data.log_file.stat().st_size
    for secret in secrets:
        assert secret not in log_text
    assert_no_file_holds(data.root, secrets, expected=[data.log_file])
    assert sb.requests("storage") == []


# ---- structured health: the owner, the Google Flow accounts and the Runway accounts ------------


async def test_health_lists_flow_and_runway_accounts(
    sb: Any, session_services: AppServices
) -> None:
    from assetdesk.services.account_health import FlowAccountState

    accounts = session_services.accounts
    first, second = sb.demo["google_flow_emails"]
    sb.set_google_flow_account(second, session_error=True)
    health = await accounts.check(await add_sandbox(accounts, sb))
    assert health.state == "valid"
    assert health.sentence == (
        f"Connected as {health.owner_email}; 2 Google Flow accounts, 1 needing attention."
    )
    assert health.owner_email and "@" in health.owner_email
    by_email = {state.email: state for state in health.flow_accounts}
    assert set(by_email) == {first, second}
    assert by_email[first] == FlowAccountState(first, True, "Ready")
    assert by_email[second] == FlowAccountState(
        second, False, "Session error: reconnect this account."
    )
    assert health.runway_accounts == tuple(sorted(sb.demo["runway_emails"]))
    assert [r["path"] for r in sb.requests("api")] == [
        "/v2/account",
        "/v1/google-flow/accounts",
        "/v1/runwayml/accounts",
    ]


async def test_a_failed_runway_list_keeps_the_rest_of_the_health(
    sb: Any, session_services: AppServices
) -> None:
    accounts = session_services.accounts
    account_id = await add_sandbox(accounts, sb)
    sb.fault("api", "/v1/runwayml/accounts", status=403, body={"error": "Runway is not enabled"})
    health = await accounts.check(account_id)
    assert health.state == "valid"
    assert health.sentence == f"Connected as {health.owner_email}; 2 Google Flow accounts."
    assert [s.email for s in health.flow_accounts] == list(sb.demo["google_flow_emails"])
    assert all(s.healthy and s.sentence == "Ready" for s in health.flow_accounts)
    assert health.runway_accounts == ()
    # And when Runway answers again, the next check lists its accounts.
    assert (await accounts.check(account_id)).runway_accounts == tuple(
        sorted(sb.demo["runway_emails"])
    )


async def test_a_refused_token_has_no_accounts_listed(
    sb: Any, session_services: AppServices
) -> None:
    accounts = session_services.accounts
    health = await accounts.check(await add_sandbox(accounts, sb, token="user:1001-Wrong000001"))
    assert health.state == "invalid"
    assert health.owner_email is None
    assert health.flow_accounts == () and health.runway_accounts == ()


async def test_a_wordbee_session_token_is_hidden_from_the_log(
    sb: Any, session_services: AppServices
) -> None:
    """The session a Wordbee key opens is a secret as well: registered with the redactor as
    soon as the client has it (a request logged with it shows «redacted»)."""
    accounts = session_services.accounts
    info = await accounts.add_session_account(
        name="WB",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret=sb.demo["wordbee_key"],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    client = await accounts.wordbee(info.id)
    token = await client.renew_session()
    assert token and len(token) >= 8
    line = session_services.redactor.redact(f"GET /api/projects?token={token} from {token}")
    assert token not in line and "redacted" in line
