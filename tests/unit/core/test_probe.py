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
    ("clip.ts", MPEG_TS, Probe(64, 48, 0.44)),  # PTS 1.52 to 1.92, and one frame at 25/s
    # An MPEG program stream: the picture size only (ffprobe's 0.16 s is its size over its
    # bitrate, for 0.5 s of frames).
    ("clip.mpg", MPEG, Probe(64, 48, None)),
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
    st.sampled_from([PNG, JPEG, GIF, WEBP, MP4, MOV, WAV, WEBM, AVI, FLV, MPEG_TS, FLAC, MP3, OGG]),
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


NEW_TYPES = [row for row in FFPROBE if row[1] in (WEBM, MKV, WEBM_AUDIO, AVI, FLV, FLAC, MP3, OGG)]


@pytest.mark.parametrize(("name", "media", "expected"), NEW_TYPES, ids=[r[0] for r in NEW_TYPES])
def test_a_file_cut_inside_its_first_header_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path, name: str, media: MediaType, expected: Probe
) -> None:
    data = made_media[name].read_bytes()
    for cut in (0, 3, 12, 20):
        damaged = tmp_path / f"cut-{cut}-{name}"
        damaged.write_bytes(data[:cut])
        assert probe(damaged, media) == Probe(None, None, None), cut


# ---- EBML (WebM, Matroska) ---------------------------------------------------------------------

SEGMENT, SEEK_HEAD, INFO, TRACKS, CLUSTER = (
    bytes.fromhex(h) for h in ("18538067", "114d9b74", "1549a966", "1654ae6b", "1f43b675")
)
UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def ebml(element: bytes, payload: bytes) -> bytes:
    """An EBML element with an 8-byte size."""
    return element + (len(payload) | 1 << 56).to_bytes(8, "big") + payload


def webm_parts(data: bytes) -> tuple[bytes, dict[bytes, list[bytes]]]:
    """clip.webm's EBML header and its Segment's children, whole, by ID (ffmpeg writes the
    Segment's size in 8 bytes)."""
    header_end = 5 + (data[4] & 0x7F)
    at, parts = header_end + 12, {}
    while at < len(data):
        id_width = 9 - data[at].bit_length()
        element = data[at : at + id_width]
        width = 9 - data[at + id_width].bit_length()
        size = int.from_bytes(data[at + id_width : at + id_width + width], "big")
        whole = id_width + width + size - (1 << 7 * width)  # the length marker off
        parts.setdefault(element, []).append(data[at : at + whole])
        at += whole
    return data[:header_end], parts


def test_webm_parts_reads_the_fixture_whole(made_media: dict[str, Path]) -> None:
    header, parts = webm_parts(made_media["clip.webm"].read_bytes())
    assert {SEEK_HEAD, INFO, TRACKS, CLUSTER} <= set(parts)
    assert len(header) + 12 + sum(len(p) for ps in parts.values() for p in ps) == 2039


