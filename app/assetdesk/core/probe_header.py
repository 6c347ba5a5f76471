"""What the header probers share: the figures they find (`Probe`), bounded reads and their limits.

Every prober reads a file through `read_at` (a small piece at a known place) or `read_up_to` (the
same, but a file may end inside it) and counts its steps against `MAX_STEPS`, so that a damaged or
hostile file costs a few KiB and a few hundred seeks at most; `Damaged` says a header cannot be
what it claims and `core.probe.probe` turns it into nothing known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

#: The most boxes, chunks, elements, pages or tags walked at one level, and JPEG segments before
#: the frame header: a damaged or hostile file cannot make the prober loop for long.
MAX_STEPS = 512
#: The largest header box or chunk read whole (an `mvhd`, `tkhd`, `hdlr`, `fmt `, FLV metadata).
MAX_READ = 4096
#: The most read in one piece to search for something (an Ogg file's last pages, an MPEG sequence
#: header): 64 KiB holds at least one whole Ogg page (65,307 bytes at most).
MAX_SCAN = 64 * 1024


@dataclass(frozen=True, slots=True)
class Probe:
    """What the headers say; None where a figure is not known."""

    width: int | None
    height: int | None
    duration_seconds: float | None


NOTHING = Probe(None, None, None)


class Damaged(Exception):
    """A header that cannot be what it claims."""


def read_at(handle: BinaryIO, at: int, size: int, limit: int = MAX_READ) -> bytes:
    """Exactly `size` bytes at `at` (at most `limit`), or Damaged."""
    data = read_up_to(handle, at, size, limit)
    if len(data) != size:
        raise Damaged("the file ends inside a header")
    return data


def read_up_to(handle: BinaryIO, at: int, size: int, limit: int = MAX_READ) -> bytes:
    """Up to `size` bytes at `at` (at most `limit`); fewer where the file ends."""
    if at < 0 or size < 0 or size > limit:
        raise Damaged(f"a header of {size} bytes at {at}")
    handle.seek(at)
    return handle.read(size)


def size_or_none(width: int, height: int) -> Probe:
    return Probe(width, height, None) if width > 0 and height > 0 else NOTHING


def after_id3v2(handle: BinaryIO) -> int:
    """Where the data starts after the ID3v2 tags in front (MP3, sometimes FLAC); 0 for none."""
    at = 0
    for _ in range(MAX_STEPS):
        head = read_up_to(handle, at, 10)
        if len(head) < 10 or head[:3] != b"ID3" or any(byte & 0x80 for byte in head[6:10]):
            return at
        size = head[6] << 21 | head[7] << 14 | head[8] << 7 | head[9]  # 7 bits a byte ("syncsafe")
        at += 10 + size + (10 if head[5] & 0x10 else 0)  # the footer flag adds a 10-byte footer
    raise Damaged("ID3v2 tags without end")
