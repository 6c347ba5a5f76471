"""WordbeeClient.upload_to_segment over real HTTP against the sandbox: the multipart staging and
the attach, bytes stored byte for byte and listed where the segment's list and download find
them, the session and file tokens expiring between the calls, and a lost answer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.http_calls import api_requests
from tests.helpers.media_files import MEDIA

from assetdesk.core.errors import (
    BadRequest,
    InvalidInput,
    NetworkError,
    NotFound,
    OutcomeUnknown,
)
from assetdesk.providers.wordbee import WordbeeClient

pytestmark = pytest.mark.anyio

SEGMENT = 27665602


def calls(sb: Any, path: str) -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, path, "wordbee") if r["method"] == "POST"]


async def upload(wordbee: WordbeeClient, path: Path, **options: Any) -> Any:
    fields: dict[str, Any] = {
        "scope": "pr7214",
        "segment_id": SEGMENT,
        "filename": path.name,
        "content_type": "application/octet-stream",
        "size": path.stat().st_size,
    }
    return await wordbee.upload_to_segment(path, **{**fields, **options})


async def download(wordbee: WordbeeClient, name: str, **where: Any) -> bytes:
    async with wordbee.open_download(SEGMENT, "pr7214", name, **where) as response:
        return await response.aread()


@pytest.mark.parametrize("name", ["clip.mov", "sound.m4a", "picture.tiff", "picture.avif"])
async def test_any_file_is_staged_attached_and_read_back_byte_for_byte(
    sb: Any, wordbee: WordbeeClient, name: str
) -> None:
    path = MEDIA / name
    data = path.read_bytes()
    seen: list[tuple[int, int]] = []
    asset = await upload(wordbee, path, progress=lambda done, total: seen.append((done, total)))
    assert (asset.segment_id, asset.name, asset.size) == (SEGMENT, name, len(data))
    assert (asset.project_id, asset.locale, asset.relative_path) == (7214, None, None)
    assert seen[-1] == (len(data), len(data))
    (staging,) = calls(sb, "/api/media/upload")
    assert staging["params"] == {"filename": name}
    assert staging["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert int(staging["headers"]["content-length"]) > len(data)
    assert await download(wordbee, name) == data
    listed = await wordbee.list_segment_assets(SEGMENT, "pr7214")
    assert [a.size for a in listed if a.name == name] == [len(data)]


async def test_locale_and_folder_are_kept(sb: Any, wordbee: WordbeeClient) -> None:
    path = MEDIA / "picture.png"
    asset = await upload(
        wordbee,
        path,
        filename="hero.png",
        content_type="image/png",
        locale="fr",
        relative_path="boards/day 1",
    )
    assert (asset.locale, asset.relative_path, asset.name) == ("fr", "boards/day 1", "hero.png")
    assert asset.content_type == "image/png" and asset.download_url
    (attach,) = calls(sb, f"/api/resources/assets/{SEGMENT}")
    assert attach["params"] == {"scope": "pr7214"}
    data = path.read_bytes()
    assert await download(wordbee, "hero.png", locale="fr", relative_path="boards/day 1") == data


async def test_a_session_that_expires_between_the_calls_is_renewed_for_the_attach(
    sb: Any, wordbee: WordbeeClient
) -> None:
    sb.expire_wordbee(session_after_staging=1)
    path = MEDIA / "picture.gif"
    asset = await upload(wordbee, path)
    assert asset.size == path.stat().st_size
    assert len(calls(sb, "/api/media/upload")) == 1, "the staged file was not sent again"
    first, second = calls(sb, f"/api/resources/assets/{SEGMENT}")
    assert first["headers"]["x-auth-token"] != second["headers"]["x-auth-token"]
    assert len(calls(sb, "/api/auth/token")) == 2


async def test_a_refused_file_token_is_staged_again_once(sb: Any, wordbee: WordbeeClient) -> None:
    sb.expire_wordbee(file_token_at_attach=1)
    path = MEDIA / "picture.jpg"
    asset = await upload(wordbee, path)
    assert asset.size == path.stat().st_size
    assert len(calls(sb, "/api/media/upload")) == 2
    assert len(calls(sb, f"/api/resources/assets/{SEGMENT}")) == 2
    assert await download(wordbee, "picture.jpg") == path.read_bytes()


async def test_a_file_token_refused_in_session_like_words_is_staged_again_not_signed_in(
    sb: Any, wordbee: WordbeeClient
) -> None:
    # "expired" is in it, but it names the file token: a new staging cures it, a new session
    # would not (and would end as a refused key, stopping the account's uploads).
    sb.fault(
        "wordbee",
        f"/api/resources/assets/{SEGMENT}",
        method="POST",
        status=400,
        body={"error": "Invalid or expired file token"},
    )
    path = MEDIA / "picture.jpg"
    asset = await upload(wordbee, path)
    assert asset.size == path.stat().st_size
    assert len(calls(sb, "/api/media/upload")) == 2
    assert len(calls(sb, "/api/auth/token")) == 1, "no second sign-in"


async def test_a_file_token_refused_twice_is_reported(sb: Any, wordbee: WordbeeClient) -> None:
    sb.expire_wordbee(file_token_at_attach=2)
    with pytest.raises(BadRequest) as caught:
        await upload(wordbee, MEDIA / "picture.jpg")
    assert "filetoken" in (caught.value.service_text or "")
    assert len(calls(sb, "/api/media/upload")) == 2, "staged again once, not more"


async def test_a_lost_attach_answer_is_outcome_unknown(sb: Any, wordbee: WordbeeClient) -> None:
    sb.fault("wordbee", f"/api/resources/assets/{SEGMENT}", method="POST", lose_answer=True)
    with pytest.raises(OutcomeUnknown) as caught:
        await upload(wordbee, MEDIA / "clip.webm")
    assert "it is not known whether Wordbee kept clip.webm" in caught.value.message
    listed = await wordbee.list_segment_assets(SEGMENT, "pr7214")
    assert [a.name for a in listed].count("clip.webm") == 1, "attached once, not again"


async def test_a_lost_staging_answer_is_a_network_error(sb: Any, wordbee: WordbeeClient) -> None:
    """Nothing is attached before the attach: sending again is safe, so not OutcomeUnknown."""
    sb.fault("wordbee", "/api/media/upload", method="POST", lose_answer=True)
    with pytest.raises(NetworkError) as caught:
        await upload(wordbee, MEDIA / "clip.webm")
    assert not isinstance(caught.value, OutcomeUnknown)
    assert calls(sb, f"/api/resources/assets/{SEGMENT}") == []
    listed = await wordbee.list_segment_assets(SEGMENT, "pr7214")
    assert "clip.webm" not in [a.name for a in listed]


async def test_an_unknown_segment_is_not_found(wordbee: WordbeeClient) -> None:
    with pytest.raises(NotFound) as caught:
        await upload(wordbee, MEDIA / "picture.png", segment_id=123)
    assert "does not exist" in (caught.value.service_text or "")


@pytest.mark.parametrize(("scope", "name"), [("jbs12", "a.png"), ("pr7214", " ")])
async def test_a_job_scope_or_a_blank_name_is_refused_before_any_request(
    sb: Any, wordbee: WordbeeClient, scope: str, name: str
) -> None:
    with pytest.raises(InvalidInput):
        await upload(wordbee, MEDIA / "picture.png", scope=scope, filename=name)
    assert sb.requests("wordbee") == []


async def test_a_sparse_answer_is_filled_from_what_was_sent(
    sb: Any, wordbee: WordbeeClient
) -> None:
    """The attach's answer is only partly documented: with just its first fields, the rest
    comes from what was sent."""
    sb.fault(
        "wordbee",
        f"/api/resources/assets/{SEGMENT}",
        method="POST",
        status=200,
        body={"projectId": 7214, "documentId": 882, "segmentId": SEGMENT, "locale": "de"},
    )
    path = MEDIA / "picture.webp"
    asset = await upload(wordbee, path, locale="de", content_type="image/webp")
    assert (asset.document_id, asset.name, asset.size) == (882, "picture.webp", 696)
    assert (asset.locale, asset.content_type) == ("de", "image/webp")
    assert asset.raw == {"projectId": 7214, "documentId": 882, "segmentId": SEGMENT, "locale": "de"}
    (attach,) = calls(sb, f"/api/resources/assets/{SEGMENT}")
    assert attach["headers"]["content-type"] == "application/json"


async def test_a_stale_session_at_the_staging_signs_in_and_sends_the_file_again(
    sb: Any,
) -> None:
    """The body makes a second full pass: the first staging was refused before it was read."""
    client = WordbeeClient(
        sb.wordbee_url, sb.demo["wordbee_account_id"], sb.demo["wordbee_key"], token="stale"
    )
    path = MEDIA / "clip.3gp"
    async with client:
        asset = await upload(client, path)
        assert await download(client, "clip.3gp") == path.read_bytes()
    assert asset.size == path.stat().st_size
    first, second = calls(sb, "/api/media/upload")
    assert (
        first["headers"]["x-auth-token"]
        == sb.redacted("stale")
        != second["headers"]["x-auth-token"]
    )
    assert len(calls(sb, "/api/auth/token")) == 1


async def test_a_large_sparse_file_streams_through_intact(
    sb: Any, wordbee: WordbeeClient, tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as out:
        out.write(b"head")
        out.truncate(9 * 1024 * 1024 + 5)  # several chunks, the last one short
        out.seek(9 * 1024 * 1024)
        out.write(b"tail!")
    asset = await upload(wordbee, path)
    assert asset.size == path.stat().st_size
    (obj,) = [o for o in sb.objects() if o["size"] == path.stat().st_size]
    assert obj["md5"] == hashlib.md5(path.read_bytes()).hexdigest()
