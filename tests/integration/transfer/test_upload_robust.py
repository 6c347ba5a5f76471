"""Streaming uploads against the real sandbox: progress pacing, reads off the loop, a file that
changes or disappears while it is sent, and cancellation. A failed upload must leave nothing in
the sandbox: no asset, no stored object, no upload file open or on disk."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import ClassVar

import pytest
from tests.helpers.http_calls import FAST_RETRY
from tests.helpers.media_files import write_padded_clip
from tests.helpers.waiting import wait_until_async

import assetdesk.providers.google_flow as google_flow_module
from assetdesk.core.errors import LocalFileError
from assetdesk.core.media import MP4
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.upload_body import FileBody
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.sandbox.launcher import SandboxProcess

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


@pytest.fixture
async def flow(sb: SandboxProcess) -> AsyncIterator[GoogleFlowClient]:
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=FAST_RETRY) as conn:
        yield GoogleFlowClient(conn)


def fds_on(path: Path, pid: int | str = "self") -> list[str]:
    """The descriptors of process `pid` that point at `path` (also once it is deleted)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except FileNotFoundError:  # closed while we looked
            continue
        if target.removesuffix(" (deleted)") == str(path):
            found.append(fd.name)
    return found


def sandbox_upload_files(sb: SandboxProcess) -> list[Path]:
    """The sandbox's upload files that it has open right now."""
    found = []
    for fd in Path(f"/proc/{sb.process.pid}/fd").iterdir():
        try:
            target = str(fd.readlink()).removesuffix(" (deleted)")
        except FileNotFoundError:
            continue
        if Path(target).name.startswith("upload-"):
            found.append(Path(target))
    return found


class Holdings:
    """What the sandbox keeps, to check that a failed upload added nothing."""

    def __init__(self, sb: SandboxProcess) -> None:
        self.sb = sb
        self.assets = sorted(a["mediaGenerationId"] for a in sb.google_flow_assets())
        self.objects = sorted(o["key"] for o in sb.objects())

    async def assert_unchanged(self, upload_file: Path | None) -> None:
        sb = self.sb
        if upload_file is not None:  # the partial upload is closed and deleted
            await wait_until_async(
                lambda: upload_file not in sandbox_upload_files(sb), "it is closed"
            )
            await wait_until_async(lambda: not upload_file.exists(), "the sandbox deleted it")
        assert sorted(a["mediaGenerationId"] for a in sb.google_flow_assets()) == self.assets
        assert sorted(o["key"] for o in sb.objects()) == self.objects


