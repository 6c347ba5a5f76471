"""core/probe_ogg.py, through `probe`: the last page of each stream, an old Theora's frame
count, and Ogg files damaged at their start or their end."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetdesk.core.media import OGG, OGV
from assetdesk.core.probe import Probe, probe

NOTHING = Probe(None, None, None)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_theora_before_3_2_1_counts_its_frames_from_0(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["clip.ogv"].read_bytes())
    header = data.index(b"\x80theora")
    assert tuple(data[header + 7 : header + 10]) == (3, 2, 1)
    data[header + 9] = 0  # 3.2.0: the last granule is the last frame's index, one less
    assert probe(write(tmp_path / "old.ogv", bytes(data)), OGV) == Probe(64, 48, pytest.approx(0.6))


def test_an_ogg_cut_inside_its_last_page_takes_the_last_whole_one(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    """clip.ogv's last page cut short: the page before it ends with the first frame (granule 64,
    a keyframe shifted by 6), 0.1 s; in sound.ogg the page before the audio is the headers'
    (granule 0): no duration."""
    video = made_media["clip.ogv"].read_bytes()
    cut_video = write(tmp_path / "cut.ogv", video[: video.rindex(b"OggS") + 40])
    assert probe(cut_video, OGV) == Probe(64, 48, pytest.approx(0.1))
    sound = made_media["sound.ogg"].read_bytes()
    assert probe(write(tmp_path / "cut.ogg", sound[:-100]), OGG) == NOTHING


def test_an_ogg_whose_tail_holds_another_streams_pages_gives_no_duration(
    made_media: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(made_media["sound.opus"].read_bytes())
    last = data.rindex(b"OggS")
    data[last + 14 : last + 18] = (
        b"\x01\x02\x03\x04"  # the last page's serial: a stream not announced
    )
    assert probe(write(tmp_path / "stranger.opus", bytes(data)), OGG) == NOTHING


def test_an_ogg_that_is_not_one_gives_nothing(made_media: dict[str, Path], tmp_path: Path) -> None:
    data = bytearray(made_media["sound.ogg"].read_bytes())
    data[4] = 1  # a page version that does not exist
    assert probe(write(tmp_path / "version.ogg", bytes(data)), OGG) == NOTHING
    speex = made_media["sound.ogg"].read_bytes().replace(b"\x01vorbis", b"Speex  ", 1)
    assert probe(write(tmp_path / "speex.ogg", speex), OGG) == NOTHING  # a codec not read
