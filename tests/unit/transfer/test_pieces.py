"""How a segmented download cuts a file into pieces, and how far their prefix reaches."""

from __future__ import annotations

import itertools

from assetdesk.core.units import MIB
from assetdesk.transfer.pieces import (
    MIN_PIECE,
    PIECES_PER_SEGMENT,
    Piece,
    contiguous_end,
    cut_tail,
    plan_pieces,
    split_rest,
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


def _tiled(pieces: list[Piece], size: int) -> bool:
    return (
        pieces[0].start == 0
        and pieces[-1].end == size
        and all(a.end == b.start for a, b in itertools.pairwise(pieces))
    )


def test_a_running_piece_gives_its_tail_only_after_what_it_has_read() -> None:
    size = 100 * MIB
    lead = Piece(0, size, flushed=3 * MIB, reached=9 * MIB + 5)
    pieces = [lead]
    tail = cut_tail(pieces, lead, 7 * MIB + 1)  # rounded up to whole MiB
    assert tail is not None and (tail.start, tail.end) == (92 * MIB, size)
    assert pieces == [lead, tail] and lead.end == 92 * MIB and _tiled(pieces, size)
    assert cut_tail(pieces, lead, 42 * MIB) is None  # 83 MiB unread: less than twice 42
    assert cut_tail(pieces, lead, 10) is not None  # at least MIN_PIECE
    assert pieces[1].end is not None and pieces[1].end - pieces[1].start == MIN_PIECE


def test_the_rest_of_a_running_piece_is_cut_for_every_stream() -> None:
    size = 100 * MIB
    lead = Piece(0, 90 * MIB, flushed=MIB, reached=10 * MIB)
    tail = Piece(90 * MIB, size, flushed=2 * MIB)
    pieces = [lead, tail]
    added = split_rest(pieces, lead, 4)
    assert pieces == [lead, *added, tail] and _tiled(pieces, size)
    assert lead.end == 13 * MIB  # 80 MiB unread, for 4 x 8 pieces: 3 MiB each
    assert all(p.start >= 10 * MIB and p.flushed == 0 for p in added)
    assert all((p.end or 0) - p.start >= MIN_PIECE for p in pieces)
    assert len(added) == 26


def test_nothing_is_cut_from_a_piece_of_unknown_end_or_with_little_left() -> None:
    lead = Piece(0, None)
    assert cut_tail([lead], lead, MIB) is None and split_rest([lead], lead, 4) == []
    short = Piece(0, 3 * MIB, reached=2 * MIB)
    assert split_rest([short], short, 4) == [] and short.end == 3 * MIB
