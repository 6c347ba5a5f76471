"""Adding streams to a segmented download that starts with one (`adaptive_segments`).

On a fast link one stream is as fast as several and costs less (fewer connections, no bytes
written ahead of the hashed prefix to read back); on a link that caps each connection, every
added stream adds its cap. Which one a link is shows only by trying:

1. The first stream runs alone for `PROBE` seconds (after `SETTLE`: what its socket held before
   is not the link's rate): its rate.
2. A second stream takes the file's tail: what the first would read in `LOOKS` looks, so that
   it is still busy when they end. Both run for another `PROBE` seconds, `LOOKS` times at most.
3. When together they went `GAIN` times as fast as the first alone, the link caps each connection:
   what the first stream has not read yet is cut into pieces for all `segments` streams, and the
   streams that are missing are started. Otherwise the two go on as they are.

The download ending at any point ends this too; a file too small to share is left to one stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from assetdesk.transfer.pieces import Piece, cut_tail, split_rest
from assetdesk.transfer.streams import PieceStreams

log = logging.getLogger("assetdesk.transfer")

#: Seconds of each look: long enough for a rate over many reads, short enough that a capped link
#: gets its streams within half a second.
PROBE = 0.2
#: Seconds before the first look: the bytes the socket gathered while the `.part` was prepared
#: arrive at once and would make the first stream look faster than the link lets it go.
SETTLE = 0.1
#: Looks at the two streams before deciding that one is as fast (a busy machine can hide a gain).
LOOKS = 2
#: How much faster two streams must go than one for the others to be added.
GAIN = 1.5


async def widen(
    streams: PieceStreams,
    queue: list[Piece],
    add_stream: Callable[[], None],
    running: Callable[[], int],
    finished: asyncio.Event,
    segments: int,
) -> None:
    """Steps 1-3 of the module's docstring for `streams.pieces[0]`, the first stream's piece.

    `queue` holds the pieces no stream has taken yet, the earliest last; `add_stream` starts one
    more stream on it and `running` counts the streams; `finished` is set when every stream has
    ended."""
    lead = streams.pieces[0]
    loop = asyncio.get_running_loop()

    async def rate(seconds: float) -> float | None:
        """Bytes per second of every stream over the next `seconds`; None when it all ended."""
        begun, before = loop.time(), streams.received
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), seconds)
        if finished.is_set() or lead.complete:
            return None
        return (streams.received - before) / max(loop.time() - begun, 1e-6)

    alone = None if await rate(SETTLE) is None else await rate(PROBE)
    if alone is None:
        return
    tail = cut_tail(streams.pieces, lead, int(alone * PROBE * LOOKS))
    if tail is None:
        return
    queue.insert(0, tail)
    add_stream()
    for _ in range(LOOKS):
        together = await rate(PROBE)
        if together is None:
            return
        if together >= GAIN * alone:
            break
    else:
        log.debug("%s: one stream is as fast as two; not adding more", streams.source.label)
        return
    added = split_rest(streams.pieces, lead, segments)
    queue.extend(reversed(added))
    queue.sort(key=lambda piece: piece.start, reverse=True)
    log.debug(
        "%s: two streams went %.1fx as fast as one; using %d",
        streams.source.label,
        together / alone,
        segments,
    )
    for _ in range(segments - running()):
        add_stream()
