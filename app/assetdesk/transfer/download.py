"""Downloads to disk: resumable, segmented, verified, and never a truncated file under its name.

How a download goes:

1. The first request asks for `Range: bytes=0-`. Its answer gives the name (unless the caller
   chose one), the size, the server's hashes, and whether ranges work (206, not 200).
2. The bytes go to `NAME.part` beside the target. A file of known size larger than
   `segment_threshold` on a server that honours ranges is cut into pieces fetched by `segments`
   parallel streams into the pre-allocated file with positional writes; otherwise one stream
   reads it all. A stream that breaks or stalls resumes where its bytes end, with backoff; a
   server that answers 200 to a resume makes the download start over cleanly.
3. SHA-256, CRC32C (and MD5 when the server gives no CRC32C) are computed on worker threads as
   the contiguous prefix of the file grows, so verifying at the end costs little.
4. Size and hashes are checked ("verifying"); a mismatch throws the file away and starts over
   once; then the `.part` is renamed into place under the conflict policy.

The event loop only moves buffers: writes, hashing and file-system calls run on worker threads,
and memory is bounded by a couple of write blocks per stream, whatever the file size.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx

from assetdesk.core.errors import (
    AssetDeskError,
    IntegrityError,
    InvalidInput,
    LocalFileError,
    NetworkError,
    UpstreamFailed,
)
from assetdesk.core.units import format_size
from assetdesk.net.errors import network_error
from assetdesk.net.retry import RetryPolicy
from assetdesk.transfer.integrity import (
    Expected,
    Hashes,
    check,
    content_range,
    expected_from_headers,
)
from assetdesk.transfer.names import (
    Conflict,
    filename_from_content_disposition,
    part_path,
    resolve_target,
    sanitise_filename,
    split_extension,
)
from assetdesk.transfer.progress import Meter, Phase, ProgressCallback
from assetdesk.transfer.sources import STORAGE, Source

log = logging.getLogger("assetdesk.transfer")

T = TypeVar("T")

MiB = 1024 * 1024
#: Bytes gathered before one positional write (one worker-thread call).
WRITE_BLOCK = MiB
#: Bytes hashed per worker-thread call when catching up on pieces written out of order.
HASH_STEP = 4 * MiB
#: Pieces per stream in a segmented download: enough that a fast stream helps a slow one and
#: that the hashed prefix follows the download closely.
PIECES_PER_SEGMENT = 8
MIN_PIECE = 2 * MiB
MAX_SEGMENTS = 16

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class DownloadOptions:
    """How to download. The defaults suit a desktop user on an ordinary connection."""

    segments: int = 4
    segment_threshold: int = 16 * MiB
    on_conflict: Conflict = Conflict.RENAME
    #: Tries in a row without new bytes before a stream gives up (a drop, a stall, a 5xx).
    attempts: int = 5
    #: Reconnections of the whole download, whatever their progress: a hard stop.
    max_reconnects: int = 200
    backoff: float = 0.5
    max_backoff: float = 8.0
    #: Times a download that fails verification starts over before it is reported.
    verify_retries: int = 1
    #: Also compute the file's SHA-256 (the CLI prints it). Verification against the server
    #: uses CRC32C or MD5 either way; SHA-256 costs about half a second of CPU per GiB.
    sha256: bool = False
    #: When the download fails for a reason that can pass (the network) or is cancelled, keep
    #: `NAME.part` and a `NAME.part.json` record of what it holds, so that the next download of
    #: the same object into the same folder resumes it instead of starting over. Needs a source
    #: with a `resume_key` and a server that gave a size, ranges and an ETag or a hash.
    keep_partial: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.segments <= MAX_SEGMENTS:
            raise InvalidInput(f"segments must be between 1 and {MAX_SEGMENTS}")
        if self.attempts < 1:
            raise InvalidInput("attempts must be at least 1")

    def delay(self, attempt: int) -> float:
        """The API clients' backoff (exponential, capped, jittered) with this download's bounds."""
        return RetryPolicy(base_delay=self.backoff, max_delay=self.max_backoff).delay(attempt)


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    bytes: int
    #: None unless DownloadOptions.sha256 asked for it.
    sha256: str | None
    skipped: bool = False
    #: What was checked against the server's figures: "size", "crc32c", "md5".
    verified: tuple[str, ...] = ()
    segments: int = 1
    reconnects: int = 0
    restarts: int = 0
    refreshed_links: int = 0
    #: Bytes taken over from a `.part` kept by an earlier, interrupted download.
    resumed_bytes: int = 0

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"path": str(self.path), "bytes": self.bytes}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.skipped:
            out["skipped"] = True
        else:
            out["verified"] = list(self.verified)
            out["segments"] = self.segments
            if self.reconnects:
                out["reconnects"] = self.reconnects
            if self.restarts:
                out["restarts"] = self.restarts
            if self.resumed_bytes:
                out["resumedBytes"] = self.resumed_bytes
        return out


class _StartOver(Exception):
    """Throw the bytes away and download again from 0 (the server ignored a Range)."""


class _RangesIgnored(_StartOver):
    """A ranged request for a later piece got the whole file: go on as a single stream."""


@dataclass
class _Piece:
    start: int
    #: One past the last byte; None: to the end of the file (size unknown).
    end: int | None
    flushed: int = 0

    @property
    def position(self) -> int:
        return self.start + self.flushed

    @property
    def complete(self) -> bool:
        return self.end is not None and self.position >= self.end


class _Ledger:
    """The running hashes of the file's contiguous prefix, fed from worker threads.

    A write that lands exactly at the hashed end is hashed at once from its buffer; bytes written
    ahead of it (later pieces) are read back from the file when the prefix reaches them.
    """

    def __init__(self, *, md5: bool, sha256: bool = False) -> None:
        self.hashes = Hashes(md5=md5, sha256=sha256)
        self.hashed = 0
        self.lock = threading.Lock()

    def after_write(self, offset: int, data: bytes) -> None:
        with self.lock:
            if offset == self.hashed:
                self.hashes.update(data)
                self.hashed += len(data)

    def catch_up(self, handle: BinaryIO, upto: int) -> None:
        with self.lock:
            if self.hashed >= upto:
                return
            want = min(HASH_STEP, upto - self.hashed)
            handle.seek(self.hashed)
            data = b""
            while len(data) < want:  # an unbuffered handle: no stale read-ahead, maybe short
                more = handle.read(want - len(data))
                if not more:
                    raise OSError(f"read {len(data)} of {want} bytes back from the partial file")
                data += more
            self.hashes.update(data)
            self.hashed += want


#: `.part` files this process is writing: two downloads of the same name never share one.
_PARTS_IN_USE: set[Path] = set()
_CLAIM_LOCK = threading.Lock()


def _claim(folder: Path, name: str, policy: Conflict) -> Path | None:
    """Choose the target under `policy` and create its `.part` at once, so that a concurrent
    download of the same name (in this process or another) chooses another name."""
    with _CLAIM_LOCK:
        for _ in range(100):
            target = resolve_target(folder, name, policy)
            if target is None:
                return None
            part = part_path(target)
            if part in _PARTS_IN_USE:
                raise LocalFileError(f"{target.name} is already being downloaded into {folder}.")
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
            if policy is Conflict.RENAME:
                flags |= os.O_EXCL  # resolve_target saw no .part: another process may race us
            try:
                os.close(os.open(part, flags, 0o644))
            except FileExistsError:
                continue
            _PARTS_IN_USE.add(part)
            return target
    raise LocalFileError(f"No free name for {name} could be found in {folder}.")


def _release(part: Path) -> None:
    with _CLAIM_LOCK:
        _PARTS_IN_USE.discard(part)


def _open_reader(path: Path) -> BinaryIO:
    """Unbuffered: the other streams write through another handle, so a buffered reader's
    read-ahead could hand the hashes bytes that were overwritten since."""
    return path.open("rb", buffering=0)


def _open_for_writing(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    return os.fdopen(fd, "r+b", buffering=0)


def _write_at(handle: BinaryIO, lock: threading.Lock, data: bytes, at: int) -> None:
    with lock:  # one handle per file: seek + write must not interleave (no pwrite on Windows)
        handle.seek(at)
        view = memoryview(data)
        while view:
            written = handle.write(view)
            if not written:
                raise OSError("the disk accepted no bytes")
            view = view[written:]


def _allocate(handle: BinaryIO, size: int) -> None:
    """Reserve `size` bytes: real blocks where the OS can (a full disk fails now, not later)."""
    fallocate: Callable[[int, int, int], None] | None = getattr(os, "posix_fallocate", None)
    if fallocate is not None:
        try:
            fallocate(handle.fileno(), 0, size)
            return
        except OSError as error:
            if error.errno not in (95, 22):  # EOPNOTSUPP, EINVAL: the file system cannot
                raise
    handle.truncate(size)


def _disk_error(error: OSError, path: Path) -> LocalFileError:
    if error.errno == 28:  # ENOSPC
        return LocalFileError(
            f"The disk is full: {path.name} could not be written in {path.parent}; "
            "nothing was kept."
        )
    if error.errno in (122,):  # EDQUOT
        return LocalFileError(
            f"The disk quota is used up: {path.name} could not be written; nothing was kept."
        )
    return LocalFileError(
        f"{path.name} could not be written in {path.parent}: {error.strerror or error}."
    )


def _extension_for(content_type: str | None) -> str:
    if not content_type:
        return ""
    return _EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "")


def choose_name(
    requested: str | None, response: httpx.Response, source: Source, *, fallback: str
) -> str:
    """The caller's name, else the server's Content-Disposition, else the source's suggestion,
    sanitised, with an extension from Content-Type when it has none."""
    raw = (
        requested
        or filename_from_content_disposition(response.headers.get("content-disposition"))
        or source.suggested_name
        or fallback
    )
    name = sanitise_filename(raw, fallback=fallback)
    if not split_extension(name)[1]:
        extension = _extension_for(response.headers.get("content-type"))
        name = sanitise_filename(name + extension, fallback=fallback)
    return name


class _Download:
    """One download's state; `run` is the whole job."""

    def __init__(
        self,
        source: Source,
        folder: Path,
        filename: str | None,
        options: DownloadOptions,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.folder = folder
        self.requested = filename
        self.options = options
        self.meter = Meter(progress)
        self.reconnects = 0
        self.restarts = 0
        self.segments_used = 1
        self.name: str | None = None
        self.target: Path | None = None
        self.part: Path | None = None
        self.handle: BinaryIO | None = None
        self.reader: BinaryIO | None = None
        self.write_lock = threading.Lock()
        self.expected = Expected(size=None, crc32c=None, md5=None, etag=None)
        self.ledger = _Ledger(md5=False)
        self.pieces: list[_Piece] = []
        self.advanced = asyncio.Event()
        self.ranges_work = True
        #: Pieces restored from a kept `.part` (consumed by the pass that resumes them).
        self.restored: list[_Piece] | None = None
        self.resumed_bytes = 0
        #: The verified file is in place; nothing may be kept or discarded any more.
        self.placed = False

    # --------------------------------------------------------------------------- the job

    async def run(self) -> DownloadResult:
        await asyncio.to_thread(self._check_folder)
        if self.requested is not None:
            name = sanitise_filename(self.requested)
            exists = await asyncio.to_thread((self.folder / name).exists)
            if self.options.on_conflict is Conflict.SKIP and exists:
                return await self._skipped(self.folder / name)
        try:
            return await self._attempt_all()
        except BaseException as error:
            if self.placed:
                raise  # cancelled after the rename: the file is complete and verified
            if self._can_keep(error):
                await self._keep()
            else:
                await self._discard()
            raise

    async def _attempt_all(self) -> DownloadResult:
        failures = 0
        while True:
            try:
                return await self._once()
            except IntegrityError:
                failures += 1
                if failures > self.options.verify_retries:
                    raise
                log.warning("%s failed verification; downloading it again", self.source.label)
            except _StartOver as why:
                log.info("%s: starting over (%s)", self.source.label, why)
                if isinstance(why, _RangesIgnored):
                    self.ranges_work = False
            self.restarts += 1
            if self.restarts > self.options.attempts + self.options.verify_retries:
                raise NetworkError(
                    f"{self.source.label} could not be downloaded whole: the server kept "
                    "breaking the connection or changing the file. Try again later."
                )
            self.meter.restart()

    async def _once(self) -> DownloadResult:
        """One pass from byte 0 into an empty `.part`."""
        self.pieces = []  # nothing of an earlier pass may be kept or counted
        self.meter.set_phase(Phase.CONNECTING)
        first = _Piece(0, None)
        async with contextlib.AsyncExitStack() as stack:
            response = await self._enter(stack, first)
            if not await self._start(response):
                return await self._skipped(self.folder / (self.name or ""))
            if self.restored is not None:
                await response.aclose()  # it starts at byte 0: ranged requests take over
                pieces, self.restored = self.restored, None
                await self._resume(pieces)
                return await self._finish()
            size = self.expected.size
            segmented = (
                self.ranges_work
                and response.status_code == 206
                and size is not None
                and size > self.options.segment_threshold
                and self.options.segments > 1
            )
            self.meter.set_phase(Phase.DOWNLOADING)
            if segmented:
                assert size is not None
                self.pieces = self._plan(size)
                self.segments_used = self.options.segments
                await self._run_segmented(response)
            else:
                self.segments_used = 1
                first.end = size
                self.pieces = [first]
                await self._fill(first, response)
        return await self._finish()

    def _plan(self, size: int) -> list[_Piece]:
        count = self.options.segments * PIECES_PER_SEGMENT
        piece = max(MIN_PIECE, math.ceil(size / count / MiB) * MiB)
        return [_Piece(at, min(size, at + piece)) for at in range(0, size, piece)]

    async def _run_segmented(self, first_response: httpx.Response | None) -> None:
        queue = [piece for piece in reversed(self.pieces) if not piece.complete]
        assert self.part is not None
        if self.reader is None:
            self.reader = await asyncio.to_thread(_open_reader, self.part)

        async def worker(response: httpx.Response | None) -> None:
            if response is not None:
                await self._fill(queue.pop(), response)
                await response.aclose()  # it asked for the whole file; the rest is not ours
            while queue:
                await self._fill(queue.pop(), None)

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._follow_hashes())
                group.create_task(worker(first_response))
                for _ in range(self.options.segments - 1):
                    group.create_task(worker(None))
        except BaseExceptionGroup as failures:
            raise _first_failure(failures) from None

    # --------------------------------------------------------------------------- streams

    def _open(self, piece: _Piece) -> contextlib.AbstractAsyncContextManager[httpx.Response]:
        last = None if piece.end is None else piece.end - 1
        return self.source.open(piece.position, last)

    async def _enter(self, stack: contextlib.AsyncExitStack, piece: _Piece) -> httpx.Response:
        """Open the request for what `piece` lacks, trying again on what can pass."""
        tries = 0
        while True:
            try:
                return await stack.enter_async_context(self._open(piece))
            except AssetDeskError as error:
                if not error.retryable:
                    raise
                tries += 1
                await self._pause_before_retry(tries, error)

    async def _fill(self, piece: _Piece, response: httpx.Response | None) -> None:
        """Bring `piece` to complete: stream `response`, then ranged requests for what is
        missing after a drop or a stall. Gives up after `attempts` tries in a row that brought
        no new byte."""
        tries = 0
        while True:
            before = piece.position
            try:
                if response is not None:
                    current, response = response, None
                    whole = await self._consume(piece, current)
                else:
                    if not self.ranges_work and piece.position > 0:
                        raise _StartOver("the server cannot resume this file")
                    async with contextlib.AsyncExitStack() as stack:
                        whole = await self._consume(piece, await self._enter(stack, piece))
                if piece.end is None:
                    piece.end = piece.position  # a clean end of a body of unknown size
                if piece.complete:
                    self.advanced.set()
                    return
                if whole:  # the answer was only a part (the first ask): go on at once
                    tries = 0
                    continue
                error: AssetDeskError = NetworkError(
                    f"The connection for {self.source.label} ended early."
                )
            except AssetDeskError as failure:
                if not failure.retryable:
                    raise
                error = failure
            tries = 0 if piece.position > before else tries + 1
            await self._pause_before_retry(tries, error)

    def _check_answer(self, piece: _Piece, response: httpx.Response) -> None:
        if response.status_code == 200:
            if piece.position == 0 and len(self.pieces) <= 1:
                return  # the whole file, as a first answer or a fresh start
            if len(self.pieces) > 1:
                raise _RangesIgnored("the server sent the whole file to a ranged request")
            self.ranges_work = False
            raise _StartOver("the server cannot resume; it sent the whole file again")
        found = content_range(response.headers)
        if found is None:
            raise _StartOver("a partial answer without Content-Range")
        start, _last, total = found
        if start != piece.position:
            raise _StartOver(f"asked for byte {piece.position}, got byte {start}")
        if total is not None and self.expected.size is not None and total != self.expected.size:
            raise _StartOver("the file's size changed on the server")
        etag = response.headers.get("etag")
        if etag and self.expected.etag and etag != self.expected.etag:
            raise _StartOver("the file changed on the server")

    async def _consume(self, piece: _Piece, response: httpx.Response) -> bool:
        """Copy the body into the piece's place in the file, a write block at a time. True when
        the answer delivered every byte it announced (it may have announced less than the
        piece lacks)."""
        self._check_answer(piece, response)
        offset = piece.position
        promised = _answer_end(response, offset)
        # Chunks are gathered in a list and joined once per block: one copy, and read-only
        # bytes that the hashers take as they are.
        chunks: list[bytes] = []
        buffered = 0
        pending: asyncio.Future[None] | None = None

        async def flush() -> None:
            nonlocal chunks, buffered, pending, offset
            if pending is not None:
                await pending
                pending = None
            if buffered:
                data, at = b"".join(chunks), offset
                chunks, buffered = [], 0
                offset += len(data)
                pending = asyncio.ensure_future(self._write(piece, data, at))

        try:
            try:
                encoded = response.headers.get("content-encoding", "identity").lower()
                if encoded not in ("", "identity"):
                    self.ranges_work = False  # ranges would count encoded bytes
                    body = response.aiter_bytes()  # decoded: the file is what the user wants
                else:
                    body = response.aiter_raw()
                # Stop as soon as the piece's bytes are in when the answer goes further (the
                # open-ended first ask) and, in a segmented download, at every piece's end:
                # measured against the sandbox, a fresh connection per piece beats waiting for
                # the end of the answer to reuse one (4-segment 1 GiB: 1.0 s against 1.4 s).
                # A single stream reads its answer to the end (no connection left half read).
                beyond = piece.end is not None and (
                    promised is None or promised > piece.end or len(self.pieces) > 1
                )
                async for chunk in body:
                    if piece.end is not None and len(chunk) > piece.end - offset - buffered:
                        chunk = chunk[: piece.end - offset - buffered]
                    if chunk:
                        chunks.append(chunk)
                        buffered += len(chunk)
                        self.meter.add(len(chunk))
                        if buffered >= WRITE_BLOCK:
                            await flush()
                    if beyond and piece.end is not None and offset + buffered >= piece.end:
                        # The rest of this answer is other pieces' (the open-ended first ask
                        # of a segmented download): stop reading; the connection is dropped.
                        break
            except httpx.TransportError as error:
                if piece.end is None or offset + buffered < piece.end:
                    raise network_error(error, STORAGE, response.request.url) from None
                # Every byte of the piece is here; how the connection ended is not our concern
                # (a server that announced more than it had, then hung up).
            except httpx.DecodingError:
                raise UpstreamFailed(
                    f"{self.source.label} arrived in an encoding that could not be decoded."
                ) from None
            finally:
                await flush()
                await flush()
        except BaseException:
            if pending is not None:
                await asyncio.wait([pending])
            raise
        return (promised is not None and offset >= promised) or piece.complete

    async def _write(self, piece: _Piece, data: bytes, at: int) -> None:
        assert self.handle is not None and self.part is not None
        try:
            await asyncio.to_thread(self._write_thread, data, at)
        except OSError as error:
            raise _disk_error(error, self.target or self.part) from None
        piece.flushed += len(data)
        self.advanced.set()

    def _write_thread(self, data: bytes, at: int) -> None:
        assert self.handle is not None
        _write_at(self.handle, self.write_lock, data, at)
        self.ledger.after_write(at, data)

    async def _pause_before_retry(self, tries: int, error: AssetDeskError) -> None:
        self.reconnects += 1
        if tries >= self.options.attempts or self.reconnects > self.options.max_reconnects:
            raise error
        delay = self.options.delay(max(0, tries - 1))
        asked: float | None = getattr(error, "retry_after", None)
        if asked is not None and asked <= self.options.max_backoff * 4:
            delay = asked
        log.info("%s: %s; trying again in %.1f s", self.source.label, error.message, delay)
        self.meter.set_phase(Phase.RETRYING)
        await asyncio.sleep(delay)
        self.meter.set_phase(Phase.DOWNLOADING)

    # --------------------------------------------------------------------------- hashing

    def _contiguous(self) -> int:
        end = 0
        for piece in self.pieces:
            end = piece.position
            if not piece.complete:
                break
        return end

    async def _hash_to(self, upto: int) -> None:
        """Hash the part's bytes up to `upto` from the file (on worker threads)."""
        assert self.reader is not None
        try:
            while self.ledger.hashed < upto:
                await asyncio.to_thread(self.ledger.catch_up, self.reader, upto)
        except OSError as error:
            raise _disk_error(error, self.target or self.folder) from None

    async def _follow_hashes(self) -> None:
        """Hash pieces that were written ahead of the prefix as soon as the prefix reaches them."""
        while not all(piece.complete for piece in self.pieces):
            await self._hash_to(self._contiguous())
            await self.advanced.wait()
            self.advanced.clear()

    # --------------------------------------------------------------------------- kept parts

    def _resume_key(self) -> str | None:
        key = getattr(self.source, "resume_key", None)
        return key if isinstance(key, str) and key else None

    def _can_keep(self, error: BaseException) -> bool:
        if not self.options.keep_partial or self.part is None or self._resume_key() is None:
            return False
        expected = self.expected
        if expected.size is None or not self.ranges_work or not self.pieces:
            return False
        if not (expected.etag or expected.crc32c or expected.md5):
            return False  # nothing would tell us later that the object is still the same
        if not any(piece.flushed for piece in self.pieces):
            return False
        if isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
            return True
        return (
            isinstance(error, AssetDeskError)
            and error.retryable
            and not isinstance(error, IntegrityError)
        )

    async def _keep(self) -> None:
        """Close the part and record what it holds beside it, for a later download."""
        assert self.part is not None
        record: dict[str, object] = {
            "version": 1,
            "key": self._resume_key(),
            "size": self.expected.size,
            "etag": self.expected.etag,
            "crc32c": self.expected.crc32c.hex() if self.expected.crc32c else None,
            "md5": self.expected.md5.hex() if self.expected.md5 else None,
            "pieces": [[p.start, p.end, p.flushed] for p in self.pieces],
        }
        part = self.part

        def keep() -> None:
            self._close_files()
            try:
                _write_record(part, record)
            except OSError:
                with contextlib.suppress(OSError):
                    part.unlink()
            _release(part)

        await asyncio.shield(asyncio.to_thread(keep))
        log.info("%s: kept %s to resume later", self.source.label, part.name)

    def _find_kept(self, name: str, expected: Expected) -> tuple[Path, list[_Piece]] | None:
        """A `.part` kept by an earlier download of this very object under `name` or a
        renamed `name (n)`; a kept part of this object that no longer matches is removed."""
        key = self._resume_key()
        if key is None or expected.size is None:
            return None
        if not (expected.etag or expected.crc32c or expected.md5):
            return None  # nothing would show that the kept bytes are of this very version
        stem, extension = split_extension(name)
        for n in range(100):
            target = self.folder / (name if n == 0 else f"{stem} ({n}){extension}")
            part = part_path(target)
            if not part.exists():
                return None
            record = _read_record(part)
            if record is None or record.get("key") != key:
                continue
            same = (
                record.get("size") == expected.size
                and (not expected.etag or record.get("etag") == expected.etag)
                and (not expected.crc32c or record.get("crc32c") == expected.crc32c.hex())
                and (not expected.md5 or record.get("md5") == expected.md5.hex())
            )
            pieces = _pieces_of(record, expected.size, part) if same else None
            with _CLAIM_LOCK:
                if part in _PARTS_IN_USE:
                    return None
                if pieces is None:  # the object changed since: the kept bytes are worthless
                    with contextlib.suppress(OSError):
                        part.unlink()
                    with contextlib.suppress(OSError):
                        _record_path(part).unlink()
                    return None
                _PARTS_IN_USE.add(part)
            return target, pieces
        return None

    async def _resume(self, pieces: list[_Piece]) -> None:
        """Go on from the pieces a kept part already holds."""
        assert self.part is not None
        self.pieces = pieces
        self.resumed_bytes = sum(piece.flushed for piece in pieces)
        self.meter.rebase(self.resumed_bytes)
        self.meter.set_phase(Phase.DOWNLOADING)
        self.reader = await asyncio.to_thread(_open_reader, self.part)
        if len(pieces) == 1:
            piece = pieces[0]
            self.segments_used = 1
            self.meter.set_phase(Phase.VERIFYING)  # what is there, before adding to it
            await self._hash_to(piece.position)
            self.meter.set_phase(Phase.DOWNLOADING)
            if not piece.complete:
                await self._fill(piece, None)
        else:
            self.segments_used = self.options.segments
            await self._run_segmented(None)

    # --------------------------------------------------------------------------- the file

    def _check_folder(self) -> None:
        if not self.folder.exists():
            raise LocalFileError(f"The folder {self.folder} does not exist.")
        if not self.folder.is_dir():
            raise LocalFileError(f"{self.folder} is not a folder.")
        if not os.access(self.folder, os.W_OK):
            raise LocalFileError(f"AssetDesk may not write in {self.folder}.")

    async def _start(self, response: httpx.Response) -> bool:
        """Read the first answer's facts and prepare an empty `.part`; False to skip."""
        expected = expected_from_headers(response.headers, status=response.status_code)
        if self.target is None:
            self.name = choose_name(self.requested, response, self.source, fallback="download")
            if self.options.keep_partial and response.status_code == 206:
                kept = await _finish_even_if_cancelled(
                    asyncio.to_thread(self._find_kept, self.name, expected), self._took_over
                )
                if kept is not None:
                    self.restored = kept[1]
            if self.target is None:
                target = await _finish_even_if_cancelled(
                    asyncio.to_thread(_claim, self.folder, self.name, self.options.on_conflict),
                    self._claimed,
                )
                if target is None:
                    return False
        assert self.part is not None
        try:
            await _finish_even_if_cancelled(
                asyncio.to_thread(self._prepare_part, expected.size, self.restored is None), None
            )
        except OSError as error:
            raise _disk_error(error, self.target or self.part) from None
        # Only now, with every thread of an earlier pass finished, do the hashes start afresh.
        self.expected = expected
        self.ledger = _Ledger(
            md5=expected.md5 is not None and expected.crc32c is None, sha256=self.options.sha256
        )
        self.meter.total = expected.size
        return True

    def _claimed(self, target: Path | None) -> None:
        if target is not None:
            self.target, self.part = target, part_path(target)

    def _took_over(self, kept: tuple[Path, list[_Piece]] | None) -> None:
        if kept is not None:
            self._claimed(kept[0])

    def _prepare_part(self, size: int | None, empty: bool = True) -> None:
        assert self.part is not None and self.target is not None
        self._close_files()
        if not empty:  # a kept part, taken over as it is
            self.handle = _open_for_writing(self.part)
            return
        with contextlib.suppress(FileNotFoundError):
            _record_path(self.part).unlink()  # a fresh start: no record of old bytes
        self.handle = _open_for_writing(self.part)
        self.handle.truncate(0)  # first: an earlier pass's blocks count as free space
        if size is not None:
            free = shutil.disk_usage(self.folder).free
            if free < size:
                raise LocalFileError(
                    f"Not enough free space for {self.target.name} in {self.folder}: it needs "
                    f"{format_size(size)} and {format_size(free)} is free."
                )
        if size:
            _allocate(self.handle, size)

    def _close_files(self) -> None:
        """Close the part's handles once no worker thread is using them (they hold the locks)."""
        with self.write_lock, self.ledger.lock:
            for handle in (self.handle, self.reader):
                if handle is not None:
                    with contextlib.suppress(OSError):
                        handle.close()
            self.handle = self.reader = None

    async def _discard(self) -> None:
        def discard() -> None:
            self._close_files()
            if self.part is not None:
                for path in (self.part, _record_path(self.part)):
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
                _release(self.part)

        await asyncio.shield(asyncio.to_thread(discard))

    async def _finish(self) -> DownloadResult:
        assert self.handle is not None and self.target is not None and self.part is not None
        self.meter.set_phase(Phase.VERIFYING)
        size = self.pieces[-1].end if self.pieces else 0
        assert size is not None
        try:
            if self.reader is None:
                self.reader = await asyncio.to_thread(_open_reader, self.part)
        except OSError as error:
            raise _disk_error(error, self.target) from None
        await self._hash_to(size)
        try:
            verified = check(self.expected, size, self.ledger.hashes, name=self.target.name)
        except IntegrityError:
            await asyncio.to_thread(self._close_files)
            raise
        await asyncio.to_thread(self._close_files)
        try:
            final = await _finish_even_if_cancelled(
                asyncio.to_thread(self._place_and_tidy), self._placed
            )
        except OSError as error:
            raise _disk_error(error, self.target) from None
        self.meter.set_phase(Phase.DONE)
        return DownloadResult(
            path=final,
            bytes=size,
            sha256=self.ledger.hashes.sha256_hex(),
            verified=tuple(verified),
            segments=self.segments_used,
            reconnects=self.reconnects,
            restarts=self.restarts,
            refreshed_links=int(getattr(self.source, "refreshes", 0)),
            resumed_bytes=self.resumed_bytes,
        )

    def _placed(self, final: Path) -> None:
        self.placed = True

    def _place_and_tidy(self) -> Path:
        assert self.part is not None
        final = self._place()
        _release(self.part)
        with contextlib.suppress(OSError):
            _record_path(self.part).unlink(missing_ok=True)
        return final

    def _place(self) -> Path:
        """Rename the verified `.part` into place; under "rename", never over a file that
        appeared meanwhile."""
        assert self.part is not None and self.target is not None and self.name is not None
        policy = self.options.on_conflict
        if policy is Conflict.OVERWRITE:
            self.part.replace(self.target)
            return self.target
        target = self.target
        for _ in range(1000):
            try:
                os.link(self.part, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                again = resolve_target(self.folder, self.name, Conflict.RENAME)
                if again is None or again == target:
                    break
                target = again
                continue
            except OSError:  # no hard links here (FAT, some shares): a plain rename
                if target.exists():
                    break
                self.part.replace(target)
                return target
            self.part.unlink()
            return target
        raise LocalFileError(f"{self.target.name} could not be saved in {self.folder}.")

    async def _skipped(self, existing: Path) -> DownloadResult:
        if self.options.sha256:
            size, digest = await asyncio.to_thread(_sha256_of, existing)
        else:
            size, digest = (await asyncio.to_thread(existing.stat)).st_size, None
        self.meter.set_phase(Phase.DONE)
        return DownloadResult(path=existing, bytes=size, sha256=digest, skipped=True)


async def _finish_even_if_cancelled(
    work: Coroutine[Any, Any, T], record: Callable[[T], None] | None
) -> T:
    """Await `work` (a worker-thread call that creates or renames files) to its end even when the
    caller is cancelled, so that what it did is `record`ed and can be undone; then cancel."""
    future = asyncio.ensure_future(work)
    try:
        result = await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            done = await future
            if record is not None:
                record(done)
        raise
    if record is not None:
        record(result)
    return result


def _answer_end(response: httpx.Response, first: int) -> int | None:
    """One past the last byte the answer announced (Content-Range, else Content-Length)."""
    if response.status_code == 206:
        found = content_range(response.headers)
        return None if found is None else found[1] + 1
    length = response.headers.get("content-length")
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None  # the length counts encoded bytes
    try:
        return first + int(length) if length is not None else None
    except ValueError:
        return None


def _record_path(part: Path) -> Path:
    """`NAME.part.json`: what a kept `NAME.part` holds."""
    return part.with_name(part.name + ".json")


def _write_record(part: Path, record: dict[str, object]) -> None:
    path = _record_path(part)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(record), encoding="utf-8")
    scratch.replace(path)


