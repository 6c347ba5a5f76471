"""The download engine against a misbehaving storage host, over real HTTP to the sandbox.

Every test ends one of two ways: the exact original bytes under the final name, or a clear error
with nothing left in the folder (no file under the final name, no `.part`).
"""

from __future__ import annotations

import asyncio
import gzip
import random
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import google_crc32c
import httpx
import pytest
from tests.helpers.downloads import (
    DL_BIG_SIZE,
    DL_FAST,
    DL_FIRST,
    DL_SMALL_SIZE,
    MIB,
    DlAsset,
    dl_assert_no_authorization,
    dl_gets,
    dl_listing,
    dl_ranges,
    dl_register,
    dl_source,
)
from tests.helpers.http_calls import FAST_RETRY
from tests.helpers.media_files import DEMO, write_padded_clip

from assetdesk.core.errors import (
    Forbidden,
    IntegrityError,
    LocalFileError,
    NetworkError,
    UpstreamFailed,
)
from assetdesk.core.units import format_size
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.download import download
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.progress import Phase, TransferProgress
from assetdesk.transfer.sources import EncodedAnswer, SignedUrlSource

pytestmark = pytest.mark.anyio


def host(sb: SandboxProcess) -> str:
    """host:port of the storage origin, as the engine's messages name it."""
    url = httpx.URL(sb.storage_url)
    return f"{url.host}:{url.port}"


def assert_saved(result: DownloadResult, asset: DlAsset, folder: Path) -> None:
    """The exact original bytes as `clip.mp4`, and nothing else in the folder."""
    assert result.path == folder / "clip.mp4"
    assert result.path.read_bytes() == asset.data
    assert (result.bytes, result.sha256) == (asset.size, asset.sha256)
    assert dl_listing(folder) == ["clip.mp4"]


def spans(ranges: list[str | None]) -> list[tuple[int, int | None]]:
    """`bytes=a-b` headers as (a, b); b None for an open range."""
    out: list[tuple[int, int | None]] = []
    for value in ranges:
        assert value is not None and value.startswith("bytes=")
        first, last = value.removeprefix("bytes=").split("-")
        out.append((int(first), int(last) if last else None))
    return out


def harmless(sb: SandboxProcess, asset: DlAsset) -> None:
    """A rule that only adds a header: it takes the first request (the one that asks for the
    whole file), so that the rule queued after it lands on a piece of a segmented download."""
    sb.fault("storage", asset.url_path, headers={"x-dl-test": "first"})


def expired_xml() -> str:
    """The body GCS (and the sandbox) sends for an expired signed URL."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code>"
        "<Message>The provided token has expired.</Message>"
        "<Details>Request signature expired at: 2026-01-05T09:00:00+00:00</Details></Error>"
    )


def denied_xml() -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code>"
        "<Message>The request signature we calculated does not match the signature you "
        "provided.</Message></Error>"
    )


# --------------------------------------------------------------------------- drops and stalls


@pytest.mark.parametrize(
    "offset", [0, 1, 65535, 65536, MIB - 1, MIB, 2 * MIB + 7, DL_SMALL_SIZE - 1]
)
async def test_single_stream_resumes_after_a_drop(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    offset: int,
) -> None:
    sb.fault("storage", dl_small.url_path, drop_after_bytes=offset)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects >= 1 and result.restarts == 0
    # The resume asks for exactly the bytes the drop left out.
    assert dl_ranges(sb, dl_small) == [DL_FIRST, f"bytes={offset}-{DL_SMALL_SIZE - 1}"]


@pytest.mark.parametrize("offset", [0, 1, 65535, 65536, MIB - 1, MIB, 2 * MIB - 1])
async def test_segmented_piece_resumes_after_a_drop(
    sb: SandboxProcess,
    dl_big: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    offset: int,
) -> None:
    harmless(sb, dl_big)
    sb.fault("storage", dl_big.url_path, drop_after_bytes=offset)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.segments == 4 and result.reconnects >= 1 and result.restarts == 0
    asked = spans(dl_ranges(sb, dl_big))
    first, last = asked[1]  # the piece request that was dropped
    assert first > 0 and last is not None
    resumed = [span for span in asked[2:] if span[1] == last]
    assert resumed == [(first + offset, last)]


async def test_segmented_first_answer_dropped_in_its_piece(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The first answer asked for the whole file but only its first piece is used."""
    sb.fault("storage", dl_big.url_path, drop_after_bytes=MIB + 5)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.segments == 4 and result.reconnects >= 1
    asked = spans(dl_ranges(sb, dl_big))
    assert asked[0] == (0, None)
    assert (MIB + 5, 2 * MIB - 1) in asked


