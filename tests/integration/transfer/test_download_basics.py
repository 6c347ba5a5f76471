"""The download engine over real HTTP against the sandbox, when nothing goes wrong: single stream
and segmented, names and conflicts, progress, what is verified, and Wordbee's hostile names."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import (
    DL_BIG_SIZE,
    DL_FAST,
    DL_FIRST,
    MIB,
    DlAsset,
    dl_assert_no_authorization,
    dl_gets,
    dl_listing,
    dl_ranges,
    dl_source,
)
from tests.helpers.http_calls import FAST_RETRY
from tests.helpers.media_files import DEMO

from assetdesk.core.errors import IntegrityError
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.wordbee_source import WordbeeSource
from assetdesk.transfer import part_file
from assetdesk.transfer.download import download
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.part_file import PartFile
from assetdesk.transfer.progress import Phase, TransferProgress

pytestmark = pytest.mark.anyio


def assert_saved(result: DownloadResult, asset: DlAsset, path: Path) -> None:
    """The exact original bytes under `path`, and nothing else in its folder."""
    assert result.path == path
    assert path.read_bytes() == asset.data
    assert result.bytes == asset.size
    assert result.sha256 == asset.sha256
    assert dl_listing(path.parent) == [path.name]


async def test_small_file_comes_in_one_stream(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path / "clip.mp4")
    assert (result.segments, result.reconnects, result.restarts, result.skipped) == (1, 0, 0, False)
    assert result.verified == ("size", "crc32c")
    assert dl_ranges(sb, dl_small) == [DL_FIRST]
    dl_assert_no_authorization(sb)


async def test_big_file_comes_in_parallel_pieces(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    # 6 MB/s per connection: a 2 MiB piece takes at least 0.35 s, so requests that arrive
    # before the first piece could be done were sent by parallel streams.
    sb.bandwidth("storage", 6_000_000)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 4
    assert result.verified == ("size", "crc32c")
    gets = dl_gets(sb, dl_big)
    ranges = [r["headers"]["range"] for r in gets]
    assert ranges[0] == DL_FIRST
    # The first answer fills the first piece; every other piece is asked for exactly once and
    # together they cover the rest of the file without a gap or an overlap.
    pieces = sorted(tuple(int(x) for x in r.removeprefix("bytes=").split("-")) for r in ranges[1:])
    assert len(pieces) >= 8
    assert pieces[0][0] == pieces[1][0] - (pieces[1][1] - pieces[1][0] + 1)  # right after piece 0
    for (_, last), (first, _) in itertools.pairwise(pieces):
        assert first == last + 1
    assert pieces[-1][1] == DL_BIG_SIZE - 1
    started = gets[0]["time"]
    early = [r for r in gets[1:] if r["time"] - started < 0.3]
    assert len(early) >= 3, [round(r["time"] - started, 3) for r in gets]
    dl_assert_no_authorization(sb)


async def test_flushing_behind_the_writes_keeps_every_byte(
    sb: SandboxProcess,
    dl_big: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The part is flushed to disk on a worker thread every FLUSH_BEHIND bytes while four
    streams go on writing (here every MiB instead of every 64); the flushes happen and the file
    is exact."""
    flushes: list[int] = []
    flush = PartFile._flush_behind

    def counted(self: PartFile) -> None:
        flushes.append(1)
        flush(self)

    monkeypatch.setattr(part_file, "FLUSH_BEHIND", MIB)
    monkeypatch.setattr(PartFile, "_flush_behind", counted)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 4 and len(flushes) >= 4


async def test_one_segment_when_asked(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    options = DownloadOptions(sha256=True, segments=1, backoff=0.01, max_backoff=0.05)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=options)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 1
    assert dl_ranges(sb, dl_big) == ["bytes=0-"]


async def test_below_the_threshold_is_one_stream(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    options = DownloadOptions(
        sha256=True, segment_threshold=DL_BIG_SIZE, backoff=0.01, max_backoff=0.05
    )
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=options)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 1
    assert len(dl_gets(sb, dl_big)) == 1


