"""core/probe.py: width, height and duration from the headers of real files, checked against
what ffprobe reports for them (written here as literals), and never an exception or a whole-file
read for a damaged or huge one."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    OCTET_STREAM,
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
from assetdesk.core.probe import MAX_STEPS, Probe, probe

# ffprobe -show_entries stream=width,height:format=duration over tests/fixtures/media (the
# movie's duration is the format's: ffprobe reads it from mvhd as the prober does).
FFPROBE = [
    ("picture.png", PNG, Probe(64, 48, None)),
    ("picture.jpg", JPEG, Probe(64, 48, None)),
    ("picture.gif", GIF, Probe(64, 48, None)),
    ("picture.webp", WEBP, Probe(64, 48, None)),  # VP8
    ("picture-lossless.webp", WEBP, Probe(64, 48, None)),  # VP8L
    ("picture-alpha.webp", WEBP, Probe(64, 48, None)),  # VP8X
    ("clip.mp4", MP4, Probe(64, 48, 0.5)),
    ("clip.mov", MOV, Probe(64, 48, 0.5)),
    ("clip.3gp", THREE_GP, Probe(64, 48, 0.5)),
    ("moov-at-end.mp4", MP4, Probe(320, 180, 1.084)),
    ("sound.wav", WAV, Probe(None, None, 0.3)),
    ("clip.webm", WEBM, Probe(64, 48, 0.5)),  # VP8
    ("clip.mkv", MKV, Probe(64, 48, 0.5)),  # H.264
    ("sound.weba", WEBM_AUDIO, Probe(None, None, 0.308)),  # Opus in WebM
    ("clip.avi", AVI, Probe(64, 48, 0.5)),
    ("clip.flv", FLV, Probe(64, 48, 0.5)),
    ("sound.flac", FLAC, Probe(None, None, 0.3)),
    ("sound.mp3", MP3, Probe(None, None, 0.339592)),  # 13 frames by its Info header
    ("sound-frames.mp3", MP3, Probe(None, None, 0.3395)),  # CBR: 1358 bytes at 32 kbit/s
    ("sound.ogg", OGG, Probe(None, None, 0.3)),  # Vorbis
    ("sound.opus", OGG, Probe(None, None, 0.3065)),
    ("clip.ogv", OGV, Probe(64, 48, 0.5)),  # Theora
    # MPEG streams: the picture size only; ffprobe's 0.16 s and 0.44 s come from timestamps
    # throughout the stream, which the prober does not read.
    ("clip.mpg", MPEG, Probe(64, 48, None)),
    ("clip.ts", MPEG_TS, Probe(64, 48, None)),
    # A type the prober does not read: nothing, rather than a guess.
    ("sound.m4a", OCTET_STREAM, Probe(None, None, None)),
]
#: Where the prober may differ from ffprobe, and by how much (else by 1e-6 s): ffprobe counts an
#: Opus stream's 312 pre-skip samples (6.5 ms), which a player drops; within one 20 ms frame.
TOLERANCE = {"sound.opus": 0.02}


@pytest.mark.parametrize(("name", "media", "expected"), FFPROBE, ids=[row[0] for row in FFPROBE])
def test_probe_agrees_with_ffprobe(
    made_media: dict[str, Path], name: str, media: MediaType, expected: Probe
) -> None:
    found = probe(made_media[name], media)
    assert (found.width, found.height) == (expected.width, expected.height)
    if expected.duration_seconds is None:
        assert found.duration_seconds is None
    else:
        tolerance = TOLERANCE.get(name, 1e-6)
        assert found.duration_seconds == pytest.approx(expected.duration_seconds, abs=tolerance)


def read_bytes_of_this_process() -> int:
    """What this process has read through read(2) so far (Linux's /proc/self/io rchar)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_moov_after_four_gib_of_media_is_reached_by_seeking(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """A 4 GiB `mdat` (64-bit size, sparse on disk) before the `moov`: the prober seeks over it
    and reads a few KiB in all."""
    clip = made_media["moov-at-end.mp4"].read_bytes()
    ftyp = clip[: struct.unpack(">I", clip[:4])[0]]
    moov_at = clip.index(b"moov") - 4
    media_size = 4 * 1024**3
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.write(ftyp + struct.pack(">I4sQ", 1, b"mdat", 16 + media_size))
        handle.seek(media_size, 1)
        handle.write(clip[moov_at:])
    before = read_bytes_of_this_process()
    found = probe(huge, MP4)
    read = read_bytes_of_this_process() - before
    assert found == Probe(320, 180, pytest.approx(1.084))
    assert read < 64 * 1024


def test_a_truncated_or_damaged_header_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    for name, media, _ in FFPROBE:
        data = made_media[name].read_bytes()
        for cut in (0, 3, 12, 20, 29, len(data) // 2):
            damaged = tmp_path / f"cut-{cut}-{name}"
            damaged.write_bytes(data[:cut])
            assert isinstance(probe(damaged, media), Probe)
    looping = tmp_path / "loop.mp4"  # a box that claims to be 8 bytes, forever
    looping.write_bytes(struct.pack(">I4s", 8, b"free") * (MAX_STEPS * 2))
    assert probe(looping, MP4) == Probe(None, None, None)
    liar = tmp_path / "liar.mp4"  # moov claims more than the file holds
    liar.write_bytes(struct.pack(">I4s", 1_000_000, b"moov") + bytes(100))
    assert probe(liar, MP4) == Probe(None, None, None)
    assert probe(tmp_path / "missing.png", PNG) == Probe(None, None, None)


def test_a_wav_written_on_the_fly_takes_the_rest_of_the_file_as_data(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["sound.wav"].read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(data))
    assert probe(streamed, WAV).duration_seconds == pytest.approx(0.3, abs=1e-3)


def test_a_progressive_jpeg_and_one_with_fill_bytes(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["picture.jpg"].read_bytes()
    padded = tmp_path / "padded.jpg"  # fill bytes (FF) before the next marker are allowed
    padded.write_bytes(data[:2] + b"\xff\xff\xff" + data[2:])
    assert probe(padded, JPEG) == Probe(64, 48, None)
    sof = data.index(b"\xff\xc0")
    progressive = tmp_path / "progressive.jpg"
    progressive.write_bytes(data[:sof] + b"\xff\xc2" + data[sof + 2 :])
    assert probe(progressive, JPEG) == Probe(64, 48, None)


@settings(max_examples=60)
@given(
    st.binary(max_size=600),
    st.sampled_from([PNG, JPEG, GIF, WEBP, MP4, MOV, WAV, WEBM, AVI, FLV, MPEG, FLAC, MP3, OGG]),
)
def test_probe_never_raises(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, media: MediaType
) -> None:
    path = tmp_path_factory.mktemp("probe") / "f"
    path.write_bytes(data)
    assert isinstance(probe(path, media), Probe)


@settings(max_examples=100)
@given(
    st.sampled_from([row for row in FFPROBE if row[2] != Probe(None, None, None)]),
    st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_probe_of_a_corrupted_real_file_never_raises(
    made_media: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    row: tuple[str, MediaType, Probe],
    changes: list[tuple[int, int]],
) -> None:
    data = bytearray(made_media[row[0]].read_bytes())
    for at, value in changes:
        if at < len(data):
            data[at] = value
    path = tmp_path_factory.mktemp("corrupt") / row[0]
    path.write_bytes(bytes(data))
    assert isinstance(probe(path, row[1]), Probe)
