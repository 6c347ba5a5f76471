"""GoogleFlowClient against the sandbox: every documented status of every call."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.helpers.http_calls import FAST_RETRY, api_requests

from assetdesk.core.errors import (
    BadRequest,
    ContentPolicy,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PaymentRequired,
    SessionExpired,
    Throttled,
    TooLarge,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.media import JPEG, MP4, PNG, WEBP, MediaKind, MediaType
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.useapi import UseapiConnection

pytestmark = pytest.mark.anyio


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_token_check_reports_the_account(connection: UseapiConnection) -> None:
    account = await connection.account()
    assert account.email
    assert account.raw["accounts"] is not None


async def test_bad_token_is_unauthorized(sb: Any) -> None:
    async with UseapiConnection("user:1001-WrongToken0000", sb.api_url) as conn:
        with pytest.raises(Unauthorized) as caught:
            await conn.account()
    assert "token" in caught.value.message
    assert len(api_requests(sb, "/v2/account")) == 1, "401 must not be retried"


async def test_lists_flow_accounts_with_health(sb: Any, flow: GoogleFlowClient) -> None:
    emails = sb.demo["google_flow_emails"]
    sb.set_google_flow_account(emails[1], session_error=True)
    accounts = {a.email: a for a in await flow.accounts()}
    assert set(accounts) == set(emails)
    assert accounts[emails[0]].healthy
    assert not accounts[emails[1]].healthy


async def test_one_flow_account_has_credits_and_unknown_is_not_found(
    sb: Any, flow: GoogleFlowClient
) -> None:
    email = sb.demo["google_flow_emails"][0]
    account = await flow.account(email)
    assert account.email == email and account.credits is not None
    with pytest.raises(NotFound) as caught:
        await flow.account("nobody@example.com")
    assert "nobody@example.com" in caught.value.message


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("sunrise-640x360.png", PNG), ("bars-800x450.jpg", JPEG), ("portrait-320x480.webp", WEBP)],
)
async def test_uploads_an_image_and_reads_it_back_byte_for_byte(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path, name: str, media_type: Any
) -> None:
    path = demo_dir / name
    data = path.read_bytes()
    seen: list[tuple[int, int]] = []
    result = await flow.upload(
        path, media_type, len(data), progress=lambda done, total: seen.append((done, total))
    )
    width, height = (int(n) for n in name.rsplit("-", 1)[1].split(".")[0].split("x"))
    assert (result.width, result.height) == (width, height)
    assert result.kind is MediaKind.IMAGE
    assert result.email and "***@" in result.email
    parsed = MediaGenerationId.parse(result.media_generation_id)
    assert parsed.kind == "image" and parsed.email in sb.demo["google_flow_emails"]
    assert seen[-1] == (len(data), len(data))

    signed = await flow.resolve_url(result.media_generation_id)
    assert signed.expires_at > datetime.now(UTC) + timedelta(hours=5)
    async with httpx.AsyncClient() as plain:
        fetched = await plain.get(signed.url)
    assert fetched.status_code == 200
    assert fetched.content == data


async def test_uploads_a_video_with_its_duration(flow: GoogleFlowClient, demo_dir: Path) -> None:
    path = demo_dir / "clip-320x180.mp4"
    result = await flow.upload(path, MP4, path.stat().st_size)
    assert result.kind is MediaKind.VIDEO
    assert (result.width, result.height) == (320, 180)
    assert result.duration_seconds is not None and 1.5 < result.duration_seconds < 2.5
    assert MediaGenerationId.parse(result.media_generation_id).kind == "video"


async def test_pinned_email_is_used(sb: Any, flow: GoogleFlowClient, demo_dir: Path) -> None:
    email = sb.demo["google_flow_emails"][1]
    path = demo_dir / "swatch-256x256.png"
    result = await flow.upload(path, PNG, path.stat().st_size, email=email)
    assert MediaGenerationId.parse(result.media_generation_id).email == email
    (request,) = api_requests(sb, "/v1/google-flow/assets/")
    assert request["method"] == "POST" and request["path"].endswith(email)


async def test_content_policy_refusal_names_the_reason(
    flow: GoogleFlowClient, demo_dir: Path
) -> None:
    path = demo_dir / "policy-refused.png"
    with pytest.raises(ContentPolicy) as caught:
        await flow.upload(path, PNG, path.stat().st_size)
    assert caught.value.reason == "PUBLIC_ERROR_TRUMP_FACE_DETECTED"
    assert "public figure" in caught.value.message


async def test_content_policy_refusal_is_in_words_with_the_code_in_the_details(
    flow: GoogleFlowClient, demo_dir: Path
) -> None:
    path = demo_dir / "policy-refused.png"
    with pytest.raises(ContentPolicy) as caught:
        await flow.upload(path, PNG, path.stat().st_size)
    error = caught.value
    assert error.message == (
        "Google Flow refused this content under its content policy: "
        "it shows the face of a public figure."
    )
    assert "PUBLIC_ERROR" not in str(error)
    assert error.service_text == (
        "Request contains an invalid argument. (reason: PUBLIC_ERROR_TRUMP_FACE_DETECTED)"
    )
    assert error.to_dict()["reason"] == "PUBLIC_ERROR_TRUMP_FACE_DETECTED"


@pytest.mark.parametrize("message", ["Request contains an invalid argument.", ""])
async def test_an_unknown_policy_code_gets_the_general_sentence(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path, message: str
) -> None:
    reason = "PUBLIC_ERROR_SOMETHING_NEW_DETECTED"
    detail = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}
    body = {"error": {"code": 400, "message": message, "details": [detail]}}
    sb.fault("api", "/v1/google-flow/assets", method="POST", status=400, body=body)
    path = demo_dir / "swatch-256x256.png"
    with pytest.raises(ContentPolicy) as caught:
        await flow.upload(path, PNG, path.stat().st_size)
    error = caught.value
    assert error.message == (
        "Google Flow refused this content under its content policy; "
        "change the file or upload another one."
    )
    assert "PUBLIC_ERROR" not in error.message and "something new" not in error.message.lower()
    assert error.reason == reason
    assert reason in (error.service_text or "")  # the details keep the code
    if message:
        assert error.service_text == f"{message} (reason: {reason})"
    assert len(api_requests(sb, "/v1/google-flow/assets")) == 1, "a refusal is not retried"


async def test_server_size_limit_becomes_too_large(
    sb: Any, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    big = tmp_path / "big.png"
    data = (Path(__file__).resolve().parents[3] / "resources/demo/swatch-256x256.png").read_bytes()
    big.write_bytes(data + bytes(21 * 1024 * 1024))
    with pytest.raises(TooLarge) as caught:
        await flow.upload(big, PNG, big.stat().st_size)
    assert caught.value.limit == 20 * 1024 * 1024
    assert caught.value.size == big.stat().st_size


async def test_empty_body_is_a_bad_request(flow: GoogleFlowClient, tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(BadRequest):
        await flow.upload(empty, PNG, 0)


async def test_throttled_pinned_account_reports_retry_time(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path
) -> None:
    email = sb.demo["google_flow_emails"][0]
    sb.set_google_flow_account(email, throttled_for=1800)
    path = demo_dir / "swatch-256x256.png"
    before = datetime.now(UTC)
    with pytest.raises(Throttled) as caught:
        await flow.upload(path, PNG, path.stat().st_size, email=email)
    assert caught.value.retry_after == pytest.approx(1800, abs=5)
    assert caught.value.retry_at is not None
    assert caught.value.retry_at >= before + timedelta(seconds=1790)
    assert len(api_requests(sb, "/v1/google-flow/assets")) == 1


async def test_unpinned_upload_avoids_the_throttled_account(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path
) -> None:
    throttled, healthy = sb.demo["google_flow_emails"][:2]
    sb.set_google_flow_account(throttled, throttled_for=1800)
    path = demo_dir / "swatch-256x256.png"
    for _ in range(3):
        result = await flow.upload(path, PNG, path.stat().st_size)
        assert MediaGenerationId.parse(result.media_generation_id).email == healthy


async def test_session_error_is_596_and_never_retried(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path
) -> None:
    email = sb.demo["google_flow_emails"][0]
    sb.set_google_flow_account(email, session_error=True)
    path = demo_dir / "swatch-256x256.png"
    with pytest.raises(SessionExpired) as caught:
        await flow.upload(path, PNG, path.stat().st_size, email=email)
    assert caught.value.status == 596
    assert "reconnected" in caught.value.message
    media_id = sb.demo["media_generation_ids"][0]
    sb.set_google_flow_account(MediaGenerationId.parse(media_id).email, session_error=True)
    sb.clear_requests()
    with pytest.raises(SessionExpired):
        await flow.resolve_url(media_id)
    assert len(api_requests(sb, "/v1/google-flow/assets/")) == 1


async def test_resolve_refuses_malformed_and_character_ids_before_any_request(
    sb: Any, flow: GoogleFlowClient
) -> None:
    with pytest.raises(InvalidInput):
        await flow.resolve_url("not-a-valid-ref-id")
    character = MediaGenerationId(1001, "jo.demo@gmail.com", "character", "abc")
    with pytest.raises(InvalidInput) as caught:
        await flow.resolve_url(str(character))
    assert "character" in caught.value.message
    assert api_requests(sb, "/v1/google-flow") == []


async def test_resolve_server_400_is_a_bad_request(sb: Any, flow: GoogleFlowClient) -> None:
    """The client refuses bad ids itself, so the service's own 400 is made with a fault."""
    body = {"error": "Invalid mediaGenerationId format: not-a-valid-ref-id"}
    sb.fault("api", "/v1/google-flow/assets/*", method="GET", status=400, body=body)
    with pytest.raises(BadRequest) as caught:
        await flow.resolve_url(sb.demo["media_generation_ids"][0])
    assert caught.value.service_text == body["error"]


