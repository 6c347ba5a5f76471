"""Duration and picture size of an AVI, FLV or MPEG video, read from its headers alone.

AVI: the `avih` main header in `hdrl` (microseconds per frame times total frames; an OpenDML
file's `dmlh` counts the frames of all its RIFF parts) and its width and height. FLV: the numbers
`duration`, `width` and `height` of the first script tag's `onMetaData`. MPEG program and
transport streams: the picture size from the first MPEG-1/2 sequence header in the first 64 KiB;
a transport stream's duration from the first video stream's timestamps (PTS) in its first and
last 64 KiB, plus one frame. A program stream's duration is not read (MPEG-1 and MPEG-2 PES
headers differ, and ffprobe itself guesses it from the bitrate).
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

__all__ = ["probe_avi", "probe_flv", "probe_mpeg", "probe_mpeg_ts"]

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
# Frames a second by the sequence header's frame_rate_code, 1 to 8.
_FRAME_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0)
_TS_PACKET = 188
_PTS_HZ = 90_000


def _sequence_header(data: bytes) -> tuple[int, int, float] | None:
    """(width, height, frames a second or 0) of the first MPEG-1/2 sequence header in `data`."""
    at = data.find(_SEQUENCE_HEADER)
    if at < 0 or at + 8 > len(data):
        return None
    sides = int.from_bytes(data[at + 4 : at + 7], "big")  # 12 bits of width, 12 of height
    code = data[at + 7] & 0x0F
    return sides >> 12, sides & 0xFFF, _FRAME_RATES[code - 1] if 1 <= code <= 8 else 0.0


def _first_packet(data: bytes) -> int:
    """Where whole transport packets start in `data` (after any junk): the first sync byte with
    two more 188 bytes apart (or as many as the data holds); -1 for none."""
    at = data.find(b"G")
    for _ in range(MAX_STEPS):
        if at < 0 or at + _TS_PACKET > len(data):
            return -1
        syncs = data[at : at + 3 * _TS_PACKET : _TS_PACKET]
        if syncs == b"G" * len(syncs):
            return at
        at = data.find(b"G", at + 1)
    return -1


def _ts_video_timestamps(data: bytes) -> Iterator[tuple[int, int]]:
    """(PID, PTS) of each video PES that starts in a whole transport packet of `data`."""
    start = _first_packet(data)
    if start < 0:
        return
    for at in range(start, len(data) - _TS_PACKET + 1, _TS_PACKET):
        packet = data[at : at + _TS_PACKET]
        control = packet[3] >> 4 & 3  # adaptation field control: 2 an adaptation field, 1 a payload
        if packet[0] != 0x47 or not packet[1] & 0x40 or not control & 1:
            continue  # out of step, or no PES starts here
        payload = 4 + (1 + packet[4] if control & 2 else 0)
        pts = _video_pts(packet[payload : payload + 14])
        if pts is not None:
            yield (packet[1] & 0x1F) << 8 | packet[2], pts


def _video_pts(pes: bytes) -> int | None:
    """The PTS of the video PES header that `pes` starts with (MPEG-2 form), if it has one."""
    if len(pes) < 14 or pes[:3] != b"\x00\x00\x01" or not 0xE0 <= pes[3] <= 0xEF:
        return None
    if pes[6] & 0xC0 != 0x80 or not pes[7] & 0x80:
        return None
    b = pes[9:14]  # 33 bits among markers: 3, 15 and 15
    return (b[0] >> 1 & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


def _ts_duration(head: bytes, tail: bytes, frame_rate: float) -> float | None:
    """From the first video stream's earliest PTS in `head` to its latest in `tail`, plus the
    last frame's own time."""
    first = list(_ts_video_timestamps(head))
    if not first:
        return None
    pid = first[0][0]
    earliest = min(pts for found, pts in first if found == pid)
    latest = max((pts for found, pts in _ts_video_timestamps(tail) if found == pid), default=None)
    if latest is None:
        return None
    if latest < earliest:
        latest += 1 << 33  # the 33-bit clock wrapped
    seconds = (latest - earliest) / _PTS_HZ + (1 / frame_rate if frame_rate else 0.0)
    return seconds if 0 < seconds < 24 * 3600 else None


def probe_mpeg(handle: BinaryIO, file_size: int) -> Probe:
    """The picture size of an MPEG program stream (its duration is not read)."""
    head = read_up_to(handle, 0, min(file_size, MAX_SCAN), MAX_SCAN)
    found = _sequence_header(head)
    return size_or_none(found[0], found[1]) if found else NOTHING


def probe_mpeg_ts(handle: BinaryIO, file_size: int) -> Probe:
    """An MPEG-2 video transport stream's picture size, and its duration from the timestamps of
    its first and last 64 KiB."""
    head = read_up_to(handle, 0, min(file_size, MAX_SCAN), MAX_SCAN)
    found = _sequence_header(head)
    if found is None:
        return NOTHING
    tail_at = max(0, file_size - MAX_SCAN)
    tail = read_up_to(handle, tail_at, file_size - tail_at, MAX_SCAN)
    width, height, frame_rate = found
    sides = size_or_none(width, height)
    return Probe(sides.width, sides.height, _ts_duration(head, tail, frame_rate))
