"""A download interrupted by a cancel or a dead network keeps `NAME.part` (with `keep_partial`)
and the next download of the same object into the same folder goes on from it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import (
    DL_FIRST,
    DL_SMALL_SIZE,
    MIB,
    DlAsset,
    dl_listing,
    dl_ranges,
    dl_register,
    dl_source,
)
from tests.helpers.media_files import write_padded_clip
from tests.helpers.waiting import wait_until_async

from assetdesk.core.errors import NetworkError
from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.download import download
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.progress import TransferProgress

pytestmark = pytest.mark.anyio


KEEP = DownloadOptions(sha256=True, keep_partial=True, backoff=0.01, max_backoff=0.05)
KEY = "google-flow:test-asset"


@pytest.mark.parametrize("segments", [1, 4])
async def test_cancelled_download_is_resumed_by_the_next_one(
    sb: SandboxProcess,
    dl_media: dict[str, Path],
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    segments: int,
) -> None:
    asset = dl_register(sb, dl_media["small" if segments == 1 else "big"])
    options = DownloadOptions(
        sha256=True,
        keep_partial=True,
        segments=segments,
        segment_threshold=MIB,
        backoff=0.01,
        max_backoff=0.05,
    )
    sb.bandwidth("storage", 1_500_000)
    seen: list[TransferProgress] = []
    task = asyncio.create_task(
        download(
            dl_source(sb, dl_http, asset, resume_key=KEY),
            tmp_path,
            options=options,
            progress=seen.append,
        )
    )
    await wait_until_async(lambda: seen and seen[-1].done >= MIB, "a MiB arrived")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert dl_listing(tmp_path) == ["clip.mp4.part", "clip.mp4.part.json"]
    record = json.loads((tmp_path / "clip.mp4.part.json").read_text())
    kept = sum(flushed for _start, _end, flushed in record["pieces"])
    assert MIB // 2 <= kept < asset.size
    assert record["key"] == KEY and record["size"] == asset.size
    assert "token" not in json.dumps(record).lower() and "Signature" not in json.dumps(record)

    sb.bandwidth("storage", None)
    sb.clear_requests()
    result = await download(
        dl_source(sb, dl_http, asset, resume_key=KEY), tmp_path, options=options
    )
    assert result.path == tmp_path / "clip.mp4"
    assert result.path.read_bytes() == asset.data
    assert result.sha256 == asset.sha256 and "crc32c" in result.verified
    assert result.resumed_bytes == kept
    assert dl_listing(tmp_path) == ["clip.mp4"]
    if segments == 1:  # the first ask is the probe from 0; the next goes on from the kept bytes
        assert dl_ranges(sb, asset) == ["bytes=0-", f"bytes={kept}-{asset.size - 1}"]
    else:
        starts = [int(r.split("=")[1].split("-")[0]) for r in dl_ranges(sb, asset)[1:] if r]
        done = {start for start, end, flushed in record["pieces"] if flushed == end - start}
        assert not done & set(starts), "a piece already complete was asked for again"


async def test_a_dead_network_keeps_the_part_for_later(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    options = DownloadOptions(
        sha256=True, keep_partial=True, segments=1, attempts=2, backoff=0.01, max_backoff=0.05
    )
    sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
    sb.fault("storage", dl_small.url_path, drop_after_bytes=0, count=5)
    with pytest.raises(NetworkError):
        await download(dl_source(sb, dl_http, dl_small, resume_key=KEY), tmp_path, options=options)
    assert dl_listing(tmp_path) == ["clip.mp4.part", "clip.mp4.part.json"]
    sb.clear_faults()
    result = await download(
        dl_source(sb, dl_http, dl_small, resume_key=KEY), tmp_path, options=options
    )
    assert result.resumed_bytes == MIB
    assert result.path.read_bytes() == dl_small.data
    assert dl_listing(tmp_path) == ["clip.mp4"]


async def _kept_part(
    sb: SandboxProcess, http: httpx.AsyncClient, asset: DlAsset, folder: Path
) -> None:
    options = DownloadOptions(keep_partial=True, segments=1, attempts=1, backoff=0.01)
    sb.fault("storage", asset.url_path, drop_after_bytes=MIB)
    sb.fault("storage", asset.url_path, drop_after_bytes=0)  # the resume brings nothing: give up
    with pytest.raises(NetworkError):
        await download(dl_source(sb, http, asset, resume_key=KEY), folder, options=options)
    assert dl_listing(folder) == ["clip.mp4.part", "clip.mp4.part.json"]


async def test_a_kept_part_of_an_object_that_changed_is_thrown_away(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await _kept_part(sb, dl_http, dl_small, tmp_path)
    changed = dl_register(sb, write_padded_clip(tmp_path.parent / "changed.mp4", DL_SMALL_SIZE))
    result = await download(dl_source(sb, dl_http, changed, resume_key=KEY), tmp_path, options=KEEP)
    assert result.resumed_bytes == 0
    assert result.path == tmp_path / "clip.mp4"
    assert result.path.read_bytes() == changed.data
    assert dl_listing(tmp_path) == ["clip.mp4"]


async def test_another_objects_part_is_left_alone(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await _kept_part(sb, dl_http, dl_small, tmp_path)
    source = dl_source(sb, dl_http, dl_small, resume_key="google-flow:another-asset")
    result = await download(source, tmp_path, options=KEEP)
    assert result.resumed_bytes == 0 and result.path == tmp_path / "clip (1).mp4"
    assert result.path.read_bytes() == dl_small.data
    assert dl_listing(tmp_path) == ["clip (1).mp4", "clip.mp4.part", "clip.mp4.part.json"]


async def test_without_keep_partial_or_a_key_nothing_is_kept(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    for source, options in (
        (dl_source(sb, dl_http, dl_small), KEEP),  # no resume key
        (dl_source(sb, dl_http, dl_small, resume_key=KEY), DownloadOptions(attempts=1)),
    ):
        sb.fault("storage", dl_small.url_path, drop_after_bytes=MIB)
        sb.fault("storage", dl_small.url_path, drop_after_bytes=0)
        with pytest.raises(NetworkError):
            await download(
                source,
                tmp_path,
                options=DownloadOptions(
                    keep_partial=options.keep_partial, segments=1, attempts=1, backoff=0.01
                ),
            )
        assert dl_listing(tmp_path) == []


def kill_mid_download(sb: SandboxProcess, asset: DlAsset, folder: Path, segments: int) -> int:
    """Run download_kill_child.py until a resume record on disk says at least 512 KiB arrived,
    SIGKILL it (no handler runs, nothing is tidied); its exit code."""
    child = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("download_kill_child.py")),
            sb.signed_url(asset.key, ttl=3600),
            str(folder),
            KEY,
            str(segments),
        ],
        stdout=subprocess.DEVNULL,
    )
    record = folder / "clip.mp4.part.json"
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and child.poll() is None:
            try:
                pieces = json.loads(record.read_text())["pieces"]
            except (OSError, ValueError, KeyError):
                pieces = []
            if sum(flushed for _start, _end, flushed in pieces) >= MIB // 2:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the running download wrote no resume record")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    return child.returncode


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_download_killed_outright_is_resumed_by_the_next_one(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
    segments: int,
) -> None:
    """The record of a running download is written every few seconds, so that the `.part` a
    SIGKILL (or a power cut) leaves is resumed with ranged requests instead of becoming
    `clip (1).mp4` beside it."""
    sb.bandwidth("storage", 600_000 if segments == 1 else 250_000)  # a record at 2 s, not done
    returncode = await asyncio.to_thread(kill_mid_download, sb, dl_small, tmp_path, segments)
    assert returncode == -signal.SIGKILL
    assert dl_listing(tmp_path) == ["clip.mp4.part", "clip.mp4.part.json"]
    record = json.loads((tmp_path / "clip.mp4.part.json").read_text())
    assert record["key"] == KEY and record["size"] == dl_small.size
    assert (len(record["pieces"]) > 1) is (segments > 1)

    sb.bandwidth("storage", None)
    sb.clear_requests()
    options = DownloadOptions(
        sha256=True,
        keep_partial=True,
        segments=segments,
        segment_threshold=MIB,
        backoff=0.01,
        max_backoff=0.05,
    )
    result = await download(
        dl_source(sb, dl_http, dl_small, resume_key=KEY), tmp_path, options=options
    )
    assert result.path == tmp_path / "clip.mp4"
    assert result.path.read_bytes() == dl_small.data
    assert dl_listing(tmp_path) == ["clip.mp4"]
    kept = sum(flushed for _start, _end, flushed in record["pieces"])
    assert result.resumed_bytes >= kept >= MIB // 2
    resumed = [
        (start + flushed, end - 1)
        for start, end, flushed in record["pieces"]
        if flushed < end - start
    ]
    asked = dl_ranges(sb, dl_small)
    assert asked[0] == DL_FIRST  # the first answer tells that the object is the same
    assert {f"bytes={first}-{last}" for first, last in resumed} <= set(asked[1:])


async def test_the_first_resume_record_comes_as_soon_as_there_are_bytes_to_record(
    sb: SandboxProcess,
    dl_media: dict[str, Path],
    dl_http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    """Not `record_every` later (a minute here): a download killed in its first seconds would
    otherwise leave a part without a record, which the next one steps around (`NAME (1)`)."""
    asset = dl_register(sb, dl_media["small"])
    options = DownloadOptions(keep_partial=True, record_every=60)
    sb.bandwidth("storage", 400_000)
    task = asyncio.create_task(
        download(dl_source(sb, dl_http, asset, resume_key=KEY), tmp_path, options=options)
    )
    try:
        record = tmp_path / "clip.mp4.part.json"
        await wait_until_async(record.is_file, "the first record", timeout=15)
        assert json.loads(record.read_text())["key"] == KEY
        assert not task.done()  # written while the download runs, not when it stops
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        sb.bandwidth("storage", None)


@pytest.mark.skipif(os.name != "posix", reason="flock: POSIX only")
async def test_a_part_left_without_a_record_gives_its_name_back(
    sb: SandboxProcess, dl_small: DlAsset, dl_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A download killed before its first resume record leaves a `.part` nobody holds: the
    next download of the name takes it back (not `clip (1).mp4` beside an orphan)."""
    (tmp_path / "clip.mp4.part").write_bytes(b"x" * 5000)
    options = DownloadOptions(on_conflict=Conflict.RENAME, keep_partial=True)
    result = await download(
        dl_source(sb, dl_http, dl_small, resume_key=KEY), tmp_path, options=options
    )
    assert result.path == tmp_path / "clip.mp4"
    assert result.path.read_bytes() == dl_small.data
    assert dl_listing(tmp_path) == ["clip.mp4"]
