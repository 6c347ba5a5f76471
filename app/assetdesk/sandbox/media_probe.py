"""Width, height (and duration) read from the bytes of PNG, JPEG, WEBP and MP4 files.

Reads only headers and box tables (seeking through the file), never the whole file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


class ProbeError(ValueError):
    """The bytes are not a file of the declared type."""


@dataclass(frozen=True)
class MediaInfo:
    width: int
    height: int
    duration: float | None = None  # seconds, video only


def probe(path: Path, content_type: str) -> MediaInfo:
    readers = {"image/png": _png, "image/jpeg": _jpeg, "image/webp": _webp, "video/mp4": _mp4}
    reader = readers.get(content_type)
    if reader is None:
        raise ProbeError(f"Unsupported content type {content_type}")
    with path.open("rb") as stream:
        try:
            info = reader(stream)
        except (struct.error, IndexError):
            info = None
    if info is None or info.width <= 0 or info.height <= 0:
        raise ProbeError(f"File content is not a valid {content_type.split('/')[1].upper()} file")
    return info


def _png(stream: BinaryIO) -> MediaInfo | None:
    head = stream.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return MediaInfo(width, height)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(stream: BinaryIO) -> MediaInfo | None:
    if stream.read(2) != b"\xff\xd8":
        return None
    while True:
        byte = stream.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            continue
        marker = stream.read(1)
        while marker == b"\xff":  # fill bytes
            marker = stream.read(1)
        if not marker:
            return None
        code = marker[0]
        if code == 0xD8 or code == 0x01 or 0xD0 <= code <= 0xD7:
            continue
        if code == 0xD9:
            return None
        (length,) = struct.unpack(">H", stream.read(2))
        if code in _SOF:
            _precision, height, width = struct.unpack(">BHH", stream.read(5))
            return MediaInfo(width, height)
        stream.seek(length - 2, 1)


def _webp(stream: BinaryIO) -> MediaInfo | None:
    head = stream.read(30)
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    kind, data = head[12:16], head[20:30]
    if kind == b"VP8 ":
        if data[3:6] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[6:10])
        return MediaInfo(width & 0x3FFF, height & 0x3FFF)
    if kind == b"VP8L":
        if data[0] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[1:5])
        return MediaInfo((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if kind == b"VP8X":
        width = int.from_bytes(data[4:7], "little") + 1
        height = int.from_bytes(data[7:10], "little") + 1
        return MediaInfo(width, height)
    return None


def _boxes(stream: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of the boxes in [start, end)."""
    found = []
    offset = start
    while offset + 8 <= end:
        stream.seek(offset)
        size, kind = struct.unpack(">I4s", stream.read(8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", stream.read(8))
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise ProbeError("MP4 box table is damaged")
        found.append((kind, offset + header, offset + size))
        offset += size
    return found


def _mp4(stream: BinaryIO) -> MediaInfo | None:
    end = stream.seek(0, 2)
    top = _boxes(stream, 0, end)
    if not top or top[0][0] != b"ftyp":
        return None
    moov = next((b for b in top if b[0] == b"moov"), None)
    if moov is None:
        return None
    duration: float | None = None
    width = height = 0
    for kind, start, stop in _boxes(stream, moov[1], moov[2]):
        if kind == b"mvhd":
            stream.seek(start)
            version = stream.read(4)[0]
            if version == 1:
                _c, _m, scale, length = struct.unpack(">QQIQ", stream.read(28))
            else:
                _c2, _m2, scale, length = struct.unpack(">IIII", stream.read(16))
            duration = length / scale if scale else None
        elif kind == b"trak" and not width:
            tkhd = next((b for b in _boxes(stream, start, stop) if b[0] == b"tkhd"), None)
            if tkhd is None:
                continue
            stream.seek(tkhd[1])
            version = stream.read(4)[0]
            stream.seek(32 if version == 1 else 20, 1)  # times, track id, duration
            stream.seek(8 + 2 + 2 + 2 + 2 + 36, 1)  # reserved, layer, group, volume, matrix
            w_fixed, h_fixed = struct.unpack(">II", stream.read(8))
            width, height = w_fixed >> 16, h_fixed >> 16
    if duration is None:
        return None
    return MediaInfo(width, height, duration)
