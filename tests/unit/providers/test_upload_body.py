"""FileBody on its own (no network): the bytes, the progress pacing, and every way the file can
fail to be what was promised."""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time
from pathlib import Path

import pytest

from assetdesk.core.errors import LocalFileError
from assetdesk.providers.upload_body import FileBody

pytestmark = pytest.mark.anyio

KIB = 1024
MIB = 1024 * KIB


def make_file(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def fds_on(path: Path) -> list[str]:
    """Our descriptors that point at `path` (also once it is deleted)."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except FileNotFoundError:
            continue
        if target.removesuffix(" (deleted)") == str(path):
            found.append(fd.name)
    return found


async def collect(body: FileBody) -> bytes:
    return b"".join([chunk async for chunk in body])


async def test_yields_the_file_in_chunks_and_reports_first_and_last(tmp_path: Path) -> None:
    path = tmp_path / "clip.bin"
    data = make_file(path, 5 * 64 * KIB + 17)  # not a whole number of chunks
    calls: list[tuple[int, int]] = []
    body = FileBody(path, len(data), progress=lambda *c: calls.append(c), chunk_size=64 * KIB)
    chunks = [chunk async for chunk in body]
    assert b"".join(chunks) == data
    assert [len(c) for c in chunks] == [64 * KIB] * 5 + [17]
    assert calls[0] == (0, len(data)) and calls[-1] == (len(data), len(data))
    assert body.sent == len(data)
    assert await collect(body) == data, "a second pass sends the same bytes again"


async def test_an_empty_file_sends_nothing_and_reports_done(tmp_path: Path) -> None:
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    calls: list[tuple[int, int]] = []
    assert await collect(FileBody(path, 0, progress=lambda *c: calls.append(c))) == b""
    assert calls == [(0, 0)]


async def test_progress_is_throttled_and_monotonic(tmp_path: Path) -> None:
    path = tmp_path / "many-chunks.bin"
    data = make_file(path, 8 * MIB)
    calls: list[tuple[float, int, int]] = []
    body = FileBody(
        path,
        len(data),
        progress=lambda done, total: calls.append((time.monotonic(), done, total)),
        chunk_size=64 * KIB,
        progress_interval=0.05,
    )
    got = bytearray()
    async for chunk in body:  # 128 chunks over >= 0.4 s: far more chunks than reports
        got += chunk
        await asyncio.sleep(0.003)
    assert bytes(got) == data
    values = [done for _, done, _ in calls]
    assert values[0] == 0 and values[-1] == len(data)
    assert values == sorted(values) and len(set(values)) == len(values)
    assert 4 <= len(calls) < 128 // 2, values
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(calls[:-1])]  # the last is forced
    assert min(gaps) >= 0.045, f"reports only {min(gaps) * 1000:.1f} ms apart"


async def test_reads_run_on_a_worker_thread(tmp_path: Path) -> None:
    path = tmp_path / "threads.bin"
    data = make_file(path, 3 * 64 * KIB)
    threads: list[int] = []

    class Recording(FileBody):
        def _read_chunk(self, offset: int, want: int) -> bytes:
            threads.append(threading.get_ident())
            return super()._read_chunk(offset, want)

    assert await collect(Recording(path, len(data), chunk_size=64 * KIB)) == data
    assert len(threads) == 3 and threading.get_ident() not in threads


async def test_no_handle_is_held_between_chunks(tmp_path: Path) -> None:
    """An abandoned body (cancelled upload) must not leave the file open until GC."""
    path = tmp_path / "abandoned.bin"
    data = make_file(path, 4 * 64 * KIB)
    body = FileBody(path, len(data), chunk_size=64 * KIB)
    chunks = aiter(body)
    assert await anext(chunks) == data[: 64 * KIB]
    assert fds_on(path) == []
    del chunks  # never finished, never closed


@pytest.mark.parametrize(("promised", "actual"), [(1000, 999), (1000, 1001)])
async def test_a_size_other_than_the_checked_one_fails_before_sending(
    tmp_path: Path, promised: int, actual: int
) -> None:
    path = tmp_path / "resized.bin"
    make_file(path, actual)
    chunks: list[bytes] = []
    with pytest.raises(LocalFileError) as caught:
        async for chunk in FileBody(path, promised):
            chunks.append(chunk)
    assert caught.value.message == (
        f"resized.bin changed after it was checked ({actual:,} bytes instead of {promised:,}); "
        "add it again."
    )
    assert chunks == []


async def test_a_file_that_gets_shorter_names_how_far_it_got(tmp_path: Path) -> None:
    path = tmp_path / "shrinks.bin"
    data = make_file(path, 4 * 64 * KIB)
    got: list[bytes] = []
    with pytest.raises(LocalFileError) as caught:
        async for chunk in FileBody(path, len(data), chunk_size=64 * KIB):
            got.append(chunk)
            if len(got) == 2:
                os.truncate(path, 100 * KIB)
    assert caught.value.message == (
        "shrinks.bin got shorter while it was being sent (131,072 of 262,144 bytes); "
        "nothing was kept."
    )
    assert b"".join(got) == data[: 128 * KIB]


async def test_growth_is_caught_before_the_last_chunk_goes_out(tmp_path: Path) -> None:
    path = tmp_path / "grows.bin"
    data = make_file(path, 3 * 64 * KIB)
    got: list[bytes] = []
    with pytest.raises(LocalFileError) as caught:
        async for chunk in FileBody(path, len(data), chunk_size=64 * KIB):
            got.append(chunk)
            if len(got) == 2:
                with path.open("ab") as stream:
                    stream.write(b"x")
    assert caught.value.message == (
        "grows.bin changed while it was being sent; send it again once it is finished."
    )
    assert len(got) == 2, "the last chunk went out: the service would have kept the file"


async def test_a_same_size_rewrite_is_caught_by_its_mtime(tmp_path: Path) -> None:
    path = tmp_path / "rewritten.bin"
    data = make_file(path, 3 * 64 * KIB)
    got: list[bytes] = []
    with pytest.raises(LocalFileError) as caught:
        async for chunk in FileBody(path, len(data), chunk_size=64 * KIB):
            got.append(chunk)
            # a later mtime for the same bytes: a coarse clock could give a rewrite the same one
            os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 1_000_000_000))
    assert caught.value.message == (
        "rewritten.bin changed while it was being sent; send it again once it is finished."
    )
    assert got == [data[: 64 * KIB]]


async def test_a_missing_file_disappeared_before_it_could_be_sent(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError) as caught:
        await collect(FileBody(tmp_path / "gone.bin", 10))
    assert caught.value.message == "gone.bin disappeared before it could be sent."


async def test_a_file_deleted_midway_fails(tmp_path: Path) -> None:
    path = tmp_path / "deleted.bin"
    data = make_file(path, 3 * 64 * KIB)
    with pytest.raises(LocalFileError) as caught:
        async for _chunk in FileBody(path, len(data), chunk_size=64 * KIB):
            path.unlink(missing_ok=True)
    assert caught.value.message == (
        "deleted.bin disappeared while it was being sent; nothing was kept."
    )


async def test_a_folder_cannot_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(LocalFileError) as caught:
        await collect(FileBody(folder, 10))
    assert caught.value.message == "a-folder cannot be read: Is a directory."


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
async def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "locked.bin"
    make_file(path, 10)
    path.chmod(0)
    try:
        with pytest.raises(LocalFileError) as caught:
            await collect(FileBody(path, 10))
    finally:
        path.chmod(0o600)
    assert caught.value.message == "locked.bin cannot be read: Permission denied."


async def test_the_last_chunk_waits_for_before_last_byte_and_a_failing_one_holds_it_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clip.bin"
    data = make_file(path, 3 * MIB + 5)
    seen: list[str | int] = []

    async def record() -> None:
        seen.append("record")

    body = FileBody(path, len(data), chunk_size=MIB, before_last_byte=record)
    async for chunk in body:
        seen.append(len(chunk))
    assert seen == [MIB, MIB, MIB, "record", 5] and body.sent_all

    async def cannot_record() -> None:
        raise LocalFileError("the record could not be written")

    given: list[int] = []
    body = FileBody(path, len(data), chunk_size=MIB, before_last_byte=cannot_record)
    with pytest.raises(LocalFileError, match="could not be written"):
        async for chunk in body:
            given.append(len(chunk))
    assert given == [MIB, MIB, MIB] and not body.sent_all