async def test_resolve_other_users_asset_is_forbidden(sb: Any, flow: GoogleFlowClient) -> None:
    other = MediaGenerationId(2002, "other.user@gmail.com", "image", "ff9aa5cc-0000")
    with pytest.raises(Forbidden) as caught:
        await flow.resolve_url(other)
    assert "user:2002" in (caught.value.service_text or "")


async def test_resolve_unknown_account_is_not_found(sb: Any, flow: GoogleFlowClient) -> None:
    stranger = MediaGenerationId(1001, "stranger@gmail.com", "image", "ff9aa5cc-0000")
    with pytest.raises(NotFound) as caught:
        await flow.resolve_url(stranger)
    assert "stranger@gmail.com" in caught.value.message


async def test_resolve_missing_media_is_502_retried_then_reported(
    sb: Any, flow: GoogleFlowClient
) -> None:
    email = sb.demo["google_flow_emails"][0]
    missing = MediaGenerationId(1001, email, "image", "does-not-exist")
    with pytest.raises(UpstreamFailed) as caught:
        await flow.resolve_url(missing)
    assert caught.value.status == 502
    assert len(api_requests(sb, "/v1/google-flow/assets/")) == FAST_RETRY.attempts


async def test_short_throttle_is_waited_out_long_one_is_reported(
    sb: Any, connection: UseapiConnection
) -> None:
    sb.fault("api", "/v2/account", status=429, headers={"Retry-After": "1"}, body={"error": "busy"})
    account = await connection.account()
    assert account.email
    assert len(api_requests(sb, "/v2/account")) == 2
    sb.clear_requests()
    sb.fault(
        "api", "/v2/account", status=429, headers={"Retry-After": "1800"}, body={"error": "busy"}
    )
    with pytest.raises(Throttled) as caught:
        await connection.account()
    assert caught.value.retry_after == 1800
    assert len(api_requests(sb, "/v2/account")) == 1