def test_a_live_webm_with_unknown_sizes_and_a_cluster_before_its_tracks(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """A Segment and Clusters of unknown size (as a live recorder writes them): the Info and
    Tracks before them are read; a Track after an unknown-size Cluster is found through the
    SeekHead, and without a SeekHead only the duration is known."""
    header, parts = webm_parts(made_media["clip.webm"].read_bytes())
    info, tracks = parts[INFO][0], parts[TRACKS][0]
    cluster = CLUSTER + UNKNOWN_SIZE + parts[CLUSTER][0][12:]
    live = tmp_path / "live.webm"
    live.write_bytes(header + SEGMENT + UNKNOWN_SIZE + info + tracks + cluster)
    assert probe(live, WEBM) == Probe(64, 48, pytest.approx(0.5))

    lost = tmp_path / "tracks-after-the-cluster.webm"
    lost.write_bytes(header + SEGMENT + UNKNOWN_SIZE + info + cluster + tracks)
    assert probe(lost, WEBM) == Probe(None, None, pytest.approx(0.5))

    def seek_head(tracks_at: int) -> bytes:  # one Seek: Tracks' ID and its 8-byte place
        place = ebml(b"\x53\xac", tracks_at.to_bytes(8, "big"))
        return ebml(SEEK_HEAD, ebml(b"\x4d\xbb", ebml(b"\x53\xab", TRACKS) + place))

    tracks_at = len(seek_head(0)) + len(info) + len(cluster)  # from the Segment's payload
    sought = tmp_path / "sought.webm"
    sought.write_bytes(
        header + SEGMENT + UNKNOWN_SIZE + seek_head(tracks_at) + info + cluster + tracks
    )
    assert probe(sought, WEBM) == Probe(64, 48, pytest.approx(0.5))
    stale = tmp_path / "stale.webm"  # the SeekHead points past the file: the duration stays
    stale.write_bytes(header + SEGMENT + UNKNOWN_SIZE + seek_head(1 << 40) + info + cluster)
    assert probe(stale, WEBM) == Probe(None, None, pytest.approx(0.5))


def test_a_webm_whose_segment_claims_more_than_the_file_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    header, parts = webm_parts(made_media["clip.webm"].read_bytes())
    body = parts[INFO][0] + parts[TRACKS][0]
    liar = tmp_path / "liar.webm"
    liar.write_bytes(header + SEGMENT + (len(body) + 1 | 1 << 56).to_bytes(8, "big") + body)
    assert probe(liar, WEBM) == Probe(None, None, None)
    liar.write_bytes(header + SEGMENT + (len(body) | 1 << 56).to_bytes(8, "big") + body)
    assert probe(liar, WEBM) == Probe(64, 48, pytest.approx(0.5))  # the same, told right


# ---- huge files: read in a few KiB -------------------------------------------------------------

HOLE = 4 * 1024**3  # 4 GiB of nothing, sparse on disk


def write_sparse(path: Path, *pieces: bytes | int) -> Path:
    """`path` made of these pieces: bytes as they are, an int as that many unwritten bytes."""
    with path.open("wb") as handle:
        for piece in pieces:
            if isinstance(piece, int):
                handle.seek(piece, 1)
            else:
                handle.write(piece)
        handle.truncate()
    return path


def probe_counting_reads(path: Path, media: MediaType) -> tuple[Probe, int]:
    before = read_bytes_of_this_process()
    found = probe(path, media)
    return found, read_bytes_of_this_process() - before


@pytest.mark.parametrize(
    ("name", "media", "expected"),
    [
        ("clip.avi", AVI, Probe(64, 48, 0.5)),
        ("clip.flv", FLV, Probe(64, 48, 0.5)),
        ("sound.flac", FLAC, Probe(None, None, 0.3)),
        ("sound.mp3", MP3, Probe(None, None, 0.339592)),  # the Info header's count, not the size
        ("clip.mpg", MPEG, Probe(64, 48, None)),
    ],
)
def test_a_header_in_front_of_4_gib_is_read_alone(
    made_media: dict[str, Path], tmp_path: Path, name: str, media: MediaType, expected: Probe
) -> None:
    huge = write_sparse(tmp_path / name, made_media[name].read_bytes(), HOLE)
    found, read = probe_counting_reads(huge, media)
    assert (found.width, found.height) == (expected.width, expected.height)
    assert found.duration_seconds == (
        None if expected.duration_seconds is None else pytest.approx(expected.duration_seconds)
    )
    assert read < (96 if media is MPEG else 32) * 1024  # MPEG: its first 64 KiB, searched


def test_a_cbr_mp3_of_4_gib_is_estimated_from_its_size(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["sound-frames.mp3"].read_bytes()
    huge = write_sparse(tmp_path / "huge.mp3", data, HOLE)
    found, read = probe_counting_reads(huge, MP3)
    assert found == Probe(None, None, pytest.approx((len(data) + HOLE) * 8 / 32_000))
    assert read < 32 * 1024


def test_a_4_gib_cluster_before_the_tracks_is_skipped_unread(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    header, parts = webm_parts(made_media["clip.webm"].read_bytes())
    huge = write_sparse(
        tmp_path / "huge.webm",
        header + SEGMENT + UNKNOWN_SIZE + parts[INFO][0],
        CLUSTER + (HOLE | 1 << 56).to_bytes(8, "big"),
        HOLE,
        parts[TRACKS][0] + parts[CLUSTER][0],
    )
    found, read = probe_counting_reads(huge, WEBM)
    assert found == Probe(64, 48, pytest.approx(0.5))
    assert read < 32 * 1024


def test_a_transport_stream_of_4_gib_is_timed_by_its_first_and_last_64_kib(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """clip.ts split after its 14th packet (its first PTS, 1.52 s, before; its last, 1.92 s,
    after) by a hole that is not a multiple of 188 bytes: the packets are found again."""
    data = made_media["clip.ts"].read_bytes()
    split = 14 * 188
    huge = write_sparse(tmp_path / "huge.ts", data[:split], HOLE + 100, data[split:])
    found, read = probe_counting_reads(huge, MPEG_TS)
    assert found == Probe(64, 48, pytest.approx(0.44))
    assert read < 160 * 1024


def test_an_ogg_of_4_gib_is_read_at_its_start_and_its_last_64_kib(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["sound.ogg"].read_bytes()
    last_page = data.rindex(b"OggS")
    huge = write_sparse(tmp_path / "huge.ogg", data[:last_page], HOLE, data[last_page:])
    found, read = probe_counting_reads(huge, OGG)
    assert found == Probe(None, None, pytest.approx(0.3))
    assert read < 96 * 1024
