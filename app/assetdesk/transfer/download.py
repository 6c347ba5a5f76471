"""Downloads to disk: resumable, segmented, verified, and never a truncated file under its name.

How a download goes:

1. The first request asks for `Range: bytes=0-`. Its answer gives the name (unless the caller
   chose one), the size, the server's hashes, and whether ranges work (206, not 200).
2. The bytes go to `NAME.part` beside the target. A file of known size larger than
   `segment_threshold` on a server that honours ranges is cut into pieces fetched by `segments`
   parallel streams into the pre-allocated file with positional writes (with
   `adaptive_segments`, one stream first and the others only when they make it faster:
   `widening.py`); otherwise one stream reads it all. A stream that breaks or stalls resumes
   where its bytes end, with backoff; a server that answers 200 to a resume makes the download
   start over cleanly.
3. SHA-256, CRC32C (and MD5 when the server gives no CRC32C) are computed on worker threads as
   the contiguous prefix of the file grows, so verifying at the end costs little.
4. Size and hashes are checked ("verifying"); a mismatch throws the file away and starts over
   once; then the `.part` is flushed to disk and renamed into place under the conflict policy.
   With `keep_partial`, a record of the part is written every few seconds on the way, so that
   even a killed process leaves a part the next download resumes.

The event loop only moves buffers: writes, hashing and file-system calls run on worker threads,
and memory is bounded by a couple of write blocks per stream, whatever the file size.

Where the parts are: options and result in `options.py`, the pieces in `pieces.py`, the streams
in `streams.py` (their socket reads in `socket_reads.py`), adding streams to one in
`widening.py`, the hashes in `ledger.py`, the `.part` on disk in `part_file.py`, a kept part's
record in `resume.py`, the file's name in `names.py`; this module runs the whole job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx

from assetdesk.core.errors import IntegrityError, NetworkError
from assetdesk.transfer.integrity import Expected, check, expected_from_headers, sha256_of_file
from assetdesk.transfer.ledger import Ledger
from assetdesk.transfer.names import Conflict, choose_name, part_path, sanitise_filename
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.part_file import PartFile, claim, claim_kept, disk_error
from assetdesk.transfer.pieces import Piece, contiguous_end, plan_pieces
from assetdesk.transfer.progress import Meter, Phase, ProgressCallback
from assetdesk.transfer.resume import find_record, record_of, recordable, worth_keeping
from assetdesk.transfer.sources import Source
from assetdesk.transfer.streams import PieceStreams, RangesIgnored, StartOver, first_failure
from assetdesk.transfer.widening import widen

log = logging.getLogger("assetdesk.transfer")

T = TypeVar("T")
#: Seconds between looks for the first resume record (`record_every` after it).
FIRST_RECORD_WAIT = 0.25


class _Download(PieceStreams):
    """One download's state; `run` is the whole job."""

    def __init__(
        self,
        source: Source,
        folder: Path,
        filename: str | None,
        options: DownloadOptions,
        progress: ProgressCallback | None,
    ) -> None:
        super().__init__(source, options, Meter(progress), PartFile(folder))
        self.folder = folder
        self.requested = filename
        self.restarts = 0
        self.segments_used = 1
        self.name: str | None = None
        #: Pieces restored from a kept `.part` (consumed by the pass that resumes them).
        self.restored: list[Piece] | None = None
        self.resumed_bytes = 0
        #: The verified file is in place; nothing may be kept or discarded any more.
        self.placed = False

    # --------------------------------------------------------------------------- the job

    async def run(self) -> DownloadResult:
        await asyncio.to_thread(self.file.check_folder)
        if self.requested is not None:
            name = sanitise_filename(self.requested)
            exists = await asyncio.to_thread(os.path.lexists, self.folder / name)
            if self.options.on_conflict is Conflict.SKIP and exists:
                return await self._skipped(self.folder / name)
        recorder = asyncio.create_task(self._record_now_and_then(), name="download-record")
        try:
            return await self._attempt_all()
        except BaseException as error:
            recorder.cancel()
            if self.placed:
                raise  # cancelled after the rename: the file is complete and verified
            if self._can_keep(error):
                await self._keep()
            else:
                await self._discard()
            raise
        finally:
            recorder.cancel()

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
            except StartOver as why:
                log.info("%s: starting over (%s)", self.source.label, why)
                if isinstance(why, RangesIgnored):
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
        first = Piece(0, None)
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
            if segmented and self.options.adaptive_segments:
                first.end = size
                self.pieces = [first]
                self.segments_used = 1
                await self._run_segmented(response, adaptive=True)
            elif segmented:
                assert size is not None
                self.pieces = plan_pieces(size, self.options.segments)
                self.segments_used = self.options.segments
                await self._run_segmented(response)
            else:
                self.segments_used = 1
                first.end = size
                self.pieces = [first]
                await self._fill(first, response)
        return await self._finish()

    async def _run_segmented(
        self, first_response: httpx.Response | None, *, adaptive: bool = False
    ) -> None:
        """Streams take the pieces in order until none is left: all `segments` at once, or
        (`adaptive`) the first alone and the others when they pay (`widening.py`)."""
        queue = [piece for piece in reversed(self.pieces) if not piece.complete]
        running = 0
        finished = asyncio.Event()

        async def worker(response: httpx.Response | None) -> None:
            nonlocal running
            try:
                if response is not None:
                    await self._fill(queue.pop(), response)
                    await response.aclose()  # it asked for the whole file; the rest is not ours
                while queue:
                    await self._fill(queue.pop(), None)
            finally:
                running -= 1
                if not running:
                    finished.set()

        try:
            async with asyncio.TaskGroup() as group:

                def start(response: httpx.Response | None = None) -> None:
                    nonlocal running
                    running += 1
                    group.create_task(worker(response))

                def add_stream() -> None:
                    self.segments_used += 1
                    start()

                group.create_task(self._follow_hashes())
                start(first_response)
                if adaptive:
                    segments = self.options.segments
                    group.create_task(
                        widen(self, queue, add_stream, lambda: running, finished, segments)
                    )
                else:
                    for _ in range(self.options.segments - 1):
                        start()
        except BaseExceptionGroup as failures:
            raise first_failure(failures) from None

    async def _follow_hashes(self) -> None:
        """Hash pieces that were written ahead of the prefix as soon as the prefix reaches them."""
        while not all(piece.complete for piece in self.pieces):
            await self.file.hash_to(contiguous_end(self.pieces))
            await self.advanced.wait()
            self.advanced.clear()

    # --------------------------------------------------------------------------- kept parts

    def _resume_key(self) -> str | None:
        key = getattr(self.source, "resume_key", None)
        return key if isinstance(key, str) and key else None

    def _may_keep(self) -> bool:
        """Whether a part of this download may be kept for a later one at all."""
        return (
            self.options.keep_partial
            and self.file.part is not None
            and self._resume_key() is not None
            and self.ranges_work
        )

    def _can_keep(self, error: BaseException) -> bool:
        return self._may_keep() and worth_keeping(error, self.expected, self.pieces)

    async def _record_now_and_then(self) -> None:
        """Every `record_every` seconds, write the resume record of the part as it is, so that
        a download killed outright (SIGKILL, a power cut) is resumed by the next one. The first
        is written as soon as there is something to record (a quarter of a second's wait at
        most): a part killed before its first record is an orphan the next download must
        step around (`NAME (1)`)."""
        recorded = False
        while True:
            await asyncio.sleep(self.options.record_every if recorded else FIRST_RECORD_WAIT)
            if self.file.handle is None or not self._may_keep():
                continue
            if not recordable(self.expected, self.pieces):
                continue
            record = record_of(self._resume_key(), self.expected, self.pieces)
            with contextlib.suppress(OSError):  # the record is a bonus; the download goes on
                await asyncio.to_thread(self.file.save_record, record, self.file.generation)
                recorded = True

    async def _keep(self) -> None:
        """Close the part and record what it holds beside it, for a later download."""
        assert self.file.part is not None
        record = record_of(self._resume_key(), self.expected, self.pieces)
        part = self.file.part
        await asyncio.shield(asyncio.to_thread(self.file.keep, record))
        log.info("%s: kept %s to resume later", self.source.label, part.name)

    def _find_kept(
        self, name: str, expected: Expected
    ) -> tuple[Path, BinaryIO, list[Piece]] | None:
        """A `.part` kept by an earlier download of this very object under `name` or a
        renamed `name (n)`, taken over (its handle); a kept part of this object that no longer
        matches is removed."""
        found = find_record(self.folder, name, self._resume_key(), expected)
        if found is None:
            return None
        target, pieces = found
        handle = claim_kept(part_path(target), usable=pieces is not None)
        if handle is None or pieces is None:
            return None
        return target, handle, pieces

    async def _resume(self, pieces: list[Piece]) -> None:
        """Go on from the pieces a kept part already holds."""
        assert self.file.part is not None
        self.pieces = pieces
        self.resumed_bytes = sum(piece.flushed for piece in pieces)
        self.meter.rebase(self.resumed_bytes)
        self.meter.set_phase(Phase.DOWNLOADING)
        if len(pieces) == 1:
            piece = pieces[0]
            self.segments_used = 1
            self.meter.set_phase(Phase.VERIFYING)  # what is there, before adding to it
            await self.file.hash_to(piece.position)
            self.meter.set_phase(Phase.DOWNLOADING)
            if not piece.complete:
                await self._fill(piece, None)
        else:
            self.segments_used = self.options.segments
            await self._run_segmented(None)

    # --------------------------------------------------------------------------- the file

    async def _start(self, response: httpx.Response) -> bool:
        """Read the first answer's facts and prepare an empty `.part`; False to skip."""
        expected = expected_from_headers(response.headers, status=response.status_code)
        if self.file.target is None:
            self.name = choose_name(self.requested, response, self.source, fallback="download")
            if self.options.keep_partial and response.status_code == 206:
                kept = await _finish_even_if_cancelled(
                    asyncio.to_thread(self._find_kept, self.name, expected), self._took_over
                )
                if kept is not None:
                    self.restored = kept[2]
            if self.file.target is None:
                target = await _finish_even_if_cancelled(
                    asyncio.to_thread(claim, self.folder, self.name, self.options.on_conflict),
                    self.file.claimed,
                )
                if target is None:
                    return False
        assert self.file.part is not None
        try:
            await _finish_even_if_cancelled(
                asyncio.to_thread(self.file.prepare, expected.size, self.restored is None), None
            )
        except OSError as error:
            raise disk_error(error, self.file.target or self.file.part) from None
        # Only now, with every thread of an earlier pass finished, do the hashes start afresh.
        self.expected = expected
        self.file.ledger = Ledger(
            md5=expected.md5 is not None and expected.crc32c is None, sha256=self.options.sha256
        )
        self.meter.total = expected.size
        return True

    def _took_over(self, kept: tuple[Path, BinaryIO, list[Piece]] | None) -> None:
        if kept is not None:
            self.file.claimed((kept[0], kept[1]))

    async def _discard(self) -> None:
        await asyncio.shield(asyncio.to_thread(self.file.discard))

    async def _finish(self) -> DownloadResult:
        file = self.file
        assert file.handle is not None and file.target is not None and file.part is not None
        self.meter.set_phase(Phase.VERIFYING)
        size = self.pieces[-1].end if self.pieces else 0
        assert size is not None
        await file.hash_to(size)
        # A mismatch leaves the part open: the next pass starts it afresh (or it is discarded).
        verified = check(self.expected, size, file.ledger.hashes, name=file.target.name)
        await file.flushed_behind()
        try:
            await asyncio.to_thread(file.settle)
        except OSError as error:
            raise disk_error(error, file.target) from None
        assert self.name is not None
        try:
            final = await _finish_even_if_cancelled(
                asyncio.to_thread(file.place_and_tidy, self.name, self.options.on_conflict),
                self._placed,
            )
        except OSError as error:
            raise disk_error(error, file.target) from None
        self.meter.set_phase(Phase.DONE)
        return DownloadResult(
            path=final,
            bytes=size,
            sha256=file.ledger.hashes.sha256_hex(),
            verified=tuple(verified),
            segments=self.segments_used,
            reconnects=self.reconnects,
            restarts=self.restarts,
            refreshed_links=int(getattr(self.source, "refreshes", 0)),
            resumed_bytes=self.resumed_bytes,
        )

    def _placed(self, final: Path) -> None:
        self.placed = True

    async def _skipped(self, existing: Path) -> DownloadResult:
        if await asyncio.to_thread(existing.is_symlink):  # taken; what it points at is not ours
            return DownloadResult(path=existing, bytes=0, sha256=None, skipped=True)
        if self.options.sha256:
            size, digest = await asyncio.to_thread(sha256_of_file, existing)
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