async def test_payment_required(sb: Any, connection: UseapiConnection) -> None:
    sb.fault("api", "/v2/account", status=402, body={"error": "Subscription not active"})
    with pytest.raises(PaymentRequired) as caught:
        await connection.account()
    assert caught.value.status == 402
    assert caught.value.service_text == "Subscription not active"
    assert len(api_requests(sb, "/v2/account")) == 1


async def test_overloaded_503_waits_as_asked_or_reports_the_wait(
    sb: Any, connection: UseapiConnection
) -> None:
    sb.fault("api", "/v2/account", status=503, headers={"Retry-After": "0.5"}, body={})
    await connection.account()
    assert len(api_requests(sb, "/v2/account")) == 2
    sb.clear_requests()
    sb.fault("api", "/v2/account", status=503, headers={"Retry-After": "120"}, body={})
    with pytest.raises(UpstreamFailed) as caught:
        await connection.account()
    assert caught.value.retry_after == 120
    assert caught.value.message.endswith("try again in 2 min.")
    assert len(api_requests(sb, "/v2/account")) == 1


async def test_dropped_connection_is_retried_then_a_network_error(
    sb: Any, connection: UseapiConnection
) -> None:
    sb.fault("api", "/v2/account", count=1, drop_after_bytes=5)
    await connection.account()  # the second attempt succeeds
    sb.clear_requests()
    sb.fault("api", "/v2/account", count=5, drop_after_bytes=5)
    with pytest.raises(NetworkError) as caught:
        await connection.account()
    assert "Could not reach useapi.net" in caught.value.message
    assert len(api_requests(sb, "/v2/account")) == FAST_RETRY.attempts


