"""Duration of an MP3 or FLAC file, read from its headers alone.

FLAC: STREAMINFO's total samples over its sample rate. MP3 (MPEG-1, 2 and 2.5 audio, layers I to
III): after any ID3v2 tags, the first frame header that the next frame's header confirms; then a
Xing/Info or VBRI header's frame count in that frame when there is one, else the CBR estimate
(the audio bytes over the first audio frame's bitrate, without an ID3v1 tag at the end).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from assetdesk.core.probe_header import (
    MAX_READ,
    MAX_STEPS,
    NOTHING,
    Probe,
    after_id3v2,
    read_at,
    read_up_to,
)

__all__ = ["probe_flac", "probe_mp3"]


def probe_flac(handle: BinaryIO, file_size: int) -> Probe:
    start = after_id3v2(handle)
    head = read_at(handle, start, 8)
    if head[:4] != b"fLaC" or head[4] & 0x7F != 0 or int.from_bytes(head[5:8], "big") < 34:
        return NOTHING  # STREAMINFO (type 0, 34 bytes) must come first
    bits = int.from_bytes(read_at(handle, start + 8 + 10, 8), "big")
    rate = bits >> 44  # 20 bits of sample rate, 3 of channels, 5 of sample size, 36 of samples
    samples = bits & ((1 << 36) - 1)
    return Probe(None, None, samples / rate) if rate and samples else NOTHING


# ---- MP3 ---------------------------------------------------------------------------------------

# Bitrates in kbit/s by (MPEG-1, layer) and the header's index 1..14 (0 is "free", 15 is bad).
_BITRATES = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by the header's version bits (3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5) and index 0..2.
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True, slots=True)
class _Frame:
    version: int
    layer: int
    rate: int
    bitrate: int
    length: int
    samples: int
    mono: bool


def _frame(header: bytes) -> _Frame | None:
    """The MPEG audio frame header in these 4 bytes, or None if they are not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = header[1] >> 3 & 3, 4 - (header[1] >> 1 & 3)
    bitrate_index, rate_index = header[2] >> 4, header[2] >> 2 & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    bitrate = _BITRATES[mpeg1, layer][bitrate_index - 1] * 1000
    rate = _RATES[version][rate_index]
    padding = header[2] >> 1 & 1
    if layer == 1:
        length, samples = (12 * bitrate // rate + padding) * 4, 384
    else:
        per_byte = 144 if layer == 2 or mpeg1 else 72
        length, samples = per_byte * bitrate // rate + padding, 1152 if per_byte == 144 else 576
    return _Frame(version, layer, rate, bitrate, length, samples, header[3] >> 6 == 3)


def _first_frame(handle: BinaryIO, start: int, file_size: int) -> tuple[int, _Frame] | None:
    """The first frame header within MAX_READ of `start` whose next frame follows where it says
    (or the file ends just there): a lone 0xFFE sync in a tag or in padding is not taken for one,
    nor a frame that the file cuts short."""
    window = read_up_to(handle, start, MAX_READ)
    at = window.find(b"\xff")
    for _ in range(MAX_STEPS):
        if at < 0:
            break
        frame = _frame(window[at : at + 4])
        following = start + at + (frame.length if frame else 0)
        if frame is not None and (following == file_size or _same_stream(frame, handle, following)):
            return start + at, frame
        at = window.find(b"\xff", at + 1)
    return None


def _same_stream(frame: _Frame, handle: BinaryIO, at: int) -> bool:
    """Whether a frame header of the same version, layer and sample rate as `frame` is at `at`."""
    after = _frame(read_up_to(handle, at, 4))
    return after is not None and (after.version, after.layer, after.rate) == (
        frame.version,
        frame.layer,
        frame.rate,
    )


def _frame_count(handle: BinaryIO, at: int, frame: _Frame) -> int | None:
    """The frames a Xing/Info or VBRI header in the frame at `at` counts: 0 if it does not say,
    None if there is no such header (the frame is audio)."""
    side_info = (17 if frame.mono else 32) if frame.version == 3 else (9 if frame.mono else 17)
    xing = read_up_to(handle, at + 4 + side_info, 12)
    if xing[:4] in (b"Xing", b"Info") and len(xing) == 12:
        flags, frames = struct.unpack(">II", xing[4:12])
        return int(frames) if flags & 1 else 0
    vbri = read_up_to(handle, at + 36, 18)
    if vbri[:4] == b"VBRI" and len(vbri) == 18:
        return int(struct.unpack(">I", vbri[14:18])[0])
    return None


def probe_mp3(handle: BinaryIO, file_size: int) -> Probe:
    start = after_id3v2(handle)
    first = _first_frame(handle, start, file_size)
    if first is None:
        return NOTHING
    at, frame = first
    frames = _frame_count(handle, at, frame)
    if frames:
        return Probe(None, None, frames * frame.samples / frame.rate)
    if frames == 0:  # a header frame without a count, often at another bitrate: not audio
        at += frame.length
        after = _frame(read_up_to(handle, at, 4))
        if after is None:
            return NOTHING
        frame = after
    end = file_size
    if file_size - 128 >= at and read_up_to(handle, file_size - 128, 3) == b"TAG":
        end -= 128  # an ID3v1 tag
    return Probe(None, None, (end - at) * 8 / frame.bitrate) if end > at else NOTHING
