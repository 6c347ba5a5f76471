"""Duration and picture size of a WebM or Matroska file, read from its EBML headers alone.

Segment > Info gives the duration (`Duration`, a float, in `TimecodeScale` nanoseconds) and
Segment > Tracks the first video track's `PixelWidth` and `PixelHeight`. The Segment's children
are walked by their sizes, so Clusters before the Tracks are skipped without being read; at the
first Cluster, or at an element of unknown size (a live stream's), the walk stops and the
SeekHead's positions are followed for what is still missing.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from typing import BinaryIO

from assetdesk.core.probe_header import MAX_STEPS, NOTHING, Damaged, Probe, read_at, read_up_to

__all__ = ["probe_matroska"]

_EBML = 0x1A45DFA3
_SEGMENT = 0x18538067
_SEEK_HEAD, _SEEK, _SEEK_ID, _SEEK_POSITION = 0x114D9B74, 0x4DBB, 0x53AB, 0x53AC
_INFO, _TIMECODE_SCALE, _DURATION = 0x1549A966, 0x2AD7B1, 0x4489
_TRACKS, _TRACK_ENTRY, _TRACK_TYPE, _VIDEO = 0x1654AE6B, 0xAE, 0x83, 0xE0
_PIXEL_WIDTH, _PIXEL_HEIGHT = 0xB0, 0xBA
_CLUSTER = 0x1F43B675
_VIDEO_TRACK = 1

#: An element's place: (its ID, where its payload starts, where it ends or None for unknown).
_Element = tuple[int, int, int | None]


def _vint(data: bytes, at: int) -> tuple[int, int]:
    """The variable-length integer at `at`: (its value with the length marker, its length)."""
    if at >= len(data) or data[at] == 0:
        raise Damaged("no EBML number")
    length = 9 - data[at].bit_length()
    if at + length > len(data):
        raise Damaged("the file ends inside an EBML number")
    return int.from_bytes(data[at : at + length], "big"), length


def _header(handle: BinaryIO, at: int, end: int) -> _Element:
    data = read_up_to(handle, at, max(0, min(12, end - at)))
    element, id_length = _vint(data, 0)
    marked, size_length = _vint(data, id_length)
    if id_length > 4:
        raise Damaged("an EBML ID of more than 4 bytes")
    size = marked - (1 << (7 * size_length))  # the marker bit off
    payload = at + id_length + size_length
    if size == (1 << (7 * size_length)) - 1:  # all ones: the size is unknown
        return element, payload, None
    if payload + size > end:
        raise Damaged(f"an EBML element {element:#x} of {size} bytes past its parent")
    return element, payload, payload + size


def _children(handle: BinaryIO, start: int, end: int) -> Iterator[_Element]:
    """The elements between `start` and `end`; the walk ends after one of unknown size."""
    at = start
    for _ in range(MAX_STEPS):
        if at >= end:
            return
        element = _header(handle, at, end)
        yield element
        if element[2] is None:
            return
        at = element[2]


def _number(handle: BinaryIO, payload: int, stop: int | None) -> int:
    if stop is None or stop - payload > 8:
        raise Damaged("an EBML number longer than 8 bytes")
    return int.from_bytes(read_at(handle, payload, stop - payload), "big")


def _duration(handle: BinaryIO, payload: int, stop: int) -> float | None:
    scale, duration = 1_000_000, None  # TimecodeScale's default: milliseconds
    for element, at, end in _children(handle, payload, stop):
        if element == _TIMECODE_SCALE:
            scale = _number(handle, at, end)
        elif element == _DURATION and end is not None and end - at in (4, 8):
            duration = struct.unpack(
                ">f" if end - at == 4 else ">d", read_at(handle, at, end - at)
            )[0]
    if duration is None or not 0 < duration < float("inf") or scale <= 0:
        return None
    return float(duration) * scale / 1e9


def _picture(handle: BinaryIO, payload: int, stop: int) -> tuple[int, int] | None:
    """The first video track's (PixelWidth, PixelHeight)."""
    for element, entry, entry_end in _children(handle, payload, stop):
        if element != _TRACK_ENTRY or entry_end is None:
            continue
        kind, size = 0, (0, 0)
        for field, at, end in _children(handle, entry, entry_end):
            if field == _TRACK_TYPE:
                kind = _number(handle, at, end)
            elif field == _VIDEO and end is not None:
                sides = {key: _number(handle, a, e) for key, a, e in _children(handle, at, end)}
                size = (sides.get(_PIXEL_WIDTH, 0), sides.get(_PIXEL_HEIGHT, 0))
        if kind == _VIDEO_TRACK and size[0] > 0 and size[1] > 0:
            return size
    return None


def _seek_head(handle: BinaryIO, segment: int, payload: int, stop: int) -> dict[int, int]:
    """Where the SeekHead says its elements are: {element ID: file offset}."""
    places = {}
    for element, entry, entry_end in _children(handle, payload, stop):
        if element != _SEEK or entry_end is None:
            continue
        fields = {field: (at, end) for field, at, end in _children(handle, entry, entry_end)}
        if _SEEK_ID in fields and _SEEK_POSITION in fields:
            places[_number(handle, *fields[_SEEK_ID])] = segment + _number(
                handle, *fields[_SEEK_POSITION]
            )
    return places


def probe_matroska(handle: BinaryIO, file_size: int) -> Probe:
    """A WebM or Matroska file's duration and video size (see the module doc)."""
    element, _, stop = _header(handle, 0, file_size)
    if element != _EBML or stop is None:
        return NOTHING
    element, segment, segment_end = _header(handle, stop, file_size)
    if element != _SEGMENT:
        return NOTHING
    end = file_size if segment_end is None else segment_end
    found: dict[int, tuple[int, int]] = {}
    places: dict[int, int] = {}
    for element, payload, stop in _children(handle, segment, end):
        if element in (_INFO, _TRACKS) and stop is not None:
            found.setdefault(element, (payload, stop))
        elif element == _SEEK_HEAD and stop is not None:
            places.update(_seek_head(handle, segment, payload, stop))
        missing = [wanted for wanted in (_INFO, _TRACKS) if wanted not in found]
        if not missing or (element == _CLUSTER and all(wanted in places for wanted in missing)):
            break  # else Clusters are skipped by their sizes, never read
    for wanted in (_INFO, _TRACKS):
        if wanted not in found and wanted in places:
            with contextlib.suppress(Damaged):  # a stale place: this figure stays unknown
                element, payload, stop = _header(handle, places[wanted], end)
                if element == wanted and stop is not None:
                    found[wanted] = (payload, stop)
    duration = _duration(handle, *found[_INFO]) if _INFO in found else None
    picture = _picture(handle, *found[_TRACKS]) if _TRACKS in found else None
    width, height = picture or (None, None)
    return Probe(width, height, duration)
