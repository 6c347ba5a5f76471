"""check_unsaved (services/account_trial.py) against the sandbox: the add-account dialog's Test of
credentials that are only typed in, which writes nothing and ends what it opened."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from assetdesk.core.errors import InvalidInput
from assetdesk.core.redact import Redactor
from assetdesk.services.account_trial import check_unsaved

pytestmark = pytest.mark.anyio


async def test_a_sandbox_token_is_valid_and_hidden_from_logs_from_then_on(sb: Any) -> None:
    redactor = Redactor()
    token = sb.demo["useapi_token"]
    health = await check_unsaved(
        kind="useapi",
        secret=f" {token} ",
        base_url=sb.api_url,
        wordbee_account_id=None,
        redactor=redactor,
    )
    assert health.state == "valid" and health.sentence.startswith("Connected")
    assert [f.email for f in health.flow_accounts] == sb.demo["google_flow_emails"]
    assert token in redactor
    sent = [r for r in sb.requests("api") if r["path"] == "/v2/account"]
    assert sent and sent[-1]["headers"]["authorization"] == sb.redacted(f"Bearer {token}")


async def test_a_wrong_token_is_refused(sb: Any) -> None:
    health = await check_unsaved(
        kind="useapi",
        secret="user:1001-NotTheRealToken99",
        base_url=sb.api_url,
        wordbee_account_id=None,
        redactor=Redactor(),
    )
    assert health.state == "invalid"
    assert health.sentence == (
        "useapi.net refused the API token; check that it is complete and still active."
    )


async def test_a_wordbee_key_signs_in_and_the_session_is_ended(sb: Any) -> None:
    sb.clear_requests()
    health = await check_unsaved(
        kind="wordbee",
        secret=sb.demo["wordbee_key"],
        base_url=sb.wordbee_url,
        wordbee_account_id=str(sb.demo["wordbee_account_id"]),
        redactor=Redactor(),
    )
    assert (health.state, health.sentence) == ("valid", "Signed in to Wordbee.")
    calls = [(r["method"], r["path"]) for r in sb.requests("wordbee")]
    assert calls[-2:] == [("POST", "/api/auth/token"), ("DELETE", "/api/auth/token")]

    wrong = await check_unsaved(
        kind="wordbee",
        secret="not-the-key",
        base_url=sb.wordbee_url,
        wordbee_account_id=str(sb.demo["wordbee_account_id"]),
        redactor=Redactor(),
    )
    assert wrong.state == "invalid" and "refused" in wrong.sentence


async def test_an_address_nobody_answers_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    health = await check_unsaved(
        kind="useapi",
        secret="user:1-abcdefgh",
        base_url=f"http://127.0.0.1:{port}",
        wordbee_account_id=None,
        redactor=Redactor(),
    )
    assert health.state == "unreachable" and f"127.0.0.1:{port}" in health.sentence


async def test_fields_that_could_not_be_saved_are_refused_before_any_request(sb: Any) -> None:
    sb.clear_requests()
    with pytest.raises(InvalidInput, match=r"\.$"):
        await check_unsaved(
            kind="useapi",
            secret="abc",
            base_url=sb.api_url,
            wordbee_account_id=None,
            redactor=Redactor(),
        )
    with pytest.raises(InvalidInput, match="address"):
        await check_unsaved(
            kind="wordbee", secret="key", base_url="", wordbee_account_id="1", redactor=Redactor()
        )
    assert sb.requests() == []
