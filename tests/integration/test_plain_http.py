"""Plain http:// to any host but this computer is refused before a connection is made: the
clients, saved accounts (an old row) and the CLI's environment variables; the sandbox's
http://127.0.0.1 keeps working (every other integration test uses it).

The listener is a real HTTP server on all of this machine's IPv4 addresses, reached by a name
or a non-loopback address: a control request shows it can be reached that way, and then it must
have received nothing from AssetDesk.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from tests.helpers.cli_process import run_cli

from assetdesk.core.errors import InvalidInput
from assetdesk.core.redact import Redactor
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.account_trial import check_unsaved
from assetdesk.services.accounts import AccountsService
from assetdesk.store.paths import AppPaths

TOKEN = "user:4242-PlainHttpToken1"
KEY = "wordbee-key-plain-http"


class Listener:
    """A real HTTP server that answers every request with `{}` and remembers it."""

    def __init__(self) -> None:
        seen: list[tuple[str, str, dict[str, str]]] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append((self.command, self.path, dict(self.headers)))
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def other_hosts() -> list[str]:
    """Ways to reach this machine that are not loopback by their spelling: its non-loopback
    address (the one a packet out would leave from), and its host name (which may resolve to
    127.0.0.1: only the spelling `localhost` counts as this computer)."""
    hosts = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # UDP: no packet is sent, a route is chosen
        address = probe.getsockname()[0]
        if not address.startswith("127."):
            hosts.append(address)
    hosts.append(socket.gethostname())
    return hosts


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(params=other_hosts())
def plain_url(request: pytest.FixtureRequest, listener: Listener) -> str:
    """http://HOST:PORT of the listener, checked reachable; its log is empty afterwards."""
    url = f"http://{request.param}:{listener.port}"
    assert httpx.get(url + "/control", timeout=10).status_code == 200
    assert [path for _, path, _ in listener.seen] == ["/control"]
    listener.seen.clear()
    return url


# ---- the clients -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_clients_refuse_plain_http_before_connecting(
    plain_url: str, listener: Listener
) -> None:
    with pytest.raises(InvalidInput, match=r"https:// address is needed"):
        async with UseapiConnection(TOKEN, plain_url) as connection:
            await GoogleFlowClient(connection).accounts()
    with pytest.raises(InvalidInput, match=r"https:// address is needed"):
        async with WordbeeClient(plain_url, "1234", KEY) as client:
            await client.renew_session()
    assert listener.seen == []


@pytest.mark.anyio
async def test_the_test_button_refuses_plain_http_and_sends_nothing(
    plain_url: str, listener: Listener
) -> None:
    for kind, secret in (("useapi", TOKEN), ("wordbee", KEY)):
        with pytest.raises(InvalidInput, match=r"https:// address is needed"):
            await check_unsaved(
                kind=kind,
                secret=secret,
                base_url=plain_url,
                wordbee_account_id="1234",
                redactor=Redactor(),
            )
    assert listener.seen == []


# ---- saved accounts ----------------------------------------------------------------------------


def point_at(app_paths: AppPaths, account_id: int, url: str) -> None:
    """What an older AssetDesk, which took any http:// address, left in the database."""
    with contextlib.closing(sqlite3.connect(app_paths.database)) as conn, conn:
        conn.execute("UPDATE accounts SET base_url = ? WHERE id = ?", (url, account_id))


@pytest.mark.anyio
async def test_new_accounts_with_plain_http_are_refused(
    accounts: AccountsService, plain_url: str, listener: Listener
) -> None:
    with pytest.raises(InvalidInput, match=r"https:// address is needed"):
        await accounts.add(name="Studio", kind="useapi", secret=TOKEN, base_url=plain_url)
    with pytest.raises(InvalidInput, match=r"https:// address is needed"):
        await accounts.add_session_account(
            name="Agency", kind="wordbee", secret=KEY, base_url=plain_url, wordbee_account_id="7"
        )
    assert await accounts.list() == []
    assert listener.seen == []


