"""Width, height and duration of a local file, read from its headers alone.

`probe(path, media_type)` reads a few small, bounded pieces of the file (never all of it): an
image's size from its header (PNG IHDR, JPEG SOF, GIF screen, WEBP VP8/VP8L/VP8X); an MP4, MOV or
3GP's duration from `mvhd` and its picture size from the video track's `tkhd`, seeking from box to
box (`moov` may come after the media data); a WAV's duration from its `fmt ` and `data` chunks.
The other containers have their own modules: probe_matroska (WebM, MKV), probe_av (AVI, FLV,
MPEG), probe_audio (MP3, FLAC), probe_ogg (Vorbis, Opus, Theora); probe_header holds the bounded
reads and limits they all share. Any other type, or a damaged header, gives None for what cannot
be read: never an exception.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from assetdesk.core.media import (
    AVI,
    FLAC,
    FLV,
    GIF,
    JPEG,
    MKV,
    MOV,
    MP3,
    MP4,
    MPEG,
    MPEG_TS,
    MPO,
    OGG,
    OGV,
    PNG,
    THREE_GP,
    WAV,
    WEBM,
    WEBM_AUDIO,
    WEBP,
    MediaType,
)
from assetdesk.core.probe_audio import probe_flac, probe_mp3
from assetdesk.core.probe_av import probe_avi, probe_flv, probe_mpeg, probe_mpeg_ts
from assetdesk.core.probe_header import MAX_STEPS, NOTHING, Damaged, Probe, read_at, size_or_none
from assetdesk.core.probe_matroska import probe_matroska
from assetdesk.core.probe_ogg import probe_ogg

__all__ = ["MAX_STEPS", "Probe", "probe"]

# ---- images ----------------------------------------------------------------------------------


def _png(handle: BinaryIO) -> Probe:
    data = read_at(handle, 0, 24)
    if data[12:16] != b"IHDR":
        return NOTHING
    return size_or_none(*struct.unpack(">II", data[16:24]))


# SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg(handle: BinaryIO) -> Probe:
    at = 2
    for _ in range(MAX_STEPS):
        marker = read_at(handle, at, 4)
        if marker[0] != 0xFF:
            return NOTHING
        if marker[1] == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker[1] in (0x01, *range(0xD0, 0xD8)):  # standalone markers have no length
            at += 2
            continue
        if marker[1] == 0xDA:  # start of scan: the frame header should have come before
            return NOTHING
        length = struct.unpack(">H", marker[2:4])[0]
        if marker[1] in _SOF:
            height, width = struct.unpack(">HH", read_at(handle, at + 5, 4))
            return size_or_none(width, height)
        at += 2 + length
    return NOTHING


def _gif(handle: BinaryIO) -> Probe:
    return size_or_none(*struct.unpack("<HH", read_at(handle, 6, 4)))


def _webp(handle: BinaryIO) -> Probe:
    data = read_at(handle, 0, 30)
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return size_or_none(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return size_or_none((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return size_or_none(width, height)
    return NOTHING


# ---- ISO base media (MP4, MOV, 3GP) ------------------------------------------------------------


def _boxes(handle: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """The boxes between `start` and `end`: (type, where its payload starts, where it ends)."""
    at = start
    for _ in range(MAX_STEPS):
        if at + 8 > end:
            return
        size, kind = struct.unpack(">I4s", read_at(handle, at, 8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", read_at(handle, at + 8, 8))[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise Damaged(f"a {kind!r} box of {size} bytes")
        yield kind, at + header, at + size
        at += size


def _child(handle: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload, stop in _boxes(handle, start, end):
        if found == kind:
            return payload, stop
    return None


def _duration(handle: BinaryIO, start: int, end: int) -> float | None:
    """The movie's duration from `mvhd`: its duration over its timescale."""
    mvhd = _child(handle, start, end, b"mvhd")
    if mvhd is None:
        return None
    data = read_at(handle, mvhd[0], min(mvhd[1] - mvhd[0], 32))
    if data[0] == 1:
        scale, duration = struct.unpack(">IQ", data[20:32])
        unknown = 0xFFFFFFFFFFFFFFFF
    else:
        scale, duration = struct.unpack(">II", data[12:20])
        unknown = 0xFFFFFFFF
    if scale == 0 or duration in (0, unknown):
        return None
    return int(duration) / int(scale)


