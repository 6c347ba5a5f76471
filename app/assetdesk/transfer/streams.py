"""A download's streams: one ranged request after another until a piece is complete.

A stream that breaks or stalls resumes where its bytes end, with backoff; an answer that does not
fit what was asked (the whole file to a ranged request, another byte range, another ETag) makes
the download start over. The body is copied into the piece's place in the `.part` a write block
at a time (its chunks written in a row, never joined), the disk work on worker threads; each
connection's socket reads up to 1 MiB at a time (`socket_reads.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from assetdesk.core.errors import AssetDeskError, NetworkError
from assetdesk.core.units import MIB
from assetdesk.net.errors import network_error
from assetdesk.net.response_body import body_chunks
from assetdesk.transfer.integrity import Expected, content_range
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.part_file import PartFile
from assetdesk.transfer.pieces import Piece
from assetdesk.transfer.progress import Meter, Phase
from assetdesk.transfer.socket_reads import widen_reads
from assetdesk.transfer.sources import STORAGE, Source, refuse_encoded

log = logging.getLogger("assetdesk.transfer")

#: Bytes gathered before one positional write (one worker-thread call).
WRITE_BLOCK = MIB


class StartOver(Exception):
    """Throw the bytes away and download again from 0 (the server ignored a Range)."""


class RangesIgnored(StartOver):
    """A ranged request for a later piece got the whole file: go on as a single stream."""


class PieceStreams:
    """What one download's streams share, and how a stream brings a piece to complete."""

    def __init__(
        self, source: Source, options: DownloadOptions, meter: Meter, file: PartFile
    ) -> None:
        self.source = source
        self.options = options
        self.meter = meter
        self.file = file
        self.reconnects = 0
        self.expected = Expected(size=None, crc32c=None, md5=None, etag=None)
        self.pieces: list[Piece] = []
        self.advanced = asyncio.Event()
        self.ranges_work = True
        #: Body bytes read by every stream so far (how fast the streams go together).
        self.received = 0

    def _open(self, piece: Piece) -> contextlib.AbstractAsyncContextManager[httpx.Response]:
        last = None if piece.end is None else piece.end - 1
        return self.source.open(piece.position, last)

    async def _enter(self, stack: contextlib.AsyncExitStack, piece: Piece) -> httpx.Response:
        """Open the request for what `piece` lacks, trying again on what can pass."""
        tries = 0
        while True:
            try:
                response = await stack.enter_async_context(self._open(piece))
                refuse_encoded(response, label=self.source.label)  # identity was asked
                return response
            except AssetDeskError as error:
                if not error.retryable:
                    raise
                tries += 1
                await self._pause_before_retry(tries, error)

    async def _fill(self, piece: Piece, response: httpx.Response | None) -> None:
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
                        raise StartOver("the server cannot resume this file")
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

    def _check_answer(self, piece: Piece, response: httpx.Response) -> None:
        if response.status_code == 200:
            if piece.position == 0 and len(self.pieces) <= 1:
                return  # the whole file, as a first answer or a fresh start
            if len(self.pieces) > 1:
                raise RangesIgnored("the server sent the whole file to a ranged request")
            self.ranges_work = False
            raise StartOver("the server cannot resume; it sent the whole file again")
        found = content_range(response.headers)
        if found is None:
            raise StartOver("a partial answer without Content-Range")
        start, _last, total = found
        if start != piece.position:
            raise StartOver(f"asked for byte {piece.position}, got byte {start}")
        if total is not None and self.expected.size is not None and total != self.expected.size:
            raise StartOver("the file's size changed on the server")
        etag = response.headers.get("etag")
        if etag and self.expected.etag and etag != self.expected.etag:
            raise StartOver("the file changed on the server")

    async def _consume(self, piece: Piece, response: httpx.Response) -> bool:
        """Copy the body into the piece's place in the file, a write block at a time. True when
        the answer delivered every byte it announced (it may have announced less than the
        piece lacks)."""
        self._check_answer(piece, response)
        widen_reads(response)
        offset = piece.position
        promised = answer_end(response, offset)
        # Chunks are gathered in a list and handed over as they are, never joined: one
        # `pwritev` writes them in a row and the hashers take the read-only bytes one by one.
        chunks: list[bytes] = []
        buffered = 0
        pending: asyncio.Future[None] | None = None

        async def flush() -> None:
            nonlocal chunks, buffered, pending, offset
            if pending is not None:
                await pending
                pending = None
            if buffered:
                data, size, at = chunks, buffered, offset
                chunks, buffered = [], 0
                offset += size
                pending = asyncio.ensure_future(self._write(piece, data, size, at))

        try:
            try:
                # The bytes as sent (an encoded answer was refused in `_enter`). However the
                # reading ends, the answer is closed here, in this task (net/response_body.py).
                # The piece's end is read at every chunk: a stream added later may take its tail.
                async with body_chunks(response) as body:
                    async for chunk in body:
                        if piece.end is not None and len(chunk) > piece.end - offset - buffered:
                            chunk = chunk[: piece.end - offset - buffered]
                        if chunk:
                            chunks.append(chunk)
                            buffered += len(chunk)
                            piece.reached = offset + buffered
                            self.received += len(chunk)
                            self.meter.add(len(chunk))
                            if buffered >= WRITE_BLOCK:
                                await flush()
                        if _beyond(piece, offset + buffered, promised, len(self.pieces)):
                            # The rest of this answer is other pieces' (the open-ended first
                            # ask of a segmented download): stop reading; the connection is
                            # dropped.
                            break
            except httpx.TransportError as error:
                if piece.end is None or offset + buffered < piece.end:
                    raise network_error(error, STORAGE, response.request.url) from None
                # Every byte of the piece is here; how the connection ended is not our concern
                # (a server that announced more than it had, then hung up).
            finally:
                await flush()
                await flush()
        except BaseException:
            if pending is not None:
                await asyncio.wait([pending])
            raise
        return (promised is not None and offset >= promised) or piece.complete

    async def _write(self, piece: Piece, data: list[bytes], size: int, at: int) -> None:
        await self.file.write(data, at)
        piece.flushed += size
        self.advanced.set()

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


def _beyond(piece: Piece, reached: int, promised: int | None, pieces: int) -> bool:
    """Whether a stream stops reading its answer at `reached`: as soon as the piece's bytes are
    in when the answer goes further (the open-ended first ask, or a piece whose tail another
    stream took) and, in a segmented download, at every piece's end: measured against the
    sandbox, a fresh connection per piece beats waiting for the end of the answer to reuse one
    (4-segment 1 GiB: 1.0 s against 1.4 s). A single stream reads its answer to the end (no
    connection left half read)."""
    if piece.end is None or reached < piece.end:
        return False
    return promised is None or promised > piece.end or pieces > 1


def answer_end(response: httpx.Response, first: int) -> int | None:
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


def first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that stopped a task group, rather than the cancellations it caused."""
    flat: list[BaseException] = []

    def walk(error: BaseException) -> None:
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                walk(inner)
        else:
            flat.append(error)

    walk(group)
    for kinds in ((StartOver,), (AssetDeskError,), (Exception,)):
        for error in flat:
            if isinstance(error, kinds):
                return error
    return flat[0] if flat else group