@pytest.mark.anyio
async def test_a_saved_plain_http_account_says_why_and_sends_nothing(
    accounts: AccountsService, app_paths: AppPaths, plain_url: str, listener: Listener
) -> None:
    useapi = await accounts.add(name="Studio", kind="useapi", secret=TOKEN)
    wordbee = await accounts.add(
        name="Agency",
        kind="wordbee",
        secret=KEY,
        base_url="https://agency.example.com",
        wordbee_account_id="7",
    )
    point_at(app_paths, useapi.id, plain_url)
    point_at(app_paths, wordbee.id, plain_url + "/api")

    listed = {info.name: info for info in await accounts.list()}
    for name in ("Studio", "Agency"):
        problem = listed[name].address_problem
        assert problem is not None and "https:// address is needed" in problem

    for account_id, name in ((useapi.id, "Studio"), (wordbee.id, "Agency")):
        health = await accounts.check(account_id)
        assert health.state == "error"
        assert health.sentence.startswith(f"“{name}” is not used: The address http://")
        assert "https:// address is needed" in health.sentence
        assert health.sentence.endswith("nothing was sent.")
    with pytest.raises(InvalidInput, match="is not used"):
        await accounts.useapi(useapi.id)
    with pytest.raises(InvalidInput, match="is not used"):
        await accounts.wordbee(wordbee.id)
    with pytest.raises(InvalidInput, match="is not used"):
        await accounts.saved_secret(useapi.id)
    assert listener.seen == []

    # Given its https:// address again, the account is usable as before.
    point_at(app_paths, useapi.id, "https://api.useapi.net")
    (info,) = [i for i in await accounts.list() if i.id == useapi.id]
    assert info.address_problem is None


@pytest.fixture
def saved_plain_account(app_paths: AppPaths, plain_url: str) -> None:
    """A saved useapi.net account named 'Studio' whose row holds `plain_url`."""
    from assetdesk.store.accounts import Account, AccountRepository
    from assetdesk.store.db import open_database

    with contextlib.closing(open_database(app_paths.database)) as conn:
        saved = AccountRepository(conn).add(
            Account(name="Studio", kind="useapi", base_url="https://api.useapi.net")  # type: ignore[arg-type]
        )
        conn.commit()
    assert saved.id is not None
    point_at(app_paths, saved.id, plain_url)


def test_cli_saved_plain_http_account_exits_with_the_reason(
    app_paths: AppPaths, saved_plain_account: None, listener: Listener
) -> None:
    status, items, stderr = run_cli(
        "--data-dir", str(app_paths.root), "--account", "studio", "runway", "list",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert status == 1, stderr
    assert items[0]["kind"] == "invalid_input"
    assert items[0]["error"].startswith("“Studio” is not used: The address http://")
    assert "https:// address is needed" in items[0]["error"]
    assert listener.seen == []


# ---- the CLI's environment variables -----------------------------------------------------------


@pytest.mark.parametrize(
    "command", [("resolve", "user:1-email:x-image:y"), ("wordbee", "list", "--scope", "pr1", "5")]
)
def test_cli_environment_with_plain_http_is_a_usage_error(
    command: tuple[str, ...], plain_url: str, listener: Listener
) -> None:
    env = {
        "ASSETDESK_USEAPI_TOKEN": TOKEN,
        "ASSETDESK_USEAPI_URL": plain_url,
        "ASSETDESK_WORDBEE_URL": plain_url,
        "ASSETDESK_WORDBEE_ACCOUNT_ID": "7",
        "ASSETDESK_WORDBEE_KEY": KEY,
    }
    status, items, stderr = run_cli(*command, env=env)
    assert status == 2 and items == []
    variable = "ASSETDESK_WORDBEE_URL" if command[0] == "wordbee" else "ASSETDESK_USEAPI_URL"
    assert f"{variable}: the address {plain_url} is plain http" in stderr
    assert "https:// address is needed" in stderr
    assert TOKEN not in stderr and KEY not in stderr
    assert listener.seen == []


def test_listener_hears_a_plain_request(plain_url: str, listener: Listener) -> None:
    """The control: the same address does reach the listener when something does send."""
    answer = httpx.post(plain_url + "/v2/account", json={}, timeout=10)
    assert json.loads(answer.content) == {}
    assert [path for _, path, _ in listener.seen] == ["/v2/account"]
