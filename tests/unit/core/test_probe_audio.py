"""core/probe_audio.py, through `probe`: an MP3's Xing/Info, VBRI or CBR duration and a FLAC's
STREAMINFO, in real files changed where a header says something ffmpeg does not write."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assetdesk.core.media import FLAC, MP3
from assetdesk.core.probe import Probe, probe

NOTHING = Probe(None, None, None)
#: sound.mp3 and sound-frames.mp3: MPEG-1 layer III, mono, 44.1 kHz, 32 kbit/s; 1152 samples
#: a frame.
FRAME_SECONDS = 1152 / 44100


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_vbri_header_gives_the_frame_count(made_media: dict[str, Path], tmp_path: Path) -> None:
    """Fraunhofer's VBRI header sits 32 bytes after the first frame's header (ffmpeg writes
    none: the test puts one where it goes, counting 100 frames)."""
    data = bytearray(made_media["sound-frames.mp3"].read_bytes())
    data[36:54] = b"VBRI" + struct.pack(">HHHII", 1, 576, 50, len(data), 100)
    found = probe(write(tmp_path / "vbri.mp3", bytes(data)), MP3)
    assert found == Probe(None, None, pytest.approx(100 * FRAME_SECONDS))


def test_an_info_header_without_a_frame_count_falls_back_to_the_estimate(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["sound.mp3"].read_bytes())
    info = data.index(b"Info")
    data[info + 4 : info + 8] = bytes(4)  # no flags: no frame count
    info_frame = data.index(b"\xff\xfb\x40")  # at 56 kbit/s: 182 bytes, then 32 kbit/s audio
    expected = (len(data) - info_frame - 182) * 8 / 32_000
    assert probe(write(tmp_path / "no-count.mp3", bytes(data)), MP3) == Probe(None, None, expected)


def test_an_id3v1_tag_at_the_end_is_not_audio(made_media: dict[str, Path], tmp_path: Path) -> None:
    data = made_media["sound-frames.mp3"].read_bytes()
    tagged = write(tmp_path / "tagged.mp3", data + b"TAG" + bytes(125))
    assert probe(tagged, MP3) == Probe(None, None, len(data) * 8 / 32_000)


def test_a_stray_frame_sync_is_not_taken_for_audio(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """A frame header that no second frame follows, in zeros or in text, and the first frame of
    a file cut inside it: nothing, not an estimate."""
    header = made_media["sound-frames.mp3"].read_bytes()[:4]
    assert probe(write(tmp_path / "zeros.mp3", bytes(500) + header + bytes(500)), MP3) == NOTHING
    assert probe(write(tmp_path / "text.mp3", b"not a sound " * 200), MP3) == NOTHING
    data = made_media["sound-frames.mp3"].read_bytes()
    assert probe(write(tmp_path / "cut.mp3", data[:80]), MP3) == NOTHING


def test_a_flac_behind_an_id3v2_tag(made_media: dict[str, Path], tmp_path: Path) -> None:
    tag = b"ID3\x03\x00\x00" + bytes([0, 0, 1, 0]) + bytes(128)  # 128 bytes, syncsafe
    data = made_media["sound.flac"].read_bytes()
    assert probe(write(tmp_path / "tagged.flac", tag + data), FLAC) == Probe(None, None, 0.3)


def test_a_flac_without_a_sample_count_or_streaminfo_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["sound.flac"].read_bytes())
    unknown = bytearray(data)
    unknown[21:26] = bytes([unknown[21] & 0xF0, 0, 0, 0, 0])  # 36 bits of samples: 0, unknown
    assert probe(write(tmp_path / "unknown.flac", bytes(unknown)), FLAC) == NOTHING
    moved = bytearray(data)
    moved[4] = 4  # the first block a VORBIS_COMMENT: STREAMINFO is not first
    assert probe(write(tmp_path / "moved.flac", bytes(moved)), FLAC) == NOTHING
    assert probe(write(tmp_path / "not.flac", b"fLaX" + bytes(data[4:])), FLAC) == NOTHING