def _read_record(part: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(_record_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == 1 else None


def _pieces_of(record: dict[str, Any], size: int, part: Path) -> list[_Piece] | None:
    """The recorded pieces, if they tile the file exactly and the part is as large as them."""
    raw = record.get("pieces")
    if not isinstance(raw, list) or not raw:
        return None
    pieces: list[_Piece] = []
    at = 0
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3 and all(type(v) is int for v in item)):
            return None
        start, end, flushed = item
        if start != at or end <= start or not 0 <= flushed <= end - start:
            return None
        pieces.append(_Piece(start, end, flushed))
        at = end
    if at != size:
        return None
    try:
        on_disk = part.stat().st_size
    except OSError:
        return None
    if on_disk < max(piece.position for piece in pieces):
        return None
    return pieces


def _first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that stopped a task group, rather than the cancellations it caused."""
    flat: list[BaseException] = []

    def walk(error: BaseException) -> None:
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                walk(inner)
        else:
            flat.append(error)

    walk(group)
    for kinds in ((_StartOver,), (AssetDeskError,), (Exception,)):
        for error in flat:
            if isinstance(error, kinds):
                return error
    return flat[0] if flat else group


def _sha256_of(path: Path) -> tuple[int, str]:
    import hashlib

    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(MiB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


async def download(
    source: Source,
    folder: Path,
    *,
    filename: str | None = None,
    options: DownloadOptions | None = None,
    progress: ProgressCallback | None = None,
) -> DownloadResult:
    """Download `source` into `folder` (see the module's docstring); typed errors, and on any
    failure or cancellation no `.part` and no file under the final name are left behind."""
    job = _Download(source, folder, filename, options or DownloadOptions(), progress)
    return await job.run()