@pytest.mark.parametrize(
    ("requested", "saved"),
    [
        ("Final cut.mp4", "Final cut.mp4"),
        ("../../outside.mp4", "outside.mp4"),
        ("no-extension", "no-extension.mp4"),  # the extension comes from Content-Type
        ("Shot 2.5", "Shot 2.5.mp4"),  # a title's '.5' is no media type's extension
        ("Take 3.final", "Take 3.final.mp4"),
        ("Edit.mov", "Edit.mov"),  # the caller's media extension is the caller's choice
    ],
)
async def test_name_from_the_caller(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    requested: str,
    saved: str,
) -> None:
    folder = tmp_path / "into"
    folder.mkdir()
    result = await download(
        dl_source(sb, dl_http, dl_small), folder, filename=requested, options=DL_FAST
    )
    assert_saved(result, dl_small, folder / saved)
    assert dl_listing(tmp_path) == ["into"]


async def test_name_without_any_hint_falls_back(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    source = dl_source(sb, dl_http, dl_small, suggested_name=None)
    result = await download(source, tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path / "download.mp4")


async def test_conflict_rename_keeps_the_existing_file(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"mine")
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert result.path == tmp_path / "clip (1).mp4"
    assert result.path.read_bytes() == dl_small.data
    assert (tmp_path / "clip.mp4").read_bytes() == b"mine"
    assert dl_listing(tmp_path) == ["clip (1).mp4", "clip.mp4"]


async def test_conflict_overwrite_replaces_the_file(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"old")
    options = DownloadOptions(
        sha256=True, on_conflict=Conflict.OVERWRITE, backoff=0.01, max_backoff=0.05
    )
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert_saved(result, dl_small, tmp_path / "clip.mp4")


async def test_conflict_skip_with_a_given_name_sends_no_request(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"already here")
    options = DownloadOptions(sha256=True, on_conflict=Conflict.SKIP)
    result = await download(
        dl_source(sb, dl_http, dl_small), tmp_path, filename="clip.mp4", options=options
    )
    assert result.skipped
    assert result.path == tmp_path / "clip.mp4"
    assert result.bytes == len(b"already here")
    assert result.sha256 == hashlib.sha256(b"already here").hexdigest()
    assert (tmp_path / "clip.mp4").read_bytes() == b"already here"
    assert dl_listing(tmp_path) == ["clip.mp4"]
    assert sb.requests("storage") == []


async def test_conflict_skip_with_the_servers_name(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The name is only known once the server answered: one request, then nothing written."""
    (tmp_path / "clip.mp4").write_bytes(b"already here")
    options = DownloadOptions(sha256=True, on_conflict=Conflict.SKIP)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=options)
    assert result.skipped
    assert result.path == tmp_path / "clip.mp4"
    assert (tmp_path / "clip.mp4").read_bytes() == b"already here"
    assert dl_listing(tmp_path) == ["clip.mp4"]
    assert len(dl_gets(sb, dl_small)) == 1


async def test_progress_reports_phases_in_order_and_paced(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.bandwidth("storage", 6_000_000)  # about half a second: several reports
    seen: list[tuple[float, TransferProgress]] = []
    result = await download(
        dl_source(sb, dl_http, dl_small),
        tmp_path,
        options=DL_FAST,
        progress=lambda p: seen.append((time.monotonic(), p)),
    )
    assert_saved(result, dl_small, tmp_path / "clip.mp4")
    phases = [p.phase for _, p in seen]
    order = [Phase.CONNECTING, Phase.DOWNLOADING, Phase.VERIFYING, Phase.DONE]
    changes = [ph for i, ph in enumerate(phases) if i == 0 or ph is not phases[i - 1]]
    assert changes == order, changes
    assert seen[0][1].total is None  # connecting: the size is not known yet
    assert phases.count(Phase.DOWNLOADING) >= 4
    last = seen[-1][1]
    assert (last.done, last.total, last.eta) == (dl_small.size, dl_small.size, 0.0)
    assert all(p.total == dl_small.size for _, p in seen[1:])
    dones = [p.done for _, p in seen]
    assert dones == sorted(dones)
    for (t0, p0), (t1, p1) in itertools.pairwise(seen):
        if p1.phase is p0.phase:
            assert t1 - t0 >= 0.045, (p0, p1, t1 - t0)
    assert any(p.speed > 0 and p.eta is not None for _, p in seen if p.phase is Phase.DOWNLOADING)


@pytest.mark.parametrize(
    ("hash_header", "verified"),
    [
        ("both", ("size", "crc32c")),
        ("separate", ("size", "crc32c")),  # one x-goog-hash line per algorithm
        ("crc32c", ("size", "crc32c")),
        ("md5", ("size", "md5")),
        ("none", ("size",)),
    ],
)
async def test_what_is_verified(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    hash_header: str,
    verified: tuple[str, ...],
) -> None:
    sb.configure(hash_header=hash_header)
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path, options=DL_FAST)
    assert_saved(result, dl_small, tmp_path / "clip.mp4")
    assert result.verified == verified


async def test_segmented_md5_only_is_verified(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Without CRC32C the MD5 is computed too, also over pieces hashed back from the file."""
    sb.configure(hash_header="md5")
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 4
    assert result.verified == ("size", "md5")


async def test_size_from_content_range_without_stored_length(
    sb: SandboxProcess, dl_big: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sb.configure(stored_length=False)
    result = await download(dl_source(sb, dl_http, dl_big), tmp_path, options=DL_FAST)
    assert_saved(result, dl_big, tmp_path / "clip.mp4")
    assert result.segments == 4
    assert result.verified == ("size", "crc32c")


# ---------------------------------------------------------------------------------- Wordbee


@pytest.fixture
async def dl_wordbee(sb: SandboxProcess) -> AsyncIterator[WordbeeClient]:
    client = WordbeeClient(
        sb.wordbee_url, sb.demo["wordbee_account_id"], sb.demo["wordbee_key"], retry=FAST_RETRY
    )
    async with client:
        yield client


@pytest.mark.parametrize(
    ("stored_name", "saved", "demo_file"),
    [
        ("../../evil.png", "evil.png", "swatch-256x256.png"),
        ("..\\..\\evil-win.jpg", "evil-win.jpg", "pattern-512x512.jpg"),
    ],
)
async def test_wordbee_name_cannot_leave_the_folder(
    sb: SandboxProcess,
    dl_wordbee: WordbeeClient,
    tmp_path: Path,
    stored_name: str,
    saved: str,
    demo_file: str,
) -> None:
    """The seed stores these hostile names on segment 27665602; the server's
    Content-Disposition repeats them, and only a plain name inside the folder may come of it."""
    folder = tmp_path / "a" / "b" / "downloads"
    folder.mkdir(parents=True)
    scope = sb.demo["wordbee"]["scope"]
    segment = 27665602
    listed = await dl_wordbee.list_segment_assets(segment, scope)
    assert stored_name in [a.name for a in listed]
    source = WordbeeSource(dl_wordbee, segment, scope, stored_name)
    result = await download(source, folder, options=DL_FAST)
    expected = (DEMO / demo_file).read_bytes()
    assert result.path == folder / saved
    assert result.path.read_bytes() == expected
    assert result.sha256 == hashlib.sha256(expected).hexdigest()
    assert result.verified == ("size",)  # Wordbee sends no hashes
    assert dl_listing(folder) == [saved]
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "a",
        "a/b",
        "a/b/downloads",
        f"a/b/downloads/{saved}",
    ]


async def test_wordbee_asset_by_name(
    sb: SandboxProcess, dl_wordbee: WordbeeClient, tmp_path: Path
) -> None:
    scope = sb.demo["wordbee"]["scope"]
    source = WordbeeSource(dl_wordbee, 27665601, scope, "clip.mp4")
    result = await download(source, tmp_path, options=DL_FAST)
    expected = (DEMO / "clip-320x180.mp4").read_bytes()
    assert result.path == tmp_path / "clip.mp4"
    assert result.path.read_bytes() == expected
    assert result.bytes == len(expected) and result.bytes < MIB


async def test_sha256_is_computed_only_when_asked(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The window's downloads skip the SHA-256 (half a second of CPU per GiB); the server's
    CRC32C is checked all the same, and a corrupted byte is still caught."""
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=12345, count=2)
    with pytest.raises(IntegrityError, match="CRC32C"):
        await download(
            dl_source(sb, dl_http, dl_small), tmp_path, options=DownloadOptions(backoff=0.01)
        )
    assert dl_listing(tmp_path) == []
    result = await download(dl_source(sb, dl_http, dl_small), tmp_path)
    assert result.sha256 is None and "sha256" not in result.to_dict()
    assert result.verified == ("size", "crc32c")
    assert result.path.read_bytes() == dl_small.data