class Upload:
    """`flow.upload` of `path` in a task, with its progress calls recorded."""

    def __init__(self, flow: GoogleFlowClient, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.calls: list[tuple[float, int, int]] = []
        self.task = asyncio.create_task(
            flow.upload(path, MP4, self.size, progress=self._progress), name="test upload"
        )

    def _progress(self, done: int, total: int) -> None:
        self.calls.append((time.monotonic(), done, total))

    @property
    def done(self) -> int:
        return self.calls[-1][1] if self.calls else 0

    async def midway(self, sb: SandboxProcess, at_least: int = MIB) -> Path:
        """Wait until `at_least` bytes went out and the sandbox writes them to its upload file."""
        await wait_until_async(lambda: self.done >= at_least or self.task.done(), "bytes went out")
        await wait_until_async(
            lambda: bool(sandbox_upload_files(sb)), "the sandbox receives the file"
        )
        assert not self.task.done(), "the upload ended before the test could act on it"
        assert self.done < self.size
        (upload_file,) = sandbox_upload_files(sb)
        return upload_file


async def test_progress_is_paced_monotonic_and_ends_with_the_size(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    path = write_padded_clip(tmp_path / "paced.mp4", 32 * MIB + 123)
    size = path.stat().st_size
    sb.bandwidth("api", 48 * MIB)  # ~0.7 s: chunks every ~20 ms, more often than reports
    upload = Upload(flow, path)
    result = await upload.task

    calls = upload.calls
    assert calls[0][1:] == (0, size)
    assert calls[-1][1:] == (size, size)
    assert all(total == size for _, _, total in calls)
    values = [done for _, done, _ in calls]
    assert values == sorted(values), "progress went backwards"
    assert len(values) == len(set(values)), "the same progress was reported twice"
    assert len(calls) >= 4, f"too few progress reports for a 32 MiB upload: {values}"
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(calls[:-1])]  # the last one is forced
    assert min(gaps) >= 0.045, f"progress reported {min(gaps) * 1000:.1f} ms after the one before"
    # and every byte arrived
    (asset,) = [
        a for a in sb.google_flow_assets() if a["mediaGenerationId"] == result.media_generation_id
    ]
    assert Path(asset["object"]["file"]).read_bytes() == path.read_bytes()


class SlowDiskBody(FileBody):
    """A disk that takes 150 ms per chunk, which a file in tmp_path cannot be made to do (a fake
    for that one fault); records the thread each read runs on."""

    threads: ClassVar[list[int]] = []

    def _read_chunk(self, offset: int, want: int) -> bytes:
        SlowDiskBody.threads.append(threading.get_ident())
        time.sleep(0.15)
        return super()._read_chunk(offset, want)


async def test_reads_do_not_block_the_event_loop(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_padded_clip(tmp_path / "slow-disk.mp4", 6 * MIB + 5)
    monkeypatch.setattr(google_flow_module, "FileBody", SlowDiskBody)
    SlowDiskBody.threads = []
    beats: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            beats.append(time.monotonic())
            await asyncio.sleep(0.005)  # the beat: a blocked loop shows as a long gap

    beating = asyncio.create_task(heartbeat())
    try:
        result = await flow.upload(path, MP4, path.stat().st_size)
    finally:
        stop.set()
        await beating
    assert result.media_generation_id
    assert len(SlowDiskBody.threads) >= 7  # 6 MiB + 5 bytes in 1 MiB chunks
    assert threading.get_ident() not in SlowDiskBody.threads, "a read ran on the event loop"
    longest = max(b - a for a, b in itertools.pairwise(beats))
    assert longest < 0.12, f"the event loop stalled for {longest * 1000:.0f} ms"


async def test_a_file_that_gets_shorter_fails_and_nothing_is_kept(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    path = write_padded_clip(tmp_path / "shrinks.mp4", 32 * MIB)
    holdings = Holdings(sb)
    sb.bandwidth("api", 6 * MIB)  # 32 MiB: ~5 s
    upload = Upload(flow, path)
    upload_file = await upload.midway(sb)
    os.truncate(path, MIB)
    with pytest.raises(LocalFileError) as caught:
        await upload.task
    assert re.fullmatch(
        r"shrinks\.mp4 got shorter while it was being sent \([0-9,]+ of 33,554,432 bytes\); "
        r"nothing was kept\.",
        caught.value.message,
    ), caught.value.message
    await holdings.assert_unchanged(upload_file)


def grow(path: Path) -> None:
    with path.open("ab") as stream:
        stream.write(b"\0" * 1000)


def rewrite_in_place(path: Path) -> None:
    with path.open("r+b") as stream:  # same size, other bytes: only the mtime tells
        stream.seek(40_000)
        stream.write(os.urandom(1000))


def replace(path: Path) -> None:
    fresh = path.with_name("fresh.tmp")
    fresh.write_bytes(path.read_bytes())  # same bytes, same size, another file
    fresh.replace(path)


@pytest.mark.parametrize("change", [grow, rewrite_in_place, replace])
async def test_a_file_that_changes_fails_and_nothing_is_kept(
    sb: SandboxProcess,
    flow: GoogleFlowClient,
    tmp_path: Path,
    change: Callable[[Path], None],
) -> None:
    path = write_padded_clip(tmp_path / "changes.mp4", 32 * MIB)
    holdings = Holdings(sb)
    sb.bandwidth("api", 6 * MIB)  # 32 MiB: ~5 s
    upload = Upload(flow, path)
    upload_file = await upload.midway(sb)
    change(path)
    with pytest.raises(LocalFileError) as caught:
        await upload.task
    assert caught.value.message == (
        "changes.mp4 changed while it was being sent; send it again once it is finished."
    )
    await holdings.assert_unchanged(upload_file)


async def test_a_file_that_grows_after_its_last_chunk_was_read_is_not_kept(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    """The growth shows only after the promised bytes: the last chunk must not go out."""
    path = write_padded_clip(tmp_path / "late.mp4", 3 * MIB)
    holdings = Holdings(sb)
    size = path.stat().st_size
    with path.open("ab") as stream:
        stream.write(b"more")  # already longer than the size the caller checked
    with pytest.raises(LocalFileError) as caught:
        await flow.upload(path, MP4, size)
    assert caught.value.message == (
        "late.mp4 changed after it was checked (3,145,732 bytes instead of 3,145,728); "
        "add it again."
    )
    await holdings.assert_unchanged(None)


async def test_a_file_that_disappears_before_the_upload_fails_clearly(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    path = write_padded_clip(tmp_path / "gone.mp4", 2 * MIB)
    size = path.stat().st_size
    holdings = Holdings(sb)
    path.unlink()
    with pytest.raises(LocalFileError) as caught:
        await flow.upload(path, MP4, size)
    assert caught.value.message == "gone.mp4 disappeared before it could be sent."
    await holdings.assert_unchanged(None)


async def test_a_file_deleted_midway_fails_and_nothing_is_kept(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    """Decided behaviour: on Linux an open handle could go on reading a deleted file, but the
    user removed it, so it is not sent. The body opens the file again for every chunk (it holds
    no handle between chunks), so a deleted file fails at the next chunk."""
    path = write_padded_clip(tmp_path / "deleted.mp4", 32 * MIB)
    holdings = Holdings(sb)
    sb.bandwidth("api", 6 * MIB)  # 32 MiB: ~5 s
    upload = Upload(flow, path)
    upload_file = await upload.midway(sb)
    path.unlink()
    with pytest.raises(LocalFileError) as caught:
        await upload.task
    assert caught.value.message == (
        "deleted.mp4 disappeared while it was being sent; nothing was kept."
    )
    await holdings.assert_unchanged(upload_file)


async def test_cancelling_ends_the_upload_promptly_and_leaves_nothing(
    sb: SandboxProcess, flow: GoogleFlowClient, tmp_path: Path
) -> None:
    path = write_padded_clip(tmp_path / "cancelled.mp4", 32 * MIB)
    holdings = Holdings(sb)
    sb.bandwidth("api", 6 * MIB)  # 32 MiB: ~5 s
    upload = Upload(flow, path)
    upload_file = await upload.midway(sb)
    cancelled_at = time.monotonic()
    upload.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload.task
    assert time.monotonic() - cancelled_at < 2.0
    # the task object (and the CancelledError it keeps) is still alive: no handle may be left
    await wait_until_async(lambda: not fds_on(path), "our file handle is closed", timeout=1.0)
    await holdings.assert_unchanged(upload_file)
    assert upload.done < upload.size
