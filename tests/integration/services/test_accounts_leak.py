"""The leak test of issue 4: a whole add / test / upload / download / remove cycle with the real
Secret Service, every log record at DEBUG captured, then a search for the token everywhere."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from tests.helpers.media_files import DEMO
from tests.helpers.secrets_on_disk import assert_no_file_holds

from assetdesk.core.media import PNG
from assetdesk.services.app import build_services, configure_logging
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import FIELDS, SERVICE_NAME, SecretStore

pytestmark = pytest.mark.anyio


def secret_forms(token: str) -> list[str]:
    """The token as it could leak: itself, base64 (of it and of its header), URL-encoded."""
    return [
        token,
        token.split("-", 1)[1],  # the random part alone
        base64.b64encode(token.encode()).decode(),
        base64.b64encode(f"Bearer {token}".encode()).decode(),
        quote(token, safe=""),
    ]


def keyring_items(account_id: int) -> list[str]:
    """What the Secret Service itself holds for the account, searched with secretstorage."""
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        return [
            item.get_label()
            for item in collection.search_items({"service": SERVICE_NAME})
            if item.get_attributes().get("username", "").startswith(f"account-{account_id}:")
        ]
    finally:
        conn.close()


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write of a record: message, raw msg and args, traceback."""
    formatted = logging.Formatter("%(name)s %(message)s").format(record)
    return "\n".join((formatted, str(record.msg), repr(record.args), record.exc_text or ""))


@pytest.mark.keyring
async def test_the_token_goes_only_to_the_api_and_the_keyring(
    sb: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")
    token = sb.demo["useapi_token"]
    paths = AppPaths.from_option(str(tmp_path / "data")).ensure()
    services = build_services(paths)
    assetdesk_logger = logging.getLogger("assetdesk")
    level_before = assetdesk_logger.level
    handler = configure_logging(paths, services.redactor, level=logging.DEBUG)
    caplog.set_level(logging.DEBUG)  # the root logger: httpx, httpcore and everything else
    image = DEMO / "sunrise-640x360.png"
    try:
        accounts = services.accounts
        assert accounts.secret_store_where == "Secret Service"
        info = await accounts.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert info.secret_state == "stored"
        assert len(keyring_items(info.id)) == 1
        assert (await accounts.check(info.id)).state == "valid"

        flow = (await accounts.useapi(info.id)).google_flow
        uploaded = await flow.upload(image, PNG, image.stat().st_size)
        signed = await flow.resolve_url(uploaded.media_generation_id)
        async with httpx.AsyncClient() as plain:
            fetched = await plain.get(signed.url)
        assert fetched.status_code == 200
        assert fetched.content == image.read_bytes()

        await accounts.remove(info.id)
        assert await accounts.list() == []
    finally:
        await services.aclose()
        handler.flush()
        assetdesk_logger.removeHandler(handler)
        handler.close()
        assetdesk_logger.setLevel(level_before)

    # The keyring holds nothing of the account any more.
    assert keyring_items(info.id) == []
    assert all(SecretStore().get(info.id, field) is None for field in FIELDS)

    # No file under the data folder holds the token in any form: database, WAL, logs...
    assert paths.log_file.stat().st_size, "logging was on"
    expected = [paths.database, paths.log_file]
    assert_no_file_holds(paths.root, secret_forms(token), expected=expected)

    # No log record holds it either, though the records are many (httpx and httpcore included).
    names = {record.name.split(".")[0] for record in caplog.records}
    assert {"assetdesk", "httpx", "httpcore"} <= names, names
    for record in caplog.records:
        text = record_text(record)
        for form in secret_forms(token):
            assert form not in text, f"the token reached a log record of {record.name}"

    # The sandbox saw it only in the Authorization header of requests to the API origin.
    seen = sb.requests()
    assert {r["origin"] for r in seen} >= {"api", "storage"}
    for request in seen:
        for name, value in request["headers"].items():
            if any(form in value for form in secret_forms(token)):
                assert (request["origin"], name) == ("api", "authorization"), request["path"]
        for part in (request["path"], str(request.get("query") or "")):
            assert not any(form in part for form in secret_forms(token)), part
    for request in seen:
        authorization = request["headers"].get("authorization")
        if request["origin"] == "api":
            assert authorization == sb.redacted(f"Bearer {token}")
        else:
            assert authorization is None, f"{request['origin']} got an Authorization header"