async def test_many_drops_in_a_row_give_a_clear_error(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, drop_after_bytes=0, count=10)
    options = DownloadOptions(sha256=True, attempts=3, backoff=0.01, max_backoff=0.05)
    with pytest.raises(NetworkError) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert str(caught.value) == (
        f"Could not reach the storage host at {host(sb)}: "
        "the connection was closed before the answer was complete."
    )
    assert len(dl_gets(sb, dl_small)) == 3  # the first try and two more
    assert dl_listing(tmp_path) == []


async def test_drops_that_each_bring_bytes_do_not_exhaust_the_attempts(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """`attempts` counts tries in a row without a new byte: ten drops that each bring 64 KiB
    are ten reconnections, not a failure."""
    sb.fault("storage", dl_small.url_path, drop_after_bytes=65536, count=10)
    options = DownloadOptions(sha256=True, attempts=3, backoff=0.01, max_backoff=0.05)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects == 10
    assert [s[0] for s in spans(dl_ranges(sb, dl_small))] == [i * 65536 for i in range(11)]


async def test_max_reconnects_is_a_hard_stop(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, drop_after_bytes=65536, count=10)
    options = DownloadOptions(sha256=True, max_reconnects=4, backoff=0.01, max_backoff=0.05)
    with pytest.raises(NetworkError):
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert len(dl_gets(sb, dl_small)) == 5
    assert dl_listing(tmp_path) == []


async def test_stall_longer_than_the_read_timeout_resumes(
    sb: SandboxProcess, dl_small: DlAsset, dl_stall_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, stall_after_bytes=MIB, stall_seconds=2)
    started = time.monotonic()
    result = await download(dl_source(sb, dl_stall_http, dl_small), tmp_path, options=DL_FAST)
    assert time.monotonic() - started < 1.9  # it did not wait for the stall to end
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects == 1
    assert dl_ranges(sb, dl_small) == [DL_FIRST, f"bytes={MIB}-{DL_SMALL_SIZE - 1}"]


# --------------------------------------------------------------------------- signed links


@pytest.fixture
async def dl_flow(sb: SandboxProcess) -> AsyncIterator[GoogleFlowClient]:
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=FAST_RETRY) as conn:
        yield GoogleFlowClient(conn)


async def test_link_expires_mid_download_through_the_product_path(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    dl_flow: GoogleFlowClient,
    tmp_path: Path,
) -> None:
    """The link is resolved through useapi.net as the app does; the sandbox's clock passes the
    link's expiry while the first answer streams, and a drop forces a new request."""
    sb.configure(signed_url_ttl=60)
    sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)

    async def resolve() -> str:
        return (await dl_flow.resolve_url(dl_small.media_id)).url

    moved: list[float] = []

    def on_progress(progress: TransferProgress) -> None:
        if progress.phase is Phase.DOWNLOADING and not moved:
            moved.append(sb.advance_clock(120))  # blocking, but only once

    source = SignedUrlSource(dl_http, resolve, label="clip.mp4", suggested_name="clip.mp4")
    result = await download(source, tmp_path, options=DL_FAST, progress=on_progress)
    assert_saved(result, dl_small, tmp_path)
    assert result.refreshed_links == source.refreshes == 1
    gets = dl_gets(sb, dl_small)
    assert [r["headers"]["range"] for r in gets] == [
        DL_FIRST,
        f"bytes={MIB}-{DL_SMALL_SIZE - 1}",  # the old link: 400 ExpiredToken
        f"bytes={MIB}-{DL_SMALL_SIZE - 1}",  # the fresh link goes on from the saved bytes
    ]
    expires = [int(parse_qs(r["query"])["Expires"][0]) for r in gets]
    assert expires[0] == expires[1] < moved[0] < expires[2]
    dl_assert_no_authorization(sb)
    assert [r for r in sb.requests("api") if r["path"].startswith("/v1/google-flow/assets/")]


