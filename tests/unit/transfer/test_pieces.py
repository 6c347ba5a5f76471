"""How a segmented download cuts a file into pieces, and how far their prefix reaches."""

from __future__ import annotations

import itertools

from assetdesk.core.units import MIB
from assetdesk.transfer.pieces import (
    MIN_PIECE,
    PIECES_PER_SEGMENT,
    Piece,
    contiguous_end,
    plan_pieces,
)


def test_pieces_tile_the_file_in_whole_mib() -> None:
    size = 100 * MIB + 123
    pieces = plan_pieces(size, 4)
    assert pieces[0].start == 0 and pieces[-1].end == size
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert all((p.end or 0) - p.start == 4 * MIB for p in pieces[:-1])
    assert len(pieces) <= 4 * PIECES_PER_SEGMENT


def test_a_small_file_gets_pieces_of_at_least_the_minimum() -> None:
    pieces = plan_pieces(5 * MIB, 4)
    assert [(p.start, p.end) for p in pieces] == [
        (0, MIN_PIECE),
        (MIN_PIECE, 2 * MIN_PIECE),
        (2 * MIN_PIECE, 5 * MIB),
    ]


def test_the_prefix_ends_at_the_first_incomplete_piece() -> None:
    pieces = [Piece(0, 10, 10), Piece(10, 20, 4), Piece(20, 30, 10)]
    assert contiguous_end(pieces) == 14
    pieces[1].flushed = 10
    assert contiguous_end(pieces) == 30
    assert contiguous_end([]) == 0
