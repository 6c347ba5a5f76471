"""Duration and picture size of an AVI, FLV or MPEG video, read from its headers alone.

AVI: the `avih` main header in `hdrl` (microseconds per frame times total frames; an OpenDML
file's `dmlh` counts the frames of all its RIFF parts) and its width and height. FLV: the numbers
`duration`, `width` and `height` of the first script tag's `onMetaData`. MPEG program and
transport streams: only the picture size, from the first MPEG-1/2 sequence header in the first
64 KiB (their duration needs the timestamps of the whole stream, which is not read).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from typing import BinaryIO

from assetdesk.core.probe_header import (
    MAX_READ,
    MAX_SCAN,
    MAX_STEPS,
    NOTHING,
    Damaged,
    Probe,
    read_at,
    read_up_to,
    size_or_none,
)

__all__ = ["probe_avi", "probe_flv", "probe_mpeg"]

# ---- AVI ---------------------------------------------------------------------------------------


def _chunks(handle: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """RIFF chunks between `start` and `end`: (id, or a LIST's type, payload start, end)."""
    at = start
    for _ in range(MAX_STEPS):
        if at + 8 > end:
            return
        kind, size = struct.unpack("<4sI", read_at(handle, at, 8))
        stop = min(at + 8 + size, end)  # a RIFF part cut short still has its headers
        if kind == b"LIST":
            yield read_at(handle, at + 8, 4), at + 12, stop
        else:
            yield kind, at + 8, stop
        at += 8 + size + (size & 1)  # chunks are padded to an even length


def probe_avi(handle: BinaryIO, file_size: int) -> Probe:
    head = read_at(handle, 0, 12)
    if head[:4] != b"RIFF" or head[8:12] != b"AVI ":
        return NOTHING
    hdrl = next(
        ((at, stop) for kind, at, stop in _chunks(handle, 12, file_size) if kind == b"hdrl"), None
    )
    if hdrl is None:
        return NOTHING
    main: bytes | None = None
    frames = 0
    for kind, at, stop in _chunks(handle, *hdrl):
        if kind == b"avih" and stop - at >= 40:
            main = read_at(handle, at, 40)
        elif kind == b"odml":
            for inner, inner_at, inner_stop in _chunks(handle, at, stop):
                if inner == b"dmlh" and inner_stop - inner_at >= 4:
                    frames = struct.unpack("<I", read_at(handle, inner_at, 4))[0]
    if main is None:
        return NOTHING
    per_frame, _, _, _, total = struct.unpack("<5I", main[:20])
    width, height = struct.unpack("<II", main[32:40])
    frames = max(frames, total)
    duration = per_frame * frames / 1e6 if per_frame and frames else None
    return Probe(width or None, height or None, duration)


# ---- FLV ---------------------------------------------------------------------------------------

_SCRIPT_TAG = 18
_WANTED = {b"duration", b"width", b"height"}
_MAX_DEPTH = 8


class _Amf0:
    """A reader of AMF0 values that keeps the top-level numbers it is asked for."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0
        self.steps = 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise Damaged("the script tag ends inside a value")
        piece = self.data[self.at : self.at + size]
        self.at += size
        return piece

    def name(self) -> bytes:
        return self.take(struct.unpack(">H", self.take(2))[0])

    def value(self, depth: int) -> float | bytes | None:
        """The next value: a number, a string, or None for anything else (skipped)."""
        self.steps += 1
        if depth > _MAX_DEPTH or self.steps > MAX_STEPS:
            raise Damaged("script data nested too deep or too long")
        marker = self.take(1)[0]
        if marker == 0:  # number
            return float(struct.unpack(">d", self.take(8))[0])
        if marker == 1:  # boolean
            self.take(1)
        elif marker == 2:  # string
            return self.name()
        elif marker in (3, 8):  # object, ECMA array (a count first)
            if marker == 8:
                self.take(4)
            self.properties(depth + 1, {})
        elif marker == 10:  # strict array
            for _ in range(struct.unpack(">I", self.take(4))[0]):
                self.value(depth + 1)
        elif marker == 11:  # date
            self.take(10)
        elif marker == 12:  # long string
            self.take(struct.unpack(">I", self.take(4))[0])
        elif marker not in (5, 6):  # null, undefined
            raise Damaged(f"an AMF0 value of type {marker}")
        return None

    def properties(self, depth: int, numbers: dict[bytes, float]) -> None:
        """Name-value pairs up to the end marker, keeping the wanted numbers in `numbers`."""
        while True:
            key = self.name()
            if not key and self.data[self.at : self.at + 1] == b"\x09":
                self.take(1)
                return
            found = self.value(depth)
            if key in _WANTED and isinstance(found, float):
                numbers[key] = found


def probe_flv(handle: BinaryIO, file_size: int) -> Probe:
    head = read_at(handle, 0, 9)
    if head[:3] != b"FLV":
        return NOTHING
    at = struct.unpack(">I", head[5:9])[0] + 4  # past the header and PreviousTagSize0
    for _ in range(MAX_STEPS):
        if at + 11 > file_size:
            return NOTHING
        tag = read_at(handle, at, 11)
        size = int.from_bytes(tag[1:4], "big")
        if tag[0] & 0x1F == _SCRIPT_TAG:
            return _metadata(read_up_to(handle, at + 11, min(size, MAX_READ)))
        at += 11 + size + 4
    return NOTHING


def _metadata(data: bytes) -> Probe:
    reader = _Amf0(data)
    name, marker = reader.value(0), reader.take(1)[0]
    if name != b"onMetaData" or marker not in (3, 8):  # an object or an ECMA array
        return NOTHING
    if marker == 8:
        reader.take(4)  # the array's count, which the end marker makes redundant
    numbers: dict[bytes, float] = {}
    with contextlib.suppress(Damaged):  # a long tag read in part: keep what came before the cut
        reader.properties(1, numbers)
    width, height = numbers.get(b"width", 0.0), numbers.get(b"height", 0.0)
    duration = numbers.get(b"duration", 0.0)
    return Probe(
        int(width) if 0 < width < 1 << 16 else None,
        int(height) if 0 < height < 1 << 16 else None,
        duration if 0 < duration < float("inf") else None,
    )


# ---- MPEG program and transport streams -------------------------------------------------------

_SEQUENCE_HEADER = b"\x00\x00\x01\xb3"


def probe_mpeg(handle: BinaryIO, file_size: int) -> Probe:
    data = read_up_to(handle, 0, min(file_size, MAX_SCAN), MAX_SCAN)
    at = data.find(_SEQUENCE_HEADER)
    if at < 0 or at + 7 > len(data):
        return NOTHING
    sides = int.from_bytes(data[at + 4 : at + 7], "big")  # 12 bits of width, 12 of height
    return size_or_none(sides >> 12, sides & 0xFFF)
