"""Duration (and a Theora picture size) of an Ogg file: Vorbis, Opus or Theora streams.

The first pages of an Ogg file are its streams' beginning pages, each holding an identification
header: Vorbis's sample rate, Opus's pre-skip (its granules are always 48 kHz), Theora's picture
size, frame rate and granule shift. The duration is the last granule position of each stream,
found in the file's last 64 KiB (never more), over that stream's rate; the longest stream's wins.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from assetdesk.core.probe_header import (
    MAX_SCAN,
    MAX_STEPS,
    NOTHING,
    Damaged,
    Probe,
    read_at,
    read_up_to,
)

__all__ = ["probe_ogg"]

_PAGE = struct.Struct(
    "<4sBBqII4sB"
)  # capture, version, flags, granule, serial, sequence, CRC, segments
_BEGINNING = 0x02
_OPUS_RATE = 48000


@dataclass(frozen=True, slots=True)
class _Stream:
    """How a stream's granule positions become seconds, and its picture size if it has one."""

    rate: float  # granules (or, for Theora, frames) a second
    pre_skip: int = 0
    theora_shift: int = -1  # -1 for audio
    theora_from_one: bool = True  # Theora 3.2.1 and later count frames from 1
    width: int = 0
    height: int = 0

    def seconds(self, granule: int) -> float:
        if self.theora_shift >= 0:
            frames = (granule >> self.theora_shift) + (granule & ((1 << self.theora_shift) - 1))
            return (frames + (0 if self.theora_from_one else 1)) / self.rate
        return (granule - self.pre_skip) / self.rate


def _identify(packet: bytes) -> _Stream | None:
    """A stream from its identification header; None for a codec not read here."""
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        rate = struct.unpack("<I", packet[12:16])[0]
        return _Stream(rate) if rate else None
    if packet[:8] == b"OpusHead" and len(packet) >= 12:
        return _Stream(_OPUS_RATE, pre_skip=struct.unpack("<H", packet[10:12])[0])
    if packet[:7] == b"\x80theora" and len(packet) >= 42:
        version = tuple(packet[7:10])
        width, height = int.from_bytes(packet[14:17], "big"), int.from_bytes(packet[17:20], "big")
        numerator, denominator = struct.unpack(">II", packet[22:30])
        shift = struct.unpack(">H", packet[40:42])[0] >> 5 & 0x1F
        if not numerator or not denominator:
            return None
        return _Stream(numerator / denominator, 0, shift, version >= (3, 2, 1), width, height)
    return None


def _streams(handle: BinaryIO, file_size: int) -> dict[int, _Stream]:
    """The streams that the beginning pages at the file's start announce, by serial number."""
    streams: dict[int, _Stream] = {}
    at = 0
    for _ in range(MAX_STEPS):
        if at + _PAGE.size > file_size:
            break
        capture, version, flags, _, serial, _, _, count = _PAGE.unpack(
            read_at(handle, at, _PAGE.size)
        )
        if capture != b"OggS" or version != 0:
            raise Damaged("not an Ogg page")
        if not flags & _BEGINNING:
            break
        lacing = read_at(handle, at + _PAGE.size, count)
        body = at + _PAGE.size + count
        stream = _identify(read_up_to(handle, body, 64))
        if stream is not None:
            streams[serial] = stream
        at = body + sum(lacing)
    return streams


def _last_granules(tail: bytes, serials: set[int]) -> dict[int, int]:
    """Each stream's last granule position in `tail`, the file's end, from its last page."""
    found: dict[int, int] = {}
    at = tail.rfind(b"OggS")
    for _ in range(MAX_STEPS):
        if at < 0 or len(found) == len(serials):
            break
        if at + _PAGE.size <= len(tail):
            _, version, _, granule, serial, _, _, count = _PAGE.unpack_from(tail, at)
            lacing = tail[at + _PAGE.size : at + _PAGE.size + count]
            end = at + _PAGE.size + count + sum(lacing)
            whole = len(lacing) == count and (end == len(tail) or tail[end : end + 4] == b"OggS")
            if version == 0 and whole and serial in serials and granule >= 0:
                found.setdefault(serial, granule)
        at = tail.rfind(b"OggS", 0, at)
    return found


def probe_ogg(handle: BinaryIO, file_size: int) -> Probe:
    streams = _streams(handle, file_size)
    if not streams:
        return NOTHING
    tail_at = max(0, file_size - MAX_SCAN)
    tail = read_up_to(handle, tail_at, file_size - tail_at, MAX_SCAN)
    granules = _last_granules(tail, set(streams))
    durations = [streams[serial].seconds(granule) for serial, granule in granules.items()]
    duration = max(durations, default=0.0)
    video = next((s for s in streams.values() if s.width and s.height), None)
    return Probe(
        video.width if video else None,
        video.height if video else None,
        duration if duration > 0 else None,
    )