async def test_expired_piece_link_is_refreshed(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A 400 ExpiredToken as GCS sends it on a piece request of a segmented download."""
    harmless(sb, dl_big)
    sb.fault("storage", dl_big.url_path, status=400, body=expired_xml())
    source = dl_source(sb, dl_http, dl_big)
    result = await download(source, tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.refreshed_links == 1 and result.segments == 4
    asked = spans(dl_ranges(sb, dl_big))
    assert asked[1][0] > 0
    assert asked.count(asked[1]) == 2  # the same piece, asked again with the fresh link


async def test_refused_fresh_link_is_forbidden(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A drop forces a resume; the old link and the fresh one are both refused (403)."""
    sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
    sb.fault("storage", dl_small.url_path, status=403, body=denied_xml(), count=2)
    source = dl_source(sb, dl_http, dl_small)
    with pytest.raises(Forbidden) as caught:
        await download(source, tmp_path, options=DL_FAST)
    assert str(caught.value) == (
        f"{host(sb)} refused to send clip.mp4 (403): the download link is not valid."
    )
    assert "Signature" not in str(caught.value)
    assert source.refreshes == 1
    assert len(dl_gets(sb, dl_small)) == 3
    assert dl_listing(tmp_path) == []


async def test_refused_link_at_the_start(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, status=403, body=denied_xml(), count=2)
    with pytest.raises(Forbidden):
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert dl_listing(tmp_path) == []


# --------------------------------------------------------------------------- corrupt bytes


async def test_corrupt_byte_once_downloads_again(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=DL_SMALL_SIZE // 2)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.restarts == 1 and result.verified == ("size", "crc32c")
    assert dl_ranges(sb, dl_small) == [DL_FIRST, DL_FIRST]


async def test_corrupt_byte_in_a_piece_downloads_again(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    harmless(sb, dl_big)
    sb.fault("storage", dl_big.url_path, corrupt_byte_at=12345)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.restarts == 1 and result.segments == 4


async def test_corrupt_twice_is_an_integrity_error(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    at = 1000
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=at, count=2)
    with pytest.raises(IntegrityError) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    bad = bytearray(dl_small.data)
    bad[at] ^= 0xFF
    got = bytes(google_crc32c.Checksum(bytes(bad)).digest()).hex()  # type: ignore[no-untyped-call]
    assert str(caught.value) == (
        f"clip.mp4 failed its CRC32C check (the server said {dl_small.crc32c}, "
        f"the download has {got}); it was discarded."
    )
    assert dl_listing(tmp_path) == []


async def test_corrupt_twice_md5_only(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.configure(hash_header="md5")
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=5, count=2)
    with pytest.raises(IntegrityError) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert str(caught.value).startswith("clip.mp4 failed its MD5 check (the server said ")
    assert str(caught.value).endswith("); it was discarded.")
    assert dl_listing(tmp_path) == []


async def test_corrupt_pieces_twice_is_an_integrity_error(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Segmented, MD5 only (no CRC32C): the pieces are hashed back from the file as the prefix
    grows; the second corrupt pass is reported and both the file and its reader are let go."""
    sb.configure(hash_header="md5")
    sb.fault("storage", dl_big.url_path, corrupt_byte_at=777, count=100)  # every request
    with pytest.raises(IntegrityError) as caught:
        await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert str(caught.value).startswith("clip.mp4 failed its MD5 check (the server said ")
    assert dl_listing(tmp_path) == []


async def test_file_changed_on_the_server_starts_over(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The resume after a drop answers with another ETag: the saved bytes may belong to an
    older version, so they are thrown away."""
    sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
    sb.fault("storage", dl_small.url_path, headers={"ETag": '"another-version"'})
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.restarts == 1
    assert dl_ranges(sb, dl_small) == [DL_FIRST, f"bytes={MIB}-{DL_SMALL_SIZE - 1}", DL_FIRST]


async def test_file_that_keeps_changing_is_reported(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    for version in range(12):
        sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
        sb.fault("storage", dl_small.url_path, headers={"ETag": f'"version-{version}"'})
    options = DownloadOptions(
        sha256=True, attempts=2, verify_retries=1, backoff=0.01, max_backoff=0.05
    )
    with pytest.raises(NetworkError) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert str(caught.value) == (
        "clip.mp4 could not be downloaded whole: the server kept breaking the connection or "
        "changing the file. Try again later."
    )
    assert dl_listing(tmp_path) == []


async def test_missing_folder_is_a_local_file_error(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    folder = tmp_path / "gone"
    with pytest.raises(LocalFileError) as caught:
        await download(dl_source(sb, dl_http, dl_small), folder, options=DL_FAST)
    assert str(caught.value) == f"The folder {folder} does not exist."
    assert dl_listing(tmp_path) == []
    assert sb.requests("storage") == []


# --------------------------------------------------------------------------- lying lengths


async def test_short_content_length_on_a_206_is_resumed(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Content-Range and the stored length still give the true size, so a body cut cleanly at a
    smaller Content-Length is an early end: the engine asks for the rest."""
    cut = DL_SMALL_SIZE - 1000
    sb.fault("storage", dl_small.url_path, content_length=cut)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects == 1 and result.restarts == 0
    assert dl_ranges(sb, dl_small) == [DL_FIRST, f"bytes={cut}-{DL_SMALL_SIZE - 1}"]


@pytest.mark.parametrize("lies", [1, 2])
async def test_short_content_length_is_caught_by_the_hash(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    lies: int,
) -> None:
    """A 200 whose Content-Length is the only size there is: the cut body has the announced
    size, and only the CRC32C shows it is wrong. A retry that gets the truth succeeds."""
    sb.configure(ignore_range=True, stored_length=False)
    cut = DL_SMALL_SIZE - 1000
    sb.fault("storage", dl_small.url_path, content_length=cut, count=lies)
    seen_final: list[bool] = []

    def on_progress(progress: TransferProgress) -> None:
        if progress.phase is not Phase.DONE:
            seen_final.append((tmp_path / "clip.mp4").exists())

    download_job = download(
        dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST, progress=on_progress
    )
    if lies == 1:
        result = await download_job
        assert_saved(result, dl_small, tmp_path)
        assert result.restarts == 1
    else:
        with pytest.raises(IntegrityError) as caught:
            await download_job
        got = bytes(google_crc32c.Checksum(dl_small.data[:cut]).digest()).hex()  # type: ignore[no-untyped-call]
        assert str(caught.value) == (
            f"clip.mp4 failed its CRC32C check (the server said {dl_small.crc32c}, "
            f"the download has {got}); it was discarded."
        )
        assert dl_listing(tmp_path) == []
    assert seen_final and not any(seen_final)  # never a wrong file under the final name


async def test_long_content_length_on_a_206_stops_at_the_true_size(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The size is known from Content-Range, so the engine stops reading there and never sees
    the connection aborted after the real bytes."""
    sb.fault("storage", dl_small.url_path, content_length=DL_SMALL_SIZE + 1000)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects == 0 and result.restarts == 0


async def test_long_content_length_as_the_only_size_starts_over(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A 200 announcing more bytes than it has: the real bytes, then an abort. The resume gets a
    200 again (ranges ignored), so the engine starts over and the truthful answer wins."""
    sb.configure(ignore_range=True, stored_length=False)
    sb.fault("storage", dl_small.url_path, content_length=DL_SMALL_SIZE + 1000)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects >= 1 and result.restarts == 1
    assert dl_ranges(sb, dl_small) == [
        DL_FIRST,
        f"bytes={DL_SMALL_SIZE}-{DL_SMALL_SIZE + 999}",
        DL_FIRST,
    ]


# --------------------------------------------------------------------------- ranges ignored


async def test_server_ignoring_ranges_makes_a_resume_start_over(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.configure(ignore_range=True)
    sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.restarts >= 1
    assert dl_ranges(sb, dl_small) == [DL_FIRST, f"bytes={MIB}-{DL_SMALL_SIZE - 1}", "bytes=0-"]


async def test_segmented_on_a_server_ignoring_ranges_is_one_stream(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.configure(ignore_range=True)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.segments == 1 and result.restarts == 0
    assert dl_ranges(sb, dl_big) == [DL_FIRST]


async def test_ranges_ignored_after_the_first_answer_goes_on_as_one_stream(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The first answer was a 206, so the download was cut into pieces; then the server starts
    sending the whole file to every ranged request."""
    switched: list[bool] = []

    def on_progress(progress: TransferProgress) -> None:
        if progress.phase is Phase.DOWNLOADING and not switched:
            sb.configure(ignore_range=True)  # before any piece request is sent
            switched.append(True)

    result = await download(
        dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST, progress=on_progress
    )
    assert_saved(result, dl_big, tmp_path)
    assert result.segments == 1 and result.restarts == 1
    assert dl_ranges(sb, dl_big)[-1] == "bytes=0-"


# --------------------------------------------------------------------------- server errors


async def test_503_on_the_first_request_is_retried(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, status=503, body="busy")
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path)
    assert result.reconnects == 1
    assert dl_ranges(sb, dl_small) == [DL_FIRST, DL_FIRST]


async def test_503_on_a_piece_is_retried(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    harmless(sb, dl_big)
    sb.fault("storage", dl_big.url_path, status=503, body="busy")
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path)
    assert result.reconnects == 1 and result.segments == 4 and result.refreshed_links == 0
    asked = dl_ranges(sb, dl_big)
    assert asked.count(asked[1]) == 2


async def test_503_that_goes_on_is_reported(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.fault("storage", dl_small.url_path, status=503, body="busy", count=10)
    options = DownloadOptions(sha256=True, attempts=3, backoff=0.01, max_backoff=0.05)
    with pytest.raises(UpstreamFailed) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert str(caught.value) == f"{host(sb)} could not send clip.mp4 right now (503)."
    assert dl_listing(tmp_path) == []


# --------------------------------------------------------------------------- a full disk


@pytest.fixture
def dl_small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: a real file system that runs out of space."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {(done.stderr or done.stdout).strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


async def test_not_enough_space_is_refused_before_starting(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, dl_small_disk: Path
) -> None:
    free = shutil.disk_usage(dl_small_disk).free
    with pytest.raises(LocalFileError) as caught:
        await download(dl_source(sb, dl_http, dl_big), dl_small_disk, options=DL_FAST)
    assert str(caught.value) == (
        f"Not enough free space for clip.mp4 in {dl_small_disk}: it needs "
        f"{format_size(DL_BIG_SIZE)} and {format_size(free)} is free."
    )
    assert dl_listing(dl_small_disk) == []
    assert shutil.disk_usage(dl_small_disk).free == free
    assert len(dl_gets(sb, dl_big)) == 1


async def test_disk_fills_up_while_writing(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, dl_small_disk: Path
) -> None:
    """A free-space check that passes and a write that fails later is hard to make (another
    program would have to fill the disk at the right moment); an answer of unknown size (a 200
    without Content-Length or stored length) skips the check, so the writes hit the full disk."""
    sb.configure(ignore_range=True, stored_length=False)
    sb.fault("storage", dl_big.url_path, drop_headers=["content-length"])
    with pytest.raises(LocalFileError) as caught:
        await download(dl_source(sb, dl_http, dl_big), dl_small_disk, options=DL_FAST)
    assert str(caught.value) == (
        f"The disk is full: clip.mp4 could not be written in {dl_small_disk}; nothing was kept."
    )
    assert dl_listing(dl_small_disk) == []


async def test_starting_over_counts_the_old_parts_space_as_free(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, dl_small_disk: Path
) -> None:
    """3 MiB on a 4 MiB disk: after a corrupt first pass the part is emptied before the space
    check, so the second pass fits."""
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=100_000)
    result = await download(dl_source(sb, dl_http, dl_small), dl_small_disk, options=DL_FAST)
    assert result.restarts == 1
    assert result.path.read_bytes() == dl_small.data
    assert dl_listing(dl_small_disk) == ["clip.mp4"]


# --------------------------------------------------------------------------- cancellation


@pytest.mark.slow
async def test_cancel_at_random_times_leaves_nothing(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_big: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    # 4 MB/s per connection: the small file takes 0.8 s, the big one 2.6 s on four streams, so
    # every cancel lands while bytes are moving.
    sb.bandwidth("storage", 4_000_000)
    rng = random.Random(1234)
    for run in range(20):
        segmented = run % 2 == 0
        asset = dl_big if segmented else dl_small
        folder = tmp_path / f"run-{run}"
        folder.mkdir()
        task = asyncio.create_task(download(dl_source(sb, dl_http, asset), folder, options=DL_FAST))
        await asyncio.sleep(rng.uniform(0.0, 0.6))
        assert not task.done(), f"run {run} ended before it was cancelled"
        task.cancel()
        finished, _ = await asyncio.wait({task}, timeout=2)
        assert task in finished, f"run {run} was still running 2 s after the cancel"
        assert task.cancelled(), f"run {run}: {task.exception()!r}"
        assert dl_listing(folder) == [], f"run {run} ({'segmented' if segmented else 'single'})"


@pytest.mark.parametrize("asset_name", ["dl_small", "dl_big"])
async def test_cancel_while_verifying_leaves_nothing(
    sb: SandboxProcess,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    asset_name: str,
) -> None:
    asset: DlAsset = request.getfixturevalue(asset_name)
    tasks: list[asyncio.Task[DownloadResult]] = []

    def on_progress(progress: TransferProgress) -> None:
        if progress.phase is Phase.VERIFYING:
            tasks[0].cancel()

    task = asyncio.create_task(
        download(dl_source(sb, dl_http, asset), tmp_path, options=DL_FAST, progress=on_progress)
    )
    tasks.append(task)
    finished, _ = await asyncio.wait({task}, timeout=10)
    assert task in finished and task.cancelled()
    assert dl_listing(tmp_path) == []


# --------------------------------------------------------------------------- credentials


async def test_no_request_to_storage_carries_credentials(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_big: DlAsset,
    dl_http: httpx.AsyncClient,
    dl_flow: GoogleFlowClient,
    tmp_path: Path,
) -> None:
    """Links resolved through useapi.net (whose requests carry the token), through a drop, a
    refresh and pieces: the storage host never sees an Authorization header."""
    harmless(sb, dl_big)
    sb.fault("storage", dl_big.url_path, status=400, body=expired_xml())
    sb.fault("storage", dl_small.url_path, drop_after_bytes=4321)
    for asset, folder in ((dl_small, tmp_path / "a"), (dl_big, tmp_path / "b")):
        folder.mkdir()

        async def resolve(asset: DlAsset = asset) -> str:
            return (await dl_flow.resolve_url(asset.media_id)).url

        source = SignedUrlSource(dl_http, resolve, label="clip.mp4", suggested_name="clip.mp4")
        result = await download(source, folder, options=DL_FAST)
        assert_saved(result, asset, folder)
    assert len(sb.requests("storage")) >= 20
    dl_assert_no_authorization(sb)
    api = [r for r in sb.requests("api") if r["path"].startswith("/v1/google-flow/assets/")]
    assert len(api) >= 3 and all("authorization" in r["headers"] for r in api)


# --------------------------------------------------------------------------- names and encodings


async def test_concurrent_downloads_of_the_same_name_keep_apart(
    sb: SandboxProcess, dl_media: dict[str, Path], dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A batch that saves several assets of the same name into one folder (Wordbee's seed has
    two 'pexels-gons3.jpg'): each must end as its own file with its own bytes."""
    other = write_padded_clip(tmp_path / "other.mp4", DL_SMALL_SIZE)
    first, second = dl_register(sb, dl_media["small"]), dl_register(sb, other)
    problems: list[str] = []
    for round_ in range(8):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        assets = (first, second, first, second)
        results = await asyncio.gather(
            *(download(dl_source(sb, dl_http, a), folder, options=DL_FAST) for a in assets),
            return_exceptions=True,
        )
        for asset, result in zip(assets, results, strict=True):
            if isinstance(result, BaseException):
                problems.append(f"round {round_}: {type(result).__name__}: {result}")
            elif result.path.read_bytes() != asset.data:
                problems.append(f"round {round_}: {result.path.name} holds the wrong bytes")
        if not any(isinstance(r, BaseException) for r in results):
            names = sorted(r.path.name for r in results if isinstance(r, DownloadResult))
            if names != dl_listing(folder) or len(set(names)) != 4:
                problems.append(f"round {round_}: {dl_listing(folder)}")
    assert problems == []


def packed_asset(sb: SandboxProcess, tmp_path: Path, data: bytes) -> DlAsset:
    """The gzip bytes of `data` on the storage origin, served with `Content-Encoding: gzip` once
    (as GCS serves an object stored compressed with `Cache-Control: no-transform`), without
    ranges, hashes or a stored length."""
    packed = tmp_path / "clip.mp4.gz"
    packed.write_bytes(gzip.compress(data))
    # A Wordbee asset is stored on the storage origin without a media check (gzip is no MP4).
    sb.put_wordbee_asset(packed, "video/mp4", name="clip.mp4", segment_id=27665601)
    key = next(o["key"] for o in sb.objects() if o["file"] == str(packed.resolve()))
    asset = DlAsset(packed, packed.read_bytes(), key, "", "")
    sb.configure(ignore_range=True, hash_header="none", stored_length=False)
    sb.fault("storage", asset.url_path, headers={"Content-Encoding": "gzip"})
    return asset


@pytest.mark.parametrize("what", ["clip", "64 MiB of zeros"])
async def test_gzip_encoded_answer_is_refused_not_decoded(
    sb: SandboxProcess, dl_http: httpx.AsyncClient, tmp_path: Path, what: str
) -> None:
    """Identity was asked; a storage host that answers gzip anyway is refused before a byte is
    read: nothing is decoded (a 64 KiB answer of 64 MiB of zeros wrote 64 MiB before) and
    nothing lands under the final name, since no size or hash can vouch for decoded bytes."""
    original = (DEMO / "clip-320x180.mp4").read_bytes() if what == "clip" else bytes(64 * MIB)
    asset = packed_asset(sb, tmp_path, original)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(EncodedAnswer) as caught:
        await download(dl_source(sb, dl_http, asset), folder, options=DL_FAST)
    assert caught.value.message == (
        f"{host(sb)} sent clip.mp4 compressed (gzip) although the file itself was asked for; "
        "it was refused, because its size and checksums cannot be verified that way."
    )
    assert dl_listing(folder) == []
    gets = dl_gets(sb, asset)
    assert len(gets) == 1  # a repeat would be answered the same way
    assert gets[0]["headers"].get("accept-encoding") == "identity"


@pytest.mark.parametrize("encoding", ["br", "deflate", "x-gzip"])
async def test_any_encoded_answer_is_refused(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    encoding: str,
) -> None:
    """The clip's own bytes, labelled with an encoding (whatever a decoder would make of them):
    refused, with nothing left behind."""
    sb.fault("storage", dl_small.url_path, headers={"Content-Encoding": encoding})
    with pytest.raises(EncodedAnswer) as caught:
        await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert f"compressed ({encoding})" in caught.value.message
    assert dl_listing(tmp_path) == []