def _track_size(handle: BinaryIO, start: int, end: int) -> tuple[int, int, bool] | None:
    """A track's (width, height, is video) from its `tkhd` (16.16 fixed point) and `hdlr`."""
    tkhd = _child(handle, start, end, b"tkhd")
    if tkhd is None or tkhd[1] - tkhd[0] < 84:
        return None
    width, height = struct.unpack(">II", read_at(handle, tkhd[1] - 8, 8))
    mdia = _child(handle, start, end, b"mdia")
    hdlr = _child(handle, *mdia, b"hdlr") if mdia else None
    video = hdlr is not None and read_at(handle, hdlr[0] + 8, 4) == b"vide"
    return width >> 16, height >> 16, video


def _iso_media(handle: BinaryIO, file_size: int) -> Probe:
    moov = _child(handle, 0, file_size, b"moov")
    if moov is None:
        return NOTHING
    duration = _duration(handle, *moov)
    width = height = 0
    for kind, payload, stop in _boxes(handle, *moov):
        if kind != b"trak":
            continue
        track = _track_size(handle, payload, stop)
        if track is not None and track[0] and track[1] and (track[2] or not width):
            width, height = track[0], track[1]
            if track[2]:
                break
    return Probe(width or None, height or None, duration)


# ---- WAV ---------------------------------------------------------------------------------------


def _wav(handle: BinaryIO, file_size: int) -> Probe:
    if read_at(handle, 8, 4) != b"WAVE":
        return NOTHING
    byte_rate = 0
    at = 12
    for _ in range(MAX_STEPS):
        if at + 8 > file_size:
            break
        kind, size = struct.unpack("<4sI", read_at(handle, at, 8))
        if kind == b"fmt ":
            byte_rate = struct.unpack("<I", read_at(handle, at + 16, 4))[0]
        elif kind == b"data":
            # A stream written on the fly may state 0 or 0xFFFFFFFF: the rest of the file is data.
            available = file_size - at - 8
            data_size = available if size in (0, 0xFFFFFFFF) else min(size, available)
            if byte_rate == 0 or data_size <= 0:
                return NOTHING
            return Probe(None, None, data_size / byte_rate)
        at += 8 + size + (size & 1)  # chunks are padded to an even length
    return NOTHING


#: The probers of the other containers: each takes the open file and its size.
_BY_TYPE: dict[MediaType, Callable[[BinaryIO, int], Probe]] = {
    WEBM: probe_matroska,
    WEBM_AUDIO: probe_matroska,
    MKV: probe_matroska,
    AVI: probe_avi,
    FLV: probe_flv,
    MPEG: probe_mpeg,
    MPEG_TS: probe_mpeg_ts,
    FLAC: probe_flac,
    MP3: probe_mp3,
    OGG: probe_ogg,
    OGV: probe_ogg,
}


def probe(path: Path, media_type: MediaType) -> Probe:
    """Width, height and duration of `path` as far as its headers tell (see the module doc)."""
    try:
        with path.open("rb") as handle:
            file_size = os.fstat(handle.fileno()).st_size
            if media_type is PNG:
                return _png(handle)
            if media_type in (JPEG, MPO):
                return _jpeg(handle)
            if media_type is GIF:
                return _gif(handle)
            if media_type is WEBP:
                return _webp(handle)
            if media_type in (MP4, MOV, THREE_GP):
                return _iso_media(handle, file_size)
            if media_type is WAV:
                return _wav(handle, file_size)
            if media_type in _BY_TYPE:
                return _BY_TYPE[media_type](handle, file_size)
    except (OSError, struct.error, IndexError, ValueError, OverflowError, Damaged):
        return NOTHING
    return NOTHING
