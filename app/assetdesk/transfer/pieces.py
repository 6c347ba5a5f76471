"""A segmented download's pieces: how a file of known size is cut for parallel streams, how a
running piece gives up its tail to streams added later, and how far the pieces written so far
make one contiguous prefix."""

from __future__ import annotations

import math
from dataclasses import dataclass

from assetdesk.core.units import MIB

#: Pieces per stream in a segmented download: enough that a fast stream helps a slow one and
#: that the hashed prefix follows the download closely.
PIECES_PER_SEGMENT = 8
MIN_PIECE = 2 * MIB


@dataclass
class Piece:
    start: int
    #: One past the last byte; None: to the end of the file (size unknown).
    end: int | None
    flushed: int = 0
    #: One past the last byte a running stream has read for it, written or still in memory
    #: (never less than `position` while it runs): a cut is only ever made after it.
    reached: int = 0

    @property
    def position(self) -> int:
        return self.start + self.flushed

    @property
    def complete(self) -> bool:
        return self.end is not None and self.position >= self.end


def plan_pieces(size: int, segments: int) -> list[Piece]:
    """Cut `size` bytes into pieces of whole MiB for `segments` parallel streams."""
    count = segments * PIECES_PER_SEGMENT
    piece = max(MIN_PIECE, math.ceil(size / count / MIB) * MIB)
    return [Piece(at, min(size, at + piece)) for at in range(0, size, piece)]


def contiguous_end(pieces: list[Piece]) -> int:
    """One past the last byte of the file's prefix that the pieces have written without a gap."""
    end = 0
    for piece in pieces:
        end = piece.position
        if not piece.complete:
            break
    return end


def _unread(piece: Piece) -> tuple[int, int] | None:
    """(first byte no stream has read yet, end) of a running piece of known end."""
    if piece.end is None:
        return None
    return max(piece.position, piece.reached), piece.end


def cut_tail(pieces: list[Piece], piece: Piece, size: int) -> Piece | None:
    """Give the last `size` bytes (whole MiB, at least MIN_PIECE) of what `piece` has not read
    yet to a new piece placed after it in `pieces`; None when less than twice that is left."""
    unread = _unread(piece)
    size = max(MIN_PIECE, math.ceil(size / MIB) * MIB)
    if unread is None or unread[1] - unread[0] < 2 * size:
        return None
    at = unread[1] - size
    tail = Piece(at, unread[1])
    piece.end = at
    pieces.insert(pieces.index(piece) + 1, tail)
    return tail


def split_rest(pieces: list[Piece], piece: Piece, segments: int) -> list[Piece]:
    """Cut what `piece` has not read yet into pieces for `segments` streams, as `plan_pieces`
    cuts a file: `piece` keeps the first, the others follow it in `pieces` (returned)."""
    unread = _unread(piece)
    if unread is None:
        return []
    first, end = unread
    step = max(MIN_PIECE, math.ceil((end - first) / (segments * PIECES_PER_SEGMENT) / MIB) * MIB)
    cuts = list(range(first + step, end - MIN_PIECE // 2, step))
    if not cuts:
        return []
    piece.end = cuts[0]
    new = [Piece(at, min(end, nxt)) for at, nxt in zip(cuts, [*cuts[1:], end], strict=True)]
    at = pieces.index(piece) + 1
    pieces[at:at] = new
    return new