async def test_unreachable_service_is_a_network_error() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with UseapiConnection("user:1-abcdefgh", f"http://127.0.0.1:{port}") as conn:
        with pytest.raises(NetworkError) as caught:
            await conn.account()
    assert f"127.0.0.1:{port}" in caught.value.message


async def test_token_goes_only_to_the_api_origin(
    sb: Any, connection: UseapiConnection, flow: GoogleFlowClient
) -> None:
    signed = await flow.resolve_url(sb.demo["media_generation_ids"][0])
    with pytest.raises(ValueError):
        connection.auth_headers(httpx.URL(signed.url))
    with pytest.raises(ValueError):
        await connection.send("GET", signed.url)
    assert sb.requests("storage") == []
    assert all(
        r["headers"]["authorization"] == sb.redacted(f"Bearer {sb.demo['useapi_token']}")
        for r in sb.requests("api")
    )


async def test_no_flow_accounts_is_an_empty_list(sb: Any, flow: GoogleFlowClient) -> None:
    for email in sb.demo["google_flow_emails"]:
        sb.set_google_flow_account(email, present=False)
    assert await flow.accounts() == []


async def test_upload_with_unsupported_content_type_is_a_bad_request(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path
) -> None:
    """The app never sends GIF (core refuses it first); the service's own 400 is still mapped."""
    gif = MediaType("image/gif", MediaKind.IMAGE, "GIF", (".gif",), 20 * 1024 * 1024)
    path = demo_dir / "swatch-256x256.png"
    with pytest.raises(BadRequest) as caught:
        await flow.upload(path, gif, path.stat().st_size)
    assert caught.value.status == 400 and caught.value.service_text


async def test_upload_with_bad_token_or_unknown_email(sb: Any, demo_dir: Path) -> None:
    path = demo_dir / "swatch-256x256.png"
    async with UseapiConnection("user:1001-NotTheToken99", sb.api_url) as conn:
        with pytest.raises(Unauthorized):
            await GoogleFlowClient(conn).upload(path, PNG, path.stat().st_size)
        with pytest.raises(Unauthorized):
            await GoogleFlowClient(conn).resolve_url(sb.demo["media_generation_ids"][0])
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url) as conn:
        with pytest.raises(NotFound) as caught:
            await GoogleFlowClient(conn).upload(
                path, PNG, path.stat().st_size, email="nobody@gmail.com"
            )
    assert "nobody@gmail.com" in caught.value.message


@pytest.mark.parametrize("answer", [{"media": {}}, "<html>ok</html>"])
async def test_a_2xx_the_client_cannot_read_is_outcome_unknown(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path, answer: Any
) -> None:
    sb.fault("api", "/v1/google-flow/assets", method="POST", status=200, body=answer)
    path = demo_dir / "sunrise-640x360.png"
    with pytest.raises(OutcomeUnknown) as caught:
        await flow.upload(path, PNG, path.stat().st_size)
    assert "it is not known whether Google Flow kept the file" in caught.value.message
    assert not caught.value.retryable


async def test_a_lost_answer_after_the_whole_upload_is_outcome_unknown(
    sb: Any, flow: GoogleFlowClient, demo_dir: Path
) -> None:
    sb.fault("api", "/v1/google-flow/assets", method="POST", lose_answer=True)
    path = demo_dir / "sunrise-640x360.png"
    with pytest.raises(OutcomeUnknown) as caught:
        await flow.upload(path, PNG, path.stat().st_size)
    assert caught.value.message == (
        "The connection was lost after sunrise-640x360.png was sent in full, before Google Flow "
        "answered: it is not known whether Google Flow kept sunrise-640x360.png."
    )
    assert not caught.value.retryable
    assert len(api_requests(sb, "/v1/google-flow/assets")) == 1, "never sent again"
    uploaded = [a for a in sb.google_flow_assets() if "upload-" in a["object"]["file"]]
    assert [a["object"]["size"] for a in uploaded] == [path.stat().st_size], "the service kept it"
