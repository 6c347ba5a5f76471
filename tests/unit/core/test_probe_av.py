"""core/probe_av.py, through `probe`: an AVI's frame count from OpenDML's `dmlh`, and an FLV's
onMetaData with other values before the figures, cut short or misnamed."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assetdesk.core.media import AVI, FLV, MPEG_TS
from assetdesk.core.probe import Probe, probe

NOTHING = Probe(None, None, None)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_an_opendml_avi_counts_the_frames_of_all_its_parts(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """A LIST `odml` with a `dmlh` of 50 frames put at the end of clip.avi's `hdrl` (and the
    sizes around it grown): 50 frames of 0.1 s, where `avih` counts the first part's 5."""
    data = bytearray(made_media["clip.avi"].read_bytes())
    hdrl_size = struct.unpack("<I", data[16:20])[0]
    odml = b"LIST" + struct.pack("<I", 16) + b"odml" + b"dmlh" + struct.pack("<II", 4, 50)
    data[20 + hdrl_size : 20 + hdrl_size] = odml
    data[16:20] = struct.pack("<I", hdrl_size + len(odml))
    data[4:8] = struct.pack("<I", len(data) - 8)
    assert probe(write(tmp_path / "odml.avi", bytes(data)), AVI) == Probe(64, 48, 5.0)


def test_an_avi_without_a_frame_count_keeps_its_size(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["clip.avi"].read_bytes())
    data[48:52] = bytes(4)  # avih's dwTotalFrames
    assert probe(write(tmp_path / "no-frames.avi", bytes(data)), AVI) == Probe(64, 48, None)
    data[8:12] = b"WAVE"
    assert probe(write(tmp_path / "not.avi", bytes(data)), AVI) == NOTHING


def amf_string(text: bytes) -> bytes:
    return struct.pack(">H", len(text)) + text


def amf_number(value: float) -> bytes:
    return b"\x00" + struct.pack(">d", value)


def flv(script: bytes, claimed: int | None = None) -> bytes:
    """An FLV header and one script tag holding `script` (claiming `claimed` bytes if given)."""
    size = len(script) if claimed is None else claimed
    tag = bytes([18]) + size.to_bytes(3, "big") + bytes(7)  # type, size, time, stream id
    return b"FLV\x01\x05" + struct.pack(">I", 9) + bytes(4) + tag + script


#: onMetaData as an object whose first values are of every other AMF0 kind.
METADATA = (
    b"\x02"
    + amf_string(b"onMetaData")
    + b"\x03"
    + amf_string(b"stereo")
    + b"\x01\x01"
    + amf_string(b"encoder")
    + b"\x02"
    + amf_string(b"Lavf")
    + amf_string(b"keyframes")
    + b"\x03"
    + amf_string(b"times")
    + b"\x0a\x00\x00\x00\x02"
    + amf_number(0.0)
    + amf_number(0.4)
    + b"\x00\x00\x09"
    + amf_string(b"created")
    + b"\x0b"
    + bytes(10)
    + amf_string(b"nothing")
    + b"\x05"
    + amf_string(b"duration")
    + amf_number(12.5)
    + amf_string(b"width")
    + amf_number(1280.0)
    + amf_string(b"height")
    + amf_number(720.0)
    + b"\x00\x00\x09"
)


def test_flv_metadata_after_values_of_other_kinds(tmp_path: Path) -> None:
    assert probe(write(tmp_path / "meta.flv", flv(METADATA)), FLV) == Probe(1280, 720, 12.5)


def test_flv_metadata_cut_short_keeps_what_came_first(tmp_path: Path) -> None:
    cut = METADATA.index(b"height") - 2
    found = probe(write(tmp_path / "cut.flv", flv(METADATA[:cut], len(METADATA))), FLV)
    assert found == Probe(1280, None, 12.5)


def test_flv_script_data_not_named_onmetadata_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["clip.flv"].read_bytes().replace(b"onMetaData", b"onCuePoint")
    assert probe(write(tmp_path / "cue.flv", data), FLV) == NOTHING
    assert (
        probe(write(tmp_path / "bad.flv", flv(METADATA.replace(b"\x0b", b"\x0f"))), FLV) == NOTHING
    )


def test_an_mpeg_stream_without_a_sequence_header_gives_nothing(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["clip.ts"].read_bytes().replace(b"\x00\x00\x01\xb3", b"\x00\x00\x01\xb4")
    assert probe(write(tmp_path / "no-sequence.ts", data), MPEG_TS) == NOTHING
    assert probe(made_media["clip.ts"], MPEG_TS) == Probe(64, 48, pytest.approx(0.44))


def test_a_transport_stream_out_of_step_or_without_timestamps_has_no_duration(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = made_media["clip.ts"].read_bytes()
    no_pts = bytearray(data)
    for at in range(0, len(data), 188):  # every PES header's PTS flag off
        pes = no_pts.find(b"\x00\x00\x01\xe0", at, at + 188)
        if pes >= 0:
            no_pts[pes + 7] &= 0x7F
    assert probe(write(tmp_path / "no-pts.ts", bytes(no_pts)), MPEG_TS) == Probe(64, 48, None)
    no_sync = data.replace(b"G", b"g")  # no packet can be found (the sequence header can)
    assert probe(write(tmp_path / "no-sync.ts", no_sync), MPEG_TS) == Probe(64, 48, None)


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [(0, NOTHING), (5, NOTHING), (1 << 20, Probe(1280, 720, 12.5))],  # 1 MiB: its first 4 KiB read
)
def test_an_flv_script_tag_claiming_another_size(
    tmp_path: Path, claimed: int, expected: Probe
) -> None:
    assert probe(write(tmp_path / "any.flv", flv(METADATA, claimed)), FLV) == expected
