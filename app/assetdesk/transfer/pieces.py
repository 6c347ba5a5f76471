"""A segmented download's pieces: how a file of known size is cut for parallel streams, and how
far the pieces written so far make one contiguous prefix."""

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
